"""Text of `gradcli grad`: the expression, its inputs, the value, then each derivative."""
from __future__ import annotations

from ..render import value_text

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _line(console, label: str, t) -> None:
    text = value_text(t)
    if "\n" in text:
        pad = " " * (len(label) + 3)
        first, *rest = text.split("\n")
        text = "\n".join([first] + [pad + line if line else "" for line in rest])  # no trailing blanks
    console.print(f"{label} = {text}")


def render(report, console) -> None:
    y = report.output_name
    console.print(report.expr)
    for name, leaf in report.leaves.items():
        drawn = f"   (drawn with seed {report.seed}; set it with --at {name}=...)" if name in report.drawn else ""
        _line(console, f"  {name}", leaf)
        if drawn:
            console.print(drawn)
    _line(console, y, report.value)
    console.print()
    formulas = getattr(report, "formulas", None) or {}
    for name, g in report.gradient.items():
        if name in formulas:
            from .diff import formula_line
            console.print(formula_line(y, formulas[name]), soft_wrap=True)
        else:
            _line(console, f"∂{y}/∂{name}", g)
    if report.hessian:
        console.print()
        names = list(report.gradient)
        if all(report.leaves[n].numel() == 1 for n in names):
            from rich.table import Table
            table = Table(title=f"Hessian of {y}", show_lines=False, box=None, pad_edge=False)
            table.add_column("")
            for n in names:
                table.add_column(f"∂/∂{n}", justify="right")
            for a in names:
                table.add_row(f"∂²{y}/∂{a}", *(value_text(report.hessian[(a, b)]) for b in names))
            console.print(table)
        else:
            for (a, b), block in report.hessian.items():
                label = f"∂²{y}/∂{a}²" if a == b else f"∂²{y}/∂{a}∂{b}"
                _line(console, label, block)
    for k, per_leaf in (report.higher or {}).items():
        console.print()
        for name, t in per_leaf.items():
            _line(console, f"∂{str(k).translate(_SUPERSCRIPT)}{y}/∂{name}{str(k).translate(_SUPERSCRIPT)}", t)
