"""The stepping page's generator: the data island is `explain --json`'s document, every node and edge is drawn
and every step has its frame with the step's numbers, the output is deterministic and self-contained, the
layered layout puts gradients flowing downwards, and --order 2's sums are the second derivatives (torch's)."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import gradcli
from gradcli.tools.explain import explain
from gradcli.tools.layered_layout import layered_layout
from gradcli.tools.stepping import stepping
from gradcli.tools.stepping_page import jsonable, page_for_tensor, page_of, svg_for_tensor, svg_of

SEED = ("y=(x+w)*(w+1)", {"x": "2", "w": "1"})


def island(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="gradcli-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


class Sections(HTMLParser):
    """Each frame's <data class="num KIND" value=...> values, in page order."""

    def __init__(self):
        super().__init__()
        self.frames: list[list[tuple[str, object]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "frame" in (a.get("class") or "").split():
            self.frames.append([])
        elif tag == "data" and self.frames:
            self.frames[-1].append((a["class"].split()[1], json.loads(a["value"])))


def frames_of(html: str):
    p = Sections()
    p.feed(html)
    return p.frames


@pytest.mark.parametrize("expr,at", [SEED, ("y=sum(x*w)", {"x": "[1,2,3]", "w": "2"}),
                                     ("a=x*w; y=tanh(a)+a", {"x": "0.5", "w": "2"})])
def test_island_is_explains_json_and_each_frame_shows_its_steps_numbers(expr, at):
    from gradcli.cli.render import to_jsonable

    html = page_of(stepping(expr, at=at))
    doc = to_jsonable(explain(expr, at))
    assert island(html)["explain"] == doc
    frames = frames_of(html)
    assert len(frames) == len(doc["steps"]) + 2 == len(island(html)["frames"])
    for step, shown in zip(doc["steps"], frames[1:-1]):
        assert [v for k, v in shown if k == "incoming"] == [step["incoming"]["values"]]
        assert [v for k, v in shown if k == "local"] == [e["local_value"]["values"] for e in step["edges"]]
        assert [v for k, v in shown if k == "sent"] == [e["sent"]["values"] for e in step["edges"]]
    assert [v for k, v in frames[-1] if k == "total"] == [s["total"]["values"] for s in doc["sums"]]


def test_every_node_and_edge_is_drawn_with_torchs_names():
    st = stepping(*SEED[:1], at=SEED[1])
    svg = svg_of(st)
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    ids = {g.get("id") for g in root.iter(f"{ns}g")}
    assert {n.id for n in st.nodes} | {e.id for e in st.edges} <= ids
    titles = [t.text for t in root.iter(f"{ns}text") if t.get("class") == "title"]
    assert sorted(titles) == ["a = AddBackward0", "b = AddBackward0", "w  AccumulateGrad", "x  AccumulateGrad",
                              "y = MulBackward0"]
    # w is reached by two paths: two edges end at it, and the frame of the second says it accumulates
    w = next(n.id for n in st.nodes if n.name == "w")
    assert sum(e.dst == w for e in st.edges) == 2
    html = page_of(st)
    assert "Accumulating: <code>w</code> now holds 3. + 2." in html


def test_output_is_deterministic_and_self_contained():
    a = page_of(stepping(SEED[0], at=SEED[1]))
    b = page_of(stepping(SEED[0], at=SEED[1]))
    assert a == b
    assert "0x" not in a and "<link" not in a and "<script src" not in a and "@import" not in a
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', a)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", a)
    assert a.count("<script") == 2  # the data island and the inline script


def test_layout_puts_the_output_on_top_and_gradients_flow_down():
    st = stepping("a=x*w; b=a+w; c=b*a; y=c+x", at={"x": "1", "w": "2"})
    lay = layered_layout([(n.id, 80, 40) for n in st.nodes], [(e.src, e.dst) for e in st.edges])
    assert set(lay.boxes) == {n.id for n in st.nodes}
    for e in st.edges:
        assert lay.boxes[e.src][1] < lay.boxes[e.dst][1]  # every edge points down
    by_row: dict[float, list[float]] = {}
    for x, y in lay.boxes.values():
        by_row.setdefault(y, []).append(x)
    for xs in by_row.values():  # boxes in one layer do not overlap
        xs.sort()
        assert all(b - a >= 80 for a, b in zip(xs, xs[1:]))
    assert lay.straight == 0


def test_past_the_dummy_budget_long_edges_are_drawn_straight_and_ranks_stay():
    # a chain that uses one leaf at every link: long edges into the leaf at the bottom
    ids = [f"n{i}" for i in range(40)] + ["w"]
    edges = [(f"n{i}", f"n{i + 1}") for i in range(39)] + [(f"n{i}", "w") for i in range(40)]
    full = layered_layout([(i, 60, 30) for i in ids], edges)
    cut = layered_layout([(i, 60, 30) for i in ids], edges, dummy_budget=10)
    assert full.straight == 0 and cut.straight == 39
    assert {i: y for i, (_, y) in full.boxes.items()} == {i: y for i, (_, y) in cut.boxes.items()}


def test_order_2_sums_are_the_second_derivatives_of_grad_order_2():
    from gradcli.tools.expression import evaluate, hessian

    st = stepping("y=x**3*w", at={"x": "2", "w": "1"}, order=2, wrt=["x"])
    ex = st.explanation
    assert ex.output_name == "dy_dx" and ex.value.item() == 12.0  # 3*x**2*w
    h = hessian(evaluate("y=x**3*w", {"x": "2", "w": "1"}))
    assert {s.leaf: s.total.item() for s in ex.sums} == {"x": h[("x", "x")].item(), "w": h[("x", "w")].item()}


def test_order_2_matches_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor(0.7, requires_grad=True)
    w = torch.tensor(-1.3, requires_grad=True)
    y = torch.tanh(x * w) * w
    (g,) = torch.autograd.grad(y, [w], create_graph=True)
    want = torch.autograd.grad(g, [x, w])
    ex = stepping("y=tanh(x*w)*w", at={"x": "0.7", "w": "-1.3"}, order=2, wrt=["w"]).explanation
    got = {s.leaf: s.total.item() for s in ex.sums}
    assert got["x"] == pytest.approx(want[0].item(), rel=1e-6)
    assert got["w"] == pytest.approx(want[1].item(), rel=1e-6)
    # torch's node names, in the order its engine runs them
    names, seen, stack = [], set(), [g.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or n in seen or type(n).__name__ == "AccumulateGrad":
            continue
        seen.add(n)
        names.append(n.name())
        stack.extend(f for f, _ in n.next_functions)
    assert sorted(s.op for s in ex.steps) == sorted(names)


def test_page_for_tensor_and_svg_for_tensor():
    x = gradcli.tensor(2.0, requires_grad=True)
    w = gradcli.tensor(1.0, requires_grad=True)
    y = (x + w) * (w + 1)
    html = page_for_tensor(y, variables={"x": x, "w": w})
    data = island(html)
    assert [s["op"] for s in data["explain"]["steps"]] == ["MulBackward0", "AddBackward0", "AddBackward0"]
    assert {s["leaf"]: s["total"]["values"] for s in data["explain"]["sums"]} == {"x": 2.0, "w": 5.0}
    svg = svg_for_tensor(y, variables={"x": x, "w": w})
    assert svg.startswith("<svg") and "<script" not in svg and "<style>" in svg
    ET.fromstring(svg)
    assert x.grad is None  # drawing does not touch .grad


def test_a_1000_node_graph_pages_in_reasonable_time():
    import time

    from gradcli.autograd.graph import AccumulateGrad  # noqa: F401 - the graph is the engine's own
    from gradcli.tools.stepping_page import _stepping_for_tensor

    x = gradcli.tensor(0.5, requires_grad=True)
    w = gradcli.tensor(0.9, requires_grad=True)
    y = x
    for _ in range(500):
        y = gradcli.tanh(y * w)
    start = time.perf_counter()
    st = _stepping_for_tensor(y, "y", {"x": x, "w": w})
    html = page_of(st)
    took = time.perf_counter() - start
    assert len(st.explanation.steps) == 1000 and len(island(html)["frames"]) == 1002
    assert took < 60, took  # ~2 s here; grandalf without the dummy budget takes ~30 s at this size
