"""The last wall: a supervised child under process limits, the in-process watchdog, and golden tests in workers.

Everything that sets process limits runs in a subprocess (never in pytest's own process)."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradcli.lang import GradLimitError, Limits, run_source
from gradcli.tools.golden import TestResult

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="process limits need fork (POSIX)")


def _supervised(body: str, tmp_path, seconds=0.5, memory=256):
    """Run `body` in the child of supervise(); (exit code, stderr, wall seconds)."""
    code = ("import os, signal, sys, time\n"
            "from gradcli.lang import Limits\n"
            "from gradcli.lang.process_limits import enable, supervise\n"
            "enable()\n"
            f"supervise(Limits(max_seconds={seconds}, max_memory={memory}))\n" + body)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(ROOT)},
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr, time.monotonic() - start


def test_a_child_the_timer_cannot_stop_is_stopped_by_the_parent(tmp_path):
    # signals blocked and a sleep in C: only the supervising parent can end this
    body = "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGXCPU})\ntime.sleep(30)\n"
    code, err, wall = _supervised(body, tmp_path)
    assert code == 1 and err == "error: the script ran longer than 0.5 s (raise the limit with --max-seconds)\n"
    assert wall < 10


def test_a_crash_of_the_interpreter_is_a_clean_error_without_a_core_file(tmp_path):
    code, err, _ = _supervised("os.kill(os.getpid(), signal.SIGSEGV)\n", tmp_path)
    assert code == 1 and err.startswith("error: the script exhausted the interpreter's stack")
    assert os.listdir(tmp_path) == []


def test_terminating_the_command_terminates_the_script(tmp_path):
    code = ("import time\nfrom gradcli.lang import Limits\n"
            "from gradcli.lang.process_limits import enable, supervise\n"
            "enable()\nsupervise(Limits(max_seconds=30))\nprint('child', flush=True)\ntime.sleep(30)\n")
    p = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(ROOT)},
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "child\n"
    start = time.monotonic()
    p.terminate()
    assert p.wait(timeout=10) == 128 + signal.SIGTERM and time.monotonic() - start < 5


def test_the_child_exit_code_is_the_commands(tmp_path):
    code, err, _ = _supervised("sys.stderr.write('x\\n')\nsys.exit(3)\n", tmp_path)
    assert (code, err) == (3, "x\n")


def test_memory_past_the_limit_is_a_memory_error_in_the_child(tmp_path):
    code, err, _ = _supervised("try:\n    b = bytearray(1 << 30)\nexcept MemoryError:\n    sys.exit(7)\n",
                               tmp_path)
    assert code == 7, err


def test_the_cli_reports_the_memory_limit(tmp_path):
    script = tmp_path / "m.grad"
    script.write_text("import torch\na = torch.ones(100_000_000)\n")
    r = subprocess.run([sys.executable, "-m", "gradcli", "run", str(script), "--max-memory", "128",
                        "--max-tensor-elements", "1000000000"], cwd=tmp_path, env={"PYTHONPATH": str(ROOT)},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "memory limit" in r.stderr and "Traceback" not in r.stderr


def test_the_watchdog_stops_a_loop_in_process_and_gives_the_timer_back():
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        start = time.monotonic()
        with pytest.raises(GradLimitError, match=r"ran longer than 0.3 s") as info:
            run_source("while True:\n    pass\n", "w.grad", stdout=io.StringIO(),
                       limits=Limits(max_seconds=0.3, max_loop_iterations=10 ** 12, max_steps=10 ** 12))
        assert time.monotonic() - start < 3 and info.value.span.line == 1
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30  # the outer timer runs on
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_the_watchdog_interrupts_a_builtin_walking_an_endless_iterator():
    with pytest.raises(GradLimitError, match="ran longer than"):
        run_source("sum(iter(int, 1))\n", "w.grad", stdout=io.StringIO(),
                   limits=Limits(max_seconds=0.3, max_loop_iterations=10 ** 12))


# ---------------------------------------------------------------- gradcli test in workers
def _one(name, path):
    if name == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if name == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    if name == "raise":
        raise RuntimeError("bug")
    return TestResult(name, "grad", "passed", _path=path)


def test_a_crashing_or_hanging_golden_fails_alone():
    from gradcli.tools.golden_pool import run_isolated

    tests = [(n, Path(f"{n}.grad")) for n in ("ok1", "segv", "hang", "raise", "ok2", "ok3")]
    start = time.monotonic()
    results = run_isolated(tests, _one, Limits(max_seconds=0.5), jobs=2)
    assert time.monotonic() - start < 20
    by = {r.name: r for r in results}
    assert [r.name for r in results] == [n for n, _ in tests]
    assert all(by[n].status == "passed" for n in ("ok1", "ok2", "ok3"))
    assert by["segv"].status == "failed" and "SIGSEGV" in by["segv"].message
    assert by["hang"].status == "failed" and "time limit of 0.5 s" in by["hang"].message
    assert by["raise"].status == "failed" and "RuntimeError: bug" in by["raise"].message


def test_gradcli_test_reports_a_hostile_golden_and_runs_the_others(tmp_path):
    (tmp_path / "a.grad").write_text("t = ()\nfor i in range(10 ** 6):\n    t = (t,)\nprint(hash(t))\n")
    (tmp_path / "a.out").write_text("1\n")
    (tmp_path / "b.grad").write_text("print(1)\n")
    (tmp_path / "b.out").write_text("1\n")
    r = subprocess.run([sys.executable, "-m", "gradcli", "test", str(tmp_path)], cwd=tmp_path,
                       env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1"}, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stdout.rstrip().endswith("1 passed, 1 failed")
    assert "tuples nest more than" in r.stdout
