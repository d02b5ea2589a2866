"""The stepping page: one self-contained HTML file (inline CSS, JS and SVG; no network request) that draws the
autograd graph top-down and steps through backward in the engine's order with Next/Prev or the arrow keys.

    html = page("y=(x+w)*(w+1)", at={"x": "2", "w": "1"})     # EXPR|FILE, as `gradcli explain --html`
    html = page_for_tensor(t)                                   # any scalar tensor with a grad_fn (notebooks)
    svg = svg_for_tensor(t)                                     # the static graph alone: standalone SVG, no JS

The SVG is drawn here (positions from grandalf, see layered_layout.py) with an id on every node and edge;
the page's script only shows frame N: it toggles classes and sets the gradient labels the frames list.
Every frame's text is written here too, as HTML sections (so a printout shows all of them); the numbers in
them are `<data value="JSON">` elements read from the explanation, and the explanation itself is in a
`<script type="application/json" id="gradcli-data">` island exactly as `gradcli explain --json` prints it.
Output is deterministic (no time, no addresses): the same input gives the same bytes.
"""
from __future__ import annotations

import dataclasses
import json
import math
from html import escape

from gradcli.autograd.tensor import Tensor

from . import page_assets as assets
from .graph_export import tensor_text
from .layered_layout import layered_layout
from .stepping import MAX_PAGE_STEPS, Stepping, stepping, stepping_of

__all__ = ["page", "page_of", "write_page", "PageWritten", "page_for_tensor", "svg_for_tensor", "svg_of",
           "jsonable", "number_text"]

CHAR_W, LINE_H, PAD = 7.3, 16, 8  # monospace 12px: px per character, per line; padding in a box
MAX_LABEL = 48  # characters of a value or formula inside the drawing (the panel has the full text)
LABEL_ROOM = 90  # px right of the drawing for edge labels
MAX_FORMULA = 300  # characters of a formula in the panel
MAX_TERMS = 4  # terms of a sum spelled out


def page(argument: str, **options) -> str:
    """The page for EXPR|FILE; options as `stepping.stepping` (var, at, wrt, seed, order, limits, stdin)."""
    options.setdefault("max_steps", MAX_PAGE_STEPS)
    return page_of(stepping(argument, **options))


def page_for_tensor(t: Tensor, name: str = "y", variables: dict | None = None) -> str:
    """The page for a scalar tensor with a grad_fn; `variables` name its leaves and intermediates."""
    return page_of(_stepping_for_tensor(t, name, variables))


def svg_for_tensor(t: Tensor, name: str = "y", variables: dict | None = None) -> str:
    """The graph of a scalar tensor as one standalone SVG (values shown, no script)."""
    return svg_of(_stepping_for_tensor(t, name, variables), standalone=True)


def _stepping_for_tensor(t, name, variables) -> Stepping:
    from .explain import explain_evaluation
    from .graph import Loaded
    from .stepping import _script_evaluation
    from .unparse import Recorder

    with Recorder() as rec:  # nodes made before are not recorded: their formulas read as their values
        ev = _script_evaluation(name, Loaded(name, t, dict(variables or {}, **{name: t})))
        return stepping_of(explain_evaluation(ev, rec, None, MAX_PAGE_STEPS), source=name)


# ---- values as text and as JSON (the same document as `--json`) ----------------------------------------


def number_text(t) -> str:
    """A tensor on one line, as `gradcli explain` prints it: `2.`, `tensor([1., 2.])`."""
    return " ".join(tensor_text(t).split())


def jsonable(obj):
    """What `gradcli --json` prints for a result: tensors as {shape, dtype, values}, non-finite as strings."""
    if isinstance(obj, Tensor):
        data = obj.detach().numpy()
        return {"shape": list(data.shape), "dtype": str(obj.dtype).replace("torch.", ""),
                "values": _clean(data.tolist())}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj) if not f.name.startswith("_")}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(x) for x in obj]
    return _clean(obj)


def _clean(v):
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def _num(t, cls: str) -> str:
    """A number the reader sees and a test reads back: the text torch prints, the JSON values beside it."""
    value = json.dumps(jsonable(t)["values"], separators=(",", ":"))
    return f'<data class="num {cls}" value="{escape(value)}">{escape(number_text(t))}</data>'


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _code(formula: str) -> str:
    """A formula in the panel: cut at MAX_FORMULA characters (the data island keeps it whole)."""
    return f"<code>{escape(_short(formula, MAX_FORMULA))}</code>"


