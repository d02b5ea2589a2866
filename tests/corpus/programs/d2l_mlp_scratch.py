# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/mlp-scratch.md (nn.Parameter(torch.randn(...) * 0.01), relu = torch.max(X, a), X @ W1 + b1, CrossEntropyLoss, SGD updater)
import torch
from torch import nn

num_inputs, num_outputs, num_hiddens = 6, 3, 8
torch.manual_seed(0)
W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return (H @ W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')
updater = torch.optim.SGD(params, lr=0.5)
labels = torch.arange(48) % 3
features = torch.randn(48, num_inputs) + labels.reshape(-1, 1) * 0.8
for epoch in range(5):
    for i in range(0, 48, 16):
        l = loss(net(features[i:i + 16]), labels[i:i + 16])
        updater.zero_grad()
        l.mean().backward()
        updater.step()
    print(epoch + 1, loss(net(features), labels).mean().item())
print(W1.grad.shape, b2.grad)
