"""Golden tests in worker processes: one hostile or crashing test file cannot take the whole run down.

A few persistent workers (forked, so they start with gradcli already loaded) run the tests one at a time,
each under the process limits of a script run (lang/process_limits.py). A worker that dies (a crash of
the interpreter, a memory limit hit outside any guard) or that does not answer within the time limit
plus a margin is replaced, and its test is reported failed with the reason; the others carry on.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import wait
from typing import Callable

from .golden import TestResult

__all__ = ["run_isolated", "available"]

_MARGIN = 2.0  # seconds past the time limit before a silent worker is killed
_in_worker = False  # a .cmd test running `gradcli test` runs its tests in the worker itself


def available() -> bool:
    return not _in_worker and "fork" in multiprocessing.get_all_start_methods()


def run_isolated(tests: list, run_one: Callable, limits, jobs: int | None = None,
                 progress: Callable[[TestResult], None] | None = None) -> list[TestResult]:
    """run_one(name, path) -> TestResult for each (name, path), in up to `jobs` workers; results in order."""
    ctx = multiprocessing.get_context("fork")
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tests), 4))
    results: list[TestResult | None] = [None] * len(tests)
    pending = list(reversed(range(len(tests))))
    busy: dict = {}  # connection -> [process, test index, start time]
    idle: list = []

    def start():
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(child, run_one, limits), daemon=True)
        p.start()
        child.close()
        return parent, p

    def finish(i, result):
        results[i] = result
        if progress:
            progress(result)

    workers = [start() for _ in range(jobs)]
    idle.extend(workers)
    try:
        while pending or busy:
            while pending and idle:
                conn, p = idle.pop()
                i = pending.pop()
                conn.send((i, *tests[i]))
                busy[conn] = [p, i, time.monotonic()]
            timeout = limits.max_seconds + _MARGIN
            now = time.monotonic()
            left = min((start_ + timeout - now for _, _, start_ in busy.values()), default=0)
            for conn in wait(list(busy), timeout=max(left, 0)):
                p, i, _ = busy.pop(conn)
                try:
                    j, result = conn.recv()
                except (EOFError, OSError):
                    p.join(1)
                    finish(i, _failed(tests[i], f"its process died: {_death(p.exitcode)}"))
                    conn.close()
                    idle.append(start())
                    continue
                finish(j, result)
                idle.append((conn, p))
            now = time.monotonic()
            for conn, (p, i, started) in list(busy.items()):
                if now - started > timeout:
                    del busy[conn]
                    p.kill()
                    p.join(1)
                    conn.close()
                    finish(i, _failed(tests[i], f"did not finish within the time limit of "
                                                f"{limits.max_seconds:g} s (its process was stopped)"))
                    idle.append(start())
    finally:
        for conn, p in idle + [(c, v[0]) for c, v in busy.items()]:
            try:
                conn.send(None)
            except OSError:
                pass
        for conn, p in idle + [(c, v[0]) for c, v in busy.items()]:
            p.join(2)
            if p.is_alive():
                p.kill()
                p.join(1)
            conn.close()
    return results  # type: ignore[return-value]


def _failed(test, why: str) -> TestResult:
    name, path = test
    return TestResult(name, path.suffix[1:], "failed", message=why, _path=path)


def _death(code) -> str:
    if code is None:
        return "unknown"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return {"SIGSEGV": "SIGSEGV (the interpreter's stack overflowed)", "SIGKILL": "SIGKILL (a resource limit)"} \
            .get(name, name)
    return f"exit code {code}"


def _worker(conn, run_one, limits) -> None:
    from gradcli.lang.process_limits import apply_process_limits

    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    apply_process_limits(limits, cpu=False)  # each run has its own time budget: the watchdog's
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        i, name, path = task
        try:
            result = run_one(name, path)
        except BaseException as e:  # noqa: B036  (a test must end in a result, whatever happened)
            result = TestResult(name, path.suffix[1:], "failed", message=f"crashed: {type(e).__name__}: {e}",
                                crash=f"{type(e).__name__}: {e}", _path=path)
        conn.send((i, result))
