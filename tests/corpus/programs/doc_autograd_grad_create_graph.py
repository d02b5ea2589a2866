# mirrors: pytorch docs, torch.autograd.grad with create_graph=True (second and third derivatives of a cubic)
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3 + 2 * x ** 2
dy, = torch.autograd.grad(y, x, create_graph=True)
print(dy, dy.grad_fn)
d2y, = torch.autograd.grad(dy, x, create_graph=True)
print(d2y)
d3y, = torch.autograd.grad(d2y, x)
print(d3y)
z = torch.tensor([1.0, 2.0], requires_grad=True)
g, = torch.autograd.grad((z.sin() * z).sum(), z, create_graph=True)
g.sum().backward()
print(z.grad)
