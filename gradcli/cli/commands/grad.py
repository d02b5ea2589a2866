"""`gradcli grad EXPR`: the value of a one-liner and the derivatives of its output with respect to its leaves."""
from __future__ import annotations

from typing import List, Optional

import typer

EXAMPLES = """
Examples:

  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1

  gradcli grad "y = x**3" --at x=3 --order 3

  gradcli grad "sum(tanh(A@x)**2)" --at "A=randn(3,3)" --at "x=[1,2,3]" --wrt x

  gradcli --json grad "a=x*y; b=a+y; c=b**2" --at x=1 --at y=2 --order 2

  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1 --formula
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def grad(
        expr: str = typer.Argument(..., help="A one-liner: `y=(x+w)*(w+1)`, several statements separated by "
                                             "';', or an expression. Free names become the variables."),
        at: Optional[List[str]] = typer.Option(None, "--at", help="A variable's value: x=2, x=[1,2,3], "
                                                                 "A=randn(3,3). Repeat for each variable."),
        wrt: Optional[str] = typer.Option(None, "--wrt", help="Only these variables, comma-separated: w,x."),
        order: int = typer.Option(1, "--order", min=1, max=6, help="Highest derivative: 2 adds the Hessian, "
                                                                   "3 and more the pure n-th derivatives."),
        seed: int = typer.Option(0, "--seed", help="Seed for the variables not given with --at (and for "
                                                   "randn in the expression)."),
        formula: bool = typer.Option(False, "--formula", help="Show each first derivative as a formula in "
                                                              "the variables: ∂y/∂w = (w + 1) + (x + w) = 5."),
    ):
        """The value of EXPR and its derivatives with respect to its variables.

        Variables not set with --at are drawn from the seed and shown, so every run can be repeated.
        """
        from gradcli.tools.expression import grad_report, parse_at

        from ..render import emit
        from ..renderers.grad import render

        names = [n.strip() for n in wrt.split(",") if n.strip()] if wrt else None
        report = grad_report(expr, parse_at(at), names, order, seed)
        if formula:
            from gradcli.tools.formula import formula_report, with_formulas
            report = with_formulas(report, formula_report(expr, parse_at(at), names, 1, seed))
        emit("grad", report, render)
