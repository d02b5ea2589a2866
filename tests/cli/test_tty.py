"""Every command on a real terminal (a pseudo-terminal: colours, progress bars, prompts), at 80 columns and
narrow: exit code 0, no traceback or internal error, the expected output, and the cursor shown again.

The other CLI tests run commands with their output piped, where rich draws no bars and hides no cursor;
the first run of `gradcli train` on a terminal crashed (`TextConsole` is no context manager) and left the
cursor hidden. This module is what would have caught it.
"""
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")  # POSIX only
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")

ROOT = Path(__file__).resolve().parents[2]
SEED = ["y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1"]
HIDE, SHOW = "\x1b[?25l", "\x1b[?25h"
RUN_FILES = {"config.toml", "run.json", "metrics.jsonl", "metrics.csv", "last.npz", "best.npz"}
COMMANDS = ["grad", "diff", "graph", "explain", "run", "check", "test", "repl", "train", "eval", "predict", "plot",
            "export"]


def run_in_pty(argv, columns=80, lines=(), cwd=ROOT, home=None, timeout=120):
    """Run `gradcli argv` with stdin, stdout and stderr on one pseudo-terminal of `columns` columns; type
    each of `lines` after the next `>>> ` prompt (readline drops what is typed before it starts); return
    (exit code, everything the terminal received, as text)."""
    master, slave = pty.openpty()
    import struct
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES="24", PYTHONPATH=str(ROOT))
    if home is not None:
        env["XDG_STATE_HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", *map(str, argv)], stdin=slave, stdout=slave,
                            stderr=slave, cwd=cwd, env=env, start_new_session=True)
    os.close(slave)
    out = b""
    typed = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
            if typed < len(lines) and out.count(b">>> ") > typed:
                os.write(master, lines[typed])
                typed += 1
        code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, out.decode("utf-8", "replace")


def plain(text: str) -> str:
    """The terminal text without escape sequences and carriage returns."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r", "", text)


def assert_clean(code, text, expected_code=0):
    assert code == expected_code, f"exit {code}\n{text[-3000:]}"
    assert "Traceback (most recent call last)" not in text and "internal error:" not in text, text[-3000:]
    # a hidden cursor is shown again afterwards
    if HIDE in text:
        assert SHOW in text and text.rindex(SHOW) > text.rindex(HIDE), repr(text[-500:])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One training run on a terminal (progress bar): its run directory serves eval, predict and plot."""
    out = tmp_path_factory.mktemp("tty") / "run"
    code, text = run_in_pty(["train", "samples/train/logistic_regression.toml", "--out", out])
    return out, code, text


def test_train_on_a_terminal_draws_a_bar_and_writes_a_complete_run(trained):
    out, code, text = trained
    assert_clean(code, text)
    assert HIDE in text, "no progress bar drawn"  # rich hides the cursor while the bar is live
    assert "iterations" in plain(text) and "run directory" in plain(text)
    assert RUN_FILES <= {p.name for p in out.iterdir()}
    assert not list(out.glob(".*.tmp"))


CASES = {
    "grad": (SEED + ["--formula"], "∂y/∂w = (w + 1) + (x + w) = 5."),
    "diff": (["y=exp(-x**2/2)", "--order", "2", "--at", "x=1"], "∂²y/∂x²"),
    "graph": (SEED, "AccumulateGrad"),
    "explain": (SEED, "Sum over the paths"),
    "run": (["samples/tutorials/seed001_1_computational_graph.grad"], "grad_fn"),
    "check": (["y = x*x*w", "--at", "x=2", "--at", "w=3"], "Jacobians match"),
    "test": (["samples/cli", "-k", "grad_*"], "passed"),
}


@pytest.mark.parametrize("command", list(CASES))
@pytest.mark.parametrize("columns", [80, 40])
def test_a_command_on_a_terminal(command, columns):
    argv, expected = CASES[command]
    code, text = run_in_pty([command, *argv], columns)
    assert_clean(code, text)
    assert expected in plain(text), plain(text)


@pytest.mark.parametrize("columns", [80, 40])
def test_run_commands_on_a_terminal(trained, columns):
    out = trained[0]
    for argv, expected in ((["eval", out], "loss"),
                           (["predict", out, "--data", "blobs = {n_per_class = 2}"], "prediction"),
                           (["plot", out], "loss")):
        code, text = run_in_pty(argv, columns)
        assert_clean(code, text)
        assert expected in plain(text), (argv, plain(text))


@pytest.mark.parametrize("columns", [80, 40])
def test_the_repl_on_a_terminal(tmp_path, columns):
    code, text = run_in_pty(["repl"], columns, home=tmp_path,
                            lines=[b"x = torch.tensor(2., requires_grad=True)\r", b"x * 3\r", b"\x04"])
    assert_clean(code, text)
    shown = plain(text)
    assert ">>> " in shown and "tensor(6., grad_fn=<MulBackward0>)" in shown, shown


def test_train_on_a_narrow_terminal(tmp_path):
    code, text = run_in_pty(["train", "samples/train/logistic_regression.toml", "--out", tmp_path / "r"], 40)
    assert_clean(code, text)
    assert RUN_FILES <= {p.name for p in (tmp_path / "r").iterdir()}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("columns", [80, 40])
def test_help_on_a_terminal(command, columns):
    code, text = run_in_pty([command, "--help"], columns)
    assert_clean(code, text)
    assert "Usage:" in plain(text) and "--json" in plain(text)


def test_an_error_on_a_terminal_is_one_message():
    code, text = run_in_pty(["grad", "x*("], 80)
    assert_clean(code, text, expected_code=1)
    assert plain(text).startswith("<expr>:1:4: error:")


@pytest.mark.parametrize("columns", [80, 40])
def test_the_doctor_on_a_terminal(columns):
    """A failing backward on a real terminal: torch's message, then the doctor's block, no traceback."""
    code, text = run_in_pty(["run", "samples/doctor/inplace_after_save.grad"], columns)
    assert_clean(code, text, expected_code=1)
    shown = plain(text)
    assert shown.startswith("samples/doctor/inplace_after_save.grad:10:1: RuntimeError: one of the variables")
    assert "doctor: `b` was changed in place" in shown and "checked: gradcli re-ran the script" in shown


def test_ctrl_c_during_training_shows_the_cursor_again(tmp_path):
    """SIGINT while the bar is live: exit 130, one word, the cursor back, the run resumable."""
    import signal

    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    out_dir = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", "train", "samples/train/moons_mlp.toml", "--out",
                             str(out_dir), "--set", "train.stop_when=''", "--set", "train.epochs=100000"],
                            stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True)
    os.close(slave)
    out, sent = b"", False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and out.count(b"\x1b[2K") >= 3:  # the bar has redrawn a few times
                proc.send_signal(signal.SIGINT)
                sent = True
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = out.decode("utf-8", "replace")
    assert sent and code == 130, (code, text[-1000:])
    assert_clean(code, text, expected_code=130)
    assert plain(text).rstrip().endswith("interrupted")
    assert {"config.toml", "run.json"} <= {p.name for p in out_dir.iterdir()}
