# mirrors: pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py (no_grad block and detach())
import torch

torch.manual_seed(0)
x = torch.ones(5)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
print(z.grad_fn)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)
print(z_det.is_leaf, z.is_leaf)
print(torch.equal(z_det, z))
