# mirrors: pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py ("Autograd and In-place Operations": torch.sin_ on a leaf that requires grad raises)
import math
import torch

a = torch.linspace(0., 2. * math.pi, steps=5, requires_grad=True)
b = torch.linspace(0., 2. * math.pi, steps=5)
torch.sin_(b)
print(b)
torch.sin_(a)
print("not reached")
