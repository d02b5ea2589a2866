# mirrors: pytorch docs notes/autograd.md ("Hooks for saved tensors": saved_tensors_hooks with pack/unpack hooks that only count and detach)
import torch

packed = []


def pack_hook(t):
    packed.append(tuple(t.shape))
    return t.detach()


def unpack_hook(t):
    return t


with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    x = torch.randn(5, requires_grad=True)
    y = x * x
    z = y.exp().sum()
print(packed)
z.backward()
print(torch.allclose(x.grad, 2 * x * (x * x).exp()))
