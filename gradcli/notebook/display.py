"""What a notebook shows for a tensor or a backward node: its graph as SVG (inline), and `show`'s stepping page.

The engine calls `rich_repr` through the hook in gradcli/autograd/graph.py, so nothing here loads until a
frontend asks for a rich repr. The stepping page and its SVG come from gradcli.tools.stepping_page when that
module is present; the drawing below is the fallback that needs nothing but the graph itself (no Graphviz,
no network, no IPython).
"""
from __future__ import annotations

import html
import sys

__all__ = ["rich_repr", "graph_svg", "draw_svg", "page_html", "show", "Page", "MAX_DRAWN"]

MAX_DRAWN = 80  # nodes drawn inline; past this a drawing is unreadable, and the rest is counted in a note

_CHAR_W, _BOX_H, _ROW_GAP, _COL_GAP, _PAD = 7.2, 26, 46, 18, 12  # pixel metrics of 12px monospace text


def rich_repr(obj, kind: str) -> str | None:
    """`_repr_svg_` (kind "svg") or `_repr_html_` ("html") of a Tensor or Node; None when it has no graph,
    so IPython shows the plain text repr instead."""
    from gradcli.autograd.graph import Node
    from gradcli.autograd.tensor import Tensor
    if isinstance(obj, Tensor):
        if obj.grad_fn is None:
            return None
        svg = graph_svg(obj)
        if kind == "svg":
            return svg
        return f'<pre style="margin:0 0 6px 0">{html.escape(repr(obj))}</pre>{svg}'
    if isinstance(obj, Node) and kind == "svg":  # a node's text repr says nothing worth keeping beside it
        return draw_svg(obj)
    return None


def graph_svg(t) -> str:
    """The graph behind tensor `t` as one <svg> element: the stepping page's drawing when that module is
    installed, else `draw_svg`."""
    try:
        from gradcli.tools.stepping_page import svg_for_tensor
    except ImportError:
        return draw_svg(t.grad_fn, _user_names())
    from gradcli.errors import GradError
    try:
        return svg_for_tensor(t)
    except GradError:  # a graph that page refuses (past its limits): the bounded drawing below still shows it
        return draw_svg(t.grad_fn, _user_names())


