# mirrors: pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py (attributes of a tensor: shape, dtype, device) and the usual version check
import torch

print(isinstance(torch.__version__, str))
print(len(torch.__version__.split('.')) >= 2)
torch.manual_seed(0)
tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
print(type(tensor).__name__, tensor.__class__.__name__)
print(isinstance(tensor, torch.Tensor), torch.is_tensor(tensor))
