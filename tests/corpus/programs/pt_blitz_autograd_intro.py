# mirrors: pytorch/tutorials beginner_source/blitz/autograd_tutorial.py (track a 2x2 tensor, mean of 3*(x+2)^2)
import torch

w = torch.ones(2, 2, requires_grad=True)
print(w)
shifted = w + 2
print(shifted)
print(shifted.grad_fn)
sq = shifted * shifted * 3
avg = sq.mean()
print(sq, avg)
avg.backward()
print(w.grad)
print(shifted.grad_fn.next_functions)
