# mirrors: d2l-ai/d2l-zh chapter_linear-networks/linear-regression-concise.md (load_array with data.TensorDataset and data.DataLoader, next(iter(...)))
import torch
from torch.utils import data
from torch import nn


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


torch.manual_seed(0)
features = torch.normal(0, 1, (20, 2))
labels = torch.matmul(features, torch.tensor([2, -3.4])).reshape((-1, 1)) + 4.2
data_iter = load_array((features, labels), 5, is_train=False)
print(next(iter(data_iter)))
net = nn.Sequential(nn.Linear(2, 1))
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
for X, y in data_iter:
    l = nn.MSELoss()(net(X), y)
    trainer.zero_grad()
    l.backward()
    trainer.step()
print(net[0].weight.data)
