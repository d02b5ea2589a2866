"""`gradcli ... | head -1`: a reader that goes away ends gradcli quietly, as it ends `cat` -- killed by
SIGPIPE (status 141 in a shell, -SIGPIPE here), or exit 0 when everything fitted in the pipe before the
reader left -- and never with a BrokenPipeError message, a traceback or a script error.

Each test reads one line of stdout, closes the read end, and checks the exit status and stderr. The
outputs of run, repl, graph and grad are made larger than a pipe's buffer (64 KiB), so that gradcli is
certain to write into the closed pipe.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

if not hasattr(signal, "SIGPIPE"):
    pytest.skip("no SIGPIPE on this platform", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
QUIET_ENDS = (0, -signal.SIGPIPE)


def first_line_then_close(argv, stdin_text=None, tmp_path=None, stderr_pipe=False):
    """Start `gradcli argv`, read one line from its stdout (or stderr), close that pipe, wait; returns
    (exit status, first line, the other stream's text)."""
    stdin = subprocess.DEVNULL
    if stdin_text is not None:
        feed = tmp_path / "stdin.txt"
        feed.write_text(stdin_text)
        stdin = open(feed, "rb")
    other = open(tmp_path / "other.txt", "wb")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", *map(str, argv)], stdin=stdin,
                            stdout=other if stderr_pipe else subprocess.PIPE,
                            stderr=subprocess.PIPE if stderr_pipe else other, cwd=ROOT, env=env)
    pipe = proc.stderr if stderr_pipe else proc.stdout
    try:
        line = pipe.readline()
        pipe.close()
        code = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        other.close()
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    return code, line.decode(), (tmp_path / "other.txt").read_text()


def assert_quiet(code, line, other):
    assert code in QUIET_ENDS, (code, other[-2000:])
    assert line, "nothing was printed before the pipe closed"
    for text in ("BrokenPipe", "Broken pipe", "Traceback", "Exception ignored", "internal error"):
        assert text not in other, other[-2000:]


def test_run_a_script_that_prints_a_lot(tmp_path):
    script = tmp_path / "many.grad"
    script.write_text("for i in range(30000):\n    print(i)\n")
    code, line, err = first_line_then_close(["run", script], tmp_path=tmp_path)
    assert_quiet(code, line, err)
    assert code == -signal.SIGPIPE and line == "0\n"  # 190 kB: it did write into the closed pipe


def test_a_script_reading_from_stdin(tmp_path):
    code, line, err = first_line_then_close(["run", "-"], "for i in range(30000):\n    print(i)\n",
                                            tmp_path=tmp_path)
    assert_quiet(code, line, err)


def test_the_repl_with_many_lines_piped_in(tmp_path):
    code, line, err = first_line_then_close(["repl"], "".join(f"print({i})\n" for i in range(1, 20001)),
                                            tmp_path=tmp_path)
    assert_quiet(code, line, err)
    assert code == -signal.SIGPIPE and line == "1\n"


def test_grad_with_a_large_report(tmp_path):
    code, line, err = first_line_then_close(["grad", "sum(x**3)", "--at", "x=randn(150)", "--order", "2"],
                                            tmp_path=tmp_path)
    assert_quiet(code, line, err)


def test_graph_of_a_large_expression(tmp_path):
    expr = "y = " + " + ".join(f"x*{i}" for i in range(1, 1500))
    code, line, err = first_line_then_close(["graph", expr, "--at", "x=1", "--max-nodes", "0",
                                             "--max-depth", "0"], tmp_path=tmp_path)
    assert_quiet(code, line, err)


@pytest.mark.parametrize("argv", [["test", "samples/cli"], ["--help"], ["grad", "--help"], ["run", "--help"],
                                  ["--json", "grad", "x*x", "--at", "x=2"]])
def test_small_outputs(argv, tmp_path):
    code, line, err = first_line_then_close(argv, tmp_path=tmp_path)
    assert_quiet(code, line, err)


def test_train_progress_into_a_closed_pipe(tmp_path):
    """The progress lines go to stderr: close that pipe after the first row."""
    code, line, out = first_line_then_close(["train", "samples/train/logistic_regression.toml", "--out",
                                             tmp_path / "run", "--set", "train.log_every=1",
                                             "--set", "train.stop_when=''"],
                                            tmp_path=tmp_path, stderr_pipe=True)
    assert_quiet(code, line, out)
    assert line.startswith("iteration 0/")
