# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/underfit-overfit.md (polynomial features x^i / i!, fitting with nn.Linear(bias=False))
import math
import torch
from torch import nn

max_degree = 6
n = 40
torch.manual_seed(0)
true_w = torch.zeros(max_degree)
true_w[0:4] = torch.tensor([5, 1.2, -3.4, 5.6])
features = torch.randn(n, 1)
poly_features = torch.pow(features, torch.arange(max_degree).reshape(1, -1))
for i in range(max_degree):
    poly_features[:, i] /= math.gamma(i + 1)
labels = poly_features @ true_w
labels += torch.normal(0, 0.1, size=labels.shape)
print(features[:2], poly_features[:2, :], labels[:2])


def train(train_features, train_labels, num_epochs=50):
    loss = nn.MSELoss(reduction='none')
    net = nn.Sequential(nn.Linear(train_features.shape[-1], 1, bias=False))
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    for epoch in range(num_epochs):
        for i in range(0, n, 10):
            l = loss(net(train_features[i:i + 10]), train_labels[i:i + 10].reshape(-1, 1))
            trainer.zero_grad()
            l.mean().backward()
            trainer.step()
    print('weight:', net[0].weight.data)


train(poly_features[:, :4], labels)
train(poly_features[:, :2], labels)
