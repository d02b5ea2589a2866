# mirrors: pytorch docs notes/autograd.rst ("Saved tensors": _saved_* attributes of grad_fn, register_hooks on _raw_saved_self)
import torch

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(y.grad_fn._saved_exponent)
print(hasattr(y.grad_fn, "_saved_self"), hasattr(y.grad_fn, "_saved_result"))
z = x * x.detach()
print(z.grad_fn._saved_other.equal(x), z.grad_fn._saved_self)


def pack_hook(t):
    print("packing", t.shape)
    return t * 1


def unpack_hook(t):
    print("unpacking", t.shape)
    return t


y = x.pow(2)
y.grad_fn._raw_saved_self.register_hooks(pack_hook, unpack_hook)
print(y.grad_fn._saved_self.equal(x))
y.sum().backward()
print(x.grad.equal(2 * x))
with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    w = x.exp()
print(w.grad_fn._saved_result.equal(w))
try:
    y.grad_fn._saved_self
except RuntimeError as e:
    print("RuntimeError:", str(e).split('.')[0])
