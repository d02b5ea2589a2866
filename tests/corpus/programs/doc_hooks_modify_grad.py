# mirrors: pytorch docs notes/autograd.rst (a tensor hook returning a new gradient replaces it for the rest of the pass)
import torch

x = torch.tensor([1., -1., 2.], requires_grad=True)
y = x * 3
y.register_hook(lambda g: g.clamp(min=0))
z = (y * torch.tensor([1., -1., 1.])).sum()
z.backward()
print(x.grad)
w = torch.tensor(2., requires_grad=True)
w.register_hook(lambda g: print("leaf hook sees", g))
(w * w).backward()
print(w.grad)
