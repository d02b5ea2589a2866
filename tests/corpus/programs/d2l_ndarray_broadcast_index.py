# mirrors: d2l-ai/d2l-en chapter_preliminaries/ndarray.md ("Broadcasting", "Indexing and Slicing", "Saving Memory", "Conversion")
import torch

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a, b)
print(a + b)
X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
print(X[-1], X[1:3])
X[1, 2] = 17
print(X)
X[:2, :] = 12
print(X)
Y = torch.ones(3, 4)
Z = torch.zeros_like(Y)
Z[:] = X + Y
print(Z)
before = Y.data_ptr()
Y += X
print(Y.data_ptr() == before)
t = torch.tensor([3.5])
print(t, t.item(), float(t), int(t))
