"""`gradcli train`: exit codes, messages without tracebacks, --print-config, --json, --set, --resume."""
import json
import subprocess
import sys
import tomllib

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

from .helpers import LOGREG, ROOT, SAMPLES, write

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("text, extra, code, first_line", [
    (LOGREG.replace("momentum", "momentun"), [], 1,
     "c.toml:19:1: error: optim.momentun: unknown key; did you mean 'momentum'?"),
    (LOGREG.replace("lr = 0.01", "lr = 'fast'"), [], 1, "c.toml:18:1: error: optim.lr: expected a number, got a "
                                                        "string \"fast\""),
    ("[data\n", [], 1, "c.toml:1:6: error: invalid TOML: Expected ']' at the end of a table declaration"),
    (LOGREG, ["--set", "optim.lr=-2"], 2, "error: --set optim.lr=-2: optim.lr: must be > 0.0, got a number -2.0"),
    (LOGREG, ["--set", "lr"], 2, "error: --set 'lr': expected section.key=value, e.g. optim.lr=0.05"),
    (LOGREG, ["--resume", "--overwrite"], 2, "error: --resume and --overwrite contradict each other: pick one"),
    (LOGREG, ["--resume"], 1, "error: cannot resume: "),
])
def test_bad_input_is_a_message_and_an_exit_code(tmp_path, text, extra, code, first_line):
    cfg = write(tmp_path, text)
    r = runner.invoke(app, ["train", str(cfg), "--out", str(tmp_path / "run"), *extra])
    assert r.exit_code == code, r.output
    assert r.stderr.splitlines()[0].replace(str(cfg), "c.toml").startswith(first_line)
    assert "Traceback" not in r.output and r.stdout == ""


def test_missing_config_file(tmp_path):
    r = invoke("train", str(tmp_path / "nope.toml"))
    assert r.exit_code == 1 and "cannot read config" in r.stderr


def test_print_config_is_the_resolved_toml(tmp_path):
    cfg = write(tmp_path, LOGREG)
    r = invoke("train", str(cfg), "--print-config", "--set", "optim.lr=0.5")
    assert r.exit_code == 0
    doc = tomllib.loads(r.stdout)
    assert doc["optim"]["lr"] == 0.5 and doc["optim"]["nesterov"] is False and doc["train"]["monitor"] == "loss"
    assert not (tmp_path / "runs").exists()
    j = json.loads(invoke("--json", "train", str(cfg), "--print-config").stdout)
    assert j["result"]["config"]["optim"]["momentum"] == 0.9


def test_train_text_summary_json_and_run_dir_rules(tmp_path):
    cfg = write(tmp_path, LOGREG)
    out = str(tmp_path / "run")
    r = invoke("train", str(cfg), "--out", out)
    assert r.exit_code == 0, r.output
    assert "status           finished: 60 iterations" in r.stdout
    assert "iteration 10/60  loss " in r.stderr  # plain progress lines: not a terminal
    again = invoke("train", str(cfg), "--out", out)
    assert again.exit_code == 1 and "is not empty; use --overwrite" in again.stderr
    j = invoke("--json", "train", str(cfg), "--out", out, "--overwrite", "--quiet")
    assert j.exit_code == 0 and j.stderr == ""
    doc = json.loads(j.stdout)
    assert doc["command"] == "train" and doc["result"]["steps_done"] == 60 and "rows" not in doc["result"]
    assert doc["result"]["run_dir"] == out


def test_resume_from_the_command_line(tmp_path):
    from gradcli.train import load_config, train
    cfg = write(tmp_path, LOGREG)
    train(load_config(cfg), tmp_path / "run", stop_after=25)
    r = invoke("--json", "train", str(cfg), "--out", str(tmp_path / "run"), "--resume", "-q")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["result"]["resumed_from"] == 20


def test_the_installed_entry_point_runs_a_sample(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gradcli", "train", str(SAMPLES / "logistic_regression.toml"),
                        "--out", str(tmp_path / "run"), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "stopped: accuracy > 0.99 at iteration 540 (accuracy = 0.995)" in r.stdout
