# mirrors: pytorch docs, torch.autograd.function (once_differentiable on a backward; double backward through it raises)
import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable


class Twice(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * 2

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 4 * x


x = torch.tensor([1.0, 2.0], requires_grad=True)
y = Twice.apply(x).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g)
print(g.requires_grad)
g.sum().backward()
