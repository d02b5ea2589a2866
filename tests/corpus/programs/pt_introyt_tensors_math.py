# mirrors: pytorch/tutorials beginner_source/introyt/tensors_deeper_tutorial.py (scalar arithmetic, broadcasting, common functions, comparisons, reductions)
import math
import torch

ones = torch.zeros(2, 2) + 1
twos = torch.ones(2, 2) * 2
threes = (torch.ones(2, 2) * 7 - 1) / 2
fours = twos ** 2
print(ones, twos, threes, fours, twos ** 0.5)
print(twos ** torch.tensor([[1, 2], [3, 4]]))
torch.manual_seed(0)
a = torch.ones(4, 3, 2)
print(a * torch.rand(3, 1))
a = torch.rand(2, 4) * 2 - 1
print(torch.abs(a))
print(torch.ceil(a))
print(torch.floor(a))
print(torch.clamp(a, -0.5, 0.5))
angles = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
sines = torch.sin(angles)
print(sines, torch.asin(sines))
d = torch.tensor([[1., 2.], [3., 4.]])
e = torch.ones(1, 2)
print(torch.eq(d, e))
print(torch.max(d), torch.max(d).item(), torch.mean(d), torch.std(d), torch.prod(d))
print(torch.matmul(torch.rand(2, 2), torch.tensor([[3., 0.], [0., 3.]])))
