# mirrors: pytorch/tutorials beginner_source/blitz/autograd_tutorial.py (its no_grad block is indented with a tab character)
import torch

x = torch.ones(3, requires_grad=True)
print((x ** 2).requires_grad)
with torch.no_grad():
	print((x ** 2).requires_grad)
	y = x * 2
print(y.requires_grad)
