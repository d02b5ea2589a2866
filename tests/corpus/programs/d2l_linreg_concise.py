# mirrors: d2l-ai/d2l-zh chapter_linear-networks/linear-regression-concise.md (nn.Sequential(nn.Linear(2, 1)), weight.data.normal_, bias.data.fill_, MSELoss, optim.SGD)
import torch
from torch import nn

torch.manual_seed(0)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features = torch.normal(0, 1, (100, 2))
labels = (torch.matmul(features, true_w) + true_b + torch.normal(0, 0.01, (100,))).reshape((-1, 1))
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
num_epochs, batch_size = 3, 10
for epoch in range(num_epochs):
    for i in range(0, 100, batch_size):
        X, y = features[i:i + batch_size], labels[i:i + batch_size]
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
w = net[0].weight.data
print('w的估计误差：', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('b的估计误差：', true_b - b)
