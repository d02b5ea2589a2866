"""`gradcli explain`, `gradcli diff` and `grad --formula` through the CLI: samples as goldens, JSON, errors.

The samples/cli/explain_*.cmd and diff_*.cmd goldens run with every other sample in tests/golden
(`gradcli test samples/`; regenerate with `gradcli test samples/cli --update`).
"""
import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.cli.options import OPTIONS

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples" / "cli").glob("*.cmd"))
ENV = {"FORCE_COLOR": None, "GITHUB_ACTIONS": None, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_options():
    # the root callback sets these once per invocation; reset so one test's --json does not leak
    yield
    OPTIONS.json, OPTIONS.width, OPTIONS.color, OPTIONS.debug = False, None, "auto", False


def invoke(*args):
    return runner.invoke(app, list(args), env=ENV)


def test_samples_exist():
    names = {p.stem.split("_")[0] for p in SAMPLES}
    assert {"explain", "diff"} <= names


def test_seed_example_has_the_sum_over_paths():
    r = invoke("explain", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1")
    assert r.exit_code == 0
    assert "∂y/∂w = ∂y/∂a·∂a/∂w + ∂y/∂b·∂b/∂w = (w + 1)·1 + (x + w)·1 = 2. + 3. = 5." in r.stdout.splitlines()[-1]


def test_grad_formula():
    r = invoke("grad", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1", "--formula")
    assert r.exit_code == 0
    assert "∂y/∂w = (w + 1) + (x + w) = 5." in r.stdout.splitlines()
    doc = json.loads(invoke("--json", "grad", "y=x*w", "--at", "x=2", "--at", "w=3", "--formula").stdout)
    assert doc["result"]["formulas"]["x"]["formula"] == "w" and "gradient" in doc["result"]


@pytest.mark.parametrize("command", ["explain", "diff"])
def test_json_is_one_strict_document(command):
    r = invoke("--json", command, "y=log(x)*w", "--at", "x=2", "--at", "w=3")
    assert r.exit_code == 0
    doc = json.loads(r.stdout, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert doc["schema"] == 1 and doc["command"] == command


def test_output_is_deterministic():
    args = ("explain", "y=tanh(x*w)")  # values drawn from the seed
    assert invoke(*args).stdout == invoke(*args).stdout


@pytest.mark.parametrize("args, code, message", [
    (["explain", "y=(x"], 1, "error"),
    (["diff", "y=(x"], 1, "error"),
    (["explain", "y=x*w", "--at", "q=1"], 2, "no variable 'q'"),
    (["diff", "y=x*w", "--wrt", "z"], 2, "not a variable"),
    (["explain", "y=x", "--at", "x=1e40"], 2, "not finite"),
    (["diff", "y=x", "--at", "x=1e40"], 2, "not finite"),
    (["diff", "y=sum(x*x)", "--at", "x=[1,2]", "--order", "2"], 2, "one-number"),
    (["explain", "y=x*w", "--at", "x=[1,2]"], 1, "one number"),
    (["diff", "a0=x*x; " + "; ".join(f"a{i}=a{i - 1}*a{i - 1}" for i in range(1, 14)), "--at", "x=1"], 1,
     "longer than"),
    (["explain", "y=" + "+".join(["x*x"] * 150), "--at", "x=1"], 1, "at most 200"),
])
def test_bad_input_is_one_clear_error(args, code, message):
    r = invoke(*args)
    assert r.exit_code == code, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr and "internal error" not in r.stderr


@pytest.mark.parametrize("command", ["explain", "diff"])
def test_help_shows_runnable_examples(command, tmp_path, monkeypatch):
    # run where the examples' --html files may land, with the samples they name at hand
    (tmp_path / "samples").symlink_to(Path(__file__).resolve().parents[2] / "samples")
    monkeypatch.chdir(tmp_path)
    r = invoke(command, "--help")
    assert r.exit_code == 0 and "Examples:" in r.stdout
    examples = [line.strip()[len("gradcli "):] for line in r.stdout.splitlines() if line.strip().startswith("gradcli ")]
    assert examples
    for ex in examples:
        assert invoke(*shlex.split(ex)).exit_code == 0, ex


def test_an_expression_without_variables():
    for command in ("explain", "diff"):
        r = invoke(command, "y=2*3")
        assert r.exit_code == 1 and "no variables to differentiate" in r.stderr
