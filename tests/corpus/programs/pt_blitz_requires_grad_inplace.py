# mirrors: pytorch/tutorials beginner_source/blitz/autograd_tutorial.py (requires_grad_ flips the flag in place)
import torch

torch.manual_seed(0)
m = torch.randn(2, 2)
m = (m * 3) / (m - 1)
print(m.requires_grad)
m.requires_grad_(True)
print(m.requires_grad)
s = (m * m).sum()
print(s.grad_fn)
print(s.grad_fn.next_functions[0][0])
s.backward()
print(m.grad)
