"""`gradcli plot`: deterministic text at --width, --png, --json, and exit codes."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

RUNS = Path(__file__).resolve().parents[2] / "samples" / "cli" / "runs"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_text_is_deterministic_and_fits_the_width():
    a = invoke("--width", 50, "plot", RUNS / "logistic_regression")
    b = invoke("--width", 50, "plot", RUNS / "logistic_regression")
    assert a.exit_code == 0 and a.stdout == b.stdout
    assert max(len(x) for x in a.stdout.splitlines()[1:-1]) == 50
    assert a.stdout.splitlines()[0] == "loss by iteration    * loss"


def test_png_and_json(tmp_path):
    out = tmp_path / "p.png"
    r = invoke("--json", "plot", RUNS / "linear_regression", "--png", out, "--checkpoint", "last")
    doc = json.loads(r.stdout)["result"]
    assert doc["png"] == str(out) and doc["boundary"] is False and set(doc["series"]) == {"loss", "val_loss"}
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args, code, message", [
    (["plot", "nowhere"], 1, "error: run directory 'nowhere' does not exist"),
    (["plot", RUNS / "linear_regression", "--metric", "acuracy"], 2, "error: --metric: 'acuracy' is not recorded"),
    (["plot", RUNS / "linear_regression", "--checkpoint", "x"], 2, "error: --checkpoint: expected best or last"),
    (["plot", RUNS / "linear_regression", "--png", "/nonexistent/p.png"], 1, "error: --png: directory"),
])
def test_errors(args, code, message):
    r = invoke(*args)
    assert r.exit_code == code and r.stderr.startswith(message) and r.stdout == ""
