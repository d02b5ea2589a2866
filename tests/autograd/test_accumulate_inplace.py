"""Gradients meeting at a shared input are added in place into the first one's buffer when nothing else can
see it (issue 13). Anything that kept a reference -- a node hook, a tensor hook, an observer, the same tensor
sent down two edges -- must keep its own values."""
import numpy as np
import pytest

import gradcli as gc
from gradcli.autograd.observer import BackwardStep, observe

N = 4096  # above the in-place threshold


def _graph():
    x = gc.tensor(np.linspace(-1, 1, N, dtype=np.float32), requires_grad=True)
    a = x * 1.5
    return x, a, (a.sin() + a.cos()).sum()


def test_the_values_are_the_sum(monkeypatch):
    from gradcli.autograd import engine
    in_place = []

    def add(a, b, out):
        in_place.append(a.size)
        return np.add(a, b, out=out)
    monkeypatch.setattr(engine, "_add", add)
    x, a, loss = _graph()
    loss.backward()
    assert in_place == [N]  # the two paths into `a` met in place
    xs = np.linspace(-1, 1, N, dtype=np.float32) * np.float32(1.5)
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (np.cos(xs) - np.sin(xs)), rtol=1e-6, atol=1e-6)


def test_a_node_hook_keeps_what_it_saw():
    x, a, loss = _graph()
    kept = []
    loss.grad_fn.next_functions[0][0].next_functions[0][0].register_hook(
        lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))  # SinBackward0's gradient for a
    loss.backward()
    xs = np.linspace(-1, 1, N, dtype=np.float32) * np.float32(1.5)
    np.testing.assert_allclose(kept[0].numpy(), np.cos(xs), rtol=1e-6, atol=1e-6)


def test_an_observer_keeps_what_it_saw():
    x, a, loss = _graph()
    steps = []
    with observe(lambda e: steps.append(e) if isinstance(e, BackwardStep) else None):
        loss.backward()
    sin_step = next(s for s in steps if s.node.name() == "SinBackward0")
    xs = np.linspace(-1, 1, N, dtype=np.float32) * np.float32(1.5)
    np.testing.assert_allclose(sin_step.received[0].numpy(), np.cos(xs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("copies", [2, 3, 5])
def test_the_same_gradient_down_several_edges(copies):
    x = gc.tensor(np.ones(N, dtype=np.float32), requires_grad=True)
    y = x * 1.0
    total = y
    for _ in range(copies - 1):
        total = total + y  # AddBackward0 sends the very same gradient tensor to both inputs
    total.sum().backward()
    assert np.all(x.grad.numpy() == copies)


def _grad_of_a_shared_graph(lib):
    x = lib.tensor(np.linspace(-2, 2, N, dtype=np.float32), requires_grad=True)
    h = x.tanh()
    (h * h + h.exp() + x.sigmoid() * x).sum().backward()
    return x.grad.numpy().copy()


def test_bit_identical_to_adding_out_of_place(monkeypatch):
    from gradcli.autograd import engine
    in_place = _grad_of_a_shared_graph(gc)
    monkeypatch.setattr(engine, "_INPLACE_MIN", 1 << 62)
    assert np.array_equal(in_place, _grad_of_a_shared_graph(gc))


def test_against_torch():
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(_grad_of_a_shared_graph(gc), _grad_of_a_shared_graph(torch), rtol=1e-6, atol=1e-6)
