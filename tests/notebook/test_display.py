"""Tensors and backward nodes in a notebook: the graph drawn as SVG (checked against torch's graph), text
where there is no graph, nothing new for scripts to reach, and IPython never loaded by gradcli itself."""
import collections
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import gradcli
from gradcli.lang import GradError, run_source
from gradcli.notebook import display

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def boxes(svg: str) -> list[str]:
    """The text inside each node box of a drawing (the edge-index labels are the other <text> elements)."""
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == SVG + "svg"
    texts = [t for t in root.iter(SVG + "text") if t.get("text-anchor") == "middle"]
    assert len(texts) == len(list(root.iter(SVG + "rect")))
    return [t.text for t in texts]


def seed_graph(lib):
    x = lib.tensor(2.0, requires_grad=True)
    w = lib.tensor(1.0, requires_grad=True)
    return x, w, (x + w) * (w + 1)


def test_a_tensor_with_a_graph_draws_it_and_its_html_keeps_the_printed_tensor():
    _, _, y = seed_graph(gradcli)
    svg = display.draw_svg(y.grad_fn)
    assert collections.Counter(boxes(svg)) == {"MulBackward0": 1, "AddBackward0": 2, "AccumulateGrad": 2}
    assert "<svg" in y._repr_svg_()  # the stepping page's drawing where that is installed, else draw_svg's
    page = y._repr_html_()
    assert page.startswith("<pre") and "tensor(6., grad_fn=&lt;MulBackward0&gt;)" in page and "<svg" in page


def test_the_drawing_has_torchs_nodes_and_edges():
    torch = pytest.importorskip("torch")

    def walk(node):  # (name, [(child name, edge index)]) per node, breadth-first, by identity
        seen, order, out = {node}, [node], []
        for n in order:
            kids = []
            for k, (nxt, _) in enumerate(n.next_functions):
                if nxt is None:
                    continue
                kids.append((type(nxt).__name__, k))
                if nxt not in seen:
                    seen.add(nxt)
                    order.append(nxt)
            out.append((type(n).__name__, kids))
        return out

    def build(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([0.5, -1.0], requires_grad=True)
        return (lib.tanh(a * b).sum() + (a ** 2).mean()) * b.sum()

    ours, theirs = build(gradcli), build(torch)
    assert walk(ours.grad_fn) == walk(theirs.grad_fn)
    root = ET.fromstring(display.draw_svg(ours.grad_fn))
    names = sorted(type(n).__name__ + (" [2]" if type(n).__name__ == "AccumulateGrad" else "")
                   for n in _nodes(theirs.grad_fn))  # an unnamed leaf box adds its shape
    assert sorted(boxes(display.draw_svg(ours.grad_fn))) == names
    edges = sum(len(kids) for _, kids in walk(theirs.grad_fn))
    assert len(list(root.iter(SVG + "line"))) == edges


def _nodes(node):
    seen, order = {node}, [node]
    for n in order:
        for nxt, _ in n.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
    return order


def test_no_graph_means_text_only():
    plain = gradcli.tensor([1.0, 2.0])
    leaf = gradcli.tensor(1.0, requires_grad=True)
    with gradcli.no_grad():
        made = leaf * 2
    for t in (plain, leaf, made):
        assert t._repr_svg_() is None and t._repr_html_() is None
    _, _, y = seed_graph(gradcli)
    assert y.grad_fn._repr_html_() is None  # a node: the drawing alone (its text repr is an address)
    assert boxes(y.grad_fn._repr_svg_())[0] == "MulBackward0"


def test_a_long_chain_draws_the_first_nodes_and_says_what_it_left_out():
    t = x = gradcli.tensor(1.0, requires_grad=True)
    for _ in range(300):
        t = t * 1.001
    svg = display.draw_svg(t.grad_fn)
    assert len(boxes(svg)) == display.MAX_DRAWN
    assert f"1 more edges to nodes not drawn (at most {display.MAX_DRAWN} nodes inline)" in svg
    assert x.grad is None


def test_names_of_the_notebook_variables_label_the_boxes():
    x, w, y = seed_graph(gradcli)
    a = x + w
    z = a * 3
    names = {id(x): "x", id(w): "w", id(a.grad_fn): "a"}
    assert boxes(display.draw_svg(z.grad_fn, names)) == ["MulBackward0", "a = AddBackward0", "x  AccumulateGrad",
                                                        "w  AccumulateGrad"]
    v = gradcli.ones(2, 3, requires_grad=True)
    assert boxes(display.draw_svg((v * 2).grad_fn)) == ["MulBackward0", "AccumulateGrad [2, 3]"]


def test_text_is_escaped_in_the_drawing():
    x = gradcli.tensor(1.0, requires_grad=True)
    svg = display.draw_svg((x * 2).grad_fn, {id(x): "a<b&c"})
    assert "a<b&c" not in svg and boxes(svg)[1] == "a<b&c  AccumulateGrad"


def test_show_outside_ipython_returns_the_page_in_an_iframe():
    _, _, y = seed_graph(gradcli)
    page = gradcli.show(y)
    assert isinstance(page, display.Page) and page.html.lstrip().lower().startswith("<!doctype html")
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and "<" not in frame[len("<iframe srcdoc=\""):frame.index("\" style")]
    with pytest.raises(TypeError, match="takes a tensor"):
        gradcli.show([1, 2])
    with pytest.raises(ValueError, match="no grad_fn"):
        gradcli.show(gradcli.tensor(1.0))


def test_scripts_reach_none_of_it():
    setup = "import torch\ny = torch.ones(1, requires_grad=True) * 2\n"
    for attempt in ("y._repr_html_()", "y._repr_svg_", "y.grad_fn._repr_svg_()", "'{0._repr_html_}'.format(y)",
                    "torch.show(y)", "torch.load_ipython_extension", "torch.notebook"):
        with pytest.raises(GradError) as e:
            run_source(setup + attempt, "s.grad", stdout=io.StringIO())
        assert e.value.span is not None and e.value.span.line == 3, attempt
    assert "show" not in dir(gradcli) and "load_ipython_extension" not in dir(gradcli)
    assert callable(gradcli.show) and callable(gradcli.load_ipython_extension)


@pytest.mark.parametrize("argv", [["grad", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1"],
                                  ["run", "samples/tutorials/seed001_1_computational_graph.grad"]])
def test_the_command_line_never_loads_ipython_or_the_notebook_code(argv):
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", *argv], cwd=ROOT,
                       capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "gradcli.cli.app" in loaded  # the import log is there to read
    assert not {m for m in loaded if m.split(".")[0] in ("IPython", "matplotlib") or m.startswith("gradcli.notebook")}


def test_printing_and_repr_of_a_tensor_load_no_display_code():
    code = ("import sys, gradcli as t\nx = t.tensor(2., requires_grad=True)\ny = x * x\nrepr(y); print(y)\n"
            "assert not [m for m in sys.modules if m.startswith(('IPython', 'gradcli.notebook', 'matplotlib'))]")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
