"""How the command line's process ends: it skips the interpreter's teardown (os._exit) but keeps what
teardown is for -- the exit status, exit handlers, flushed output, a waiting non-daemon thread -- and a
full disk under `> file` is an error message with status 1, never a traceback or a claim of a bug."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def gradcli(*argv, stdout=subprocess.PIPE):
    return subprocess.run([sys.executable, "-m", "gradcli", *argv], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, env=ENV, cwd=ROOT, timeout=300)


def test_statuses_are_the_commands_own():
    ok = gradcli("grad", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1")
    assert ok.returncode == 0 and ok.stdout.endswith("∂y/∂w = 5.\n") and ok.stderr == ""
    assert gradcli("grad", "y=(x+").returncode == 1
    bad = gradcli("nosuchcommand")
    assert bad.returncode == 2 and "No such command" in bad.stderr
    assert gradcli("grad", "y=x", "--width", "3").returncode == 2


def test_large_output_is_flushed_before_exit(tmp_path):
    script = tmp_path / "many.grad"
    script.write_text("for i in range(20000):\n    print(i)\n")
    out = tmp_path / "out.txt"
    with open(out, "w") as f:
        r = gradcli("run", str(script), stdout=f)
    assert r.returncode == 0, r.stderr
    assert out.read_text().splitlines() == [str(i) for i in range(20000)]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("argv", [["grad", "y=x*2", "--at", "x=3"], ["--json", "grad", "y=x*2", "--at", "x=3"],
                                  ["grad", "y=x*2", "--at", "x=3", "--json"]])
def test_a_full_disk_is_an_error_not_a_bug(argv):
    with open("/dev/full", "w") as full:
        r = gradcli(*argv, stdout=full)
    assert r.returncode == 1
    assert "No space left on device" in r.stderr
    for text in ("Traceback", "internal error", "bug in gradcli"):
        assert text not in r.stderr, r.stderr


def _exit_in_child(code_before, status):
    code = (f"import sys\n{code_before}\n"
            f"from gradcli.cli.app import _exit\n_exit({status!r})\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=60)


def test_exit_handlers_run_and_status_follows_sys_exit_rules():
    r = _exit_in_child("import atexit\natexit.register(lambda: print('handler ran'))\nprint('out', end='')", 3)
    assert (r.returncode, r.stdout) == (3, "outhandler ran\n")
    assert _exit_in_child("", None).returncode == 0
    r = _exit_in_child("", "a message")
    assert (r.returncode, r.stderr) == (1, "a message\n")


def test_a_running_non_daemon_thread_is_waited_for():
    r = _exit_in_child("import threading, time\n"
                       "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()", 4)
    assert (r.returncode, r.stdout) == (4, "thread done\n")
