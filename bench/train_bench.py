"""`gradcli train` vs the same training written by hand in PyTorch (CPU, 1 thread), in one process.

    python bench/train_bench.py               # the seed's logistic regression, 1000 iterations; and the MLP
    python bench/train_bench.py --repeats 9 --skip-mlp

Case 1 is samples/train/logistic_regression.toml with stop_when removed and 1000 iterations: the whole
`gradcli.train.train()` call (data, model, the loop, accuracy every 20 iterations, run directory files and
checkpoints) against the seed's loop in torch (data, model, the loop, accuracy every 20 iterations).
Case 2 is the issue's MLP (2-64-64-1, tanh, BCE with logits, Adam) on 10,000 moons points, 20 epochs of
batch 64 with reshuffling; torch gets the same data and the same loop by hand. Both sides run in
alternating blocks (median of the repeats; ratio of medians and of minima). torch runs one intra-op
thread (--threads): at these sizes (200x2, batches of 64) more threads do not help, and on a shared
machine a descheduled OpenMP thread made the MLP 7x slower with two. Cold start: a fresh
`python -m gradcli train` process against the in-process time, and the same for a torch script.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradcli  # noqa: E402
from gradcli.train import load_config, parse_config, train  # noqa: E402

SAMPLE = os.path.join(ROOT, "samples", "train", "logistic_regression.toml")
LR_OVERRIDES = ["train.stop_when=''", "train.iterations=1000", "train.checkpoint_every=1000"]

MLP = """
[data]
batch_size = 64
[data.moons]
n = 10000
noise = 0.1
[model]
layers = ["linear(2,64)", "tanh", "linear(64,64)", "tanh", "linear(64,1)"]
[loss]
name = "bce_with_logits"
[optim]
name = "adam"
lr = 0.01
[train]
epochs = 20
log_every = 5
checkpoint_every = 20
seed = 0
"""

TORCH_SEED_LOOP = """
import os, torch
torch.set_num_threads(int(os.environ.get('BENCH_THREADS', '1')))
torch.manual_seed(1)
n_data = torch.ones(100, 2)
x0 = torch.normal(1.7 * n_data, 1) + 1
x1 = torch.normal(-1.7 * n_data, 1) + 1
x = torch.cat([x0, x1], 0)
y = torch.cat([torch.zeros(100), torch.ones(100)], 0)
net = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
loss_fn = torch.nn.BCELoss()
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
for it in range(1000):
    y_pred = net(x)
    loss = loss_fn(y_pred.squeeze(), y)
    loss.backward()
    opt.step()
    opt.zero_grad()
    if it % 20 == 0:
        acc = ((y_pred.ge(0.5).float().squeeze() == y).sum().item()) / y.size(0)
"""


def torch_seed():
    exec(TORCH_SEED_LOOP, {})


def torch_mlp(x_np, y_np):
    torch.manual_seed(0)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(),
                              torch.nn.Linear(64, 1))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    n = x.shape[0]
    for epoch in range(20):
        if epoch % 5 == 0:
            with torch.no_grad():
                out = net(x).squeeze(-1)
                loss_fn(out, y).item()
                ((out >= 0).float() == y).sum().item()
        perm = torch.randperm(n)
        for i in range(0, n, 64):
            idx = perm[i:i + 64]
            loss = loss_fn(net(x[idx]).squeeze(-1), y[idx])
            loss.item()
            loss.backward()
            opt.step()
            opt.zero_grad()


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compare(name, gc_fn, torch_fn, repeats):
    gc_fn(), torch_fn()  # warm-up: imports, caches
    g, t = [], []
    for _ in range(repeats):  # alternating, so a burst of load hits both sides
        g.append(timed(gc_fn))
        t.append(timed(torch_fn))
    mg, mt = statistics.median(g), statistics.median(t)
    print(f"{name:<44} gradcli {mg * 1e3:8.1f} ms   torch {mt * 1e3:8.1f} ms   ratio {mg / mt:5.2f} "
          f"(of minima {min(g) / min(t):5.2f}, {repeats} repeats)")
    return mg


def cold(args, warm_seconds, label, repeats=3):
    walls = []
    env = dict(os.environ, PYTHONPATH=ROOT)  # the gradcli of this checkout, not an installed one
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=env)
        walls.append(time.perf_counter() - t)
    w = statistics.median(walls)
    print(f"{label:<44} {w * 1e3:8.1f} ms wall; training {warm_seconds * 1e3:.1f} ms in process -> cold-start share "
          f"{(w - warm_seconds) / w:.0%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--skip-mlp", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["BENCH_THREADS"] = str(args.threads)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), gradcli {gradcli.__version__}, {os.cpu_count()} cores, load "
          f"average {os.getloadavg()[0]:.1f} at start")
    tmp = tempfile.mkdtemp(prefix="train-bench-")
    cfg = load_config(SAMPLE, LR_OVERRIDES)
    r = train(cfg, os.path.join(tmp, "lr"), overwrite=True)
    assert r.steps_done == 1000 and r.final["accuracy"] >= 0.99, r
    warm = compare("seed logistic regression, 1000 iterations",
                   lambda: train(cfg, os.path.join(tmp, "lr"), overwrite=True), torch_seed, args.repeats)
    cold([sys.executable, "-m", "gradcli", "train", SAMPLE, *sum((["--set", o] for o in LR_OVERRIDES), []),
          "--out", os.path.join(tmp, "cold"), "--overwrite", "--quiet"], warm, "  cold `python -m gradcli train`")
    script = os.path.join(tmp, "seed_torch.py")
    with open(script, "w") as fh:
        fh.write(TORCH_SEED_LOOP)
    t_warm = statistics.median(timed(torch_seed) for _ in range(3))
    cold([sys.executable, script], t_warm, "  cold `python seed_torch.py` (torch)")
    if not args.skip_mlp:
        mcfg = parse_config(MLP, "mlp.toml")
        from gradcli.train.data import make_dataset
        gradcli.manual_seed(0)
        ds = make_dataset(mcfg)
        x_np, y_np = ds.x_train.numpy().copy(), ds.y_train.numpy().copy()
        compare("MLP 2-64-64-1, 10k moons, 20 epochs, batch 64", lambda: train(mcfg, os.path.join(tmp, "mlp"),
                                                                              overwrite=True),
                lambda: torch_mlp(x_np, y_np), max(3, args.repeats // 2))


if __name__ == "__main__":
    main()
