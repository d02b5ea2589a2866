# mirrors: pytorch/tutorials beginner_source/introyt/tensors_deeper_tutorial.py (in-place add_/mul_, aliasing vs clone(), clone of a tensor that requires grad, detach().clone())
import torch

torch.manual_seed(0)
a = torch.ones(2, 2)
b = torch.rand(2, 2)
print(a.add_(b))
print(a)
print(b.mul_(b))
a = torch.ones(2, 2)
alias = a
a[0][1] = 561
print(alias)
a = torch.ones(2, 2)
b = a.clone()
print(b is not a, torch.eq(a, b))
a[0][1] = 561
print(b)
a = torch.rand(2, 2, requires_grad=True)
print(a)
b = a.clone()
print(b)
c = a.detach().clone()
print(c)
print(a)
