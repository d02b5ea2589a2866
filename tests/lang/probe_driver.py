"""Runs hostile .grad probes through the real command line, each in a forked child with its own empty working
directory, and reports what each did: exit code, output, wall time, peak memory, files left behind.

    python tests/lang/probe_driver.py PROBES.json RESULTS.json

Each probe is {"id", "source", "args": [...after `gradcli`, with {file} for the script], "stdin"}; the
children are forked from this process after gradcli is imported (a probe costs its own run, not an
interpreter start-up), two at a time. Never run in the pytest process: the probes set process limits.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time

_HARD_CAP = 30.0  # seconds: a probe still running then is killed and reported as a hang


def _child(probe: dict, cwd: str, io_dir: str) -> None:
    from gradcli.cli.app import app
    from gradcli.lang.process_limits import enable

    enable()  # as the `gradcli` entry point does

    script = os.path.join(cwd, "probe.grad")
    stdin = os.path.join(io_dir, "stdin")
    with open(stdin, "w") as f:
        f.write(probe.get("stdin", ""))
    os.chdir(cwd)
    for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY | os.O_CREAT),
                           (2, "stderr", os.O_WRONLY | os.O_CREAT)):
        target = os.open(os.path.join(io_dir, name), mode, 0o600)
        os.dup2(target, fd)
        os.close(target)
    args = [a.replace("{file}", script) for a in probe["args"]]
    code = 0
    try:
        app(args, prog_name="gradcli")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: B036  (reported through the exit code; the traceback goes to stderr)
        import traceback
        traceback.print_exc()
        code = 99
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _vm_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main(probes_path: str, results_path: str, jobs: int = 2) -> None:
    import gradcli.cli.app  # noqa: F401  (loaded once, before the forks)
    import gradcli.lang.runner  # noqa: F401

    with open(probes_path) as f:
        probes = json.load(f)
    os.environ.update(NO_COLOR="1", COLUMNS="80", TERM="dumb")
    base = tempfile.mkdtemp(prefix="probes-")
    baseline_kb = _vm_kb()
    results = {}
    running: dict[int, tuple[dict, str, str, float]] = {}
    queue = list(reversed(probes))
    while queue or running:
        while queue and len(running) < jobs:
            probe = queue.pop()
            cwd = os.path.join(base, probe["id"], "cwd")
            io_dir = os.path.join(base, probe["id"], "io")
            os.makedirs(cwd)
            os.makedirs(io_dir)
            with open(os.path.join(cwd, "probe.grad"), "w") as f:
                f.write(probe["source"])
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(probe, cwd, io_dir)
            running[pid] = (probe, cwd, io_dir, time.monotonic())
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for p, (probe, cwd, io_dir, started) in list(running.items()):
                if now - started > _HARD_CAP:
                    os.kill(p, 9)
            time.sleep(0.005)
            continue
        if pid not in running:  # a grandchild adopted by no one: not ours to report
            continue
        probe, cwd, io_dir, started = running.pop(pid)
        wall = time.monotonic() - started

        def read(name):
            with open(os.path.join(io_dir, name), encoding="utf-8", errors="replace") as f:
                return f.read()
        results[probe["id"]] = {
            "code": os.waitstatus_to_exitcode(status), "stdout": read("stdout"), "stderr": read("stderr"),
            "wall": wall, "maxrss_kb": usage.ru_maxrss, "baseline_kb": baseline_kb,
            "files": sorted(os.listdir(cwd)),
        }
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main(sys.argv[1], sys.argv[2])
