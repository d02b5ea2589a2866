# mirrors: pytorch docs, torch.autograd.functional.hvp and vhp docstrings (pow_reducer, pow_adder_reducer)
import torch
from torch.autograd.functional import hvp, vhp


def pow_reducer(x):
    return x.pow(3).sum()


torch.manual_seed(0)
inputs = torch.rand(2, 2)
v = torch.ones(2, 2)
print(hvp(pow_reducer, inputs, v))
print(vhp(pow_reducer, inputs, v))


def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


inputs = (torch.rand(2), torch.rand(2))
v = (torch.zeros(2), torch.ones(2))
print(hvp(pow_adder_reducer, inputs, v))
print(vhp(pow_adder_reducer, inputs, v, create_graph=True))
