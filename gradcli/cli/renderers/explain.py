"""Text of `gradcli explain`: the names, each backward step, then each variable's sum over paths."""
from __future__ import annotations

import re

from .diff import _is_number, compact

_ATOM = re.compile(r"^-?[\w.]+$|^\w+\([^()]*\)$")


def _join(*parts: str) -> str:
    """`a = b = c`, without repeating a part equal to the one before it, nor a plain number that only
    says again what the value after it says (`1 = 1.`)."""
    out: list[str] = []
    for k, p in enumerate(parts):
        if not p or (out and out[-1] == p) or (0 < k < len(parts) - 1 and _is_number(p)):
            continue
        out.append(p)
    return " = ".join(out)


def _factor(text: str) -> str:
    return text if _ATOM.match(text) else f"({text})"


def _signed_sum(values: list[str]) -> str:
    out = values[0]
    for v in values[1:]:
        out += f" - {v[1:]}" if v.startswith("-") else f" + {v}"
    return out


def sum_line(y: str, s) -> str:
    """`∂y/∂w = ∂y/∂a·∂a/∂w + ∂y/∂b·∂b/∂w = (w + 1)·1 + (x + w)·1 = 2. + 3. = 5.`"""
    lhs = f"∂{y}/∂{s.leaf}"
    if not s.terms:
        return f"{lhs} = {compact(s.total)}   ({y} does not depend on {s.leaf})"
    repeated = {t.via for t in s.terms if sum(u.via == t.via for u in s.terms) > 1}
    chain, symbolic, numbers = [], [], []
    for t in s.terms:
        local = f"∂{t.via}/∂{s.leaf}" + (f"[{t.input}]" if t.via in repeated else "")
        chain.append(local if t.via == y else f"∂{y}/∂{t.via}·{local}")
        if t.scalar:
            symbolic.append(_factor(t.local_full) if t.via == y else
                            f"{_factor(t.incoming_full)}·{_factor(t.local_full)}")
        numbers.append(compact(t.value))
    parts = [lhs, " + ".join(chain)]
    if len(symbolic) == len(s.terms):
        parts.append(" + ".join(symbolic))
    parts += [_signed_sum(numbers), compact(s.total)]
    return _join(*parts)


def render(ex, console) -> None:
    p = lambda text="": console.print(text, soft_wrap=True)  # noqa: E731 -- formulas must not wrap
    p(ex.expr)
    for name, leaf in ex.leaves.items():
        p(f"  {name} = {compact(leaf)}")
        if name in ex.drawn:
            p(f"     (drawn with seed {ex.seed}; set it with --at {name}=...)")
    for step in reversed(ex.steps):
        p(f"  {_join(step.name, step.forward, step.forward_full, compact(step.value))}")
    y = ex.output_name
    if ex.steps:
        p()
        p("Backward, node by node, in the order the engine runs them:")
    for step in ex.steps:
        p()
        p(f"{step.name} = {step.forward}   {step.op}")
        p(f"  incoming  {_join(f'∂{y}/∂{step.name}', step.incoming_full, compact(step.incoming))}")
        for e in step.edges:
            local = _join(f"∂{step.name}/∂{e.to}", e.local, e.local_full, compact(e.local_value))
            if step.incoming.numel() == 1 and e.local_value.numel() == 1:
                sends = f"{compact(step.incoming)}·{compact(e.local_value)} = {compact(e.sent)}"
            else:
                sends = compact(e.sent)
            p(f"  to {e.to}  {local}   sends {sends}")
            if e.reduced_dims is not None:
                dims = ", ".join(map(str, e.reduced_dims))
                p(f"    broadcast: {e.to} has shape {list(e.received.shape)}, so the engine sums over "
                  f"dim {dims}: {compact(e.received)}")
    p()
    p("Sum over the paths into each variable:" if ex.sums else "The expression has no variables.")
    for s in ex.sums:
        p(f"  {sum_line(y, s)}")
