"""nn.LazyLinear: uninitialized parameters until the first forward, which sizes and initializes them
(same random stream as torch) and turns the module into a Linear; checked against torch's prints."""
import re

import pytest

import gradcli as gc

ADDR = re.compile(r"0x[0-9a-f]+")


def _snippet(m, p):
    m.manual_seed(0)
    lin = m.nn.LazyLinear(3)
    p(lin, type(lin).__name__, lin.weight, lin.bias, lin.in_features, lin.has_uninitialized_params())
    p([n for n, _ in lin.named_parameters()])
    opt = m.optim.SGD(lin.parameters(), lr=0.1)  # built before the parameters have a shape
    y = lin(m.randn(2, 4))
    p(lin, type(lin).__name__, y)
    p(lin.weight.shape, lin.weight.requires_grad, lin.in_features, lin.weight, lin.bias)
    y.sum().backward()
    opt.step()
    p(lin.weight)
    p(m.nn.LazyLinear(2, bias=False), m.nn.LazyLinear(2, bias=False).bias)
    net = m.nn.Sequential(m.nn.LazyLinear(4), m.nn.ReLU(), m.nn.LazyLinear(1))
    p(net)
    p(net(m.ones(2, 5)))
    p(net)
    try:
        m.nn.LazyLinear(3).weight.shape
    except RuntimeError as e:
        p("RuntimeError", e)


def _out(m):
    lines = []
    _snippet(m, lambda *a: lines.append(" ".join(str(x) for x in a)))
    return ADDR.sub("0x…", "\n".join(lines))


def test_lazy_linear_matches_torch():
    torch = pytest.importorskip("torch")
    assert _out(gc) == _out(torch)


def test_lazy_linear_literal():
    gc.manual_seed(0)
    lin = gc.nn.LazyLinear(3)
    assert str(lin) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert repr(lin.weight) == "<UninitializedParameter>"
    w = lin.weight
    lin(gc.ones(1, 2))
    assert lin.weight is w and type(w) is gc.nn.Parameter and tuple(w.shape) == (3, 2)
    assert str(lin) == "Linear(in_features=2, out_features=3, bias=True)" and isinstance(lin, gc.nn.Linear)


def test_data_parallel_without_gpus_runs_the_module():
    torch = pytest.importorskip("torch")
    for m in (gc, torch):
        lin = m.nn.Linear(2, 3)
        p = m.nn.DataParallel(lin)
        assert str(p) == "DataParallel(\n  (module): Linear(in_features=2, out_features=3, bias=True)\n)"
        assert p.module is lin and p.device_ids == [] and list(p.state_dict()) == ["module.weight", "module.bias"]
        assert type(p(m.ones(1, 2)).grad_fn).__name__ == "AddmmBackward0"
