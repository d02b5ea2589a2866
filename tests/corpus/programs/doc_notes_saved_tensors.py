# mirrors: pytorch docs notes/autograd.rst ("Saved tensors": grad_fn._saved_self is the input x, _saved_result of exp is the output)
import torch

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))
print(x is y.grad_fn._saved_self)
y = x.exp()
print(y.equal(y.grad_fn._saved_result))
print(y is y.grad_fn._saved_result)
