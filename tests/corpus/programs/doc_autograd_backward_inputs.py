# mirrors: pytorch docs, torch.autograd.backward and Tensor.backward(inputs=...) (accumulate only into the named leaves)
import torch

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
out = (a * b).sum()
out.backward(inputs=[a], retain_graph=True)
print(a.grad, b.grad)
torch.autograd.backward(out, inputs=[b])
print(a.grad, b.grad)
c = a * 2
d = b * 3
torch.autograd.backward([c.sum(), d.sum()])
print(a.grad, b.grad)
