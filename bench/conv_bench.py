"""conv2d speed: gradcli vs torch (CPU, 2 threads) on x=(64,3,32,32), w=(16,3,3,3), forward and forward+backward.

    python bench/conv_bench.py              # median of 15 alternating blocks x 5 calls per case, and the ratios
    python bench/conv_bench.py --repeats 41

Values are checked against torch before anything is timed. gradcli and torch run in alternating blocks
(each opened by an untimed call), so a burst of load from other processes hits both sides while neither
library's spinning thread pool steals the other's cores; the ratio of the fastest calls is printed too, as
it is the least sensitive to such bursts (torch's 2-thread kernels suffer most from a busy second core).
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradcli  # noqa: E402
import gradcli.nn.functional as GF  # noqa: E402

torch.set_num_threads(2)


def _case(padding, backward, xs, ts):
    def run_gc():
        out = GF.conv2d(*xs, padding=padding)
        if backward:
            out.sum().backward()
        return out

    def run_torch():
        out = torch.nn.functional.conv2d(*ts, padding=padding)
        if backward:
            out.sum().backward()
        return out
    return run_gc, run_torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=15, help="alternating blocks per library")
    ap.add_argument("--block", type=int, default=5, help="timed calls per block")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((64, 3, 32, 32), (16, 3, 3, 3), (16,))]
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"{os.cpu_count()} cores, load average before: {os.getloadavg()[0]:.2f}")
    for backward in (False, True):
        for padding in (0, 1):
            xs = [gradcli.tensor(a, requires_grad=backward) for a in arrays]
            ts = [torch.tensor(a, requires_grad=backward) for a in arrays]
            run_gc, run_torch = _case(padding, backward, xs, ts)
            mine, ref = run_gc(), run_torch()
            err = np.abs(mine.detach().numpy() - ref.detach().numpy()).max() / np.abs(ref.detach().numpy()).max()
            assert err < 1e-5, f"values differ from torch: {err:.2e}"
            times = {"gradcli": [], "torch": []}
            for _ in range(args.repeats):
                for name, fn in (("gradcli", run_gc), ("torch", run_torch)):
                    fn()  # untimed: lets the other library's spinning BLAS/OpenMP threads go idle first
                    for _ in range(args.block):
                        t0 = time.perf_counter()
                        fn()
                        times[name].append(time.perf_counter() - t0)
            med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
            low = {k: min(v) * 1e3 for k, v in times.items()}
            label = ("forward+backward" if backward else "forward") + f" padding={padding}"
            print(f"{label:28} gradcli {med['gradcli']:7.2f} ms  torch {med['torch']:7.2f} ms  "
                  f"ratio {med['gradcli'] / med['torch']:6.2f}  (ratio of mins {low['gradcli'] / low['torch']:.2f}, "
                  f"max rel err {err:.1e})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
