# mirrors: d2l-ai/d2l-zh chapter_linear-networks/softmax-regression-concise.md (Sequential(Flatten, Linear), init_weights via net.apply, CrossEntropyLoss(reduction='none'))
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(8, 3))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
labels = torch.arange(30) % 3
features = torch.normal(0, 1, (30, 2, 4))
features[:, 0, 0] += labels * 2.0
for epoch in range(4):
    for i in range(0, 30, 10):
        X, y = features[i:i + 10], labels[i:i + 10]
        l = loss(net(X), y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
    with torch.no_grad():
        acc = (net(features).argmax(dim=1) == labels).float().mean()
        print(epoch + 1, loss(net(features), labels).mean().item(), acc.item())
print(net)
