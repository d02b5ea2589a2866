"""The process as the last wall: operating-system limits and a supervising parent for a command that runs scripts.

The interpreter's own budgets (guards.py, watchdog.py) stop a script with a positioned error. What they
might miss must still end cleanly, so the command line (never the library on import, never a test process)
runs a script in a forked child that has:
- RLIMIT_AS: the address space it started with plus --max-memory MB (an allocation past it is a
  MemoryError, reported as the memory limit);
- RLIMIT_CPU: --max-seconds plus a margin (SIGXCPU raises the time-limit error; the hard limit kills);
- RLIMIT_FSIZE: --max-memory MB for any file it writes (its redirected output), RLIMIT_CORE: 0.
The parent only waits: past the wall-clock limit plus a second it kills the child, and a child killed by a
signal (the CPU hard limit, a crash of the interpreter itself) becomes `error: ... limit ...`, exit 1.
"""
from __future__ import annotations

import os
import signal
import sys
import time

from .errors import GradLimitError

__all__ = ["apply_process_limits", "supervise", "enable"]

_MB = 1 << 20
_GRACE = 0.9  # seconds past --max-seconds before the parent kills a child that the timer could not stop


def apply_process_limits(limits, cpu: bool = True) -> None:
    """Set this process's own resource limits from `limits` (lowering only; call in the process that runs)."""
    try:
        import resource
    except ImportError:  # not a POSIX system: the interpreter's budgets are all there is
        return

    def lower(kind, value):
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        if soft == resource.RLIM_INFINITY or value < soft:
            try:
                resource.setrlimit(kind, (value, hard))
            except (ValueError, OSError):
                pass

    import faulthandler
    faulthandler.disable()  # a crash is reported by the parent, in one line, not as a Python stack dump
    budget = limits.max_memory * _MB
    lower(resource.RLIMIT_AS, _address_space() + budget)
    lower(resource.RLIMIT_FSIZE, budget)
    lower(resource.RLIMIT_CORE, 0)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the size limit fails, with an error
    if cpu and hasattr(resource, "RLIMIT_CPU"):
        used = resource.getrusage(resource.RUSAGE_SELF)
        seconds = int(used.ru_utime + used.ru_stime + limits.max_seconds) + 1
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or seconds + 2 <= hard:
            try:
                resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 2))
            except (ValueError, OSError):
                pass
            signal.signal(signal.SIGXCPU, _cpu_exceeded(limits))


def _cpu_exceeded(limits):
    def handler(signum, frame):
        raise GradLimitError(f"the script used more than {limits.max_seconds:g} s of CPU time "
                             "(raise the limit with --max-seconds)")
    return handler


def _address_space() -> int:
    """Bytes of address space this process holds now (the libraries it loaded), 0 if unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _real_fd(stream) -> bool:
    try:
        stream.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    return True


_enabled = False


def enable() -> None:
    """Called by the command line's entry point only: a command invoked in-process (a test runner, a .cmd
    golden) must never fork its host, whose caller would then run twice."""
    global _enabled
    _enabled = True


def supervise(limits, wall_clock: bool = True) -> None:
    """Fork; the child returns (with its process limits set) and runs the command, the parent never returns.

    Only in the `gradcli` process itself (see enable), with fork, and with output going to real files;
    otherwise nothing happens and the interpreter's own budgets are the limits."""
    global _enabled
    if not _enabled or not hasattr(os, "fork") or not (_real_fd(sys.stdout) and _real_fd(sys.stderr)):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic() - _age()  # the limit counts from the command's start, imports included
    pid = os.fork()
    if pid == 0:
        _enabled = False  # one supervisor is enough
        apply_process_limits(limits, cpu=wall_clock)
        if wall_clock:
            from .watchdog import set_deadline
            set_deadline(start + limits.max_seconds)  # the in-process timer fires before the parent's
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the child's to report
    forwarded = []

    def forward(signum, frame):  # `kill` of the command (a CI timeout) must end the script too
        forwarded.append(signum)
        os.kill(pid, signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    deadline = start + limits.max_seconds + _GRACE if wall_clock else None
    status = _wait(pid, deadline)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        _exit_with(f"the script ran longer than {limits.max_seconds:g} s (raise the limit with --max-seconds)")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in forwarded:
            os._exit(128 + sig)
        if sig == getattr(signal, "SIGPIPE", -1):  # the reader went away (`| head -1`): end as quietly
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        _exit_with(_signal_message(sig, limits))
    os._exit(os.waitstatus_to_exitcode(status))


def _age() -> float:
    """Seconds since this process started (0 if the system does not say)."""
    try:
        with open("/proc/self/stat") as f:
            started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as f:
            return max(float(f.read().split()[0]) - started, 0.0)
    except (OSError, ValueError, IndexError):
        return 0.0


def _wait(pid: int, deadline):
    """The child's wait status, or None once the deadline has passed."""
    fd = None
    if deadline is not None and hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = None
    import select
    while True:
        done, status = os.waitpid(pid, os.WNOHANG) if deadline is not None else os.waitpid(pid, 0)
        if done:
            if fd is not None:
                os.close(fd)
            return status
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        if fd is not None:
            select.select([fd], [], [], left)
        else:
            time.sleep(min(left, 0.02))


def _signal_message(sig: int, limits) -> str:
    if sig in (signal.SIGKILL, getattr(signal, "SIGXCPU", -1)):
        return (f"the script was stopped at its time limit of {limits.max_seconds:g} s of CPU "
                "(raise the limit with --max-seconds)")
    if sig == getattr(signal, "SIGXFSZ", -1):
        return f"the output grew past the file size limit of {limits.max_memory:,} MB (--max-memory)"
    if sig in (signal.SIGSEGV, getattr(signal, "SIGBUS", -1)):
        return ("the script exhausted the interpreter's stack, a resource limit of the process "
                "(data nested too deeply?)")
    return f"the script's process was stopped by signal {signal.Signals(sig).name} (a resource limit?)"


def _exit_with(message: str) -> None:
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001  (the child owned the output; nothing of ours is pending)
        pass
    os.write(2, f"error: {message}\n".encode())
    os._exit(1)
