# mirrors: d2l-ai/d2l-en chapter_preliminaries/autograd.md ("Backward for Non-Scalar Variables": gradient=torch.ones(len(y)) or y.sum())
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)
