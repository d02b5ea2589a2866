"""`gradcli graph EXPR|FILE`: the autograd graph of a tensor as a tree, DOT, Mermaid or JSON, or a picture."""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from .. import expression_options as O

from gradcli.tools.defaults import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES

EXAMPLES = f"""
Examples:

\b
  gradcli graph "y=(x+w)*(w+1)" --at x=2 --at w=1
  gradcli graph "a=x*y; b=a+y; c=b**2" --values --grads
  gradcli graph samples/tutorials/seed000_3_one_layer_network.grad --var loss
  gradcli graph "y=tanh(x)*x" --format dot > g.dot
  gradcli graph "y=tanh(x)*x" --output g.svg
  gradcli --json graph "y=exp(x)*x"
  gradcli graph "y=(x+w)*(w+1)" --at x=2 --at w=1 --html backward.html

Reading the tree: [k] is the position of the edge in next_functions; input_nr=N is shown when an edge feeds
output N (not 0) of a multi-output node; a shared node is drawn once and marked #ID, and later edges to it
say "#ID (shared, see above)"; None is an input that needs no gradient. Leaves show their variable's name,
nodes show the variables holding the tensor they made (a = AddBackward0).

--values shows the forward value of each tensor a variable holds: the output, the leaves and the named
intermediates (an unnamed intermediate's value is not kept by the graph, so it is left out).
--grads runs one backward pass (the graph is kept, no .grad changes) and shows at each node the gradient
of the output with respect to the tensor that node made: d(y)/d(a), or d(sum(y))/d(a) if y is not a number.

Big graphs: only the nodes within --max-depth (default {DEFAULT_MAX_DEPTH}) edges of the root and the first
--max-nodes (default {DEFAULT_MAX_NODES}) breadth-first are drawn, in every format; the rest are marked
"… (not shown)" and counted. 0 lifts a limit.
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def graph(
        source: str = typer.Argument(..., metavar="EXPR|FILE",
                                     help="A one-liner (`y=(x+w)*(w+1)`; free names become the variables), or a "
                                          ".grad script (a path ending in .grad, or - for standard input)."),
        var: Optional[str] = typer.Option(None, "--var", help="The tensor to draw (default: the expression's "
                                                              "result; for a file, the last tensor with a "
                                                              "grad_fn)."),
        fmt: Optional[str] = typer.Option(None, "--format", help="tree (default), dot, mermaid or json."),
        values: bool = typer.Option(False, "--values", help="Show the forward value at each node."),
        grads: bool = typer.Option(False, "--grads", help="Show the gradient flowing into each node."),
        output: Optional[str] = typer.Option(None, "--output", "-o",
                                             help="Write the graph to a file: .dot/.gv, .mmd, or .svg/.png/.pdf "
                                                  "(needs Graphviz's dot). An existing file is replaced whole."),
        html: Optional[str] = typer.Option(None, "--html", metavar="PATH",
                                           help="Write a self-contained page that draws the graph and steps "
                                                "through backward (- prints it); values and gradients are always "
                                                "on it."),
        at: Optional[List[str]] = O.AT_FOR_EXPR,
        seed: int = O.SEED_FOR_EXPR,
        max_nodes: int = typer.Option(DEFAULT_MAX_NODES, "--max-nodes", min=0,
                                      help="Draw at most this many nodes (0: all)."),
        max_depth: int = typer.Option(DEFAULT_MAX_DEPTH, "--max-depth", min=0,
                                      help="Draw nodes at most this many edges from the root (0: all)."),
    ):
        """Draw the autograd graph behind a tensor: PyTorch's node names and next_functions edges.

        The tree follows grad_fn.next_functions from the output down to the leaves (AccumulateGrad).
        """
        from gradcli.lang.runner import Limits
        from gradcli.tools.expression import parse_at
        from gradcli.tools.graph import graph_report
        from gradcli.tools.graph_export import check_format, write_graph

        from ..options import OPTIONS
        from ..render import emit
        from ..renderers.graph import render, render_written

        if html is not None:
            from gradcli.errors import OptionError

            from . import _page
            if output is not None or fmt is not None:
                raise OptionError("--html writes the stepping page; --output and --format write the graph in "
                                  "another form: use one")
            _page.explain_or_page("graph", source, html, None, var=var, at=parse_at(at), seed=seed)
            return
        check_format(fmt, output)
        if fmt == "json":
            OPTIONS.json = True  # the same document as the global --json
        # "-" reads the script from standard input, one byte past the size limit so that limit can speak
        stdin = sys.stdin.buffer.read(Limits().max_source_bytes + 1) if source == "-" else None
        result = graph_report(source, var=var, at=parse_at(at), seed=seed, values=values, grads=grads,
                              max_nodes=max_nodes, max_depth=max_depth,
                              fmt=(fmt or "tree") if output is None else "tree", stdin=stdin)
        if output is not None:
            emit("graph", write_graph(result, output), render_written)
        else:
            emit("graph", result, render)
