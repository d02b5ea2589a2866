"""The interpreter against CPython: each program runs in both (CPython with `torch` bound to gradcli) and
must print the same text, or fail with the same kind of error and message."""
import io
import re
import sys
import textwrap
import warnings

import pytest

import gradcli
import gradcli.autograd
import gradcli.nn
import gradcli.nn.functional
import gradcli.optim
from gradcli.lang import GradError, run_source

PROGRAMS = {
    "arithmetic_and_precedence": """
        print(1 + 2 * 3, -2 ** 2, (-2) ** 2, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** -1, 1 / 4)
        print(not 1 == 2, 1 < 2 < 3, 3 > 2 > 2, 1 < 2 > 0, 2 in [1, 2], 3 not in (1, 2), None is None)
        print(1 if 0 else 2, 0 or 'x', 1 and 0, [] or [] or 5, ~5, +3, 1e-3, 0x1f, 0b101, 1_000)
    """,
    "strings_and_formatting": """
        x = 3.14159
        print(f"{x:.2f}|{x!r}|{'a'!r:>5}|{42:05d}|{x:{8}.{3}f}|{{}}")
        print("%.3f %s %d%%" % (x, 'y', 7), "{} {:>4} {k}".format(1, 'b', k=[1]), 'a' 'b' "c")
        print("-".join(["a", "b"]), "Ab".lower(), "x,y".split(","), len("héllo"), "ab" * 3, "\\t|\\x41\\u00e9")
        print(repr("q'\\""), str(1.0), str(10 ** 20), 1e16, 0.1 + 0.2, round(2.675, 2), round(3.5))
    """,
    "containers": """
        a = [3, 1, 2]
        a.append(5); a.sort(); b = a[1:3]; c = a[::-1]; a[0] = 9; del a[1]
        d = {'x': 1, 'y': 2}; d['z'] = 3; del d['x']
        print(a, b, c, d, list(d.items()), tuple(range(3)), len(d), sorted([3, 1, 2], reverse=True))
        print([1, 2] + [3], (1,) * 2, dict(a=1), list(zip('ab', [1, 2])), list(enumerate('xy', 1)))
        print(min(4, 2, 8), max([1, 5]), sum([1, 2, 3], 10), abs(-3), any([0, 1]), all([]), list(reversed([1, 2])))
        x, (y, z) = 1, (2, 3); p = q = 7
        print(x, y, z, p, q, [i * j for i in range(3) for j in range(2) if i != j], sum(i for i in range(5)))
    """,
    "control_flow": """
        total = 0
        for i in range(10):
            if i % 2:
                continue
            if i > 6:
                break
            total += i
        n = 0
        while n < 5:
            n += 2
        else_ran = []
        for k in []:
            pass
        print(total, n, i, else_ran)
        def classify(v):
            if v < 0:
                return "neg"
            elif v == 0:
                return "zero"
            else:
                return "pos"
        print([classify(v) for v in (-1, 0, 2)])
    """,
    "functions": """
        def f(a, b=2, *args, c, d=4, **kw):
            return (a, b, args, c, d, sorted(kw.items()))
        print(f(1, c=3), f(1, 5, 6, 7, c=0, e=9), f(*[1, 2, 3], **{'c': 4}))
        def counter():
            count = 0
            def inc(step=1):
                nonlocal count
                count += step
                return count
            return inc
        c = counter(); c(); c(5)
        print(c(), (lambda x, y=1: x * y)(3), (lambda *a, **k: (a, k))(1, z=2))
        g = 10
        def set_global():
            global g
            g = 11
        set_global()
        print(g)
        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)
        print(fact(20), list(map(lambda v: v + 1, [1, 2])), list(filter(None, [0, 1, 2])))
        def late():
            return [lambda: i for i in range(3)]
        print([h() for h in late()])
    """,
    "classes": """
        class Base:
            kind = "base"
            def __init__(self, v):
                self.v = v
            def describe(self):
                return f"{self.kind}:{self.v}"
            @staticmethod
            def helper(x):
                return x * 2
            @classmethod
            def make(cls, v):
                return cls(v)
        class Child(Base):
            kind = "child"
            def __init__(self, v, w):
                super().__init__(v)
                self.w = w
            def describe(self):
                return super(Child, self).describe() + f"+{self.w}"
        class Callable:
            def __call__(self, x):
                return x + 1
        c = Child(1, 2)
        print(c.describe(), Base.helper(4), Base.make(3).describe(), isinstance(c, Base), Callable()(1))
        print(type(c).__name__, c.v, c.w, hasattr(c, 'w'), getattr(c, 'q', 'none'))
    """,
    "exceptions": """
        def risky(x):
            if x == 0:
                raise ValueError("zero!")
            return 1 / x
        out = []
        for v in (0, 1, 'a'):
            try:
                out.append(risky(v))
            except ValueError as e:
                out.append(f"value: {e}")
            except (TypeError, KeyError) as e:
                out.append(type(e).__name__)
            else:
                out.append("else")
            finally:
                out.append("finally")
        print(out)
        def f():
            try:
                return "try"
            finally:
                print("cleanup")
        print(f())
        def g():
            for i in range(3):
                try:
                    if i == 1:
                        break
                finally:
                    print("fin", i)
            return i
        print(g())
        try:
            try:
                {}['missing']
            except KeyError:
                raise
        except Exception as e:
            print("outer", repr(e))
        class MyError(Exception):
            pass
        try:
            raise MyError("custom")
        except MyError as e:
            print("caught", e, isinstance(e, Exception))
        try:
            assert 1 == 2, "nope"
        except AssertionError as e:
            print("assert", e)
    """,
    "torch_basics": """
        import torch
        w = torch.tensor([1.], requires_grad=True)
        x = torch.tensor([2.], requires_grad=True)
        a = torch.add(w, x)
        b = torch.add(w, 1)
        y = torch.mul(a, b)
        y.backward(retain_graph=True)
        print(w.grad, x.grad, w.is_leaf, a.is_leaf, y.requires_grad)
        print(y, a.grad_fn.name(), [type(n).__name__ for n, _ in y.grad_fn.next_functions])
        with torch.no_grad():
            z = w * 2
        print(z.requires_grad, torch.is_grad_enabled())
        q = torch.ones(2, 2, requires_grad=True)
        o = ((q + 2) * (q + 2) * 3).mean()
        o.backward()
        print(o, q.grad, q.grad.shape, q.grad.sum().item(), float(o), f"{o:.3f}", f"{o.item():.1f}")
        print(torch.arange(6).reshape(2, 3)[:, 1:], torch.zeros(3)[0], torch.tensor([[1, 2], [3, 4]]).T)
    """,
    "torch_nn_training": """
        import torch
        import torch.nn as nn
        from torch import optim
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 1)
            def forward(self, x):
                return torch.sigmoid(self.fc(x))
        net = Net()
        with torch.no_grad():
            net.fc.weight.fill_(0.5)
            net.fc.bias.zero_()
        opt = optim.SGD(net.parameters(), lr=0.1)
        x = torch.tensor([[1., 2.], [-1., 0.5]])
        y = torch.tensor([[1.], [0.]])
        for step in range(3):
            opt.zero_grad()
            loss = nn.BCELoss()(net(x), y)
            loss.backward()
            opt.step()
            print(step, f"{loss.item():.5f}")
        print(net.fc.weight, [p.shape for p in net.parameters()])
    """,
    "custom_function_and_hooks": """
        import torch
        from torch.autograd import Function
        class Exp(Function):
            @staticmethod
            def forward(ctx, i):
                result = i.exp()
                ctx.save_for_backward(result)
                return result
            @staticmethod
            def backward(ctx, grad_output):
                result, = ctx.saved_tensors
                return grad_output * result
        x = torch.tensor([0., 1.], requires_grad=True)
        y = Exp.apply(x)
        y.register_hook(lambda g: g * 2)
        y.sum().backward()
        print(type(y.grad_fn).__name__, x.grad)
        g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
        print(g, torch.autograd.grad(g.sum(), x))
    """,
    "indexing_formatting_and_grad_modes": """
        import torch
        import torch.nn.functional as F
        from torch.autograd import grad, gradcheck
        x = torch.arange(24.).reshape(2, 3, 4)
        print(x[..., 0], x[None].shape, x[:, None].shape, x[0, 1], x[1, :, ::2], x[-1][-1][-1])
        t = torch.tensor(2.5)
        v = torch.tensor([1.5, 2.])
        print("%.2f %s" % (t, v), "{:.3f} {}".format(t, v), f"{t:.1f} {v}", f"{t}", sep=" | ", end=" <\\n")
        print(round(float(t)), int(t), bool(t), str(v), len(v), [float(e) for e in v], list(zip(v, 'ab'))[0][1])
        a = torch.ones(2)
        print(id(a) == id(a), id(a) == id(a.clone()), isinstance(a, torch.Tensor), type(a) is torch.Tensor)
        w = torch.ones(3, requires_grad=True)
        with torch.set_grad_enabled(False):
            print((w * 2).requires_grad)
        with torch.no_grad():
            with torch.enable_grad():
                print((w * 2).requires_grad)
        with torch.autograd.detect_anomaly():
            (w * w).sum().backward()
        print(w.grad, grad((w ** 2).sum(), w)[0], F.relu(torch.tensor([-1., 1.])))
        d = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
        print(gradcheck(lambda z: (z * z).sum(), (d,)))
        for i, (p, q) in enumerate(zip(torch.tensor([1, 2]), [3., 4.])):
            print(i, p, q, p * q)
    """,
}

