"""Tutorial idioms against CPython (with `torch` bound to gradcli): class names through `__class__` and
`type()`, displays with `*`/`**`, set and dict comprehensions, starred targets, loop `else`, `{x=}`,
the importable modules (`torch.autograd.function`, `math`, `random`, `collections`, `typing`)."""
import textwrap

import pytest

import gradcli
from gradcli.lang import GradError

from .test_interpreter import mask, run_grad, run_python, torch_is_gradcli  # noqa: F401  (fixture)

PROGRAMS = {
    "class_names": """
        import torch
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 1)
            def forward(self, x):
                return self.fc(x)
        model, loss_fn, x = Net(), nn.MSELoss(), torch.ones(2, requires_grad=True)
        y = (x * 2).sum()
        print(model.__class__.__name__, loss_fn.__class__.__name__, type(x).__name__, x.__class__.__name__)
        print(type(model.fc.weight).__name__, y.grad_fn.__class__.__name__, (1.5).__class__.__name__)
        print(model.__class__, type(x) is x.__class__, model.__class__ is Net)
        print(type(i for i in []).__name__, [].__class__.__name__, None.__class__.__name__)
    """,
    "displays_and_comprehensions": """
        a, b = [1, 2], {'k': 1}
        print([*a, 3], (*a, *'xy'), {*a, 2}, {**b, 'j': 2, **{'k': 5}}, {x * 2 for x in a})
        print({k: v for k, v in zip('ab', a)}, {i: i * i for i in range(4) if i % 2}, set(), {}, {1: 2})
        first, *middle, last = range(5)
        head, *tail = 'abc'
        *init, end = [1]
        print(first, middle, last, head, tail, init, end)
        for x, *rest in [(1, 2, 3), (4,)]:
            print(x, rest)
        try:
            p, *q, r = [1]
        except ValueError as e:
            print(e)
        try:
            print({**[1]})
        except TypeError as e:
            print(e)
    """,
    "loop_else": """
        for k in range(3):
            if k == 5:
                break
        else:
            print('no break', k)
        for k in range(3):
            if k == 1:
                break
        else:
            print('not printed')
        n = 0
        while n < 3:
            n += 1
        else:
            print('while else', n)
        while True:
            break
        else:
            print('not printed')
        for i in range(2):
            for j in range(2):
                pass
            else:
                if i:
                    break
        print(i, j)
    """,
    "formatting": """
        loss, x, name = 0.123456789, 3.14159, 'net'
        print(f"{loss:>7f} {loss:.4f} {loss:e} {3:>5d} {'x':<4}| {loss:10.3e} {1234567:,} {0.5:.1%} {7:03}")
        print(f"{x=}", f"{x = :.2f}", f"{name=!s}", f"{x==x}", f"{x*2=}", f"{[1, 2]=}")
        print("%d items, %.3f loss, %s, %5.2f%%" % (3, 0.12345, 'ok', 99.5), '%-5s|%x' % ('ab', 255))
        print('a', 'b', sep='-', end='!\\n')
        print('no newline', end='')
        print()
        print("{:.2f} and {}".format(3.14159, [1]), '{0} {1} {0}'.format('a', 'b'), '{:>8.3f}'.format(2.5))
    """,
    "functions_and_scopes": """
        counter = 0
        def bump():
            global counter
            counter += 1
        bump(); bump()
        def make_acc():
            total = 0
            def add(v):
                nonlocal total
                total += v
                return total
            return add
        acc = make_acc(); acc(2)
        def f(*args, **kwargs):
            return args, sorted(kwargs.items())
        g = lambda x, y=2: x * y
        print(counter, acc(3), f(1, 2, a=3), f(*[1, 2], **{'b': 4}), g(3), g(3, y=4), (lambda *a: sum(a))(1, 2))
        print([h() for h in [lambda i=i: i * i for i in range(3)]])
        print(sorted(['bb', 'a', 'ccc'], key=len), max(range(5), key=lambda v: -v), round(3.14159, 2), round(2.5))
        assert counter == 2, "counted"
        try:
            assert counter > 5, "too few"
        except AssertionError as e:
            print("assert:", e)
        print(isinstance(3, (int, float)), hasattr(acc(0), 'real'), getattr(acc(0), 'nothing', 'dflt'))
    """,
    "modules": """
        import torch
        import torch.nn.functional as F
        from torch import nn, optim
        from torch.autograd.function import once_differentiable, Function
        import torch.autograd.function as AF
        import math
        import random
        random.seed(0)
        xs = list(range(10))
        random.shuffle(xs)
        print(xs, random.random(), random.randint(1, 6), random.sample(xs, 3), random.choice(xs))
        print(math.pi, math.sin(math.pi / 2), math.floor(2.5), Function is AF.Function, F.relu(torch.tensor(-1.)))
        class MyReLU(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.clamp(min=0)
            @staticmethod
            @once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * (x > 0).float()
        x = torch.tensor([-1., 2.], requires_grad=True)
        MyReLU.apply(x).sum().backward()
        print(x.grad, nn.Linear(1, 1).__class__.__name__, optim.SGD.__name__)
    """,
    "stdlib_subsets_and_decorators": """
        from collections import OrderedDict, defaultdict, Counter
        from typing import List, Optional
        def timer(fn):
            def wrap(*a, **k):
                print("calling", fn.__name__)
                return fn(*a, **k)
            return wrap
        @timer
        def add(a: int, b: Optional[int] = 1) -> List[int]:
            return [a + b]
        print(add(2, b=3))
        d = defaultdict(list)
        d['a'].append(1)
        o = OrderedDict(a=1)
        o['b'] = 2
        print(dict(d), Counter('abca').most_common(1), list(o.items()), o)
    """,
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_idiom_as_in_cpython(name, torch_is_gradcli, monkeypatch):
    import torch.autograd  # noqa: F401  (the fixture's module; give it the `function` submodule)
    monkeypatch.setitem(__import__("sys").modules, "torch.autograd.function", gradcli.autograd.function)
    src = textwrap.dedent(PROGRAMS[name]).strip() + "\n"
    assert mask(run_grad(src)) == mask(run_python(src))


@pytest.mark.parametrize("src", [
    "x = 1\nx.__class__.__bases__",
    "x = 1\nx.__class__.__subclasses__()",
    "import torch\ntorch.ones(1).__class__.__init__.__globals__",
    "'{0.__class__.__mro__}'.format(1)",
])
def test_class_reads_stop_at_the_class(src):
    with pytest.raises(GradError) as info:
        run_grad(src)
    assert "names starting with '_' are private" in info.value.message
