# mirrors: pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py (TinyModel: gradients before/after backward, optimizer.step, accumulation, zero_grad)
# compare: numberwise 1e-4 (weights printed to 4 decimals after float32 matmuls: a last-digit rounding flip)
import torch

BATCH_SIZE = 4
DIM_IN = 12
HIDDEN_SIZE = 8
DIM_OUT = 3


class TinyModel(torch.nn.Module):
    def __init__(self):
        super(TinyModel, self).__init__()
        self.layer1 = torch.nn.Linear(DIM_IN, HIDDEN_SIZE)
        self.relu = torch.nn.ReLU()
        self.layer2 = torch.nn.Linear(HIDDEN_SIZE, DIM_OUT)

    def forward(self, x):
        x = self.layer1(x)
        x = self.relu(x)
        x = self.layer2(x)
        return x


torch.manual_seed(0)
some_input = torch.randn(BATCH_SIZE, DIM_IN, requires_grad=False)
ideal_output = torch.randn(BATCH_SIZE, DIM_OUT, requires_grad=False)
model = TinyModel()
print(model.layer2.weight[0][0:5])
print(model.layer2.weight.grad)
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
prediction = model(some_input)
loss = (ideal_output - prediction).pow(2).sum()
print(loss)
loss.backward()
print(model.layer2.weight[0][0:5])
print(model.layer2.weight.grad[0][0:5])
optimizer.step()
print(model.layer2.weight[0][0:5])
print(model.layer2.weight.grad[0][0:5])
for i in range(0, 5):
    prediction = model(some_input)
    loss = (ideal_output - prediction).pow(2).sum()
    loss.backward()
print(model.layer2.weight.grad[0][0:5])
optimizer.zero_grad()
print(model.layer2.weight.grad)
