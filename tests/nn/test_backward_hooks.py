"""Module.register_full_backward_hook against torch: the hook sees (module, grad_input, grad_output) once the
inputs' gradients are known, may replace grad_input, fires at the outputs when no input needs a gradient,
and the graph gains torch's BackwardHookFunctionBackward nodes."""
import re
import warnings

import pytest

import gradcli as gc

ADDR = re.compile(r"0x[0-9a-f]+")


def _r(g):
    return None if g is None else [round(v, 4) for v in g.reshape(-1).tolist()]


def _snippet(m, p):
    m.manual_seed(0)
    lin = m.nn.Linear(2, 3)
    log = []
    h = lin.register_full_backward_hook(lambda mod, gin, gout: log.append(
        (type(mod).__name__, [_r(g) for g in gin], [_r(g) for g in gout])))
    x = m.ones(2, 2, requires_grad=True)
    y = lin(x)
    p(y, [type(f).__name__ for f, _ in y.grad_fn.next_functions], type(y.grad_fn).__name__)
    (y * m.arange(6.).reshape(2, 3)).sum().backward()
    p(log, x.grad)
    log.clear()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lin(m.ones(1, 2)).sum().backward()
    p(log, [str(x.message)[:40] for x in w])
    h2 = lin.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0,))
    x = m.ones(2, 2, requires_grad=True)
    lin(x).sum().backward()
    p(x.grad)
    h.remove()
    h2.remove()
    x = m.ones(2, 2, requires_grad=True)
    y = lin(x)
    p(type(y.grad_fn).__name__)
    net = m.nn.Sequential(m.nn.Linear(2, 2), m.nn.Tanh())
    net.register_full_backward_hook(lambda mod, gi, go: p("seq", [tuple(g.shape) for g in go]))
    net[0].register_full_backward_hook(lambda mod, gi, go: p("first", gi[0] is None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net(m.ones(1, 2)).sum().backward()


def _out(m):
    lines = []
    _snippet(m, lambda *a: lines.append(" ".join(str(v) for v in a)))
    return ADDR.sub("0x…", "\n".join(lines))


def test_full_backward_hooks_match_torch():
    torch = pytest.importorskip("torch")
    assert _out(gc) == _out(torch)


def test_node_name_literal():
    lin = gc.nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda *a: None)
    y = lin(gc.ones(1, 2, requires_grad=True))
    assert ADDR.sub("0x…", repr(y.grad_fn)) == "<torch.autograd.function.BackwardHookFunctionBackward object at 0x…>"
