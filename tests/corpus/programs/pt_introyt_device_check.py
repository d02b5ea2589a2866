# mirrors: pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py (the profiler section's device choice; the profile itself prints timings, left out)
import torch

device = torch.device('cpu')
run_on_gpu = False
if torch.cuda.is_available():
    device = torch.device('cuda')
    run_on_gpu = True
print(device, run_on_gpu)
torch.manual_seed(0)
x = torch.randn(2, 3, requires_grad=True)
y = torch.rand(2, 3, requires_grad=True)
z = torch.ones(2, 3, requires_grad=True)
for _ in range(10):
    z = (z / x) * y
print(z.grad_fn)
z.sum().backward()
print(x.grad)
print(x.device, x.to(device).device)
