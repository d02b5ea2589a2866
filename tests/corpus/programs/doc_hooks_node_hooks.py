# mirrors: pytorch docs torch/autograd/graph.py (Node.register_hook and register_prehook on a grad_fn)
import torch

a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
handle = b.grad_fn.register_hook(lambda gI, gO: (gO[0] * 2,))
b.sum().backward(retain_graph=True)
print(a.grad)
handle.remove()
a.grad = None
b.sum().backward(retain_graph=True)
print(a.grad)
c = a * 2
pre = c.grad_fn.register_prehook(lambda gO: (gO[0] * 10,))
a.grad = None
c.sum().backward()
print(a.grad)
print(c.grad_fn.name())
