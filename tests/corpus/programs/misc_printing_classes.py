# mirrors: pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (print(model), type checks of layers) and the docs' "print(type(y.grad_fn))" idiom
import torch
import torch.nn as nn


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = NeuralNetwork()
print(type(model))
print(model.__class__.__name__)
for name, module in model.named_modules():
    print(repr(name), type(module))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
print(type(loss_fn), type(optimizer))
print(f"optimizer class: {type(optimizer).__name__}, loss: {loss_fn.__class__}")
x = torch.ones(2, 4, requires_grad=True)
y = (x * 3).sum()
print(type(y.grad_fn), type(y.grad_fn.next_functions[0][0]))
print(type(x), type(model.linear_relu_stack[0].weight), type(x.shape))
print(type(torch.float32), type(x.dtype), type(torch.device("cpu")))
print(isinstance(model, nn.Module), isinstance(model.flatten, nn.Flatten), issubclass(NeuralNetwork, nn.Module))
print([type(m).__name__ for m in model.linear_relu_stack])
