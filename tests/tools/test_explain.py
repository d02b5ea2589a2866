"""explain: the steps backward takes, their numbers (checked against torch), and each leaf's sum over paths."""
import numpy as np
import pytest

from gradcli.lang.errors import GradLimitError, GradValueError
from gradcli.tools.explain import explain


def _step(ex, name):
    return next(s for s in ex.steps if s.name == name)


def test_the_seed_example():
    ex = explain("y=(x+w)*(w+1)", {"x": "2", "w": "1"})
    assert [s.name for s in ex.steps] == ["y", "b", "a"]  # backward order: the engine's
    y = _step(ex, "y")
    assert (y.op, y.forward, y.forward_full) == ("MulBackward0", "a*b", "(x + w)*(w + 1)")
    assert [(e.to, e.local, e.local_full, e.sent.item()) for e in y.edges] == [
        ("a", "b", "w + 1", 2.0), ("b", "a", "x + w", 3.0)]
    w = ex.sums[1]
    assert w.leaf == "w" and w.total.item() == 5.0 and w.formula == "(w + 1) + (x + w)"
    assert [(t.via, t.incoming_full, t.local_full, t.value.item()) for t in w.terms] == [
        ("a", "w + 1", "1", 2.0), ("b", "x + w", "1", 3.0)]


def test_the_one_liners_own_names_are_kept():
    ex = explain("h=x*w; y=sin(h)", {"x": "0.5", "w": "2"})
    assert [s.name for s in ex.steps] == ["y", "h"]
    assert _step(ex, "y").edges[0].local == "cos(h)"


def test_a_leaf_used_twice_by_one_node():
    ex = explain("y=w*w", {"w": "3"})
    (s,) = ex.sums
    assert [(t.via, t.input) for t in s.terms] == [("y", "self"), ("y", "other")]
    assert s.total.item() == 6.0


def test_broadcast_is_summed_where_the_engine_does_it():
    ex = explain("y=sum(x*w)", {"x": "[1.,2.,3.]", "w": "2"})
    edge = next(e for e in _step(ex, "a").edges if e.to == "w")
    assert edge.reduced_dims == [0] and list(edge.sent.shape) == [3] and edge.received.item() == 6.0


def test_wrt_picks_the_sums():
    ex = explain("y=x*w", {"x": "2", "w": "3"}, ["w"])
    assert [s.leaf for s in ex.sums] == ["w"]


def test_constant_output_has_no_steps():
    ex = explain("y=x*0 + 2", {"x": "1"})
    assert ex.sums[0].total.item() == 0.0


def test_limits_and_shapes():
    with pytest.raises(GradLimitError, match="at most 3"):
        explain("y=x*x*x*x*x", {"x": "1"}, max_steps=3)
    with pytest.raises(GradValueError, match="one number"):
        explain("y=x*w", {"x": "[1.,2.]", "w": "1"})


# ---- torch parity -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt", "reciprocal"])
def test_local_derivatives_match_torch(fn):
    torch = pytest.importorskip("torch")
    ex = explain(f"y={fn}(x)", {"x": "0.7"})
    (edge,) = ex.steps[0].edges
    x = torch.tensor(0.7, requires_grad=True)
    (want,) = torch.autograd.grad(getattr(torch, fn)(x), x)
    assert np.allclose(edge.local_value.item(), want.item(), rtol=1e-6)


def test_incoming_gradients_match_torch():
    torch = pytest.importorskip("torch")
    ex = explain("a=x*w; b=tanh(a); c=b*x + a**2; y=sigmoid(c)/w", {"x": "0.8", "w": "1.3"})
    x = torch.tensor(0.8, requires_grad=True)
    w = torch.tensor(1.3, requires_grad=True)
    a = x * w
    b = torch.tanh(a)
    c = b * x + a ** 2
    y = torch.sigmoid(c) / w
    for t in (a, b, c):
        t.retain_grad()
    y.backward()
    for name, t in (("a", a), ("b", b), ("c", c)):
        assert np.allclose(_step(ex, name).incoming.item(), t.grad.item(), rtol=1e-5), name
    for s, leaf in zip(ex.sums, (x, w)):
        assert np.allclose(s.total.item(), leaf.grad.item(), rtol=1e-5)
        assert np.allclose(sum(t.value.item() for t in s.terms), leaf.grad.item(), rtol=1e-5)
