"""`gradcli eval` and `gradcli predict`: text, --json, --output, and exit codes 1 (bad run/data), 2 (bad option)."""
import json
import shutil

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RUNS = ROOT / "samples" / "cli" / "runs"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_eval_text_names_the_checkpoint_data_and_metrics():
    r = invoke("eval", RUNS / "linear_regression")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[1] == "checkpoint  best.npz (after 25 epochs)"
    assert lines[2] == "data        validation split, 12 samples"
    assert [x.split()[0] for x in lines[3:]] == ["loss", "r2"]


def test_eval_json():
    r = invoke("--json", "eval", RUNS / "logistic_regression", "--checkpoint", "last")
    doc = json.loads(r.stdout)
    assert doc["command"] == "eval" and doc["result"]["metrics"]["accuracy"] == 0.995


def test_predict_table_json_and_output(tmp_path):
    run = RUNS / "logistic_regression"
    r = invoke("predict", run, "--data", "blobs = {n_per_class = 2}")
    assert r.exit_code == 0 and r.stdout.splitlines()[0].split() == ["x0", "x1", "prediction", "probability"]
    assert len(r.stdout.splitlines()) == 5
    doc = json.loads(invoke("--json", "predict", run, "--data", "blobs = {n_per_class = 2}").stdout)
    assert len(doc["result"]["rows"]) == 4
    out = tmp_path / "p.csv"
    r = invoke("predict", run, "--data", "blobs = {n_per_class = 2}", "--output", out)
    assert r.stdout == f"wrote 4 predictions to {out}\n" and len(out.read_text().splitlines()) == 5


@pytest.mark.parametrize("args, code, message", [
    (["eval", "nowhere"], 1, "error: run directory 'nowhere' does not exist"),
    (["eval", RUNS / "logistic_regression", "--checkpoint", "first"], 2, "error: --checkpoint: expected best or last"),
    (["predict", RUNS / "logistic_regression"], 2, "error: Missing option '--data'"),
    # a data source written in the option is an option value: wrong, it is a usage error (2), as --at x=abc
    (["predict", RUNS / "logistic_regression", "--data", "blobs = {features = 3}"], 2,
     "error: --data: model.layers: the first layer linear(2,1) takes 2 features but the data has 3"),
    (["predict", RUNS / "logistic_regression", "--data", "blobs = {n_per_class = 2}", "--output", "/nonexistent/p.csv"],
     1, "error: --output: directory '/nonexistent' does not exist"),
])
def test_errors_are_one_line_and_an_exit_code(args, code, message):
    r = invoke(*args)
    assert r.exit_code == code, r.output
    assert r.stderr.startswith(message) and "Traceback" not in r.output and r.stdout == ""


def test_an_incomplete_run_directory(tmp_path):
    shutil.copytree(RUNS / "logistic_regression", tmp_path / "r")
    (tmp_path / "r" / "run.json").unlink()
    r = invoke("eval", tmp_path / "r")
    assert r.exit_code == 1 and "run.json missing" in r.stderr


def test_every_help_example_runs(tmp_path, monkeypatch):
    """The examples of eval, predict and plot --help, run from a directory holding the sample runs."""
    import shlex

    from gradcli.cli.commands import evaluate, plot
    monkeypatch.chdir(tmp_path)
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    for name in ("logistic_regression", "linear_regression", "moons_mlp"):
        r = invoke("train", f"samples/train/{name}.toml", "--quiet")
        assert r.exit_code == 0, r.output
    examples = [line.strip() for text in (evaluate.EVAL_EXAMPLES, evaluate.PREDICT_EXAMPLES, plot.EXAMPLES)
                for line in text.splitlines() if line.strip().startswith("gradcli ")]
    assert len(examples) == 12
    for line in examples:
        r = runner.invoke(app, shlex.split(line)[1:])
        assert r.exit_code == 0, (line, r.output)
