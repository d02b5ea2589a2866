# mirrors: pytorch/tutorials beginner_source/blitz/autograd_tutorial.py and introyt/autogradyt_tutorial.py (doubling until the norm passes 1000, then backward with a vector)
import torch

torch.manual_seed(0)
v = torch.randn(3, requires_grad=True)
y = v * 2
steps = 1
while y.data.norm() < 1000:
    y = y * 2
    steps += 1
print(steps)
print(y)
weights = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(weights)
print(v.grad)
print(v.requires_grad)
print((v ** 2).requires_grad)
with torch.no_grad():
    print((v ** 2).requires_grad)
