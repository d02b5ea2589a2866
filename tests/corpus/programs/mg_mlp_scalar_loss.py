# mirrors: karpathy/micrograd test style and demo (a small MLP on four points, a squared-error loss, a few manual SGD steps on p.data)
# compare: numberwise 1e-5 (float32 training loop: torch's vectorised sums and matmuls add in another order, last bits drift)
import torch

torch.manual_seed(0)
xs = torch.tensor([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]])
ys = torch.tensor([1.0, -1.0, -1.0, 1.0])
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 4), torch.nn.Tanh(),
                            torch.nn.Linear(4, 1), torch.nn.Tanh())
for k in range(20):
    ypred = model(xs).squeeze(1)
    loss = ((ypred - ys) ** 2).sum()
    for p in model.parameters():
        p.grad = None
    loss.backward()
    for p in model.parameters():
        p.data += -0.1 * p.grad
    if k % 5 == 4:
        print(k, loss.item())
print(model(xs).squeeze(1))
