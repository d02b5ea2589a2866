# mirrors: pytorch docs, torch.autograd.gradcheck and gradgradcheck (double inputs, a function of two tensors; a wrong backward fails)
import torch
from torch.autograd import Function, gradcheck, gradgradcheck


def f(x, y):
    return (x * y.sin()).sum(dim=0)


torch.manual_seed(0)
inputs = (torch.randn(3, 2, dtype=torch.double, requires_grad=True),
          torch.randn(3, 2, dtype=torch.double, requires_grad=True))
print(gradcheck(f, inputs, eps=1e-6, atol=1e-4))
print(gradgradcheck(f, inputs))


class WrongSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x


x = torch.randn(3, dtype=torch.double, requires_grad=True)
print(gradcheck(WrongSquare.apply, (x,), raise_exception=False))
