# mirrors: pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (nn.Flatten, nn.Linear(in_features=, out_features=), nn.ReLU()(...), nn.Sequential, nn.Softmax(dim=1))
import torch
from torch import nn

torch.manual_seed(0)
input_image = torch.rand(3, 4, 4)
print(input_image.size())
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())
layer1 = nn.Linear(in_features=4 * 4, out_features=5)
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")
seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(5, 3))
logits = seq_modules(torch.rand(3, 4, 4))
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print(pred_probab)
print("Model structure: ", seq_modules, "\n\n")
for name, param in seq_modules.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
