# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/dropout.md (nn.Dropout inside Sequential; train() and eval() switch it)
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(8, 6), nn.ReLU(), nn.Dropout(0.5), nn.Linear(6, 2))
X = torch.randn(3, 8)
print(net.training)
print(net(X))
net.eval()
print(net.training, net[3].training)
print(net(X))
net.train()
out = net(X)
print(out)
out.sum().backward()
print(net[1].bias.grad)
