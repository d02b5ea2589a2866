"""The short cuts on autograd.grad's path (issue 13, W4) behave as torch: an int index selects a row, the
implicit gradient of a scalar output has its dtype and shape, results are plain tensors."""
import numpy as np
import pytest

import gradcli as gc

torch = pytest.importorskip("torch")


def _both(fn):
    ours, theirs = fn(gc), fn(torch)
    return ours, theirs


@pytest.mark.parametrize("index", [0, 3, -1, -5])
def test_int_index_selects_like_torch(index):
    def f(lib):
        x = lib.tensor(np.arange(15.0).reshape(5, 3), requires_grad=True)
        row = x[index]
        row.sum().backward()
        return row.detach().numpy(), type(row.grad_fn).__name__, x.grad.numpy()
    (r, n, g), (tr, tn, tg) = _both(f)
    assert np.array_equal(r, tr) and n == tn == "SelectBackward0" and np.array_equal(g, tg)


def test_int_index_errors_match_torch():
    for lib in (gc, torch):
        with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 5"):
            lib.zeros(5, 2)[5]


ZERO_DIM_KEYS = [0, (0,), slice(0, 1), slice(None), (0, 0), None, Ellipsis, True, False, [0], [0, 1], -1, 1,
                 np.int64(0), np.array([0]), (slice(None), 0), (None, 0)]


@pytest.mark.parametrize("key", ZERO_DIM_KEYS, ids=repr)
def test_indexing_a_0_dim_tensor_says_what_torch_says(key):
    """`loss[0]` on a scalar loss is a beginner's slip: the message (torch's) points at .item()."""
    def f(lib):
        try:
            return "ok", tuple(lib.tensor(1.0)[key].shape)
        except IndexError as e:
            return "IndexError", str(e)
    ours, theirs = _both(f)
    assert ours == theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_implicit_root_gradient_of_a_one_element_output(dtype, shape):
    def f(lib):
        x = lib.tensor(np.full(shape, 1.5, dtype=dtype), requires_grad=True)
        y = x * x * 3
        (g,) = lib.autograd.grad(y, x)
        return g.numpy(), str(g.dtype).split(".")[-1], g.requires_grad, g.grad_fn
    (g, d, rg, fn), (tg, td, trg, tfn) = _both(f)
    assert np.array_equal(g, tg) and g.shape == shape and d == td == dtype
    assert rg is trg is False and fn is tfn is None


def test_results_without_create_graph_are_plain_even_if_a_hook_returns_a_graph_tensor():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * w)  # under no_grad in backward: the hook's result has no graph
        (g,) = lib.autograd.grad(y.sum(), x)
        return g.detach().numpy(), g.requires_grad, g.grad_fn
    (g, rg, fn), (tg, trg, tfn) = _both(f)
    assert np.array_equal(g, tg) and rg is trg is False and fn is tfn is None


def test_a_big_scalar_hessian_row_loop_matches_torch():
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((30, 30)) / 5).astype(np.float32)
    x0 = rng.standard_normal(30).astype(np.float32)

    def f(lib):
        A, x = lib.tensor(a), lib.tensor(x0, requires_grad=True)
        g = lib.autograd.grad((lib.tanh(A @ x) ** 2).sum(), x, create_graph=True)[0]
        return np.stack([lib.autograd.grad(g[i], x, retain_graph=True)[0].numpy() for i in range(30)])
    h, th = _both(f)
    np.testing.assert_allclose(h, th, rtol=1e-5, atol=1e-6)


BAD_KEYS = [1.5, np.float64(1), np.True_, "a", {1}, (1, 0.5), (None, 1.0), (0, np.True_)]
GOOD_KEYS = [np.int32(1), np.uint8(1), -1, (1, Ellipsis), (slice(None), 1)]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # torch's, for the str key
@pytest.mark.parametrize("key", BAD_KEYS + GOOD_KEYS, ids=repr)
def test_index_key_types_are_checked_like_torch(key):
    """`x[i / 2]` is refused with torch's message, not truncated to an int."""
    def f(lib):
        try:
            return "ok", tuple(lib.tensor([[1.0, 2.0], [3.0, 4.0]])[key].shape)
        except (IndexError, TypeError) as e:
            return type(e).__name__, str(e)
    ours, theirs = _both(f)
    assert ours == theirs


def _tree(fn):
    names, stack = [], [fn]
    while stack:
        n = stack.pop()
        if n is not None:
            names.append(n.name())
            stack.extend(m for m, _ in n.next_functions)
    return names


@pytest.mark.parametrize("exponent", [2, 2.0, 3, 1])
@pytest.mark.parametrize("create_graph", [False, True])
def test_pow_backward_is_torchs_to_the_bit_with_or_without_a_graph(exponent, create_graph):
    # without a graph, x ** 2's backward skips computing x ** 1 (it is x); with one, torch records it
    x0 = np.random.default_rng(3).uniform(0.1, 3.0, 50).astype(np.float32)

    def f(lib):
        x = lib.tensor(x0, requires_grad=True)
        g = lib.autograd.grad((x ** exponent).sum(), x, create_graph=create_graph)[0]
        return g.detach().numpy(), _tree(g.grad_fn) if create_graph else []
    (g, tree), (tg, ttree) = _both(f)
    assert np.array_equal(g, tg) and tree == ttree
