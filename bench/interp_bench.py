"""Interpreter overhead: a seed-style training loop run as a .grad script vs the same program in Python.

    python bench/interp_bench.py            # median of 7 runs each, interleaved, and the ratio
    python bench/interp_bench.py --repeats 11 --iterations 1000

The program is the seed's logistic regression (nn.Module subclass, nn.Linear, BCELoss, SGD with momentum,
an accuracy check every 20 iterations). The Python version runs the identical text with `import torch`
bound to gradcli, so the difference is the interpreter alone. Target (issue 13): .grad ≤ 1.1× Python.
"""
import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gradcli  # noqa: E402
from gradcli.lang import run_source  # noqa: E402

PROGRAM = '''\
import torch
torch.manual_seed(1)
n_data = torch.ones(100, 2)
x0 = torch.normal(1.7 * n_data, 1) + 1
x1 = torch.normal(-1.7 * n_data, 1) + 1
train_x = torch.cat([x0, x1], 0)
train_y = torch.cat([torch.zeros(100), torch.ones(100)], 0)


class LR(torch.nn.Module):
    def __init__(self):
        super(LR, self).__init__()
        self.features = torch.nn.Linear(2, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.features(x)
        x = self.sigmoid(x)
        return x


lr_net = LR()
loss_fn = torch.nn.BCELoss()
optimizer = torch.optim.SGD(lr_net.parameters(), lr=0.01, momentum=0.9)
for iteration in range(ITERATIONS):
    y_pred = lr_net(train_x)
    loss = loss_fn(y_pred.squeeze(), train_y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if iteration % 20 == 0:
        mask = y_pred.ge(0.5).float().squeeze()
        correct = (mask == train_y).sum()
        acc = correct.item() / train_y.size(0)
print(f"loss {loss.item():.6f} accuracy {acc:.3f}")
'''


def run_grad(src):
    out = io.StringIO()
    run_source(src, "bench.grad", stdout=out)
    return out.getvalue()


def run_python(src):
    out = io.StringIO()
    code = compile(src.replace("import torch\n", "", 1), "bench.py", "exec")
    old = sys.stdout
    sys.stdout = out
    try:
        exec(code, {"torch": gradcli, "__name__": "__main__"})
    finally:
        sys.stdout = old
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--iterations", type=int, default=1000)
    a = ap.parse_args()
    src = PROGRAM.replace("ITERATIONS", str(a.iterations))
    first_grad, first_py = run_grad(src), run_python(src)  # warm-up (parser tables, imports) and check
    assert first_grad == first_py, (first_grad, first_py)
    times = {"grad": [], "python": []}
    for _ in range(a.repeats):
        for name, fn in (("grad", run_grad), ("python", run_python)):
            t = time.perf_counter()
            fn(src)
            times[name].append(time.perf_counter() - t)
    g, p = statistics.median(times["grad"]), statistics.median(times["python"])
    print(f"output (both): {first_grad.strip()}")
    print(f".grad script : median {g * 1000:.1f} ms (min {min(times['grad']) * 1000:.1f})")
    print(f"Python+gradcli: median {p * 1000:.1f} ms (min {min(times['python']) * 1000:.1f})")
    print(f"ratio .grad / Python: {g / p:.3f}  (target <= 1.1)")


if __name__ == "__main__":
    main()
