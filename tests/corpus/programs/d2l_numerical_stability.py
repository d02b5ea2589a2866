# mirrors: d2l-ai/d2l-en chapter_multilayer-perceptrons/numerical-stability-and-init.md (sigmoid's vanishing gradient; products of random matrices explode)
# compare: numberwise 1e-5 (a product of 20 float32 4x4 matrices: torch's matmul accumulates in another order)
import torch

x = torch.arange(-8.0, 8.0, 2.0, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(x.grad)
torch.manual_seed(0)
M = torch.normal(0, 1, size=(4, 4))
print('a single matrix \n', M)
for i in range(20):
    M = M @ torch.normal(0, 1, size=(4, 4))
print('after multiplying 20 matrices\n', M)
