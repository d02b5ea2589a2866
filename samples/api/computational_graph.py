"""The tutorials' first example, y = (x + w) * (w + 1), through gradcli's torch-shaped Python API."""
import gradcli as torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)

y.backward()
print("y =", y)
print("dy/dw =", w.grad, " dy/dx =", x.grad)
print("y.grad_fn =", type(y.grad_fn).__name__, "next_functions:",
      tuple((type(n).__name__ if n is not None else None, i) for n, i in y.grad_fn.next_functions))
