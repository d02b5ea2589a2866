# mirrors: pytorch docs, Tensor.register_post_accumulate_grad_hook (a hook that runs after .grad is accumulated on a leaf)
import torch

p = torch.tensor([1.0, 2.0], requires_grad=True)


def after(param):
    print("accumulated", param.grad)


p.register_post_accumulate_grad_hook(after)
(p * p).sum().backward()
(p * 3).sum().backward()
print(p.grad)
