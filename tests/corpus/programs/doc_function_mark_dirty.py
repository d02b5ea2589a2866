# mirrors: pytorch docs, FunctionCtx.mark_dirty docstring (an in-place custom Function must say so; here it adds one in place)
import torch
from torch.autograd import Function


class AddOneInplace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


a = torch.tensor(1., requires_grad=True, dtype=torch.double).clone()
b = a * 3
out = AddOneInplace.apply(b)
print(out, out is b)
print(out.grad_fn)
out.backward()
