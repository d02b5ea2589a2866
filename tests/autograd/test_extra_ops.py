"""Rounding, tan/log2/log10/expm1, masked_fill, repeat, flip, tril/triu, view_as/type_as, x.where, and the
boolean reductions and tests, printed (values, graphs, gradients) exactly as torch prints them."""
import pytest

import gradcli as gc

from .helpers import exact, libs, output_of


def _snippet(m, p):
    m.manual_seed(0)
    x = m.randn(2, 3, requires_grad=True)
    mask = m.tensor([[True, False, True], [False, False, True]])
    outs = [x.floor(), x.ceil(), x.round(), x.trunc(), x.tan(), x.abs().log2(), x.abs().log10(), x.expm1(),
            x.masked_fill(mask, 0.5), x.repeat(2, 1, 2), x.flip(0), m.flip(x, (0, 1)), x.tril(), x.triu(1),
            x.view_as(m.ones(3, 2)), x.type_as(m.ones(1, dtype=m.float64)), x.round(decimals=2),
            x.masked_fill(mask, m.tensor(2.)), x.where(mask, 0.)]
    for y in outs:
        p(y, y.grad_fn.next_functions)
    s = sum((y.double() * m.arange(y.numel()).reshape(y.shape)).sum() for y in outs)
    s.backward()
    p(x.grad)
    p(x.all(), x.any(), (x > 0).all(), m.all(x > 0, dim=1), x.nonzero(), m.nonzero(x > 0, as_tuple=True))
    p(m.count_nonzero(x), m.count_nonzero(x > 0, dim=0), m.isclose(x, x + 1e-9), m.logical_and(x > 0, x < 1),
      m.logical_xor(x > 0, mask))
    p(m.round(m.tensor([0.5, 1.5, 2.5, -0.5])), m.tensor([[1, 2], [3, 4]]).repeat(2, 3), m.tensor([1, 2]).floor(),
      m.tensor([1234.5678]).round(decimals=-2), m.tensor([1.23456]).round(decimals=3))


def test_matches_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_snippet, gc) == output_of(_snippet, torch)


@pytest.mark.parametrize("m", libs())
def test_errors(m):
    with pytest.raises(RuntimeError, match=exact("Number of dimensions of repeat dims can not be smaller than number "
                                                 "of dimensions of tensor")):
        m.ones(2, 3).repeat(2)
    with pytest.raises(RuntimeError, match=exact("masked_fill_ only supports boolean masks, but got mask with dtype "
                                                 "long int")):
        m.ones(2).masked_fill(m.tensor([1, 0]), 0.)
    x = m.ones(3)
    x.masked_fill_(m.tensor([True, False, True]), 5.)
    assert x.tolist() == [5., 1., 5.] and x._version == 1


def _stacks(m, p):
    a = m.arange(3.).requires_grad_()
    s = m.tensor(2., requires_grad=True)
    x = m.arange(6.).reshape(2, 3).requires_grad_()

    def chain(t):
        out, f = [], t.grad_fn
        while f is not None and type(f).__name__ != "AccumulateGrad":
            out.append(type(f).__name__)
            f = f.next_functions[0][0]
        return out

    for fn in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for t in (s, a, x):
            y = getattr(m, fn)(t)
            p(fn, t.dim(), tuple(y.shape), chain(y), y is t)
        p(getattr(m, fn)(s, a)[1].shape)
    for fn in ("hstack", "vstack", "dstack", "column_stack", "row_stack"):
        for ts in ([a, a], [x, x], [s, s]):
            try:
                y = getattr(m, fn)(ts)
                p(fn, y, [type(f).__name__ if f else None for f, _ in y.grad_fn.next_functions])
            except RuntimeError as e:
                p(fn, "RuntimeError", e)


def test_stacks_match_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_stacks, gc) == output_of(_stacks, torch)


