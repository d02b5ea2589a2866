# mirrors: d2l-ai/d2l-zh chapter_preliminaries/autograd.md (x = torch.arange(4.0), y = 2 * torch.dot(x, x); grad of x * x summed; detach; 练习: f(x) = sin(x) and its derivative)
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
y = 2 * torch.dot(x, x)
y.backward()
print(x.grad)
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)
x = torch.linspace(-3.0, 3.0, 7, requires_grad=True)
y = torch.sin(x)
y.sum().backward()
print(x.grad)
print(torch.allclose(x.grad, torch.cos(x)))
