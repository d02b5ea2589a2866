# mirrors: pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py (backward on a non-scalar needs a gradient argument)
import torch

torch.manual_seed(3)
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", e)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