def _trig_and_inplace_views(m, p):
    m.manual_seed(0)
    a = m.rand(3, requires_grad=True) * 0.9
    outs = [a.asin(), a.acos(), a.atan(), a.sinh(), a.cosh(), m.arcsin(a), m.arctan(a)]
    for y in outs:
        p(y)
    x = m.rand(3, requires_grad=True)
    (x.asin() * x.cosh()).sum().backward()
    p(x.grad)
    z = m.ones(3)
    z.unsqueeze_(0)
    p(z.shape, z._version)
    z.squeeze_()
    p(z.shape, z._version)
    try:
        m.ones(3, requires_grad=True).unsqueeze_(0)
    except RuntimeError as e:
        p(e)
    v = m.ones(3, requires_grad=True) * 1
    v.unsqueeze_(0)
    p(type(v.grad_fn).__name__, v.shape)
    y = m.arange(6.).reshape(2, 3)
    p(y.data_ptr() == y.view(6).data_ptr(), y[1].data_ptr() - y.data_ptr(), y.numpy().ctypes.data == y.data_ptr())
    p(m.bitwise_xor(m.tensor([5]), m.tensor([3])), m.bitwise_not(m.tensor([True])))
    t = m.tensor([0.5])
    m.asin_(t)
    p(t)
    x = m.arange(6.).reshape(2, 3)
    p(x.sum(axis=0), x.argmax(axis=1), x.mean(axis=1, keepdims=True), m.cat([x, x], axis=0).shape, x.std(axis=0))
    p(m.randn(size=(2,)).shape, m.zeros(size=(2, 3)).shape, m.ones(size=(1,)).shape, m.rand(size=()).shape)


def test_trig_and_inplace_views_match_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_trig_and_inplace_views, gc) == output_of(_trig_and_inplace_views, torch)


def _index_put(m, p):
    w = m.tensor([[1., -2., 3.], [-4., 5., -6.]], requires_grad=True)
    x = w * 1
    x[x > 0] = 0.
    p(x, x.grad_fn.next_functions)
    v = m.tensor(5., requires_grad=True)
    y = w * 1
    y[[0, 1], [1, 2]] = v
    p(y, y.grad_fn.next_functions)
    z = w * 1
    z[m.tensor([True, False])] = m.ones(3)
    z[0, 1:] = 7.  # a basic key: CopySlices
    p(z, z.grad_fn.next_functions)
    (x.sum() + (y * y).sum() + z.sum()).backward()
    p(w.grad, v.grad)


def test_index_put_matches_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_index_put, gc) == output_of(_index_put, torch)


def _cross_unique(m, p):
    import warnings
    x = m.tensor([3, 1, 2, 3, 1])
    p(m.unique(x), x.unique(return_inverse=True), m.unique(x, return_counts=True),
      m.unique(x, sorted=True, return_inverse=True, return_counts=True))
    p(m.unique(m.tensor([[1, 2], [1, 2], [3, 4]]), dim=0))
    p(m.unique(m.tensor([2., 1., 2.], requires_grad=True)))
    a = m.tensor([[1., 2., 3.]], requires_grad=True)
    b = m.tensor([[4., 5., 6.]], requires_grad=True)
    c = m.cross(a, b, dim=1)
    (c * m.tensor([[1., -2., 0.5]])).sum().backward()
    p(c, a.grad, b.grad, a.cross(b, dim=-1))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p(m.cross(m.ones(3), m.tensor([1., 2., 3.])), str(w[0].message))
    for bad in (lambda: m.cross(a, m.ones(1, 2), dim=1), lambda: m.cross(m.ones(1, 4), m.ones(1, 4), dim=1),
                lambda: m.cross(m.ones(2, 3), m.ones(3), dim=-1)):
        try:
            bad()
        except RuntimeError as e:
            p(e)


def test_cross_and_unique_match_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_cross_unique, gc) == output_of(_cross_unique, torch)


def _meshgrid(m, p):
    import warnings
    a = m.tensor([1., 2., 3.], requires_grad=True)
    b = m.tensor([4., 5.], requires_grad=True)
    for kw in ({"indexing": "ij"}, {"indexing": "xy"}):
        X, Y = m.meshgrid(a, b, **kw)
        p(X, Y, [type(f).__name__ for f, _ in X.grad_fn.next_functions])
        ((X * Y) ** 2).sum().backward()
        p(a.grad, b.grad)
        a.grad = b.grad = None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p(m.meshgrid(a, b)[0].shape, str(w[0].message))
    p(m.meshgrid([a, b], indexing="ij")[1].shape, m.meshgrid(m.tensor(1.), b, indexing="ij")[0].shape)
    p(len(m.meshgrid(a, b, m.ones(4), indexing="xy")), m.meshgrid(a, b, m.ones(4), indexing="xy")[2].shape)


def test_meshgrid_matches_torch():
    torch = pytest.importorskip("torch")
    assert output_of(_meshgrid, gc) == output_of(_meshgrid, torch)
