# mirrors: d2l-ai/d2l-en chapter_preliminaries/autograd.md ("Detaching Computation": u = y.detach(), z = u * x)
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
print(x.grad)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
