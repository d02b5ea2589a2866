"""gradcli vs torch (CPU, 2 threads) vs hand-written numpy, in one process.

    python bench/run.py                 # full run, under ~4 minutes on a 2-core machine
    python bench/run.py --quick         # ~30 s smoke run (fewer repeats; same sizes, same checks)
    python bench/run.py --only W1,W3    # a subset of workloads
    python bench/run.py --json out.json # also write every sample and the environment as JSON
    python bench/run.py --profile W1,W2 # cProfile the gradcli side instead of benchmarking

Each (case, implementation) pair is warmed up, then timed with time.perf_counter over repeats chosen
to fill a time budget; the table shows medians. Before timing, every case checks that gradcli, torch
and numpy agree (values and gradients, allclose); a case that disagrees is reported WRONG, never PASS.
See bench/README.md for the workloads, the targets and the measured numbers."""
import argparse
import cProfile
import datetime
import gc as _pygc
import io
import json
import linecache
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # benchmark the working tree's gradcli, installed or not
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(2)

import gradcli  # noqa: E402
import workloads as W  # noqa: E402

IMPLS = ("gradcli", "torch", "numpy")


# ---- environment ---------------------------------------------------------------------------------
def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    out = []
    for lib in threadpool_info():
        out.append({k: lib.get(k) for k in ("user_api", "internal_api", "prefix", "version", "architecture",
                                            "threading_layer", "num_threads", "filepath")})
    return out


def _git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def env_info():
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "gradcli": getattr(gradcli, "__version__", "?"),
        "gradcli_path": os.path.dirname(gradcli.__file__),
        "git_head": _git("rev-parse", "--short", "HEAD"),
        "gradcli_tree_dirty": bool(_git("status", "--porcelain", "--", "gradcli")),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "threadpools": _blas_info(),
    }
    return info


def print_env(info):
    print(f"date      {info['date']}")
    print(f"machine   {info['cpu']}, {info['cpu_count']} cores, {info['platform']}")
    print(f"versions  python {info['python']}, numpy {info['numpy']}, torch {info['torch']} "
          f"(threads {info['torch_threads']}), gradcli {info['gradcli']} from {info['gradcli_path']} "
          f"(git {info['git_head']}{', gradcli/ has uncommitted changes' if info['gradcli_tree_dirty'] else ''})")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        val = info[var]
        print(f"{var:<18}{'not set' if val is None else 'SET to ' + repr(val)}")
    if info["OPENBLAS_CORETYPE"] is not None or info["OPENBLAS_L2_SIZE"] is not None:
        print("  note: these slow a current numpy; for numbers representative of a normal install run\n"
              "        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/run.py")
    pools = info["threadpools"]
    if pools is None:
        print("BLAS      threadpoolctl not installed: kernel not reported (pip install threadpoolctl)")
    else:
        for p in pools:
            who = "numpy" if "numpy" in (p["filepath"] or "") else "torch" if "torch" in (p["filepath"] or "") \
                else os.path.basename(p["filepath"] or "?")
            print(f"threads   {who}: {p['internal_api']} {p['version'] or ''} kernel={p['architecture'] or '-'} "
                  f"threads={p['num_threads']} ({os.path.basename(p['filepath'] or '')})")
    print(flush=True)


# ---- timing --------------------------------------------------------------------------------------
_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_snapshot():
    """(wall s, CPU-seconds busy machine-wide, CPU-seconds used by this process)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = (sum(v) - v[3] - v[4]) / _TCK
    except OSError:
        busy = float("nan")
    t = os.times()
    return time.perf_counter(), busy, t.user + t.system


def other_load(a, b):
    """Cores' worth of CPU used by other processes between two snapshots (contention indicator)."""
    wall = b[0] - a[0]
    if wall <= 0:
        return 0.0
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / wall)


def wait_idle(max_wait, threshold=0.25):
    """Wait (up to max_wait s) until other processes use less than `threshold` cores over 1 s."""
    end = time.perf_counter() + max_wait
    load = None
    while True:
        a = _cpu_snapshot()
        time.sleep(1.0)
        load = other_load(a, _cpu_snapshot())
        if load < threshold or time.perf_counter() >= end:
            return load


