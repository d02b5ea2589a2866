# mirrors: pytorch/tutorials beginner_source/basics/optimization_tutorial.py (train_loop / test_loop with enumerate, model.train()/eval(), f"{loss:>7f}"; batches are a list here, not a DataLoader)
import torch
from torch import nn


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


torch.manual_seed(0)
labels = torch.arange(40) % 3
images = torch.randn(40, 2, 3) + labels.reshape(-1, 1, 1) * 0.7
batch_size = 8
train_batches = [(images[i:i + batch_size], labels[i:i + batch_size]) for i in range(0, 32, batch_size)]
test_batches = [(images[32:], labels[32:])]
model = NeuralNetwork()
learning_rate = 1e-1
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)


def train_loop(dataloader, model, loss_fn, optimizer):
    size = sum(len(X) for X, _ in dataloader)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch % 2 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = sum(len(X) for X, _ in dataloader)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


epochs = 3
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train_loop(train_batches, model, loss_fn, optimizer)
    test_loop(test_batches, model, loss_fn)
print("Done!")
