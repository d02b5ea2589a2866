"""`gradcli grad EXPR`: the value of a one-liner and the derivatives of its output with respect to its leaves."""
from __future__ import annotations

from typing import List, Optional

import typer

from .. import expression_options as O

from .. import limits as L

EXAMPLES = """
Examples:

\b
  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1
  gradcli grad "y = x**3" --at x=3 --order 3
  gradcli grad "sum(tanh(A@x)**2)" --at "A=randn(2,2)" --at "x=[1,2]" --wrt x
  gradcli grad "a=x*y; b=a+y; c=b**2" --at x=1 --at y=2 --order 2 --json
  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1 --formula
  gradcli grad "y=sin(x**2)" --at x=1.5 --expect "2*x*cos(x**2)"
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def grad(
        expr: str = O.EXPR,
        at: Optional[List[str]] = O.AT,
        wrt: Optional[str] = O.WRT,
        order: int = typer.Option(1, "--order", help="The highest derivative, 1 to 6: 2 adds the Hessian, "
                                                     "3 and more the pure n-th derivatives."),
        seed: int = O.SEED,
        formula: bool = typer.Option(False, "--formula", help="Show each first derivative as a formula in "
                                                              "the variables: ∂y/∂w = (w + 1) + (x + w) = 5."),
        expect: Optional[List[str]] = typer.Option(
            None, "--expect", metavar="[NAME=]FORMULA",
            help="Check a derivative worked out by hand: FORMULA is compared with autograd at the point and at "
                 "20 seeded points near it (exit 0 agrees, 1 not, naming the wrong term). Repeatable; a bare "
                 "FORMULA pairs with --wrt order or the only variable."),
        max_steps: int = L.MAX_STEPS,
        max_loop_iterations: int = L.MAX_LOOP_ITERATIONS,
        max_call_depth: int = L.MAX_CALL_DEPTH,
        max_tensor_elements: int = L.MAX_TENSOR_ELEMENTS,
        max_graph_nodes: int = L.MAX_GRAPH_NODES,
        max_seconds: float = L.MAX_SECONDS,
    ):
        """The value of EXPR and its derivatives with respect to its variables.

        Variables not set with --at are drawn from the seed and shown, so every run can be repeated.
        """
        import sys

        from gradcli.tools.expression import grad_report, parse_at, parse_wrt

        from ..render import emit
        from ..renderers.grad import render

        limits = L.limits(max_steps, max_loop_iterations, max_call_depth, max_tensor_elements, max_graph_nodes,
                          max_seconds=max_seconds)
        names = parse_wrt(wrt)
        if expect:
            return _expect(expr, at, names, expect, seed, limits, order, formula)
        # print() in EXPR goes to stderr: stdout is the report (one JSON document with --json)
        make = grad_report
        if formula:  # the same single evaluation, also read as formulas
            from gradcli.tools.formula import grad_with_formulas as make
        report = make(expr, parse_at(at), names, order, seed, limits, stdout=sys.stderr)
        emit("grad", report, render)


def _expect(expr, at, names, expect, seed, limits, order, formula):
    """`--expect`: the check of the user's formulas replaces the grad report; exit 1 when one disagrees."""
    from gradcli.errors import OptionError
    from gradcli.tools.derivation import check_derivative, parse_expect
    from gradcli.tools.expression import evaluate, parse_at

    from ..render import emit
    from ..renderers.expect import render

    if order != 1 or formula:
        raise OptionError("--expect checks first derivatives: it takes neither --order nor --formula")
    values = parse_at(at)
    variables = list(evaluate(expr, values, seed, limits).leaves)
    result = check_derivative(expr, parse_expect(expect, names, variables), values, seed, limits)
    emit("grad", result, render)
    if not result.agrees:
        raise typer.Exit(1)
