"""Cold start of the command line: `gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1` against a fresh Python that
imports torch and does the same (y=(x+w)*(w+1), backward, print the gradients), each as a new process.

    python bench/cold_start.py              # 15 runs each: medians, min, and the ratio gradcli/torch
    python bench/cold_start.py -n 31 --importtime    # also the 15 slowest imports of one gradcli run

Run it from a checkout: the gradcli measured is the one beside this file (PYTHONPATH is set to it), started
with `python -m gradcli`. Target (issue 13): gradcli's median at most 0.15x torch's.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPR, AT = "y=(x+w)*(w+1)", ["--at", "x=2", "--at", "w=1"]
TORCH = ("import torch\n"
         "x = torch.tensor(2., requires_grad=True)\n"
         "w = torch.tensor(1., requires_grad=True)\n"
         "y = (x + w) * (w + 1)\n"
         "y.backward()\n"
         "print(y.item(), x.grad, w.grad)\n")
TARGET = 0.15  # issue 13 (was 0.2, issue 4)


def commands(python: str) -> dict[str, list[str]]:
    return {"gradcli": [python, "-m", "gradcli", "grad", EXPR, *AT],
            "torch": [python, "-c", TORCH]}


def env() -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=str(ROOT))
    e.pop("PYTHONPROFILEIMPORTTIME", None)
    # An installed package has its .pyc files; without them every run compiles gradcli from source (~0.2 s).
    # The warm-up run writes them (__pycache__ is git-ignored).
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def time_once(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of cmd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env(), cwd=ROOT)  # -m looks in cwd first
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({r.returncode}):\n{r.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_profile(python: str, top: int = 15) -> str:
    """The slowest imports (cumulative) of one gradcli run, from -X importtime."""
    r = subprocess.run([python, "-X", "importtime", *commands(python)["gradcli"][1:]], capture_output=True,
                       text=True, env=env(), cwd=ROOT)
    rows = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|", 2)  # "import time: self | cumulative | name"
        rows.append((int(cumulative), name.rstrip()))
    rows.sort(reverse=True)
    return "\n".join(f"  {us / 1000:8.1f} ms  {name}" for us, name in rows[:top])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="runs of each command (interleaved); default 15")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--importtime", action="store_true", help="also show gradcli's slowest imports")
    args = ap.parse_args()

    cmds = commands(args.python)
    for cmd in cmds.values():  # warm the OS file cache and .pyc files; not counted
        time_once(cmd)
    samples: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.n):  # interleaved, so a burst of load hits both sides alike
        for name, cmd in cmds.items():
            wall, used = time_once(cmd)
            samples[name].append(wall)
            cpu[name].append(used)
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"cold start, {args.n} runs each, python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'':8s} {'median':>7s}    {'min':>7s}    {'cpu med':>7s}")
    for name, cmd in cmds.items():
        shown = " ".join(c if " " not in c and "\n" not in c else repr(c) for c in cmd[1:])
        print(f"  {name:8s} {med[name] * 1000:7.0f} ms {min(samples[name]) * 1000:7.0f} ms "
              f"{statistics.median(cpu[name]) * 1000:7.0f} ms   {shown[:60]}")
    ratio = med["gradcli"] / med["torch"]
    ratio_min = min(samples["gradcli"]) / min(samples["torch"])
    print(f"  ratio gradcli/torch: medians {ratio:.3f}, mins {ratio_min:.3f} (target <= {TARGET}): "
          f"{'PASS' if ratio <= TARGET else 'MISS'}")
    if args.importtime:
        print("slowest imports of one gradcli run (cumulative):")
        print(import_profile(args.python))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
