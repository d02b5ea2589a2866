"""Text of `gradcli grad --expect`: per variable, agrees or not, and where a wrong formula goes wrong."""
from __future__ import annotations


def _num(v: float) -> str:
    return f"{v:.6g}"


def render(result, console) -> None:
    y = result.output_name
    console.print(result.expr)
    console.print("  " + ", ".join(f"{n} = {_num(v)}" for n, v in result.at.items()))
    for c in result.checks:
        console.print()
        where = f"at the point and {result.points} seeded points near it (seed {result.seed})"
        if c.agrees:
            console.print(f"∂{y}/∂{c.wrt} = {c.formula}   agrees {where}", soft_wrap=True)
            continue
        console.print(f"∂{y}/∂{c.wrt} = {c.formula}   DISAGREES {where}", soft_wrap=True)
        console.print(f"  at the point: yours {_num(c.got)}, autograd {_num(c.expected)}")
        at = ", ".join(f"{n}={_num(v)}" for n, v in c.worst.at.items())
        console.print(f"  worst at {at}: yours {_num(c.worst.got)}, autograd {_num(c.worst.expected)}")
        if c.mistake is not None:
            console.print(f"  mistake: {c.mistake.message}", soft_wrap=True)
        console.print(f"  correct: ∂{y}/∂{c.wrt} = {c.correct}", soft_wrap=True)