def _formula(text: str, value=None) -> str:
    """`<code>formula</code> = `, or nothing when the formula is a plain number the value says again."""
    try:
        float(text)
        return ""
    except ValueError:
        pass
    return "" if value is not None and text == number_text(value) else _code(text) + " = "


def _terms(items: list, fmt=str) -> str:
    """`a + b + c`, or the first MAX_TERMS and how many more (a leaf used by every node of a long chain
    receives along hundreds of edges); only the terms shown are formatted."""
    shown = " + ".join(fmt(x) for x in items[:MAX_TERMS])
    return shown if len(items) <= MAX_TERMS else shown + f" + … ({len(items)} terms)"


def _pairs(flat: list[int]) -> list[tuple[int, int]]:
    return list(zip(flat[::2], flat[1::2]))


# ---- the drawing ---------------------------------------------------------------------------------------


def _box_lines(n) -> list[str]:
    title = f"{n.name}  {n.op}" if n.leaf else f"{n.name} = {n.op}"
    return [title, _short(number_text(n.value)) if n.value is not None else ""]


def svg_of(st: Stepping, standalone: bool = False) -> str:
    """The graph: boxes (torch's node name, the value) top-down, edges along next_functions."""
    lines = {n.id: _box_lines(n) for n in st.nodes}
    size = {i: (max(len(s) for s in ls + ["∂y/∂y 0.0000"]) * CHAR_W + 2 * PAD, 3 * LINE_H + PAD)
            for i, ls in lines.items()}
    lay = layered_layout([(n.id, *size[n.id]) for n in st.nodes], [(e.src, e.dst) for e in st.edges])
    ex = st.explanation
    width = lay.width + LABEL_ROOM  # an edge label may stick out right of the rightmost box
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="gradcli-graph" viewBox="0 0 {width:g} '
           f'{lay.height}" width="{width:g}" height="{lay.height}" role="img" '
           f'aria-label="{escape(_caption(st), quote=True)}">',
           f"<style>{assets.SVG_CSS}</style>" if standalone else "",
           '<defs><marker id="gc-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
           '<path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>']
    for e, route in zip(st.edges, lay.routes):
        (x0, y0), (x1, y1) = route[0], route[-1]
        h0, h1 = size[e.src][1] / 2, size[e.dst][1] / 2
        pts = [(x0, y0 + h0)] + route[1:-1] + [(x1, y1 - h1 - 2)]
        d = "M" + " L".join(f"{x:g},{y:g}" for x, y in pts)
        label = ""
        if e.step is not None:
            label = _edge_label(pts, number_text(ex.steps[e.step].edges[e.edge].sent))
        out.append(f'<g class="edge" id="{e.id}" data-src="{e.src}" data-dst="{e.dst}"><path d="{d}" '
                   f'marker-end="url(#gc-arrow)"/>{label}</g>')
    for n in st.nodes:
        (x, y), (w, h) = lay.boxes[n.id], size[n.id]
        kind = "leaf" if n.leaf else "op"
        step = f' data-step="{n.step}"' if n.step is not None else ""
        t1, t2 = (escape(s) for s in lines[n.id])
        out.append(f'<g class="node {kind}" id="{n.id}"{step}><rect x="{x - w / 2:g}" y="{y - h / 2:g}" '
                   f'width="{w:g}" height="{h:g}" rx="6"/><text class="title" x="{x:g}" y="{y - h / 2 + PAD + 11:g}">'
                   f'{t1}</text><text class="value" x="{x:g}" y="{y - h / 2 + PAD + 11 + LINE_H:g}">{t2}</text>'
                   f'<text class="grad" id="{n.id}-grad" x="{x:g}" y="{y - h / 2 + PAD + 11 + 2 * LINE_H:g}">'
                   f'</text></g>')
    out.append("</svg>")
    return "".join(s for s in out if s)


