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


# ---- pasted transcripts: `>>> ` and `... ` lines are the code, the session's output lines are skipped
TRANSCRIPT = (">>> x = torch.tensor([[1., 2.], [3., 4.]])\n>>> x * 2\ntensor([[2., 4.],\n        [6., 8.]])\n"
              ">>> for i in range(2):\n...     print(i + 100)\n...\n100\n101\n>>> x.sum()\ntensor(10.)\n")


def test_a_pasted_transcript_runs_its_inputs_and_skips_its_output():
    out, err, repl = feed(*TRANSCRIPT.split("\n"))
    assert (err, repl.failures) == ("", 0)
    assert out == "tensor([[2., 4.],\n        [6., 8.]])\n100\n101\ntensor(10.)\n"


def test_a_transcript_block_whose_blank_continuation_was_not_pasted_ends_at_its_output():
    out, err, _ = feed(">>> for i in range(2):", "...     print(i)", "0", "1", ">>> print('after')", "after")
    assert (out, err) == ("0\n1\nafter\n", "")


def test_a_blank_line_ends_the_transcript_and_plain_lines_are_code_again():
    out, err, repl = feed(">>> y = 3", ">>> y", "3", "", "print(y + 1)", "y * 2")
    assert (out, err, repl.transcript) == ("3\n4\n6\n", "", False)


def test_a_bracketed_paste_arrives_as_one_line_of_lines():
    out, err, _ = feed(">>> y = 3\n>>> y * 111\n333\n")
    assert (out, err) == ("333\n", "")


def test_ellipsis_typed_outside_a_transcript_is_the_value():
    out, err, _ = feed("...", "x = ...", "print(x)")
    assert (out, err) == ("Ellipsis\nEllipsis\n", "")


def test_a_pasted_transcript_piped_through_the_command_line():
    r = subprocess.run([sys.executable, "-m", "gradcli", "repl"], input=">>> x = 1\n>>> x + 1\n2\n", capture_output=True,
                       text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (r.returncode, r.stdout, r.stderr) == (0, "2\n", "")


def _pty_session(chunks, tmp_path, timeout=60):
    """gradcli repl on a pseudo-terminal; each (text, data) of `chunks` writes data once the terminal has
    received text (wait for a prompt: readline drops what arrives before it starts)."""
    import pty
    import select
    from tests.cli.test_tty import plain
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", "repl"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True)
    os.close(slave)
    out, done, end = b"", 0, time.monotonic() + timeout
    try:
        while time.monotonic() < end and proc.poll() is None:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    out += os.read(master, 65536)
                except OSError:
                    break
            if done < len(chunks) and chunks[done][0].encode() in out:
                os.write(master, chunks[done][1])
                done += 1
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return proc.wait(), plain(out.decode("utf-8", "replace"))


def test_a_transcript_pasted_into_a_terminal(tmp_path):
    paste = (b">>> x = 2\r>>> x * 21\r42\r>>> for i in range(2):\r...     print(i + 100)\r...\r100\r101\r"
             b">>> raise ValueError('not run')\rValueError('xyz')\r\rprint(x * 1000 + 7)\r")
    code, text = _pty_session([(">>> ", paste), ("2007\r\n>>> ", b"\x04")], tmp_path)
    assert code == 0, text
    assert "\n42\n" in text and "\n100\n101\n" in text and "ValueError: not run" in text
    assert "ValueError: xyz" not in text  # the output line did not run


def test_a_bracketed_paste_into_a_terminal(tmp_path):
    code, text = _pty_session([(">>> ", b"\x1b[200~>>> y = 3\r>>> y * 111\r333\r\x1b[201~\r"),
                               ("333\r\n>>> ", b"\rprint(y + 1000)\r"), ("1003\r\n>>> ", b"\x04")], tmp_path)
    assert code == 0 and "1003" in text, text


def test_the_echo_names_classes_as_torch_does():
    out, err, _ = feed("import torch.nn as nn", "nn.Linear", "type(torch.float32)", "x = torch.ones(1) * 2",
                       "type(x.grad_fn)", "repr(type(torch.device('cpu')))")
    assert err == ""
    assert out == ("<class 'torch.nn.modules.linear.Linear'>\n<class 'torch.dtype'>\n<class 'NoneType'>\n"
                   "\"<class 'torch.device'>\"\n")
