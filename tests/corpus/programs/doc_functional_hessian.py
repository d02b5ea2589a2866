# mirrors: pytorch docs, torch.autograd.functional.hessian docstring (pow_reducer, create_graph, pow_adder_reducer with two inputs)
import torch
from torch.autograd.functional import hessian


def pow_reducer(x):
    return x.pow(3).sum()


torch.manual_seed(0)
inputs = torch.rand(2, 2)
print(hessian(pow_reducer, inputs))
print(hessian(pow_reducer, inputs, create_graph=True))


def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


inputs = (torch.rand(2), torch.rand(2))
print(hessian(pow_adder_reducer, inputs))