def measure(fn, budget, min_rep, max_rep):
    """Warm up (>= 2 calls and ~15% of the budget), then time repeats filling the budget."""
    warm = []
    deadline = time.perf_counter() + 0.15 * budget
    while len(warm) < 2 or (time.perf_counter() < deadline and len(warm) < 50):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    est = min(warm)
    reps = int(max(min_rep, min(max_rep, budget / max(est, 1e-9))))
    _pygc.collect()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def run_case(case, cfg):
    row = {"workload": case.wid, "case": case.name, "unit": case.unit, "target_ref": case.target_ref,
           "target": case.target, "info": dict(case.info), "median": {}, "min": {}, "samples": {},
           "status": None, "checks": [], "error": None}
    t0 = time.perf_counter()
    try:
        row["checks"] = case.verify()
    except AssertionError as e:
        row["status"] = "WRONG"
        row["error"] = f"verification failed: {e}"
    except Exception as e:  # noqa: BLE001  -- the engine is under active development
        row["status"] = "ERROR"
        row["error"] = f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}"
    for line in row["checks"]:
        print(f"    check: {line}")
    if case.info:  # e.g. W5's traced peak memory at 1e7
        print("    info: " + ", ".join(f"{k} {v}" for k, v in case.info.items()))
    if row["error"]:
        print(f"    {row['status']}: {row['error']}")
    print(f"    (checks took {time.perf_counter() - t0:.1f} s)", flush=True)

    fns = list(case.fns.items()) + list(case.info_fns.items())
    row["other_load"] = {}
    for impl, fn in fns:
        try:
            best = None
            for attempt in range(1 + cfg.retries):
                if cfg.wait_idle:
                    wait_idle(cfg.wait_idle)
                snap = _cpu_snapshot()
                t = measure(fn, cfg.budget, cfg.min_rep, cfg.max_rep)
                load = other_load(snap, _cpu_snapshot())
                if best is None or load < best[1]:
                    best = (t, load)
                if load <= cfg.max_load:
                    break
                print(f"    {impl}: other processes used {load:.2f} cores while timing; "
                      f"{'retrying' if attempt < cfg.retries else 'keeping the least disturbed attempt'}",
                      flush=True)
            times, row["other_load"][impl] = best
        except Exception as e:  # noqa: BLE001
            print(f"    {impl}: ERROR {type(e).__name__}: {e}")
            if impl == "gradcli" and row["status"] is None:
                row["status"] = "ERROR"
                row["error"] = f"{type(e).__name__}: {e}"
            continue
        vals = [t * case.per for t in times]
        row["samples"][impl] = vals
        row["median"][impl] = statistics.median(vals)
        row["min"][impl] = min(vals)
        print(f"    {impl:<10} median {row['median'][impl]:10.3f} {case.unit:<10} min {row['min'][impl]:10.3f} "
              f"({len(vals)} repeats; other processes used {row['other_load'][impl]:.2f} cores)", flush=True)

    med = row["median"]
    row["ratio_torch"] = med["gradcli"] / med["torch"] if "gradcli" in med and "torch" in med else None
    row["ratio_numpy"] = med["gradcli"] / med["numpy"] if "gradcli" in med and "numpy" in med else None
    mn = row["min"]
    ref = case.target_ref
    row["ratio_target_min"] = mn["gradcli"] / mn[ref] if "gradcli" in mn and ref in mn else None
    r = row["ratio_torch"] if case.target_ref == "torch" else row["ratio_numpy"]
    row["ratio_target"] = r
    if row["status"] is None:
        row["status"] = "n/a" if r is None else "PASS" if r <= case.target else "MISS"
    if row["status"] == "MISS":
        row["missed_by"] = r / case.target
    return row


