"""sigmoid, tanh and relu backward overwrite the incoming gradient buffer when nothing else can see it
(issue 13: W5's peak memory and passes). The values must be the Tensor-op VJP's, bit for bit, and any
gradient somebody kept -- a hook, a node hook, an observer, autograd.grad's capture -- must keep its values."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcli as gc
from gradcli.autograd import dispatch
from gradcli.autograd.observer import BackwardStep, observe

OPS = ("sigmoid", "tanh", "relu")


def _grad(f, a, inplace=True):
    saved = dispatch.T[f].inplace
    if not inplace:
        dispatch.T[f].inplace = None
    try:
        x = gc.tensor(a, requires_grad=True)
        (getattr(x * 1.5, f)() * x).sum().backward()
        return x.grad.numpy().copy()
    finally:
        dispatch.T[f].inplace = saved


@pytest.fixture
def spy(monkeypatch):
    calls = []
    for f in OPS:
        real = dispatch.T[f].inplace
        monkeypatch.setattr(dispatch.T[f], "inplace", lambda g, y, real=real: (calls.append(g.size), real(g, y)))
    return calls


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(OPS), st.sampled_from([np.float32, np.float64]),
       st.integers(4096, 300_000), st.integers(0, 2**31))
def test_same_bits_as_the_tensor_op_vjp(f, dtype, n, seed):
    a = (np.random.default_rng(seed).standard_normal(n) * 4).astype(dtype)
    a[:4] = [0.0, -0.0, np.inf, np.nan]
    assert _grad(f, a).tobytes() == _grad(f, a, inplace=False).tobytes()


def test_used_on_the_engines_own_buffer(spy):
    a = np.linspace(-3, 3, 10_000, dtype=np.float32)
    for f in OPS:
        _grad(f, a)
    assert spy == [10_000] * 3


@pytest.mark.parametrize("f", OPS)
def test_a_tensor_hook_keeps_what_it_saw(f, spy):
    x = gc.tensor(np.linspace(-3, 3, 10_000, dtype=np.float32), requires_grad=True)
    h = x * 1.5
    y = getattr(h, f)()
    kept = []
    y.register_hook(lambda g: kept.append(g))
    (y * x).sum().backward()
    np.testing.assert_array_equal(kept[0].numpy(), x.detach().numpy())  # d(sum(y*x))/dy = x, untouched
    assert spy == []


def test_autograd_grad_capture_and_observers_keep_their_values(spy):
    x = gc.tensor(np.linspace(-3, 3, 10_000, dtype=np.float32), requires_grad=True)
    y = (x * 2).sigmoid()
    z = y * x
    gy, gx = gc.autograd.grad(z.sum(), (y, x))  # y's gradient is captured: the sigmoid node must not reuse it
    np.testing.assert_array_equal(gy.numpy(), x.detach().numpy())
    assert spy == []
    seen = []
    with observe(lambda e: seen.append(e) if isinstance(e, BackwardStep) else None):
        (((x * 2).tanh()) * x).sum().backward()
    assert spy == []  # an observer records every step's gradients: nothing is overwritten under one
    tanh_step = [e for e in seen if e.node.name() == "TanhBackward0"][0]
    np.testing.assert_array_equal(tanh_step.grads[0].numpy(), x.detach().numpy())


def test_small_tensors_and_graphs_keep_the_plain_path(spy):
    x = gc.tensor(np.linspace(-1, 1, 100, dtype=np.float32), requires_grad=True)
    (x.sigmoid() * x).sum().backward()
    g = gc.autograd.grad((x.sigmoid() * x).sum(), x, create_graph=True)[0]  # a graph is built: never in place
    assert g.grad_fn is not None
    assert spy == []