ERRORS = {
    "name_error": ("print(undefined_name)", "NameError", "name 'undefined_name' is not defined"),
    "unbound_local": ("def f():\n    print(v)\n    v = 1\nf()", "UnboundLocalError",
                      "cannot access local variable 'v' where it is not associated with a value"),
    "too_many_args": ("def f(a):\n    pass\nf(1, 2)", "TypeError", "f() takes 1 positional argument but 2 were given"),
    "missing_args": ("def f(a, b, c):\n    pass\nf()", "TypeError",
                     "f() missing 3 required positional arguments: 'a', 'b', and 'c'"),
    "unexpected_kw": ("def f(a):\n    pass\nf(1, z=2)", "TypeError", "f() got an unexpected keyword argument 'z'"),
    "multiple_values": ("def f(a):\n    pass\nf(1, a=2)", "TypeError", "f() got multiple values for argument 'a'"),
    "method_arity": ("class A:\n    def m(self, x):\n        pass\nA().m()", "TypeError",
                     "A.m() missing 1 required positional argument: 'x'"),
    "zero_division": ("x = 1 / 0", "ZeroDivisionError", "division by zero"),
    "unpack": ("a, b = [1, 2, 3]", "ValueError", "too many values to unpack (expected 2)"),
    "unpack_short": ("a, b, c = [1]", "ValueError", "not enough values to unpack (expected 3, got 1)"),
    "key_error": ("{}['k']", "KeyError", "'k'"),
    "index_error": ("[][3]", "IndexError", "list index out of range"),
    "attribute": ("import torch\ntorch.ones(1).nope", "AttributeError", "'Tensor' object has no attribute 'nope'"),
    "leaf_inplace": ("import torch\nw = torch.ones(1, requires_grad=True)\nw += 1", "RuntimeError",
                     "a leaf Variable that requires grad is being used in an in-place operation."),
    "raise_custom": ("class E(Exception):\n    pass\nraise E('boom')", "E", "boom"),
    "bare_raise_outside": ("raise", "RuntimeError", "No active exception to reraise"),
    "assert_bare": ("assert False", "AssertionError", ""),
}


