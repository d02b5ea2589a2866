# mirrors: pytorch docs notes/extending.rst (MulConstant: a non-tensor constant argument whose gradient is None)
import torch
from torch.autograd import Function


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
y = MulConstant.apply(x, 5.5)
print(y)
y.backward(torch.ones(3))
print(x.grad)
print(y.grad_fn.next_functions)
