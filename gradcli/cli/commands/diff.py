"""`gradcli diff EXPR`: each derivative of a one-liner as a formula in its variables, with its value."""
from __future__ import annotations

from typing import List, Optional

import typer

from .. import expression_options as O

EXAMPLES = """
Examples:

\b
  gradcli diff "y=(x+w)*(w+1)" --at x=2 --at w=1 --wrt w
  gradcli diff "y=tanh(x*w)" --at x=0.5 --at w=2 --order 2
  gradcli diff "y=sum(x*w)" --at "x=[1,2,3]" --at w=2
  gradcli diff "y=exp(x)*sin(x)" --at x=1 --json
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def diff(
        expr: str = O.EXPR,
        at: Optional[List[str]] = O.AT,
        wrt: Optional[str] = O.WRT,
        order: int = typer.Option(1, "--order", min=1, max=4, help="Also the pure derivatives up to this "
                                                                   "order (one-number variables)."),
        seed: int = O.SEED,
    ):
        """The derivatives of EXPR as formulas, read off the graph backward builds with create_graph.

        Light simplification (no *1, +0; constants folded) keeps each formula true: it is evaluated with
        the variables' values and compared with the gradient before it is printed.
        """
        from gradcli.tools.expression import parse_at
        from gradcli.tools.formula import formula_report

        from ..render import emit
        from ..renderers.diff import render

        names = [n.strip() for n in wrt.split(",") if n.strip()] if wrt else None
        emit("diff", formula_report(expr, parse_at(at), names, order, seed), render)
