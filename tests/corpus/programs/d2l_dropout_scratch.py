# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/dropout.md (dropout_layer with a (torch.rand(X.shape) > dropout).float() mask; Net with is_training)
import torch
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


torch.manual_seed(0)
X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.))
print(dropout_layer(X, 0.5))
print(dropout_layer(X, 1.))


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, is_training=True):
        super(Net, self).__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens)
        self.lin2 = nn.Linear(num_hiddens, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training == True:
            H1 = dropout_layer(H1, 0.5)
        return self.lin2(H1)


net = Net(8, 2, 4)
out = net(X)
print(out)
out.sum().backward()
print(net.lin1.weight.grad)
