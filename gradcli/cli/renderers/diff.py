"""Text of `gradcli diff` (and `grad --formula`): each derivative as `∂y/∂w = formula = value`."""
from __future__ import annotations

import re

from ..render import value_text

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def compact(t) -> str:
    """A value on one line: a matrix's rows joined, runs of spaces kept to one."""
    return " ".join(value_text(t).split())


def label(y: str, wrt: str, order: int) -> str:
    if order == 1:
        return f"∂{y}/∂{wrt}"
    k = str(order).translate(_SUPERSCRIPT)
    return f"∂{k}{y}/∂{wrt}{k}"


_CONSTANT = re.compile(r"^tensor\(\[[-+\d., e\[\]]*\]\)$")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_line(y: str, d) -> str:
    """`∂y/∂w = (w + 1) + (x + w) = 5.`, with a note when the formula is not a checked truth."""
    parts = [label(y, d.wrt, d.order)]
    if not _is_number(d.formula) and not _CONSTANT.match(d.formula):  # a constant says what the value says
        parts.append(d.formula)
    parts.append(compact(d.value))
    line = " = ".join(parts)
    if not d.evaluable:
        line += "   (not a formula that can be evaluated as written: Name(...) marks a node with no display " \
                "template; the value is the engine's)"
    elif not d.checked:
        line += "   (warning: this formula did not reproduce the value; the value is the engine's)"
    return line


def render(report, console) -> None:
    console.print(report.expr, soft_wrap=True)
    for name, leaf in report.leaves.items():
        console.print(f"  {name} = {compact(leaf)}", soft_wrap=True)
        if name in report.drawn:
            console.print(f"     (drawn with seed {report.seed}; set it with --at {name}=...)")
    forward = "" if _is_number(report.formula) else f" = {report.formula}"
    console.print(f"{report.output_name}{forward} = {compact(report.value)}", soft_wrap=True)
    console.print()
    for d in report.derivatives:
        console.print(formula_line(report.output_name, d), soft_wrap=True)
