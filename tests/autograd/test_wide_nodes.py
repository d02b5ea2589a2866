"""Nodes with very many inputs: every edge gets its gradient (a node once dropped the edges past 64)."""
import numpy as np
import pytest

import gradcli as gc

from .helpers import libs

N = 1000


def _leaves(m, shape=()):
    rng = np.random.default_rng(0)
    return [m.tensor(rng.uniform(-1, 1, shape), requires_grad=True) for _ in range(N)]


def _weights(shape):
    return np.random.default_rng(1).uniform(-1, 1, (N,) + shape)


def _check(leaves, expected):
    for i, x in enumerate(leaves):
        assert x.grad is not None, f"leaf {i} got no gradient"
        np.testing.assert_allclose(x.grad.numpy(), expected[i], rtol=1e-12, err_msg=f"leaf {i}")


@pytest.mark.parametrize("m", libs())
def test_stack_of_1000_leaves(m):
    xs = _leaves(m, (2,))
    w = _weights((2,))
    out = m.stack(xs)
    assert len(out.grad_fn.next_functions) == N
    (out * m.tensor(w)).sum().backward()
    _check(xs, w)


@pytest.mark.parametrize("m", libs())
def test_stack_along_last_dim(m):
    xs = _leaves(m, (3,))
    w = _weights((3,))
    (m.stack(xs, -1) * m.tensor(w.T)).sum().backward()
    _check(xs, w)


@pytest.mark.parametrize("m", libs())
def test_cat_of_1000_leaves(m):
    xs = _leaves(m, (2,))
    w = _weights((2,))
    (m.cat(xs) * m.tensor(w.reshape(-1))).sum().backward()
    _check(xs, w)


@pytest.mark.parametrize("m", libs())
def test_cat_of_scalars_made_1d(m):
    xs = _leaves(m)
    (m.cat([x.reshape(1) for x in xs]) ** 2).sum().backward()
    _check(xs, [2 * x.detach().numpy() for x in xs])


@pytest.mark.parametrize("m", libs())
def test_builtin_sum_of_a_list(m):
    xs = _leaves(m)
    sum(x * x for x in xs).backward()
    _check(xs, [2 * x.detach().numpy() for x in xs])


@pytest.mark.parametrize("m", libs())
def test_wide_node_with_create_graph(m):
    xs = _leaves(m)
    y = (m.stack(xs) ** 3).sum()
    gs = m.autograd.grad(y, xs, create_graph=True)
    assert all(g.grad_fn is not None for g in gs)
    m.stack(list(gs)).sum().backward()
    _check(xs, [6 * x.detach().numpy() for x in xs])


@pytest.mark.parametrize("m", libs())
def test_autograd_grad_of_wide_node(m):
    xs = _leaves(m, (2,))
    w = _weights((2,))
    gs = m.autograd.grad((m.stack(xs, 1) * m.tensor(w.transpose(1, 0))).sum(), xs)
    for i, g in enumerate(gs):
        np.testing.assert_allclose(g.numpy(), w[i], rtol=1e-12)


@pytest.mark.parametrize("m", libs())
def test_custom_function_with_1000_inputs(m):
    class Total(m.autograd.Function):
        @staticmethod
        def forward(ctx, *xs):
            return sum(x * (i + 1) for i, x in enumerate(xs))

        @staticmethod
        def backward(ctx, g):
            return tuple(g * (i + 1) for i in range(N))

    xs = _leaves(m)
    Total.apply(*xs).backward()
    _check(xs, [float(i + 1) for i in range(N)])


def test_some_edges_without_grad():
    # the None edges interleave with real ones past the old 64-edge limit
    xs = [gc.tensor(float(i), requires_grad=i % 3 != 0) for i in range(N)]
    (gc.stack(xs) * 2).sum().backward()
    for i, x in enumerate(xs):
        assert (x.grad is None) == (i % 3 == 0)
        if x.grad is not None:
            assert x.grad.item() == 2.0
