"""Time of `gradcli test samples/` per sample: every golden test run in one process, as the command runs them.

    python bench/golden_bench.py                 # 7 rounds; median per sample, per kind, and the whole run
    python bench/golden_bench.py --rounds 11 samples/tutorials

Round 1 also pays one-time costs (imports, building the parser); it is reported apart and left out of the
medians. The process start (`python -m gradcli test`, imports included) is timed separately.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gradcli.cli.commands.test import invoke_cli  # noqa: E402
from gradcli.tools.golden import find_tests, run_test  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[os.path.join(ROOT, "samples")])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    tests = find_tests(args.paths)
    times: dict[str, list[float]] = {name: [] for name, _ in tests}
    rounds = []
    for _ in range(args.rounds):
        t_round = time.perf_counter()
        for name, path in tests:
            t = time.perf_counter()
            result = run_test(name, path, cli=invoke_cli)
            times[name].append(time.perf_counter() - t)
            if result.status != "passed":
                sys.exit(f"{name}: {result.status} {result.message}")
        rounds.append(time.perf_counter() - t_round)
    medians = {n: statistics.median(ts[1:] or ts) for n, ts in times.items()}
    print(f"{len(tests)} tests, {args.rounds} rounds; first round {rounds[0]:.3f} s, "
          f"median of the others {statistics.median(rounds[1:] or rounds):.3f} s")
    for kind in (".grad", ".cmd"):
        ms = [m for n, m in medians.items() if n.endswith(kind)]
        if ms:
            print(f"  {kind:6} {len(ms):3} tests: median {statistics.median(ms) * 1e3:7.1f} ms, "
                  f"mean {statistics.mean(ms) * 1e3:7.1f} ms, max {max(ms) * 1e3:7.1f} ms")
    print("slowest:")
    for name, m in sorted(medians.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {m * 1e3:7.1f} ms  {os.path.relpath(name, ROOT)}")
    walls = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradcli", "test", *args.paths], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": ROOT})
        walls.append(time.perf_counter() - t)
    print(f"python -m gradcli test (new process each): median {statistics.median(walls):.2f} s of 3")


if __name__ == "__main__":
    main()
