"""Cold start of the command line: `gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1` against a fresh Python that
imports torch and does the same (y=(x+w)*(w+1), backward, print the gradients), each as a new process.

    python bench/cold_start.py              # 15 runs each: medians, min, and the ratio gradcli/torch
    python bench/cold_start.py -n 31 --importtime    # also the 15 slowest imports of one gradcli run

Run it from a checkout: the gradcli measured is the one beside this file (PYTHONPATH is set to it), started
with `python -m gradcli`. Target (issue 4): gradcli's median at most 0.2x torch's.
"""
from __future__ import annotations

import argparse
import os
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
TARGET = 0.2


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


def time_once(cmd: list[str]) -> float:
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env())
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({r.returncode}):\n{r.stderr}")
    return elapsed


def import_profile(python: str, top: int = 15) -> str:
    """The slowest imports (cumulative) of one gradcli run, from -X importtime."""
    r = subprocess.run([python, "-X", "importtime", *commands(python)["gradcli"][1:]], capture_output=True,
                       text=True, env=env())
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
    for _ in range(args.n):  # interleaved, so a burst of load hits both sides alike
        for name, cmd in cmds.items():
            samples[name].append(time_once(cmd))
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"cold start, {args.n} runs each (median, min), python {sys.version.split()[0]}")
    for name, cmd in cmds.items():
        shown = " ".join(c if " " not in c and "\n" not in c else repr(c) for c in cmd[1:])
        print(f"  {name:8s} {med[name] * 1000:7.0f} ms {min(samples[name]) * 1000:7.0f} ms   "
              f"{shown[:70]}")
    ratio = med["gradcli"] / med["torch"]
    print(f"  ratio gradcli/torch {ratio:.3f} (target <= {TARGET}): {'PASS' if ratio <= TARGET else 'MISS'}")
    if args.importtime:
        print("slowest imports of one gradcli run (cumulative):")
        print(import_profile(args.python))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
