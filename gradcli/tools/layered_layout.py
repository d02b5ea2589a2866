"""Top-down positions for a graph's boxes, from grandalf's Sugiyama (layered) layout: ranks, few crossings,
long edges routed through the gaps.

    pos = layered_layout([("n0", 80, 30), ("l0", 40, 30)], [("n0", "l0")])
    pos.boxes["n0"]     # (x, y) of the box's centre;  pos.routes[0]: the edge's polyline

Why a library and not a layout written here: a readable layered drawing is four hard problems (ranking,
crossing reduction, coordinate assignment, edge routing) whose simple versions draw autograd graphs badly
(a leaf shared by many nodes, like `w`, pulls long edges across every layer). grandalf implements the
published algorithms (Sugiyama; Brandes-Köpf coordinates), is pure Python (no program to install, the same
positions everywhere, so golden pages stay stable) and is maintained on PyPI.

Size: each layer an edge skips costs grandalf a dummy vertex, and a leaf used all along a long chain makes
their number grow with the square of the chain (a 1,000-node training loop: minutes). Past DUMMY_BUDGET the
layout keeps, for ranking and ordering, only the edges between adjacent ranks (every node keeps one, so the
ranks do not change) and draws the others as straight lines: the same boxes, seconds instead of minutes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Layout", "layered_layout", "DUMMY_BUDGET", "LAYER_GAP", "NODE_GAP"]

DUMMY_BUDGET = 2000  # dummy vertices grandalf may add before long edges are drawn straight
LAYER_GAP = 46  # px between layers
NODE_GAP = 24  # px between boxes in one layer
MARGIN = 16


@dataclass
class Layout:
    boxes: dict[str, tuple[float, float]]  # node id -> centre
    routes: list[list[tuple[float, float]]]  # per edge (input order): polyline from the source to the target
    width: float
    height: float
    straight: int = 0  # edges left out of the layout (drawn straight) because of DUMMY_BUDGET
    notes: list[str] = field(default_factory=list)


class _View:
    __slots__ = ("w", "h", "xy")

    def __init__(self, w: float, h: float):
        self.w, self.h, self.xy = w, h, (0.0, 0.0)


class _EdgeView:
    __slots__ = ("path",)

    def __init__(self):
        self.path = None

    def setpath(self, pts):
        self.path = [tuple(p) for p in pts]


def _ranks(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path ranks from the sources (what grandalf computes too): used to count dummies first."""
    children: dict[str, list[str]] = {i: [] for i in ids}
    indeg = {i: 0 for i in ids}
    for s, d in edges:
        children[s].append(d)
        indeg[d] += 1
    rank = {i: 0 for i in ids}
    ready = [i for i in ids if indeg[i] == 0]
    while ready:
        n = ready.pop()
        for d in children[n]:
            rank[d] = max(rank[d], rank[n] + 1)
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    return rank


def layered_layout(boxes: list[tuple[str, float, float]], edges: list[tuple[str, str]],
                   dummy_budget: int = DUMMY_BUDGET) -> Layout:
    """Centres for `boxes` (id, width, height) and polylines for `edges` (source id, target id), sources on
    top. Deterministic: the same input gives the same numbers."""
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    ids = [b[0] for b in boxes]
    index = {i: k for k, i in enumerate(ids)}
    rank = _ranks(ids, edges)
    dummies = sum(max(0, rank[d] - rank[s] - 1) for s, d in edges)
    laid = [k for k, (s, d) in enumerate(edges) if dummies <= dummy_budget or rank[d] - rank[s] == 1]
    vs = {}
    for i, w, h in boxes:
        v = Vertex(i)
        v.view = _View(w, h)
        vs[i] = v
    ges = {}
    for k in laid:
        s, d = edges[k]
        e = Edge(vs[s], vs[d])
        e.view = _EdgeView()
        ges[k] = e
    g = Graph(list(vs.values()), list(ges.values()))
    x_off = 0.0
    centres: dict[str, tuple[float, float]] = {}
    for comp in g.C:  # components side by side, in the order of their first box
        sug = SugiyamaLayout(comp)
        sug.xspace, sug.yspace = NODE_GAP, LAYER_GAP
        roots = [v for v in comp.sV if not v.e_in()]
        # autograd graphs are acyclic: no feedback edges to look for (grandalf's search recurses once per
        # layer, which a 1,000-deep chain would overflow)
        sug.init_all(roots=sorted(roots, key=lambda v: index[v.data]), inverted_edges=[])
        sug.draw(N=1.5)
        xs = [v.view.xy[0] - v.view.w / 2 for v in comp.sV] or [0.0]
        left = min(xs)
        right = max(v.view.xy[0] + v.view.w / 2 for v in comp.sV)
        for v in comp.sV:
            centres[v.data] = (v.view.xy[0] - left + x_off, v.view.xy[1])
        for e in comp.sE:
            if e.view.path:
                e.view.path = [(x - left + x_off, y) for x, y in e.view.path]
        x_off += right - left + NODE_GAP * 2
    top = min((c[1] - vs[i].view.h / 2 for i, c in centres.items()), default=0.0)
    centres = {i: (round(x + MARGIN, 1), round(y - top + MARGIN, 1)) for i, (x, y) in centres.items()}
    routes = []
    for k, (s, d) in enumerate(edges):
        e = ges.get(k)
        path = [(round(x + MARGIN, 1), round(y - top + MARGIN, 1)) for x, y in e.view.path] \
            if e is not None and e.view.path else None
        routes.append(path or [centres[s], centres[d]])
    width = max((x + vs[i].view.w / 2 for i, (x, _) in centres.items()), default=0.0) + MARGIN
    height = max((y + vs[i].view.h / 2 for i, (_, y) in centres.items()), default=0.0) + MARGIN
    return Layout(centres, routes, round(width, 1), round(height, 1), len(edges) - len(laid))
