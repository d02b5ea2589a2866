# mirrors: d2l-ai/d2l-zh chapter_multilayer-perceptrons/weight-decay.md (SGD parameter groups: weight_decay on the weight only; param.data.normal_())
# compare: numberwise 1e-6 (the float32 norm of 1000 values: torch adds in another order, one ulp apart)
import torch
from torch import nn

torch.manual_seed(0)
num_inputs = 10
train_X = torch.normal(0, 1, (20, num_inputs))
train_y = train_X.sum(1, keepdim=True) * 0.01 + 0.05
net = nn.Sequential(nn.Linear(num_inputs, 1))
for param in net.parameters():
    param.data.normal_()
loss = nn.MSELoss(reduction='none')
wd, lr = 3, 0.003
trainer = torch.optim.SGD([
    {"params": net[0].weight, 'weight_decay': wd},
    {"params": net[0].bias}], lr=lr)
for epoch in range(10):
    for i in range(0, 20, 5):
        trainer.zero_grad()
        l = loss(net(train_X[i:i + 5]), train_y[i:i + 5])
        l.mean().backward()
        trainer.step()
print('w的L2范数：', net[0].weight.norm().item())
print(trainer.param_groups[0]['weight_decay'], trainer.param_groups[1]['weight_decay'])
