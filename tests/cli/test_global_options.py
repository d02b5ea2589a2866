"""The global options (--json, --width, --color, --debug) before or after the command, and --json's one
error document when a command fails."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SEED = ["y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1"]


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.mark.parametrize("command, args", [
    ("grad", SEED), ("diff", SEED), ("explain", SEED), ("graph", SEED),
    ("check", ["y = x*x*w", "--at", "x=2", "--at", "w=3"]),
    ("run", ["samples/cli/square_functions.grad"]),
    ("test", ["samples/cli", "-k", "grad_*"]),
])
def test_json_before_or_after_the_command_is_the_same_document(command, args, monkeypatch):
    monkeypatch.chdir(ROOT)
    before = invoke("--json", command, *args)
    after = invoke(command, *args, "--json")
    assert before.exit_code == after.exit_code == 0, (before.output, after.output)
    if command == "run":  # a script prints what it prints; --json changes nothing there
        assert before.stdout == after.stdout
        return
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert json.loads(after.stdout)["command"] == command and json.loads(after.stdout)["ok"] is True


def test_value_options_after_the_command():
    narrow = invoke("graph", *SEED, "--width", "30", "--color", "never", "--debug")
    assert narrow.exit_code == 0 and narrow.stdout == invoke("--width", "30", "graph", *SEED).stdout
    assert invoke("graph", *SEED, "--width=30").stdout == narrow.stdout


def test_a_bad_global_value_after_the_command_is_a_usage_error():
    for args in (["--width", "5"], ["--color", "pink"], ["--width"]):
        r = invoke("grad", *SEED, *args)
        assert r.exit_code == 2 and r.stderr.startswith("error: "), (args, r.output)


def test_after_a_double_dash_it_is_an_argument_again(tmp_path):
    # `--` ends the options: "--json" is the script's file name, which does not exist
    r = invoke("run", "--", "--json")
    assert r.exit_code == 1 and "cannot read --json" in r.stderr and r.stdout == ""


def test_the_root_option_and_the_command_option_do_not_fight():
    r = invoke("--json", "grad", *SEED, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True


# ---- --json failures: one error document on stdout, the human message on stderr
@pytest.mark.parametrize("argv, code, kind, where", [
    (["grad", "x*x", "--at", "x=abc"], 2, "NameError", ("--at x", 1, 1)),
    (["grad", "x*x", "--order", "abc"], 2, "UsageError", (None, None, None)),
    (["grad", "x*x", "--bogus"], 2, "UsageError", (None, None, None)),
    (["grad", "x*("], 1, "SyntaxError", ("<expr>", 1, 4)),
    (["diff", "y = x^2", "--at", "x=1"], 1, "NotImplementedError", ("<expr>", 1, 5)),
    (["graph", "x*x", "--format", "png"], 2, "OptionError", (None, None, None)),
    (["run", "{missing}"], 1, "Error", ("{missing}", None, None)),
    (["run", "{failing}"], 1, "NameError", ("{failing}", 2, 7)),
    (["check", "{missing}"], 1, "Error", (None, None, None)),
    (["train", "{missing}"], 1, "ConfigError", (None, None, None)),
    (["eval", "{missing}"], 1, "ConfigError", (None, None, None)),
])
@pytest.mark.parametrize("json_first", [True, False])
def test_a_failure_under_json_is_one_error_document(argv, code, kind, where, json_first, tmp_path):
    failing = tmp_path / "failing.grad"
    failing.write_text("x = 1\nprint(undefined_name)\n")
    names = {"missing": str(tmp_path / "missing.grad"), "failing": str(failing)}
    argv = [a.format(**names) if a.startswith("{") else a for a in argv]
    r = invoke("--json", *argv) if json_first else invoke(*argv, "--json")
    assert r.exit_code == code, r.output
    doc = json.loads(r.stdout)  # exactly one document: json.loads refuses trailing data
    assert doc["schema"] == 1 and doc["ok"] is False and doc["exit_code"] == code
    assert doc["command"] == argv[0]
    error = doc["error"]
    assert set(error) == {"kind", "message", "file", "line", "col"} and error["kind"] == kind
    assert error["message"] and error["message"] in r.stderr.replace("error: ", "", 1)
    file, line, col = where
    if file is not None:
        assert error["file"] == file.format(**names)
    assert (error["line"], error["col"]) == (line, col) or line is None
    assert r.stderr.strip() and "Traceback" not in r.stderr


def test_check_that_fails_prints_its_report_document_only(monkeypatch):
    monkeypatch.chdir(ROOT)
    r = invoke("check", "samples/cli/square_functions.grad", "--fn", "SquareWrong.apply", "--json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)  # the report (ok: false inside), not a second, error document
    assert doc["command"] == "check" and doc["result"]["ok"] is False


def test_a_usage_error_in_a_real_process_prints_the_document():
    r = subprocess.run([sys.executable, "-m", "gradcli", "grad", "x", "--order", "-1", "--json"],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["message"] in r.stderr