def _edge_label(pts, text: str) -> str:
    """The edge's label beside its first segment, on the side it leans to (two edges leaving one box
    part ways, so their labels do not meet)."""
    (x0, y0), (x1, y1) = pts[0], pts[1]
    mx, my = x0 + (x1 - x0) * 0.45, y0 + (y1 - y0) * 0.45 + 4
    anchor, dx = ("end", -5) if x1 < x0 - 1 else ("start", 5)
    return (f'<text class="elabel" x="{round(mx + dx, 1):g}" y="{round(my, 1):g}" text-anchor="{anchor}">'
            f"{escape(_short(text))}</text>")


def _caption(st: Stepping) -> str:
    ex = st.explanation
    ops = sum(1 for n in st.nodes if not n.leaf)
    return (f"The autograd graph of {ex.output_name}: {ops} operation{'s' * (ops != 1)} and "
            f"{len(st.nodes) - ops} lea{'ves' if len(st.nodes) - ops != 1 else 'f'}, from {ex.output_name} at the "
            "top down to the leaves; gradients flow downwards along the arrows.")


# ---- the frames: what the panel says at each stop --------------------------------------------------------


def _frame_html(st: Stepping, k: int, received: dict) -> str:
    ex, frame = st.explanation, st.frames[k]
    y = ex.output_name
    last = len(st.frames) - 1
    hidden = "" if k == 0 else " hidden"
    head = f'<section class="frame" id="frame-{k}" data-frame="{k}"{hidden}>' \
           f'<h2><span class="stepno">{k} / {last}</span> {escape(frame.title)}</h2>'
    body: list[str] = []
    if k == 0:
        body.append("<p>Forward pass: the leaves, then each operation in the order it ran.</p><ul>")
        for name, leaf in ex.leaves.items():
            body.append(f'<li data-leaf="{escape(name)}"><code>{escape(name)}</code> = {_num(leaf, "leaf")} '
                        f'<span class="op">leaf'
                        f'{" (drawn with seed %d)" % ex.seed if name in ex.drawn else ""}</span></li>')
        for s in reversed(ex.steps):
            body.append(f"<li><code>{escape(s.name)} = {escape(_short(s.forward, MAX_FORMULA))}</code> = "
                        f"{_num(s.value, 'value')} "
                        f'<span class="op">{escape(s.op)}</span></li>')
        body.append(f"</ul><p>Backward starts at <code>{escape(y)}</code> with ∂{escape(y)}/∂{escape(y)} = 1 and "
                    "runs the nodes in the order below: press Next (or →).</p>")
    elif k < last:
        s = ex.steps[k - 1]
        via = received.get(frame.active, [])
        body.append(f'<p class="incoming-line">Incoming gradient ∂{escape(y)}/∂{escape(s.name)} = '
                    f"{_formula(s.incoming_full, s.incoming)}{_num(s.incoming, 'incoming')}")
        if len(via) > 2:
            body.append(" — the sum of what arrived along " + str(len(via) // 2) + " edges: " +
                        _terms(_pairs(via), lambda p: _num(ex.steps[p[0]].edges[p[1]].received, "term")))
        body.append("</p><ul class=\"edges\">")
        for j, e in enumerate(s.edges):
            scalar = s.incoming.numel() == 1 and e.local_value.numel() == 1
            times = f"{escape(number_text(s.incoming))}·{escape(number_text(e.local_value))} = " if scalar else ""
            body.append(f'<li class="edge-step" data-edge="{j}">to <code>{escape(e.to)}</code> ({escape(e.input)}): '
                        f"local ∂{escape(s.name)}/∂{escape(e.to)} = {_formula(e.local, e.local_value)}"
                        f"{_formula(e.local_full, e.local_value) if e.local_full != e.local else ''}"
                        f"{_num(e.local_value, 'local')}; sends {times}{_num(e.sent, 'sent')}")
            if e.reduced_dims is not None:
                body.append(f'<br><span class="broadcast">broadcast: {escape(e.to)} has shape '
                            f"{list(e.received.shape)}, so the engine sums over dim "
                            f"{', '.join(map(str, e.reduced_dims))}: {_num(e.received, 'received')}</span>")
            body.append("</li>")
        body.append("</ul>")
        shared = _accumulating(st, k)
        if shared:
            body.append('<p class="accumulate">Accumulating: ' + "; ".join(shared) + "</p>")
    else:
        body.append(f"<p>Each leaf's <code>.grad</code>: the sum of what reached it along every path.</p><ul>")
        for s in ex.sums:
            terms = _terms(s.terms, lambda t: f"{_num(t.value, 'term')} <span class=\"op\">via "
                                              f"{escape(t.via)}</span>") or "nothing reaches it"
            body.append(f'<li><code>{escape(s.leaf)}.grad</code> = ∂{escape(y)}/∂{escape(s.leaf)} = '
                        f"{_formula(s.formula, s.total)}{terms} = {_num(s.total, 'total')}</li>")
        body.append("</ul>")
    return head + "".join(body) + "</section>"


def _accumulating(st: Stepping, k: int) -> list[str]:
    """Inputs this step sends to that already hold a gradient from an earlier step: `w: 3. + 2.`."""
    ex = st.explanation
    names = {n.id: n.name for n in st.nodes}
    frame, before = st.frames[k], st.frames[k - 1].received
    out = []
    for eid in frame.edges:
        dst = next(e.dst for e in st.edges if e.id == eid)
        if before.get(dst) and dst not in (o[0] for o in out):
            got = frame.received[dst]
            out.append((dst, f"<code>{escape(names[dst])}</code> now holds " + _terms(
                _pairs(got), lambda p: escape(number_text(ex.steps[p[0]].edges[p[1]].received)))))
    return [text for _, text in out]


def _badges(st: Stepping) -> list[dict]:
    """Per frame, the gradient labels that change: what each node has received so far (the last frame:
    each leaf's .grad)."""
    ex = st.explanation
    out, before = [], {}
    for k, f in enumerate(st.frames):
        changed = {}
        for nid, got in f.received.items():
            if before.get(nid) != got:
                changed[nid] = "∂ " + _terms(_pairs(got), lambda p: _short(
                    number_text(ex.steps[p[0]].edges[p[1]].received)))
        if k == len(st.frames) - 1:
            leaf_id = {n.name: n.id for n in st.nodes if n.leaf}
            for s in ex.sums:
                if s.leaf in leaf_id:
                    changed[leaf_id[s.leaf]] = f"grad {_short(number_text(s.total))}"
        out.append(dict(sorted(changed.items())))
        before = f.received
    return out


def page_of(st: Stepping) -> str:
    ex = st.explanation
    badges = _badges(st)
    data = {"schema": 1, "explain": jsonable(ex), "order": st.order,
            "frames": [{"title": f.title, "active": f.active, "edges": f.edges, "labels": badges[k]}
                       for k, f in enumerate(st.frames)],
            "edges": {e.id: {"src": e.src, "dst": e.dst, "step": e.step} for e in st.edges}}
    island = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) \
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    frames_html, received = [], {}
    for k, f in enumerate(st.frames):
        frames_html.append(_frame_html(st, k, received))
        received = f.received
    what = f"the backward of {escape(ex.output_name)}"
    if st.order == 2:
        y, _, v = ex.output_name[1:].partition("_d")
        what += (f" = ∂{escape(y)}/∂{escape(v)}, the first derivative as the graph create_graph=True built "
                 f"(--order 2): what reaches each leaf x is the second derivative ∂²{escape(y)}/∂{escape(v)}∂x")
    return assets.PAGE.format(
        title=escape(f"gradcli explain: {ex.expr}"), expr=escape(ex.expr), what=what, svg=svg_of(st),
        svg_css=assets.SVG_CSS, css=assets.PAGE_CSS, js=assets.PAGE_JS, frames="".join(frames_html),
        last=len(st.frames) - 1, data=island)


# ---- --html PATH ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class PageWritten:
    """What `--html PATH` did: the path as given, the page's size, how many steps it holds."""

    path: str
    bytes: int
    steps: int
    nodes: int
    replaced: bool


def write_page(html: str, path: str, st_steps: int, st_nodes: int) -> PageWritten:
    """Write the page to path whole or not at all (a temporary file beside it, then a rename)."""
    from pathlib import Path

    from gradcli.errors import GradError

    from .graph_export import _atomic_write

    target = Path(path)
    if target.is_dir():
        raise GradError(f"cannot write {path}: it is a directory; give a file name such as {path}/backward.html")
    if not target.parent.is_dir() and str(target.parent):
        raise GradError(f"cannot write {path}: the directory {target.parent} does not exist; create it first or "
                        "choose another path")
    data = html.encode("utf-8")
    replaced = target.exists()
    _atomic_write(target, data, path)
    return PageWritten(path, len(data), st_steps, st_nodes, replaced)