@pytest.fixture
def torch_is_gradcli(monkeypatch):
    """Make `import torch` in CPython give gradcli (the language's view of torch)."""
    for name, module in {"torch": gradcli, "torch.nn": gradcli.nn, "torch.nn.functional": gradcli.nn.functional,
                         "torch.optim": gradcli.optim, "torch.autograd": gradcli.autograd}.items():
        monkeypatch.setitem(sys.modules, name, module)


def run_python(src):
    out = io.StringIO()
    old = sys.stdout
    sys.stdout = out
    try:
        with warnings.catch_warnings():  # the .grad run prints its warnings; CPython's would go to pytest
            warnings.simplefilter("ignore")
            exec(compile(src, "prog.py", "exec"), {"__name__": "__main__"})
    finally:
        sys.stdout = old
    return out.getvalue()


def run_grad(src):
    out = io.StringIO()
    run_source(src, "prog.grad", stdout=out)
    return out.getvalue()


def mask(text):
    return re.sub(r"0x[0-9a-f]+", "0x…", text)


@pytest.mark.parametrize("name", PROGRAMS)
def test_same_output_as_cpython(name, torch_is_gradcli):
    src = textwrap.dedent(PROGRAMS[name]).strip() + "\n"
    gradcli.manual_seed(0)
    expected = run_python(src)
    gradcli.manual_seed(0)
    assert mask(run_grad(src)) == mask(expected)


@pytest.mark.parametrize("name", ERRORS)
def test_same_error_as_cpython(name, torch_is_gradcli):
    src, kind, message = ERRORS[name]
    with pytest.raises(BaseException) as py:
        run_python(src)
    assert (type(py.value).__name__, str(py.value)) == (kind, message)
    with pytest.raises(GradError) as ours:
        run_grad(src)
    assert (ours.value.kind, ours.value.message) == (kind, message)
    assert ours.value.span is not None and ours.value.filename == "prog.grad"


