"""sort / argsort / topk / gather / scatter / scatter_add / index_select / index_add against torch:
named-tuple reprs, tie and NaN order, in-place forms, errors (the op table checks gradients and graphs)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradcli as gc

from .helpers import exact, libs, mask, output_of


def _sorting(m, p):
    x = m.tensor([[3., 1., 2.], [0., 5., 4.]], requires_grad=True)
    p(x.sort())
    p(m.sort(x, dim=0, descending=True))
    p(x.sort(stable=True, dim=-1)[1])
    p(m.argsort(x, dim=1, descending=True), x.argsort())
    p(x.topk(2))
    p(m.topk(x, 2, dim=0, largest=False))
    r = x.sort()
    v, i = r
    p(len(r), r[0] is r.values, v is r.values, i is r.indices, type(r).__name__, type(x.topk(1)).__name__)
    p(m.sort(m.tensor([2, 1, 3])))
    p(m.sort(m.tensor(3.)))
    p(m.tensor([1., 2., 2., 1.]).sort(stable=True))
    p(m.tensor([1., 2., 2., 1.]).sort(descending=True, stable=True))
    p(m.tensor([1., float("nan"), 2., 1.]).sort())
    p(m.tensor([1., float("nan"), 2., 1.]).sort(descending=True))
    p(m.tensor([1., float("nan"), 2., 1.]).topk(2))
    y = m.tensor([3., 1., 2.], requires_grad=True)
    p(y.sort(descending=True, stable=True), m.sort(y, 0, True))
    p(y.argsort(descending=True), m.argsort(y, dim=0, stable=True))


def _indexing(m, p):
    x = m.tensor([[3., 1., 2.], [0., 5., 4.]], requires_grad=True)
    p(m.zeros(3, 2).index_add(0, m.tensor([0, 2, 0]), m.ones(3, 2)))
    z = m.zeros(3, 2, requires_grad=True)
    p(z.index_add(0, m.tensor([0, 2, 0]), x.t(), alpha=2))
    p(m.index_add(z, 0, m.tensor([0, 2, 0]), x.t()))
    p(m.zeros(3, 3).scatter(0, m.tensor([[0, 1, 2], [2, 0, 1]]), x))
    p(m.zeros(3, 3).scatter(0, m.tensor([[0, 1, 2], [2, 0, 1]]), 5.0))
    p(m.zeros(3, 3).scatter_add(0, m.tensor([[0, 1, 2], [0, 0, 1]]), x))
    p(m.gather(x, 1, m.tensor([[0, 0], [1, 0]])), x.gather(0, m.tensor([[0, 1, 1]])))
    p(x.index_select(1, m.tensor([2, 0])), m.index_select(x, 0, m.tensor([1])))
    t = m.zeros(2, 3)
    p(t.scatter_(1, m.tensor([[2], [0]]), 7.0), t._version)
    p(t.scatter_add_(1, m.tensor([[2], [0]]), m.ones(2, 1)), t._version)
    p(t.index_add_(0, m.tensor([1]), m.ones(1, 3)), t._version)
    w = x * 1
    w.scatter_(1, m.tensor([[0], [1]]), m.tensor([[10.], [20.]]))
    p(w)
    w.sum().backward()
    p(x.grad)


@pytest.mark.parametrize("snippet", [_sorting, _indexing])
def test_prints_like_torch(snippet):
    torch = pytest.importorskip("torch")
    assert output_of(snippet, gc) == output_of(snippet, torch)


def test_named_tuple_repr_literal():
    r = gc.tensor([[3., 1.]], requires_grad=True).sort()
    assert mask(r) == ("torch.return_types.sort(\nvalues=tensor([[1., 3.]], grad_fn=<SortBackward0>),\n"
                       "indices=tensor([[1, 0]]))")
    assert type(r).__module__ == "torch.return_types"


@pytest.mark.parametrize("m", libs())
def test_scatter_src_bigger_than_index_fails_in_backward_like_torch(m):
    x = m.zeros(2, 3, requires_grad=True)
    s = m.ones(2, 2, requires_grad=True)
    y = x.scatter(1, m.tensor([[1], [0]]), s)
    assert y.tolist() == [[0., 1., 0.], [1., 0., 0.]]
    with pytest.raises(RuntimeError, match=exact(
            "Function ScatterBackward0 returned an invalid gradient at index 1 - got [2, 1] but expected shape "
            "compatible with [2, 2]")):
        y.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_errors(m):
    x = m.ones(2, 3)
    with pytest.raises(RuntimeError, match=exact("index 3 is out of bounds for dimension 1 with size 3")):
        x.gather(1, m.tensor([[3]]))
    with pytest.raises(RuntimeError, match=exact("selected index k out of range")):
        x.topk(4)
    with pytest.raises(IndexError, match=exact("index out of range in self")):
        x.index_select(0, m.tensor([2]))
    with pytest.raises(IndexError, match=exact("index out of range in self")):
        m.zeros(3).index_add(0, m.tensor([5]), m.ones(1))
    with pytest.raises(RuntimeError, match=exact("scatter(): Expected self.dtype to be equal to src.dtype")):
        m.zeros(3).scatter_add(0, m.tensor([0]), m.ones(1, dtype=m.float64))
    with pytest.raises(RuntimeError, match=exact("scatter(): Expected self.dtype to be equal to src.dtype")):
        m.zeros(3).scatter(0, m.tensor([0]), m.ones(1, dtype=m.float64))
    with pytest.raises(RuntimeError, match=exact(
            "index_add_(): self (Float) and source (Double) must have the same scalar type")):
        m.zeros(3).index_add(0, m.tensor([0]), m.ones(1, dtype=m.float64))
    with pytest.raises(RuntimeError, match=exact(
            "index_add_(): Number of indices (2) should be equal to source.size(dim): (1), for dim: 0")):
        m.zeros(3).index_add(0, m.tensor([0, 1]), m.ones(1))
    with pytest.raises(RuntimeError, match=exact("gather(): Expected dtype int32/int64 for index")):
        m.zeros(3).gather(0, m.tensor([0.]))
    with pytest.raises(RuntimeError, match=exact("index_select(): Expected dtype int32 or int64 for index")):
        m.zeros(3).index_select(0, m.tensor([0.]))
    with pytest.raises(RuntimeError, match=exact("Index tensor must have the same number of dimensions as input "
                                                 "tensor")):
        m.zeros(3).gather(0, m.tensor([[0]]))


@pytest.mark.parametrize("m", libs())
def test_inplace_on_leaf_refused(m):
    x = m.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(
            "a leaf Variable that requires grad is being used in an in-place operation.")):
        x.index_add_(0, m.tensor([0]), m.ones(1))


_vals = st.sampled_from([-1.5, 0.0, 0.5, 0.5, 2.0, 3.25])  # repeated values make ties


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_sort_topk_gather_random_against_torch(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    a = data.draw(hnp.arrays(np.float64, shape, elements=_vals))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    desc = data.draw(st.booleans())
    x, t = gc.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    mine = x.sort(dim=dim, descending=desc, stable=True)
    ref = t.sort(dim=dim, descending=desc, stable=True)
    np.testing.assert_array_equal(mine.indices.numpy(), ref.indices.numpy())
    np.testing.assert_array_equal(mine.values.detach().numpy(), ref.values.detach().numpy())
    k = data.draw(st.integers(0, shape[dim]))
    mk, rk = x.topk(k, dim, largest=desc), t.topk(k, dim, largest=desc)
    np.testing.assert_array_equal(mk.values.detach().numpy(), rk.values.detach().numpy())
    go = np.random.default_rng(0).standard_normal(a.shape)
    (mine.values * gc.tensor(go)).sum().backward()
    (ref.values * torch.tensor(go)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    idx = np.random.default_rng(1).integers(0, shape[dim], shape)
    np.testing.assert_array_equal(x.gather(dim, gc.tensor(idx)).detach().numpy(),
                                  t.gather(dim, torch.tensor(idx)).detach().numpy())
    src = np.random.default_rng(2).standard_normal(shape)
    np.testing.assert_allclose(gc.zeros(*shape, dtype=gc.float64).scatter_add(dim, gc.tensor(idx), gc.tensor(src)).numpy(),
                               torch.zeros(*shape, dtype=torch.float64).scatter_add(
                                   dim, torch.tensor(idx), torch.tensor(src)).numpy(), rtol=1e-12)
