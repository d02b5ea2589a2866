# mirrors: pytorch docs, torch.inference_mode docstring (no graph inside, inference tensors, the decorator form)
import torch

x = torch.ones(1, 2, 3, requires_grad=True)
with torch.inference_mode():
    y = x * x
print(y.requires_grad)
print(y.is_inference())


@torch.inference_mode()
def func(x):
    return x * x


out = func(x)
print(out.requires_grad)
print(torch.is_inference_mode_enabled())
with torch.inference_mode(False):
    z = x * 2
print(z.requires_grad)