def test_error_position_and_call_trace():
    src = "def inner(t):\n    return t.nope\n\ndef outer(t):\n    return inner(t) + 1\n\nouter(3)\n"
    with pytest.raises(GradError) as info:
        run_grad(src)
    assert info.value.format() == (
        "prog.grad:2:12: AttributeError: 'int' object has no attribute 'nope'\n"
        "    return t.nope\n"
        "           ^~~~~~\n"
        "  in inner, called from prog.grad:5:12\n"
        "  in outer, called from prog.grad:7:1")


def test_recursion_trace_is_collapsed():
    with pytest.raises(GradError) as info:
        run_source("def f(n):\n    return f(n + 1)\nf(0)\n", "r.grad")
    assert info.value.format().splitlines()[3:] == [
        "  in f, called from r.grad:2:12", "  [the call above repeated 197 more times]", "  in f, called from r.grad:3:1"]


def test_runtime_error_keeps_torch_wording_at_the_statement():
    src = "import torch\nw = torch.tensor([1.], requires_grad=True)\ny = w * 2\ny.backward()\ny.backward()\n"
    with pytest.raises(GradError) as info:
        run_grad(src)
    assert info.value.format().startswith(
        "prog.grad:5:1: RuntimeError: Trying to backward through the graph a second time")


def test_errors_inside_forward_point_into_the_script_through_module_call():
    src = ("import torch\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return x @ x\n"
           "m = M()\nm.register_forward_hook(lambda mod, i, o: None)\nm(torch.ones(2, 3))\n")
    with pytest.raises(GradError) as info:
        run_grad(src)
    e = info.value
    assert e.kind == "RuntimeError" and (e.span.line, e.span.col) == (4, 16)
    assert e.notes == ["  in M.forward, called from prog.grad:7:1"]


def test_warning_is_printed_once_per_line_with_the_script_position():
    src = ("import torch\nw = torch.ones(1, requires_grad=True)\na = w * 2\n"
           "for i in range(3):\n    print(a.grad)\nprint(a.grad)\n")
    out, err = io.StringIO(), io.StringIO()
    run_source(src, "w.grad", stdout=out, stderr=err)
    assert out.getvalue() == "None\n" * 4
    lines = err.getvalue().splitlines()
    assert [ln.split(": ")[0] for ln in lines[::2]] == ["w.grad:5", "w.grad:6"]
    assert lines[0].startswith("w.grad:5: UserWarning: The .grad attribute of a Tensor that is not a leaf")
    assert lines[1] == "  print(a.grad)"


def test_grad_mode_and_default_dtype_are_restored_after_a_failing_script():
    src = "import torch\ntorch.set_default_dtype(torch.float64)\nwith torch.no_grad():\n    raise ValueError('x')\n"
    with pytest.raises(GradError):
        run_grad(src)
    assert gradcli.is_grad_enabled() and gradcli.get_default_dtype() == gradcli.float32


def test_one_liner_returns_the_last_value_with_torch_predefined():
    r = run_source("a = x + w; b = w + 1; y = a * b; y", expr=True,
                   variables={"x": gradcli.tensor(2.), "w": gradcli.tensor(1.)})
    assert r.value.item() == 6.0 and r.globals["b"].item() == 2.0


def test_script_functions_are_callable_from_native_code():
    src = ("import torch\nseen = []\ndef hook(g):\n    seen.append(g.item())\n    return g * 10\n"
           "x = torch.tensor(1., requires_grad=True)\nx.register_hook(hook)\n(x * 3).backward()\n"
           "print(seen, x.grad, sorted([3, 1, 2], key=lambda v: -v))\n")
    assert run_grad(src) == "[3.0] tensor(30.) [3, 2, 1]\n"


def test_modules_are_namespaces(torch_is_gradcli):
    src = ("import torch\nimport torch.nn.functional as F\nfrom torch.autograd import grad, Function\n"
           "from torch import nn, optim\nimport math\nprint(torch, F, nn.Linear.__init__ is not None, math.pi)\n")
    assert run_grad(src) == ("<module 'torch'> <module 'torch.nn.functional'> True 3.141592653589793\n")


@pytest.mark.parametrize("src, message", [
    ("import numpy as np", "module 'numpy' is not available in .grad scripts"),
    ("import os", "module 'os' is not available"),
    ("from torch import nothing_here", "cannot import name 'nothing_here' from 'torch'"),
])
def test_imports_outside_the_torch_api_are_clear_errors(src, message):
    with pytest.raises(GradError) as info:
        run_grad(src)
    assert message in info.value.message and info.value.span.line == 1
