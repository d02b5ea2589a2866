# mirrors: pytorch docs, torch.autograd.grad (outputs, inputs, grad_outputs, retain_graph, allow_unused)
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
unused = torch.tensor(1.0, requires_grad=True)
y = x * w
gx, gw = torch.autograd.grad(y, (x, w), grad_outputs=torch.ones_like(y), retain_graph=True)
print(gx, gw)
gx, gu = torch.autograd.grad(y.sum(), [x, unused], allow_unused=True)
print(gx, gu)
print(x.grad, w.grad)
try:
    torch.autograd.grad(y.sum(), [unused])
except RuntimeError as e:
    print(e)
