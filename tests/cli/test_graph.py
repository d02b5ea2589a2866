"""`gradcli graph`: golden outputs, strict JSON, --output files, every bad input as one error with exit 1 or 2,
a 10^5-node chain from a .grad file, runnable --help examples, and the samples/cli/graph_*.cmd files.

Regenerate the golden files (tests/cli/golden/graph/*.txt and samples/cli/graph_*.out) after an intended
change with:  GRADCLI_UPDATE_GOLDENS=1 python -m pytest tests/cli/test_graph.py
"""
import difflib
import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.cli.commands.graph import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "graph"
SAMPLES = sorted((ROOT / "samples" / "cli").glob("graph_*.cmd"))
UPDATE = os.environ.get("GRADCLI_UPDATE_GOLDENS") == "1"

runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    # sample paths in goldens are relative to the repository; colour must not depend on the CI
    monkeypatch.chdir(ROOT)
    for var in ("FORCE_COLOR", "GITHUB_ACTIONS", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


def invoke(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def _compare(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with GRADCLI_UPDATE_GOLDENS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, "".join(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True), f"{path.name} (expected)", f"{path.name} (actual)"))


GOLDENS = {
    "tree_shared": ["graph", "a = x + w; b = w + 1; y = a * b", "--at", "x=2", "--at", "w=1"],
    "tree_values_grads": ["graph", "y = sum(tanh(A@x)**2)", "--at", "A=[[1.,2.],[3.,4.]]", "--at", "x=[0.5,-1.]",
                          "--values", "--grads"],
    "tree_file": ["graph", "samples/tutorials/seed000_3_one_layer_network.grad"],
    "tree_file_var": ["graph", "samples/tutorials/seed004_17_logistic_regression.grad", "--var", "loss"],
    "tree_limited": ["graph", "y = exp(exp(exp(exp(x)))) * x", "--at", "x=0.5", "--max-depth", "2"],
    "tree_unnamed_shared": ["graph", "h = [exp(x)]; y = h[0] * h[0] + tanh(h[0])", "--at", "x=1", "--values"],
    "dot": ["graph", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "--format", "dot", "--values"],
    "mermaid": ["graph", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "--format", "mermaid", "--grads"],
    "json": ["--json", "graph", "y = x * log(x)", "--at", "x=3", "--values", "--grads"],
}


@pytest.mark.parametrize("name", list(GOLDENS))
def test_golden_output(name):
    r = invoke(*GOLDENS[name])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    _compare(GOLDEN / f"{name}.txt", r.stdout)


def test_there_are_sample_commands():
    assert SAMPLES and all(p.with_suffix(".out").exists() for p in SAMPLES)
    assert all(len(p.read_text().strip().splitlines()) == 1 for p in SAMPLES)


# ---- JSON ------------------------------------------------------------------------------------------

def _strict(text: str):
    def reject(name):
        raise ValueError(f"non-strict JSON constant {name}")
    return json.loads(text, parse_constant=reject)


def test_json_is_strict_with_non_finite_values():
    r = invoke("--json", "graph", "y = x * log(x)", "--at", "x=0", "--values", "--grads")
    assert r.exit_code == 0, r.stderr
    doc = _strict(r.stdout)
    assert (doc["schema"], doc["command"]) == (1, "graph")
    root = doc["result"]["nodes"][0]
    assert root["name"] == "MulBackward0" and root["value"]["values"] == "nan"
    assert doc["result"]["nodes"][1]["grad"]["values"] in ("nan", "-inf", "inf")


def test_format_json_is_the_global_json():
    a = invoke("--json", "graph", "y = x * x", "--at", "x=3")
    b = invoke("graph", "y = x * x", "--at", "x=3", "--format", "json")
    assert a.exit_code == b.exit_code == 0
    da, db = _strict(a.stdout), _strict(b.stdout)
    assert db["result"].pop("format") == "json" and da["result"].pop("format") == "tree"
    assert da == db


def test_json_with_dot_carries_the_text():
    r = invoke("--json", "graph", "y = x * x", "--format", "dot")
    doc = _strict(r.stdout)
    assert doc["result"]["text"].startswith("digraph gradcli {")


# ---- --output --------------------------------------------------------------------------------------

def test_output_dot_is_the_dot_format_and_replacing_is_said(tmp_path):
    target = tmp_path / "g.dot"
    r = invoke("graph", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "-o", str(target))
    assert r.exit_code == 0 and r.stdout == f"wrote {target} (dot, 5 nodes)\n"
    printed = invoke("graph", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "--format", "dot").stdout
    assert target.read_text() == printed
    r = invoke("graph", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "-o", str(target))
    assert r.stdout == f"wrote {target} (dot, 5 nodes, replaced the existing file)\n"
    r = invoke("--json", "graph", "y = x * x", "-o", str(tmp_path / "g.mmd"))
    assert _strict(r.stdout)["result"] == {"format": "mermaid", "nodes": 2, "note": None,
                                           "path": str(tmp_path / "g.mmd"), "replaced": False}


def test_output_svg_with_graphviz(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    r = invoke("graph", "y = tanh(x) * x", "--values", "--grads", "-o", str(tmp_path / "g.svg"))
    assert r.exit_code == 0 and "<svg" in (tmp_path / "g.svg").read_text()


def test_output_picture_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    r = invoke("graph", "y = x * x", "-o", str(tmp_path / "g.png"))
    assert r.exit_code == 1 and r.stdout == ""
    assert "apt-get install graphviz" in r.stderr and "--format dot" in r.stderr
    assert list(tmp_path.iterdir()) == []


# ---- bad input: one clear error, exit 1 (the input) or 2 (an option) --------------------------------

def _errors(tmp_path):
    (tmp_path / "empty.grad").write_bytes(b"")
    (tmp_path / "garbage.grad").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "big.grad").write_text("#" * 1_000_001)
    (tmp_path / "plain.grad").write_text("import torch\nx = torch.ones(2)\ny = x * 2\n")
    (tmp_path / "bad_backward.grad").write_text(
        "import torch\n\n\nclass Bad(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        return x * 2\n\n    @staticmethod\n    def backward(ctx, g):\n        raise ValueError('nope')\n\n\n"
        "x = torch.ones(2, requires_grad=True)\ny = Bad.apply(x).sum()\n")
    t = str(tmp_path)
    return [
        (["y = (x"], 1, "<expr>:1:7: error: expected ')'"),
        ([t + "/missing.grad"], 1, "cannot read"),
        ([t], 1, "Is a directory"),
        ([""], 2, "the expression is empty"),
        ([t + "/empty.grad"], 1, "leaves no tensor with a grad_fn"),
        ([t + "/plain.grad"], 1, "leaves no tensor with a grad_fn"),
        ([t + "/garbage.grad"], 1, "not valid UTF-8"),
        ([t + "/big.grad"], 1, "source is too large"),
        (["y = x * 2", "--at", "x=1e999"], 2, "not finite"),
        (["y = x * 2", "--at", "q=1"], 2, "the expression has no variable 'q'"),
        (["y = x * 2", "--at", "x"], 2, "expected NAME=VALUE"),
        (["y = x * 2", "--var", "q"], 2, "--var q: the expression has no variable 'q'"),
        (["y = x"], 1, "y is a leaf tensor"),
        (["y = 2 * 3"], 1, "no variables to differentiate"),
        (["y = x * 2", "--format", "svg"], 2, "--output graph.svg"),
        (["y = x * 2", "--output", t + "/g.txt"], 2, "unknown file type '.txt'"),
        (["y = x * 2", "--output", t], 1, "is a directory"),
        (["y = x * 2", "--output", t + "/no/such/g.dot"], 1, "cannot write"),
        (["y = x * 2", "--format", "dot", "--output", t + "/g.mmd"], 2, "disagree"),
        (["y = x * 2", "--max-nodes", "-1"], 2, "--max-nodes"),
        (["samples/tutorials/seed000_3_one_layer_network.grad", "--at", "x=1"], 2, "--at sets the variables"),
        (["samples/tutorials/seed000_3_one_layer_network.grad", "--var", "nope"], 2, "has no tensor named 'nope'"),
        (["samples/tutorials/seed000_3_one_layer_network.grad", "--grads"], 1, "retain_graph=True"),
        ([t + "/bad_backward.grad", "--grads"], 1, "--grads: backward from y failed: ValueError: nope"),
    ]


def test_bad_inputs(tmp_path):
    for args, code, message in _errors(tmp_path):
        r = invoke("graph", *args)
        assert (r.exit_code, r.stdout) == (code, ""), (args, r.exit_code, r.stdout, r.stderr)
        assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, (args, r.stderr)
        if code == 1:  # the error's first line says where and what
            assert re.match(r"(error: |\S+:\d+:\d+: )", r.stderr), r.stderr


# ---- files, standard input, big graphs --------------------------------------------------------------

CHAIN = "import torch\nx = torch.tensor(1.0, requires_grad=True)\ny = x\nfor i in range(100000):\n    y = y * 1.0\n"


def test_a_100000_node_chain_from_a_file(tmp_path):
    path = tmp_path / "chain.grad"
    path.write_text(CHAIN)
    r = invoke("graph", str(path), "--var", "y")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "y = MulBackward0" and len(lines) < 100
    assert lines[-1] == "(showing 41 of 100001 nodes (--max-depth 40); raise it, or give 0 to show all)"
    # (the whole chain as DOT, with no limits, is tests/tools/test_graph.py's: the script takes seconds to run)


def test_full_tree_of_a_deep_chain_stays_linear(tmp_path):
    path = tmp_path / "chain.grad"
    path.write_text(CHAIN.replace("100000", "1000"))
    r = invoke("graph", str(path), "--max-depth", "0", "--max-nodes", "0")
    lines = r.stdout.splitlines()
    # the note, the root, two edges per MulBackward0, a restart mark at depths 100, 200, ..., 900
    assert r.exit_code == 0 and len(lines) == 2 + 2 * 1000 + 9
    assert sum("continues at the left margin" in ln for ln in lines) == 9
    assert max(map(len, lines)) < 400  # indentation starts again every 100 levels


def test_standard_input():
    r = invoke("graph", "-", input="import torch\nw = torch.ones(2, requires_grad=True)\nz = (w * 3).sum()\n")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["(graph of z: the last tensor with a grad_fn in <stdin>; choose another with --var)",
                                     "z = SumBackward0", "└─ [0] MulBackward0", "   ├─ [0] w  AccumulateGrad",
                                     "   └─ [1] None"]


def test_script_output_is_not_mixed_into_the_graph(tmp_path):
    path = tmp_path / "s.grad"
    path.write_text("import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nprint('hello')\n")
    r = invoke("graph", str(path))
    assert r.exit_code == 0 and "hello" not in r.stdout


# ---- help ------------------------------------------------------------------------------------------

def test_help_shows_examples():
    r = invoke("graph", "--help")
    assert r.exit_code == 0
    assert "Examples:" in r.stdout and 'gradcli graph "y=(x+w)*(w+1)" --at x=2 --at w=1' in r.stdout
    assert "--max-depth" in r.stdout and "shared, see above" in r.stdout


@pytest.mark.parametrize("line", [ln.strip() for ln in EXAMPLES.splitlines() if ln.strip().startswith("gradcli ")])
def test_help_examples_run(line, tmp_path):
    args = shlex.split(line.split(" > ")[0])[1:]
    if "--output" in args:
        if shutil.which("dot") is None:
            pytest.skip("Graphviz's dot is not installed")
        i = args.index("--output") + 1
        args[i] = str(tmp_path / args[i])
    if "--html" in args:
        i = args.index("--html") + 1
        args[i] = str(tmp_path / args[i])
    r = invoke(*args)
    assert r.exit_code == 0, (line, r.stderr)


def test_values_drawn_from_the_seed_are_said():
    r = invoke("graph", "y = x * w", "--at", "w=2", "--values")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == "(x drawn with seed 0; set it with --at x=...)"
    assert "drawn with seed" not in invoke("graph", "y = x * w", "--at", "w=2").stdout  # no values, no note
