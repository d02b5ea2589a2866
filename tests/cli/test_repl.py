"""`gradcli repl`: when an input is complete, one session across inputs, echo, errors that do not end the
session, piped use (no prompts, exit 1 after a failure), and a real terminal session in tmux when available."""
import io
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.tools.repl import Repl, needs_more, run_loop

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.mark.parametrize("text", [
    "if x > 1:", "for i in range(3):", "def f(a):", "class A:", "while True:",
    "foo(", "x = [1,", "d = {'a':", "x = 1 + \\", "x = 1 +", 's = """abc',
    "def f():\n    return 1",  # a block ends only with a blank line
    "if x: pass",  # an `else:` may follow
    "foo(\n", "if x:\n    y = 1\nelse:",
    "class A:\n    def f(self):",
])
def test_incomplete_inputs_ask_for_more(text):
    assert needs_more(text)


@pytest.mark.parametrize("text", [
    "", "x = 1", "x * 2", "print(1)", "foo(\n1)", "def f():\n    return 1\n", "if x: pass\n",
    "x = )", "1 +\n", "if x:\n", "for i in y:\n    print(i)\n",
    "def f():\n    return 1\n  x",  # a bad unindent is an error now, not a reason to wait
    "x = 1 # (",
])
def test_complete_or_wrong_inputs_run_now(text):
    assert not needs_more(text)


def feed(*lines):
    out, err = io.StringIO(), io.StringIO()
    repl = Repl(out, err)
    for line in lines:
        repl.feed(line)
    repl.flush()
    repl.close()
    return out.getvalue(), err.getvalue(), repl


def test_names_live_on_and_bare_expressions_echo():
    out, err, _ = feed("x = torch.tensor(2., requires_grad=True)", "x*2", "y = x*x", "y.backward()", "x.grad",
                       "_ + 1", "None")
    assert err == ""
    assert out == "tensor(4., grad_fn=<MulBackward0>)\ntensor(4.)\ntensor(5.)\n"


def test_blocks_functions_and_classes():
    out, err, _ = feed("def f(a):", "    return a + 1", "", "class A:", "    def g(self):", "        return f(1)",
                       "", "A().g()", "for i in range(2):", "    print(i)", "")
    assert (out, err) == ("2\n0\n1\n", "")


def test_an_error_is_positioned_and_the_session_continues():
    out, err, repl = feed("x = 3", "y = x +* 2", "zz", "x")
    assert out == "3\n"
    assert err.splitlines()[0].startswith("<stdin>:1:")
    assert "<stdin>:1:1: NameError: name 'zz' is not defined" in err
    assert repl.failures == 2


def test_settings_persist_between_inputs_and_are_restored_at_the_end():
    import gradcli
    out, err, _ = feed("torch.set_default_dtype(torch.float64)", "torch.tensor(1.).dtype")
    assert out == "torch.float64\n"
    assert gradcli.get_default_dtype() == gradcli.float32


def test_each_input_gets_the_whole_step_budget():
    from gradcli.lang.runner import Limits
    out, err = io.StringIO(), io.StringIO()
    repl = Repl(out, err, Limits(max_loop_iterations=50))
    for _ in range(3):
        repl.feed("for i in range(40): pass")
        repl.feed("")
    assert repl.failures == 0


def test_ctrl_c_cancels_the_pending_input():
    lines = iter(["for i in range(3):", KeyboardInterrupt, "print('after')"])

    def read(prompt):
        item = next(lines, None)
        if item is None:
            raise EOFError
        if item is KeyboardInterrupt:
            raise KeyboardInterrupt
        return item
    out, err = io.StringIO(), io.StringIO()
    run_loop(Repl(out, err), read)
    assert out.getvalue() == "after\n" and "KeyboardInterrupt" in err.getvalue()


PROGRAM = "x = torch.tensor(2., requires_grad=True)\ny = x*x\ny.backward()\nprint(x.grad)\n"


def test_piped_through_the_command_line():
    r = subprocess.run([sys.executable, "-m", "gradcli", "repl"], input=PROGRAM, capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (r.returncode, r.stdout, r.stderr) == (0, "tensor(4.)\n", "")


def test_clirunner_piped_block_at_end_of_input_still_runs():
    r = runner.invoke(app, ["repl"], input="for i in range(2):\n    print(i)")
    assert (r.exit_code, r.stdout) == (0, "0\n1\n")


def test_piped_failure_exits_1_after_running_the_rest():
    r = runner.invoke(app, ["repl"], input="print(undefined)\nprint('still here')\n")
    assert r.exit_code == 1 and r.stdout == "still here\n"
    assert r.stderr.startswith("<stdin>:1:7: NameError: name 'undefined' is not defined")


def test_piped_line_that_is_not_utf8_is_reported_and_skipped():
    r = runner.invoke(app, ["repl"], input=b"print(1)\n\xff\xfe\nprint(2)\n")
    assert r.exit_code == 1 and r.stdout == "1\n2\n"
    assert r.stderr.startswith("<stdin>:1:1: error: the line is not valid UTF-8")


def test_history_file_that_cannot_be_written_does_not_crash(tmp_path, monkeypatch):
    from gradcli.cli.commands import repl as command
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # a file where a directory should be
    assert command.history_path() == blocker / "gradcli" / "history"
    history = command._History()
    history.save()  # swallowed OSError


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_interactive_session_in_tmux(tmp_path):
    name = f"gradcli-repl-{uuid.uuid4().hex[:8]}"
    env = f"PYTHONPATH={ROOT} XDG_STATE_HOME={tmp_path}"
    command = f"cd {ROOT} && {env} {sys.executable} -m gradcli repl; echo EXIT=$?; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command], check=True)

    def screen():
        return subprocess.run(["tmux", "capture-pane", "-t", name, "-p"], capture_output=True, text=True).stdout

    def wait_for(text, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in screen():
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{screen()}")

    def send(*keys):
        subprocess.run(["tmux", "send-keys", "-t", name, *keys], check=True)

    try:
        wait_for(">>>")  # capture-pane drops trailing spaces
        send("x = torch.tensor(2., requires_grad=True)", "Enter")
        send("x*2", "Enter")
        wait_for("tensor(4., grad_fn=<MulBackward0>)")
        send("if x > 1:", "Enter")
        wait_for("...")
        send('    print("big")', "Enter", "Enter")
        wait_for("big\n>>>")
        send("abc +")
        send("C-c")
        wait_for("KeyboardInterrupt")
        send("C-d")
        wait_for("EXIT=0")
        assert "x*2" in (tmp_path / "gradcli" / "history").read_text()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
