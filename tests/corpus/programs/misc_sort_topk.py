# mirrors: pytorch docs (torch.sort, argsort and topk as used in tutorials' evaluation code; gradients flow through sorted values)
import torch

x = torch.tensor([0.3, -1.2, 2.5, 0.7], requires_grad=True)
values, indices = torch.sort(x, descending=True)
print(values, indices)
print(torch.argsort(x))
top = torch.topk(x, 2)
print(top.values, top.indices)
(values * torch.arange(4.0)).sum().backward()
print(x.grad)
print(values.grad_fn)
