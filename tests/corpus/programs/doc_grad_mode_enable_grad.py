# mirrors: pytorch docs, torch.enable_grad docstring (enable_grad inside no_grad, as a context and a decorator)
import torch

x = torch.tensor([1.], requires_grad=True)
with torch.no_grad():
    with torch.enable_grad():
        y = x * 2
print(y.requires_grad)
y.backward()
print(x.grad)


@torch.enable_grad()
def doubler(x):
    return x * 2


with torch.no_grad():
    z = doubler(x)
print(z.requires_grad)


@torch.enable_grad()
def tripler(x):
    return x * 3


with torch.no_grad():
    z = tripler(x)
print(z.requires_grad)
print(z.grad_fn)
