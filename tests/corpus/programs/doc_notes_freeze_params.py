# mirrors: pytorch docs notes/autograd.rst ("Setting requires_grad": freeze a pretrained part, train only a new head)
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
backbone = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
for param in backbone.parameters():
    param.requires_grad = False
head = nn.Linear(3, 2)
model = nn.Sequential(backbone, head)
optimizer = optim.SGD(head.parameters(), lr=1e-2, momentum=0.9)
x = torch.randn(6, 4)
target = torch.randn(6, 2)
for step in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), target)
    loss.backward()
    optimizer.step()
    print(step, loss.item())
print(backbone[0].weight.grad)
print(head.weight.grad)
print([p.requires_grad for p in model.parameters()])