# ---- report --------------------------------------------------------------------------------------
def _fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(rows):
    head = ["workload", "case", "unit", "gradcli", "torch", "numpy", "gc/torch", "gc/numpy", "target", "result",
            "ratio of mins", "other load"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        m = r["median"]
        res = r["status"]
        if res == "MISS":
            res = f"MISS ({r['missed_by']:.2f}x over)"
        target = f"<= {r['target']:g}x {r['target_ref']}"
        lines.append("| " + " | ".join([
            r["workload"], r["case"], r["unit"], _fmt(m.get("gradcli")), _fmt(m.get("torch")), _fmt(m.get("numpy")),
            (f"{r['ratio_torch']:.2f}x" if r["ratio_torch"] else "-"),
            (f"{r['ratio_numpy']:.2f}x" if r["ratio_numpy"] else "-"), target, res,
            (f"{r['ratio_target_min']:.2f}x" if r.get("ratio_target_min") else "-"),
            _fmt(max(r.get("other_load", {}).values(), default=None))]) + " |")
    for r in rows:
        for k, v in r["median"].items():
            if k not in IMPLS and "gradcli" in r["median"]:
                lines.append(f"\n{r['workload']} {r['case']}: {k}: {_fmt(v)} {r['unit']} "
                             f"(gradcli / it = {r['median']['gradcli'] / v:.2f}x)")
    return "\n".join(lines)


# ---- profiling -----------------------------------------------------------------------------------
def profile_case(case, seconds, top, timer="wall"):
    fn = case.profile_fn
    fn()  # warm
    # "cpu" counts only this thread's CPU time: robust to other processes on a shared machine, but
    # leaves out work done by BLAS/OpenMP worker threads
    prof = cProfile.Profile(time.thread_time) if timer == "cpu" else cProfile.Profile()
    calls = 0
    t_end = time.perf_counter() + seconds
    prof.enable()
    while calls < 1 or time.perf_counter() < t_end:
        fn()
        calls += 1
    prof.disable()
    print(f"=== cProfile ({timer} time), gradcli side of {case.wid} {case.name}: {calls} calls ===")
    for key in ("cumulative", "tottime"):
        s = io.StringIO()
        st = pstats.Stats(prof, stream=s).strip_dirs().sort_stats(key)
        st.print_stats(top)
        text = s.getvalue()
        body = text[text.find("   ncalls"):] if "   ncalls" in text else text
        print(f"--- top {top} by {key} (times are totals over the {calls} calls) ---")
        print(body.rstrip())
        # the engine is edited live: name anonymous functions by their source line as it was profiled
        full = pstats.Stats(prof).sort_stats(key)
        where = []
        for fname, line, func in full.fcn_list[:top]:
            if func in ("<lambda>", "f", "method", "m", "<listcomp>") and os.path.exists(fname):
                src = linecache.getline(fname, line).strip()
                where.append(f"    {os.path.basename(fname)}:{line}({func}) = {src[:110]}")
        if where:
            print("  where:")
            print("\n".join(dict.fromkeys(where)))
    print(flush=True)


def w1_split(reps=9):
    """Forward vs backward share of the W1 chain, gradcli vs torch (no profiler overhead)."""
    print("=== W1 forward / backward split (median of", reps, "runs, µs per node) ===")
    for use_tanh in (False, True):
        opi = 3 if use_tanh else 2
        iters = 10000 // opi
        n = iters * opi
        for impl in ("gradcli", "torch"):
            fw, bw, fr = [], [], []
            for _ in range(reps + 1):
                t0 = time.perf_counter()
                if impl == "gradcli":
                    y, x = W._w1_gradcli_fwd(iters, use_tanh)
                else:
                    x = torch.tensor(1.0, requires_grad=True)
                    y = x
                    for _ in range(iters):
                        y = (y * 0.5 + x).tanh() if use_tanh else y * 0.999 + x
                t1 = time.perf_counter()
                y.backward()
                t2 = time.perf_counter()
                del y, x
                t3 = time.perf_counter()
                fw.append((t1 - t0) * 1e6 / n)
                bw.append((t2 - t1) * 1e6 / n)
                fr.append((t3 - t2) * 1e6 / n)
            fwd, bwd, free = (statistics.median(v[1:]) for v in (fw, bw, fr))
            print(f"  {'tanh ' if use_tanh else ''}chain 10k  {impl:<8} forward {fwd:6.2f}  backward {bwd:6.2f}  "
                  f"graph teardown {free:5.2f}  total {fwd + bwd + free:6.2f}")
    print(flush=True)


# ---- main ----------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="~30 s smoke run: fewer repeats")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    ap.add_argument("--json", dest="json_path", default=None, help="write results and samples to this file")
    ap.add_argument("--budget", type=float, default=None, help="seconds of timing per (case, implementation)")
    ap.add_argument("--wait-idle", type=float, default=0.0, help="before each measurement wait up to this "
                    "many seconds for other processes to use < 0.25 cores (a shared machine)")
    ap.add_argument("--max-load", type=float, default=0.3, help="re-time a measurement during which other "
                    "processes used more than this many cores (default 0.3)")
    ap.add_argument("--retries", type=int, default=None, help="how often to re-time a disturbed measurement "
                    "(default 2; 0 with --quick)")
    ap.add_argument("--profile", default="", help="comma-separated workloads to cProfile (gradcli side) "
                    "instead of benchmarking")
    ap.add_argument("--profile-seconds", type=float, default=3.0)
    ap.add_argument("--top", type=int, default=25, help="rows per profile listing")
    ap.add_argument("--profile-timer", choices=("wall", "cpu"), default="wall",
                    help="cpu = this thread's CPU time (robust on a busy machine)")
    args = ap.parse_args(argv)

    if args.quick:
        cfg = argparse.Namespace(budget=0.35, min_rep=3, max_rep=25)
    else:
        cfg = argparse.Namespace(budget=4.0, min_rep=5, max_rep=300)
    if args.budget is not None:
        cfg.budget = args.budget
    cfg.wait_idle = args.wait_idle
    cfg.max_load = args.max_load
    cfg.retries = args.retries if args.retries is not None else (0 if args.quick else 2)

    info = env_info()
    print_env(info)

    if args.profile:
        for wid in [w.strip().upper() for w in args.profile.split(",") if w.strip()]:
            if wid == "W1":
                w1_split()
            for case in W.WORKLOADS[wid](quick=args.quick):
                profile_case(case, args.profile_seconds, args.top, args.profile_timer)
        return 0

    only = [w.strip().upper() for w in args.only.split(",") if w.strip()] or list(W.WORKLOADS)
    unknown = [w for w in only if w not in W.WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {list(W.WORKLOADS)}")

    t_start = time.perf_counter()
    rows = []
    for wid in only:
        try:
            cases = W.WORKLOADS[wid](quick=args.quick)
        except Exception as e:  # noqa: BLE001
            print(f"{wid}: could not build the workload: {type(e).__name__}: {e}")
            rows.append({"workload": wid, "case": "(setup)", "unit": "-", "target_ref": "-", "target": 0,
                         "median": {}, "min": {}, "samples": {}, "ratio_torch": None, "ratio_numpy": None,
                         "status": "ERROR", "error": str(e), "checks": []})
            continue
        for case in cases:
            print(f"[{case.wid}] {case.name}", flush=True)
            rows.append(run_case(case, cfg))
    elapsed = time.perf_counter() - t_start

    print()
    print(f"medians ({'quick' if args.quick else 'full'} run, {elapsed:.0f} s); "
          "ratios are gradcli time / other time (lower is better)")
    print(table(rows))
    print("(ratio of mins = gradcli's fastest repeat / the target reference's fastest repeat: less sensitive to "
          "other processes than the medians)")
    print("(other load = most cores' worth of CPU that other processes used while one implementation of the case "
          "was timed; above ~0.2 the numbers, torch's 2-thread ones most, are disturbed)")
    for r in rows:
        if r.get("checks") and r["workload"] in ("W3", "W4"):
            print(f"{r['workload']}: {r['checks'][0]}")
    bad = [r for r in rows if r["status"] in ("WRONG", "ERROR")]
    for r in bad:
        print(f"{r['workload']} {r['case']}: {r['status']}: {r['error']}")

    if args.json_path:
        with open(args.json_path, "w") as f:
            json.dump({"env": info, "config": vars(cfg) | {"quick": args.quick, "elapsed_s": elapsed},
                       "results": rows}, f, indent=1)
        print(f"wrote {args.json_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
