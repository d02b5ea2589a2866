# mirrors: pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py ("The High-Level API": jacobian of exp_adder, vjp of the doubling function)
import torch


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


torch.manual_seed(0)
inputs = (torch.rand(1), torch.rand(1))
print(inputs)
print(torch.autograd.functional.jacobian(exp_adder, inputs))
inputs = (torch.rand(3), torch.rand(3))
print(inputs)
print(torch.autograd.functional.jacobian(exp_adder, inputs))


def do_some_doubling(x):
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y


inputs = torch.randn(3)
my_gradients = torch.tensor([0.1, 1.0, 0.0001])
print(torch.autograd.functional.vjp(do_some_doubling, inputs, v=my_gradients))
