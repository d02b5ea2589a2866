# mirrors: pytorch docs notes/autograd.rst ("In-place correctness checks": a saved tensor modified in place fails at backward)
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a.sigmoid()
c = b * 2
print(b._version)
c.sum().backward()
print(a.grad)
d = a.exp()
d.mul_(2)
print(d._version, d.grad_fn)
d.sum().backward()
print(a.grad)
e = a.sigmoid()
e.add_(1)
e.sum().backward()
