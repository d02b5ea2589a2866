# mirrors: d2l-ai/d2l-en chapter_preliminaries/autograd.md ("Gradients and Python Control Flow": while b.norm() < 1000, if b.sum() > 0)
import torch


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)
print(a.grad)
a2 = torch.randn(size=(3,), requires_grad=True)
d2 = f(a2)
d2.sum().backward()
print(a2.grad)
