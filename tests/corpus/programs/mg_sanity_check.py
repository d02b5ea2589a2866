# mirrors: karpathy/micrograd test/test_engine.py (test_sanity_check: z = 2x+2+x, relu mixes, torch in double; here checked against a tiny scalar engine of our own)
import torch


class Scalar:
    def __init__(self, data, parents=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local = ()

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data + other.data, (self, other))
        out.local = (1.0, 1.0)
        return out

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data * other.data, (self, other))
        out.local = (other.data, self.data)
        return out

    def __rmul__(self, other):
        return self * other

    def relu(self):
        out = Scalar(self.data if self.data > 0 else 0.0, (self,))
        out.local = (1.0 if self.data > 0 else 0.0,)
        return out

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v.parents:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for p, d in zip(v.parents, v.local):
                p.grad += d * v.grad


x = Scalar(-4.0)
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xmg, ymg = x, y

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
xpt, ypt = x, y

print(ymg.data, ypt.data.item(), ymg.data == ypt.data.item())
print(xmg.grad, xpt.grad.item(), xmg.grad == xpt.grad.item())
print(y.grad_fn, x.dtype)
