# mirrors: pytorch/tutorials beginner_source/blitz/neural_networks_tutorial.py (update by hand with f.data.sub_, then with optim.SGD)
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(2)
net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
inp = torch.randn(5, 4)
target = torch.randn(5, 2)
criterion = nn.MSELoss()

loss = criterion(net(inp), target)
loss.backward()
learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
print(criterion(net(inp), target))

optimizer = optim.SGD(net.parameters(), lr=0.01)
for step in range(5):
    optimizer.zero_grad()
    output = net(inp)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    print(step, loss.item())
print(net[0].weight)