def _user_names() -> dict[int, str]:
    """Variable names of the notebook's tensors, so a drawn leaf reads `x  AccumulateGrad` as in `gradcli
    graph`; keyed by id of the tensor (leaves) and of its grad_fn (intermediates). Empty outside IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return {}
    from gradcli.autograd.tensor import Tensor
    names: dict[int, str] = {}
    for name, v in list(shell.user_ns.items()):
        if name.startswith("_") or not isinstance(v, Tensor):
            continue
        key = id(v) if v.grad_fn is None else id(v.grad_fn)
        names.setdefault(key, name)
    return names


def _walk(root, limit: int):
    """Nodes breadth-first from root (edges in next_functions order), at most `limit`; their layer (the
    longest path from the root, so every edge points down) and edges as (parent, child, index)."""
    order, index = [root], {id(root): 0}
    edges, hidden = [], 0
    i = 0
    while i < len(order):
        node = order[i]
        for k, (nxt, _) in enumerate(node.next_functions):
            if nxt is None:
                continue
            if id(nxt) not in index:
                if len(order) >= limit:
                    hidden += 1
                    continue
                index[id(nxt)] = len(order)
                order.append(nxt)
            edges.append((index[id(node)], index[id(nxt)], k))
        i += 1
    layer = [0] * len(order)
    for _ in range(len(order)):  # relax until stable: longest path in a DAG, without recursion
        changed = False
        for a, b, _ in edges:
            if layer[b] < layer[a] + 1:
                layer[b], changed = layer[a] + 1, True
        if not changed:
            break
    return order, layer, edges, hidden


def _label(node, names: dict[int, str]) -> str:
    from gradcli.autograd.graph import AccumulateGrad
    name = type(node).__name__
    if type(node) is AccumulateGrad:
        var = node.variable
        held = names.get(id(var))
        shape = "" if var.dim() == 0 else " [" + ", ".join(map(str, var.shape)) + "]"
        return f"{held}  {name}" if held else f"{name}{shape}"
    held = names.get(id(node))
    return f"{held} = {name}" if held else name


def draw_svg(root, names: dict[int, str] | None = None) -> str:
    """A top-down layered drawing of the graph under node `root`: a box per node with PyTorch's name, an
    arrow per `next_functions` edge labelled with its index, as `gradcli graph` prints the tree."""
    names = names or {}
    order, layer, edges, hidden = _walk(root, MAX_DRAWN)
    labels = [_label(n, names) for n in order]
    widths = [len(s) * _CHAR_W + 2 * _PAD for s in labels]
    rows: dict[int, list[int]] = {}
    for k, d in enumerate(layer):
        rows.setdefault(d, []).append(k)
    row_w = {d: sum(widths[k] for k in ks) + _COL_GAP * (len(ks) - 1) for d, ks in rows.items()}
    width = max(row_w.values()) + 2 * _PAD
    x, y = [0.0] * len(order), [0.0] * len(order)
    for d, ks in rows.items():
        left = (width - row_w[d]) / 2
        for k in ks:
            x[k], y[k] = left, _PAD + d * (_BOX_H + _ROW_GAP)
            left += widths[k] + _COL_GAP
    height = _PAD * 2 + (max(layer) + 1) * (_BOX_H + _ROW_GAP) - _ROW_GAP + (18 if hidden else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="12" style="white-space:pre">',
           '<defs><marker id="gradcli-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for a, b, k in edges:
        x0, y0 = x[a] + widths[a] / 2, y[a] + _BOX_H
        x1, y1 = x[b] + widths[b] / 2, y[b]
        out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#555" '
                   f'marker-end="url(#gradcli-arrow)"/>')
        out.append(f'<text x="{(x0 + x1) / 2 + 4:.1f}" y="{(y0 + y1) / 2 + 4:.1f}" fill="#777" '
                   f'font-size="10">{k}</text>')
    for k, s in enumerate(labels):
        leaf = type(order[k]).__name__ == "AccumulateGrad"
        fill = "#e8f1fb" if leaf else "#fdf3e1"
        out.append(f'<rect x="{x[k]:.1f}" y="{y[k]:.1f}" width="{widths[k]:.1f}" height="{_BOX_H}" rx="5" '
                   f'fill="{fill}" stroke="#666"/>')
        out.append(f'<text x="{x[k] + widths[k] / 2:.1f}" y="{y[k] + _BOX_H / 2 + 4:.1f}" '
                   f'text-anchor="middle">{html.escape(s)}</text>')
    if hidden:
        out.append(f'<text x="{_PAD}" y="{height - 6:.0f}" fill="#777">… {hidden} more edges to nodes not drawn '
                   f'(at most {MAX_DRAWN} nodes inline)</text>')
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- show()
class Page:
    """A self-contained HTML page shown in an iframe: IPython displays it inline (`_repr_html_`); `.html`
    is the page itself, to save or open elsewhere."""

    def __init__(self, page: str, height: int = 520):
        self.html, self.height = page, height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;'
                f'height:{self.height}px;border:1px solid #ddd" sandbox="allow-scripts"></iframe>')

    def __repr__(self) -> str:
        return f"<gradcli page, {len(self.html)} characters of HTML>"


def page_html(t) -> str:
    """The stepping page of tensor `t` (gradcli.tools.stepping_page), or a page holding the drawn graph."""
    try:
        from gradcli.tools.stepping_page import page_for_tensor
    except ImportError:
        body = f"<pre>{html.escape(repr(t))}</pre>{draw_svg(t.grad_fn, _user_names())}"
        return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>gradcli</title></head>' \
               f'<body style="font-family:sans-serif">{body}</body></html>'
    return page_for_tensor(t)


def show(t):
    """`gradcli.show(y)`: the page stepping through y's backward pass, inline in a notebook. Outside IPython
    (or with no display) the Page is returned, so `gradcli.show(y).html` can be saved."""
    from gradcli.autograd.tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"gradcli.show() takes a tensor, got {type(t).__name__}")
    if t.grad_fn is None:
        raise ValueError("gradcli.show(): the tensor has no grad_fn, so no backward to show (make it from "
                         "tensors with requires_grad=True)")
    page = Page(page_html(t))
    ipython = sys.modules.get("IPython")
    if ipython is not None and ipython.get_ipython() is not None:
        from IPython.display import display
        display(page)
        return None
    return page
