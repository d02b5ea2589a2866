# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/mlp-concise.md (Sequential(Flatten, Linear, ReLU, Linear), init_weights with nn.init.normal_)
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
labels = torch.arange(48) % 3
features = (torch.randn(48, 6) + labels.reshape(-1, 1) * 0.8).reshape(48, 2, 3)
for epoch in range(5):
    for i in range(0, 48, 16):
        l = loss(net(features[i:i + 16]), labels[i:i + 16])
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
    print(epoch + 1, loss(net(features), labels).mean().item())
print(net)
