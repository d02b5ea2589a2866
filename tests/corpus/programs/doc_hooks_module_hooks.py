# mirrors: pytorch docs, nn.Module.register_forward_hook / register_full_backward_hook (inspect activations and gradients of a layer)
import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))


def forward_hook(module, inputs, output):
    print("forward", module.__class__.__name__, output.shape)


def backward_hook(module, grad_input, grad_output):
    print("backward", module.__class__.__name__, grad_output[0].shape)


h1 = net[0].register_forward_hook(forward_hook)
h2 = net[0].register_full_backward_hook(backward_hook)
x = torch.randn(4, 3)
net(x).sum().backward()
h1.remove()
h2.remove()
net(x).sum().backward()
print(net[0].weight.grad)
