"""The time budget of a run, and iteration that native code cannot hide from it.

A wall-clock timer (SIGALRM) raises the limit error wherever Python is running when the budget is spent:
in the script, in gradcli, or between two items that a builtin pulls from an iterator. CPython runs
signal handlers only between bytecodes, so a builtin looping in C (`sum(iter(int, 1))`) would never see
it: every iterator a builtin may walk for the script is therefore a Python generator (`metered`), which
returns to the bytecode loop at each item and charges it to the loop-iteration budget. The process
limits of the command line (process_limits.py) are the wall behind this one.
"""
from __future__ import annotations

import signal
import threading
import time

from .errors import GradLimitError
from .guards import check_nesting, guard_iterable, loop_error

__all__ = ["Watchdog", "metered", "call_iter", "time_error", "set_deadline"]

_REPEAT = 0.25  # after the first alarm, again every quarter second (in case library code swallowed it)
_deadline: float | None = None  # time.monotonic() by which a run must end, whatever its own budget says


def set_deadline(at: float | None) -> None:
    """The command line's clock: its limit counts from the process's start, start-up included."""
    global _deadline
    _deadline = at


def time_error(limits) -> GradLimitError:
    return GradLimitError(f"the script ran longer than {limits.max_seconds:g} s "
                          "(infinite loop? raise the limit with --max-seconds)")


class Watchdog:
    """`with Watchdog(limits):` arms the timer for one run; only in the main thread (where signals go)."""

    def __init__(self, limits):
        self.limits = limits
        self.armed = False

    def __enter__(self):
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        seconds = self.limits.max_seconds
        if _deadline is not None:
            seconds = min(seconds, max(_deadline - time.monotonic(), 0.01))
        self.old_handler = signal.signal(signal.SIGALRM, self._fire)
        self.old_timer = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
        self.start = time.monotonic()
        self.armed = True
        return self

    def _fire(self, signum, frame):
        if self.armed:
            raise time_error(self.limits)

    def __exit__(self, *exc):
        if not self.armed:
            return False
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old_handler)
        delay, interval = self.old_timer
        if delay > 0:  # someone else's timer was running: give back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(delay - (time.monotonic() - self.start), 0.001), interval)
        return False


def metered(vm, iterable):
    """Iterate over iterable one item at a time in Python, each item charged to the loop budget."""
    guard_iterable(vm, iterable)
    limit = vm.limits.max_loop_iterations
    for item in iterable:
        vm.iterations += 1
        if vm.iterations > limit:
            raise loop_error(vm.limits)
        if type(item) is tuple:
            check_nesting(item)
        yield item


def call_iter(vm, func, sentinel):
    """`iter(func, sentinel)`: call func until it returns sentinel, as a metered generator."""
    limit = vm.limits.max_loop_iterations
    while True:
        value = func()
        if value == sentinel:
            return
        vm.iterations += 1
        if vm.iterations > limit:
            raise loop_error(vm.limits)
        yield value
