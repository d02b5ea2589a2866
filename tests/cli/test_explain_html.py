"""`gradcli explain ... --html` and `gradcli graph ... --html`: the golden pages (samples/html/pages.txt) are
made byte for byte, FILE with --var, --order 2, and every wrong input is one clear error (exit 1 or 2).

Regenerate the golden pages after an intended change with:
    GRADCLI_UPDATE_GOLDENS=1 python -m pytest tests/cli/test_explain_html.py
"""
from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.cli.options import OPTIONS

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "samples" / "html"
UPDATE = os.environ.get("GRADCLI_UPDATE_GOLDENS") == "1"
SEED = ["y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1"]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # the pages name sample files relative to the repository
    yield
    OPTIONS.json, OPTIONS.width, OPTIONS.color, OPTIONS.debug = False, None, "auto", False


def invoke(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def golden_pages():
    for line in (PAGES / "pages.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, args = line.split("\t", 1)
            yield name, shlex.split(args)


@pytest.mark.parametrize("name,args", list(golden_pages()), ids=[n for n, _ in golden_pages()])
def test_golden_pages(name, args):
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    if UPDATE:
        (PAGES / name).write_text(r.stdout, encoding="utf-8")
    assert r.stdout == (PAGES / name).read_text(encoding="utf-8"), f"{name} changed: GRADCLI_UPDATE_GOLDENS=1"


def test_the_goldens_cover_the_seed_example_order_2_and_a_seed_program():
    args = [" ".join(a) for _, a in golden_pages()]
    assert any('y=(x+w)*(w+1)' in a for a in args)
    assert any("--order 2" in a for a in args)
    assert any("samples/tutorials/seed" in a and "--var" in a for a in args)


def test_html_file_is_written_whole_and_said(tmp_path):
    out = tmp_path / "page.html"
    r = invoke("explain", *SEED, "--html", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"wrote {out}: 3 backward steps over 5 nodes (")
    assert out.read_text(encoding="utf-8") == (PAGES / "seed_example.html").read_text(encoding="utf-8")
    r = invoke("explain", *SEED, "--html", str(out))
    assert r.stdout.startswith(f"replaced {out}:")
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary file left
    doc = json.loads(invoke("--json", "explain", *SEED, "--html", str(out)).stdout)
    assert doc["ok"] and doc["result"]["steps"] == 3 and doc["result"]["bytes"] == out.stat().st_size


def test_a_failing_command_leaves_an_existing_page_alone(tmp_path):
    out = tmp_path / "page.html"
    out.write_text("before")
    r = invoke("explain", "y=(x+", "--html", str(out))
    assert r.exit_code == 1 and out.read_text() == "before"


def test_graph_html_is_the_same_page():
    r = invoke("graph", *SEED, "--html", "-")
    assert r.exit_code == 0
    assert r.stdout == (PAGES / "seed_example.html").read_text(encoding="utf-8")


def test_text_and_json_of_a_file_and_of_order_2():
    r = invoke("explain", "samples/tutorials/seed004_05_dynamic_graph.grad", "--var", "y")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-2].startswith("  ∂y/∂w = ∂y/∂a·∂a/∂w + ∂y/∂b·∂b/∂w")
    doc = json.loads(invoke("--json", "explain", "y=x**3*w", "--at", "x=2", "--at", "w=1", "--order", "2").stdout)
    assert doc["result"]["output_name"] == "dy_dx"
    assert {s["leaf"]: s["total"]["values"] for s in doc["result"]["sums"]} == {"x": 12.0, "w": 12.0}


@pytest.mark.parametrize("args,code,message", [
    (["samples/tutorials/seed004_05_dynamic_graph.grad", "--var", "nope"], 2,
     "--var nope: samples/tutorials/seed004_05_dynamic_graph.grad has no tensor named 'nope' (tensors with a "
     "grad_fn: a, b, y)"),
    (["samples/tutorials/seed004_05_dynamic_graph.grad", "--var", "w"], 1,
     "w is a leaf tensor: it has no grad_fn"),
    (["samples/tutorials/seed001_1_computational_graph.grad", "--var", "y"], 1,
     "y: the script's own backward() freed the values its graph saved"),
    (["samples/tutorials/seed004_05_dynamic_graph.grad", "--order", "2"], 2, "--order: for a .grad file"),
    ([*SEED, "--order", "3"], 2, "--order 3: explain steps through order 1"),
    ([*SEED, "--order", "2", "--wrt", "x,w"], 2, "--order 2 differentiates one first derivative"),
    (["y=3*x+w", "--at", "x=2", "--at", "w=3", "--order", "2", "--wrt", "w"], 1,
     "∂y/∂w does not depend on any variable"),
    ([*SEED, "--var", "x"], 2, "--var x: x is a variable (a leaf)"),
    (["missing.grad", "--var", "y"], 1, "missing.grad"),
])
def test_bad_input_is_one_clear_error(args, code, message):
    r = invoke("explain", *args, "--html", "-")
    assert r.exit_code == code, (r.exit_code, r.output)
    assert message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("where,message", [
    ("{tmp}", "it is a directory"),
    ("{tmp}/no/such/dir/page.html", "does not exist"),
    ("", "--html: give a file name"),
])
def test_bad_path_is_a_clear_error(tmp_path, where, message):
    r = invoke("explain", *SEED, "--html", where.format(tmp=tmp_path))
    assert r.exit_code in (1, 2) and message in r.stderr, r.output
    assert "Traceback" not in r.stderr


def test_html_and_other_outputs_do_not_mix():
    r = invoke("graph", *SEED, "--html", "-", "--format", "dot")
    assert r.exit_code == 2 and "--html writes the stepping page" in r.stderr
    r = invoke("--json", "explain", *SEED, "--html", "-")
    assert r.exit_code == 2 and "use one" in r.stderr
