"""`gradcli explain EXPR`: the chain rule step by step, as backward runs it, then each variable's sum over paths."""
from __future__ import annotations

from typing import List, Optional

import typer

from .. import expression_options as O

EXAMPLES = """
Examples:

\b
  gradcli explain "y=(x+w)*(w+1)" --at x=2 --at w=1
  gradcli explain "a=x*w; y=tanh(a)+a" --at x=0.5 --at w=2 --wrt w
  gradcli explain "y=sum(x*w)" --at "x=[1,2,3]" --at w=2
  gradcli explain "y=x**2*w" --at x=3 --at w=2 --json
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def explain(
        expr: str = O.EXPR,
        at: Optional[List[str]] = O.AT,
        wrt: Optional[str] = O.WRT,
        seed: int = O.SEED,
    ):
        """How backward computes the gradient of EXPR: every node's incoming gradient, its local derivatives
        (symbolic and numeric) and what it sends to each input; then, for each variable, the sum over the
        paths that reach it. Broadcasting is shown where the engine sums it away.
        """
        from gradcli.tools.explain import explain as run
        from gradcli.tools.expression import parse_at

        from ..render import emit
        from ..renderers.explain import render

        names = [n.strip() for n in wrt.split(",") if n.strip()] if wrt else None
        emit("explain", run(expr, parse_at(at), names, seed), render)
