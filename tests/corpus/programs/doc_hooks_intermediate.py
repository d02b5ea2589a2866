# mirrors: pytorch docs notes/autograd.rst ("Backward Hooks execution": hooks on an intermediate see its gradient, retain_grad keeps it)
import torch

seen = []


def remember(name):
    def hook(grad):
        seen.append((name, grad.clone()))
    return hook


a = torch.tensor([1., 2., 3.], requires_grad=True)
b = a * a
b.register_hook(remember("b"))
b.retain_grad()
c = b.sum() * 2
c.register_hook(remember("c"))
c.backward()
for name, g in seen:
    print(name, g)
print(b.grad)
print(a.grad)
print(b.is_leaf, b.retains_grad)
