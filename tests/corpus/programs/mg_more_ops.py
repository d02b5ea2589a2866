# mirrors: karpathy/micrograd test/test_engine.py (test_more_ops: +=, **, relu of differences, division; torch side in double, compared with a tolerance)
import torch

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b ** 3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e ** 2
g = f / 2.0
g = g + 10.0 / f
g.backward()
apt, bpt, gpt = a, b, g
print(gpt.data.item())
print(apt.grad.item(), bpt.grad.item())
tol = 1e-4
# the values micrograd's README shows, to four decimals
print(abs(gpt.data.item() - 24.7041) < tol)
print(abs(apt.grad.item() - 138.8338) < tol, abs(bpt.grad.item() - 645.5773) < tol)
