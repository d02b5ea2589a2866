"""The bad-input matrix: every command, given bad input, prints one clear error and exits 1 or 2.

Each row is (command line, standard input, exit code). For every row: the exit code is the one expected;
stderr is not empty, has no Python traceback, and its first line starts with a location
(`<expr>:1:4: `, `--at x:1:1: `, `FILE:3:1: `) or with `error: `; stdout is empty (nothing half-printed).
Files named `{missing}`, `{dir}`, `{garbage}`, ... are made for each test (see `files`).

Adding a command is one line per case: uncomment or add its rows below.

Deliberately not errors, as in Python (checked in test_accepted_edge_inputs): an empty script for `run`,
and empty standard input for `repl`, do nothing and exit 0.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

HUGE = "randn(100000,100000)"  # 10^10 elements: must be refused before numpy tries to allocate 40 GB
LOOP = "while True:\n    pass\n"

ROWS = [
    # ---- grad EXPR [--at NAME=VALUE] [--wrt NAMES] [--order N] [--seed N]
    ("grad", [""], None, 2),
    ("grad", ["   "], None, 2),
    ("grad", ["x*("], None, 1),
    ("grad", ["y = = x"], None, 1),
    ("grad", ["\x01\x02\x7f"], None, 1),
    ("grad", ["foo(x)"], None, 1),
    ("grad", ["import os"], None, 1),
    ("grad", ["x*x", "--at", "x=nan"], None, 2),
    ("grad", ["x*x", "--at", "x=inf"], None, 2),
    ("grad", ["sum(x)", "--at", "x=[1,nan]"], None, 2),
    ("grad", ["x*x", "--at", "x=1e39"], None, 2),  # overflows float32
    ("grad", ["x*x", "--at", "x="], None, 2),
    ("grad", ["x*x", "--at", "=2"], None, 2),
    ("grad", ["x*x", "--at", "x"], None, 2),
    ("grad", ["x*x", "--at", "x=1", "--at", "x=2"], None, 2),
    ("grad", ["x*x", "--at", "q=1"], None, 2),
    ("grad", ["x*x", "--at", "x=abc"], None, 2),
    ("grad", ["x*x", "--at", "x='s'"], None, 2),
    ("grad", ["x*x", "--at", "x=[[1,2],[3]]"], None, 2),
    ("grad", ["x*x", "--at", "x=__import__('os')"], None, 2),
    ("grad", ["sum(A)", "--at", f"A={HUGE}"], None, 2),
    ("grad", [f"sum({HUGE})*x"], None, 1),
    ("grad", ["x*x", "--order", "99"], None, 2),
    ("grad", ["x*x", "--order", "0"], None, 2),
    ("grad", ["x*x", "--wrt", "q"], None, 2),
    ("grad", ["x*x", "--wrt", ","], None, 2),
    ("grad", ["x*x", "--seed", "abc"], None, 2),
    ("grad", ["x*2", "--at", "x=[1,2]"], None, 1),  # not a scalar
    ("grad", ["y = 2*3"], None, 1),  # nothing to differentiate
    ("grad", ["x" + "+x" * 600_000], None, 1),  # over the 1 MB source limit
    ("grad", ["(" * 20_000 + "x" + ")" * 20_000], None, 1),  # nesting limit
    ("grad", [], None, 2),
    ("grad", ["x", "--bogus"], None, 2),
    # ---- run FILE|- [--max-...]
    ("run", ["{missing}"], None, 1),
    ("run", ["{dir}"], None, 1),
    ("run", ["{garbage}"], None, 1),
    ("run", ["{nul}"], None, 1),
    ("run", ["{syntax}"], None, 1),
    ("run", ["-"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1),
    ("run", ["-"], "print(undefined_name)\n", 1),
    ("run", ["-"], "import os\n", 1),
    ("run", ["-"], f"import torch\nA = torch.{HUGE}\n", 1),
    ("run", ["-", "--max-loop-iterations", "100"], LOOP, 1),
    ("run", ["-", "--max-source-bytes", "10"], "x = 1234567890\n", 1),
    ("run", ["-", "--max-steps", "0"], "pass\n", 2),
    ("run", [], None, 2),
    # ---- repl (standard input piped: the session goes on, the exit code says an input failed)
    ("repl", [], "x = = 1\n", 1),
    ("repl", [], "print(undefined_name)\n", 1),
    ("repl", [], b"\xff\xfe\x00garbage\n", 1),
    ("repl", [], f"A = torch.{HUGE}\n", 1),
    ("repl", [], "foo(1,\n", 1),  # still open at the end of input
    ("repl", [], "def f():\nreturn 1\n", 1),
    # ---- graph, explain, diff, check, test
    ("graph", [""], None, 2),
    ("graph", ["x*("], None, 1),
    ("graph", ["{missing}"], None, 1),
    ("graph", ["{dir}"], None, 1),
    ("graph", ["{garbage}"], None, 1),
    ("explain", ["x*x", "--at", "x=nan"], None, 2),
    ("explain", ["x*x", "--at", "q=1"], None, 2),
    ("explain", ["sum(A)", "--at", f"A={HUGE}"], None, 2),
    ("diff", ["x*w", "--wrt", "q"], None, 2),
    ("diff", ["", "--wrt", "w"], None, 2),
    ("check", ["{garbage}"], None, 1),
    ("check", ["x*("], None, 1),
    ("test", ["{missing}"], None, 2),  # a garbage .grad is a failing test (stdout), see test_test_command.py
    ("graph", ["x*x", "--at", "x=inf"], None, 2),
    ("graph", ["x*x", "--format", "png"], None, 2),
    ("explain", ["x*("], None, 1),
    ("explain", ["{garbage}"], None, 1),
    ("diff", ["x*x", "--at", "x=nan"], None, 2),
    ("check", ["{missing}"], None, 1),
    ("check", ["x*x", "--at", "q=1"], None, 2),
    # ---- the exit-code rule (README, "Exit codes"): 2 the command line is wrong -- an unknown option, a
    # missing argument, an option value of the wrong form or out of range; 1 the input it names is wrong
    ("grad", ["x*x", "--order", "-1"], None, 2),
    ("diff", ["x*x", "--order", "-1"], None, 2),
    ("check", ["x*x", "--order", "-1"], None, 2),
    ("explain", [], None, 2),
    ("graph", ["x*x", "--format"], None, 2),
    ("grad", ["x*x", "--width", "5"], None, 2),
    ("grad", ["x*x", "--color", "pink"], None, 2),
    ("run", ["-", "--nope"], "", 2),
    ("test", ["{dir}", "--bogus"], None, 2),
    ("grad", ["x*x", "--at", "x=10**400"], None, 2),  # too large for float32
    ("grad", ["x*10**400"], None, 1),
    ("grad", ["y = x^2", "--at", "x=1"], None, 1),  # ^ is xor: the message says to write **
    ("train", ["{config}", "--out", "{garbage}/run"], None, 2),  # a file where a directory should be
    ("train", ["{config}", "--set", "optim.lr=abc"], None, 2),
    ("train", ["{config}", "--set", "nope.x=1"], None, 2),
    ("train", ["{garbage}"], None, 1),
    ("train", ["{dir}"], None, 1),
    ("train", ["{missing}"], None, 1),
    ("eval", ["{missing}"], None, 1),
    ("plot", ["{dir}"], None, 1),
    ("predict", ["{dir}"], None, 2),  # --data is required
    ("graph", ["x*x", "--output", "{garbage}/g.dot"], None, 1),
]

LOCATION_OR_ERROR = re.compile(r"^(error: |[^\n]+?:\d+:\d+: \S)")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "garbage.grad").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "nul.grad").write_bytes(b"x = 1\nprint('a\x00b')\n")
    (tmp_path / "syntax.grad").write_text("import torch\nx = torch.tensor(1.\nprint(x)\n")
    (tmp_path / "empty.grad").write_text("")
    return {"missing": str(tmp_path / "missing.grad"), "dir": str(tmp_path / "dir"),
            "garbage": str(tmp_path / "garbage.grad"), "nul": str(tmp_path / "nul.grad"),
            "syntax": str(tmp_path / "syntax.grad"), "empty": str(tmp_path / "empty.grad"),
            "config": str(ROOT / "samples" / "train" / "logistic_regression.toml")}


def _id(row):
    command, args, stdin, _ = row
    shown = " ".join(a if len(a) < 30 else a[:27] + "..." for a in args)
    return f"{command} {shown}" + (" <stdin" if stdin is not None else "")


def check_failure(code, stdout, stderr, expected):
    assert code == expected, f"exit {code}, expected {expected}\nstdout: {stdout!r}\nstderr: {stderr!r}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert stderr.strip(), "no error message"
    first = stderr.splitlines()[0]
    assert LOCATION_OR_ERROR.match(first), f"first line of stderr: {first!r}"
    assert stdout == "", f"stdout should be empty: {stdout!r}"


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_bad_input(row, files):
    command, args, stdin, expected = row
    argv = [command, *(a.format(**files) if a.startswith("{") else a for a in args)]
    r = runner.invoke(app, argv + (["--out", files["dir"] + "/run"] if command == "train" and "--out" not in argv
                                   else []), input=stdin)
    check_failure(r.exit_code, r.stdout, r.stderr, expected)


# A few rows again as real processes: what a shell sees, with the real stdin/stdout and exit status.
PROCESS_ROWS = [ROWS[0], ROWS[7], ROWS[20], ROWS[22], [r for r in ROWS if r[0] == "run"][1],
                [r for r in ROWS if r[0] == "repl"][0]]


@pytest.mark.parametrize("row", PROCESS_ROWS, ids=[_id(r) for r in PROCESS_ROWS])
def test_bad_input_in_a_process(row, files):
    command, args, stdin, expected = row
    argv = [command, *(a.format(**files) if a.startswith("{") else a for a in args)]
    data = stdin.encode() if isinstance(stdin, str) else stdin
    r = subprocess.run([sys.executable, "-m", "gradcli", *argv], input=data or b"", capture_output=True,
                       timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    check_failure(r.returncode, r.stdout.decode(), r.stderr.decode(), expected)


def test_print_in_an_expression_goes_to_stderr_so_stdout_stays_the_report():
    r = runner.invoke(app, ["--json", "grad", "print('hello'); y = x*x", "--at", "x=3"])
    assert r.exit_code == 0 and r.stderr == "hello\n"
    import json
    assert json.loads(r.stdout)["result"]["gradient"]["x"]["values"] == 6.0


def test_error_messages_say_what_and_how_to_fix():
    cases = {("x*x", "--at", "x=nan"): "not finite",
             ("sum(A)", "--at", f"A={HUGE}"): "10,000,000,000 elements, over the limit",
             ("foo(x)",): "unknown function 'foo'",
             ("",): "the expression is empty",
             ("x*x", "--order", "99"): "give an order from 1 to 6",
             ("y = 2*3",): "no variables to differentiate",
             ("x*x", "--seed", "abc"): "Try '",
             ("y = x^2", "--at", "x=1"): "a power is written **"}
    for args, words in cases.items():
        r = runner.invoke(app, ["grad", *args])
        assert words in r.stderr, (args, r.stderr)


@pytest.mark.parametrize("argv, stdin", [(["run", "{empty}"], None), (["run", "-"], ""), (["repl"], "")])
def test_accepted_edge_inputs(argv, stdin, files):
    r = runner.invoke(app, [a.format(**files) for a in argv], input=stdin)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


def test_a_long_expression_is_not_taken_for_a_file_name():
    expr = "*".join(["x"] * 5000)  # 10,000 characters: too long a name for the file system
    r = runner.invoke(app, ["check", expr, "--at", "x=1"])
    assert r.exit_code == 0 and "1 of 1 Jacobians match" in r.stdout, r.output


def test_an_existing_file_wins_over_an_expression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("import torch\nx = torch.tensor(2., requires_grad=True, dtype=torch.float64)\n"
                                "f = lambda x: x * x\ninputs = (x,)\n")
    r = runner.invoke(app, ["check", "x"])
    assert r.exit_code == 0 and "match" in r.stdout, r.output


def test_train_into_a_path_under_a_file_says_so(files):
    r = runner.invoke(app, ["train", files["config"], "--out", files["garbage"] + "/run"])
    assert r.exit_code == 2 and "is a file, not a directory" in r.stderr
