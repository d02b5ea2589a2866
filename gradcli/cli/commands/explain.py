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
  gradcli explain "y=(x+w)*(w+1)" --at x=2 --at w=1 --html backward.html
  gradcli explain "y=x**3*w" --at x=2 --at w=1 --order 2 --html o2.html
  gradcli explain samples/tutorials/seed004_05_dynamic_graph.grad --var y

--html writes one self-contained page (no network needed: open it from disk) that draws the graph and steps
through backward with Next/Prev or the arrow keys; --html - prints it.
--order 2 explains the backward of the first derivative dy/dv (v: the --wrt variable, else the first) through the graph
create_graph=True built: what reaches each leaf x is the second derivative d2y/dv dx.
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def explain(
        expr: str = typer.Argument(..., metavar="EXPR|FILE",
                                   help="A one-liner (`y=(x+w)*(w+1)`; free names become the variables), or a "
                                        ".grad script (a path ending in .grad, or - for standard input) with "
                                        "--var NAME."),
        at: Optional[List[str]] = O.AT,
        wrt: Optional[str] = O.WRT,
        seed: int = O.SEED,
        order: int = typer.Option(1, "--order", help="1: the gradient's backward; 2: the backward of the first "
                                                     "derivative's create_graph graph (second derivatives)."),
        var: Optional[str] = typer.Option(None, "--var", help="FILE: the tensor to explain (default: the last "
                                                              "tensor with a grad_fn)."),
        html: Optional[str] = typer.Option(None, "--html", metavar="PATH",
                                           help="Write a self-contained page that steps through backward "
                                                "(- prints it). An existing file is replaced whole."),
    ):
        """How backward computes the gradient of EXPR: every node's incoming gradient, its local derivatives
        (symbolic and numeric) and what it sends to each input; then, for each variable, the sum over the
        paths that reach it. Broadcasting is shown where the engine sums it away.
        """
        from gradcli.tools.explain import explain as run
        from gradcli.tools.expression import parse_at
        from gradcli.tools.graph import is_file_argument

        from ..render import emit
        from ..renderers.explain import render

        names = [n.strip() for n in wrt.split(",") if n.strip()] if wrt else None
        if html is None and order == 1 and var is None and not is_file_argument(expr):
            emit("explain", run(expr, parse_at(at), names, seed), render)
            return
        from . import _page
        _page.explain_or_page("explain", expr, html, render, var=var, at=parse_at(at), wrt=names, seed=seed,
                              order=order)
