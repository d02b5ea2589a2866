"""Parse time of a generated 1,000-line .grad script (median of 7 runs, parser already built).

    python bench/parse_bench.py            # prints the median and the spread in ms
    python bench/parse_bench.py --lines 5000

Target: well under 100 ms for 1,000 lines on the 2-core reference machine. The one-off cost of building
the LALR tables (first parse in a process) is printed separately.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradcli.lang import parse_file  # noqa: E402

_BLOCK = '''\
# ---- block {i}: a model, a custom function and a training loop
class Net{i}(nn.Module):
    def __init__(self, n_in={i}, n_out=1, *, bias=True):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out, bias=bias)
        self.act = nn.Sigmoid()

    def forward(self, x):
        return self.act(self.fc(x))


class Exp{i}(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


w = torch.tensor([1.0, 2.0, {i}.5], requires_grad=True)
x = torch.randn(4, 3)
y = (x @ w + 1) * (w[0] - 2.5e-3) ** 2 - -x[:, 0].sum()
h = w.register_hook(lambda grad: grad * 2)
model = Net{i}()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for step in range(100):
    loss = ((model(x) - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0 and loss.item() > 1e-6:
        print(f"step {{step}}: loss={{loss.item():.4f}}")
    elif step > 90:
        break
with torch.no_grad():
    preds = [model(x[j]) for j in range(4) if j != 2]
try:
    w.add_(1)
except RuntimeError as e:
    print("error:", e)
'''


def make_script(lines: int) -> str:
    """Concatenate numbered blocks until the script has `lines` lines."""
    out, i = ["import torch", "import torch.nn as nn", "from torch.autograd import Function", ""], 0
    while len(out) < lines:
        out.extend(_BLOCK.format(i=i).splitlines())
        i += 1
    return "\n".join(out[:lines]).rstrip() + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    script = make_script(args.lines)
    t0 = time.perf_counter()
    parse_file("x = 1\n")
    build_ms = (time.perf_counter() - t0) * 1e3
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        parse_file(script, "bench.grad")
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"parser build (once per process): {build_ms:.0f} ms")
    print(f"parse {args.lines} lines ({len(script)} chars): median {statistics.median(times):.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}, {args.runs} runs)")


if __name__ == "__main__":
    main()
