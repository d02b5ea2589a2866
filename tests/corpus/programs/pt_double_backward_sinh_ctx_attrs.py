# mirrors: pytorch/tutorials intermediate_source/custom_function_double_backward_tutorial.py (what NOT to do: intermediates stashed on ctx give a gradient with no graph)
import torch


class Sinh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        expx = torch.exp(x)
        expnegx = torch.exp(-x)
        ctx.expx = expx
        ctx.expnegx = expnegx
        return (expx - expnegx) / 2

    @staticmethod
    def backward(ctx, grad_out):
        expx = ctx.expx
        expnegx = ctx.expnegx
        grad_input = grad_out * (expx + expnegx) / 2
        return grad_input


torch.manual_seed(0)
x = torch.rand(2, 2, requires_grad=True, dtype=torch.double)
out = Sinh.apply(x)
grad_x, = torch.autograd.grad(out.sum(), x, create_graph=True)
print(grad_x)
print(grad_x.requires_grad, grad_x.grad_fn)
