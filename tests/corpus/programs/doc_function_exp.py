# mirrors: pytorch docs, torch.autograd.Function (docstring of torch/autograd/function.py: Exp with save_for_backward of the result, used through apply)
import torch
from torch.autograd import Function


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


inp = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
output = Exp.apply(inp)
print(output)
print(output.grad_fn)
print(type(output.grad_fn).__name__)
output.sum().backward()
print(inp.grad)
print(torch.allclose(inp.grad, inp.exp()))
