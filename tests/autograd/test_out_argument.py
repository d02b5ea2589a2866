"""torch's out= argument on the top-level functions: written into out (resized with torch's warning),
out returned with its version bumped, refused for inputs that require grad, dtype rules of in-place ops."""
import warnings

import pytest

from .helpers import exact, libs


@pytest.mark.parametrize("m", libs())
def test_out_is_written_and_returned(m):
    t = m.tensor([[1., 2.], [3., 4.]])
    y3 = m.empty(2, 2)
    r = m.matmul(t, t.T, out=y3)
    assert r is y3 and y3.tolist() == [[5., 11.], [11., 25.]] and y3._version == 1
    z3 = m.rand_like(t)
    m.mul(t, t, out=z3)
    assert z3.tolist() == [[1., 4.], [9., 16.]]
    o = m.empty(2, dtype=m.float64)
    m.add(m.ones(2), 1, out=o)
    assert o.dtype == m.float64 and o.tolist() == [2., 2.]
    c = m.empty(2, 2, dtype=m.float64)
    m.manual_seed(0)
    assert m.rand(2, 2, out=c) is c and c.dtype == m.float64
    assert m.cat([m.ones(1), m.zeros(1)], out=m.empty(0)).tolist() == [1., 0.]


@pytest.mark.parametrize("m", libs())
def test_out_resize_warns_unless_empty(m):
    o = m.empty(5)
    with pytest.warns(UserWarning, match="An output with one or more elements was resized since it had shape "
                                         r"\[5\], which does not match the required output shape \[2\]"):
        m.add(m.ones(2), 1, out=o)
    assert o.tolist() == [2., 2.]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.add(m.ones(2), 1, out=m.empty(0))


@pytest.mark.parametrize("m", libs())
def test_out_refuses_autograd_and_unsafe_casts(m):
    a = m.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=exact("mul(): functions with out=... arguments don't support automatic "
                                                 "differentiation, but one of the arguments requires grad.")):
        m.mul(a, a, out=m.empty(2, 3))
    with m.no_grad():
        assert not m.matmul(a, a.T, out=m.empty(2, 2)).requires_grad
    with pytest.raises(RuntimeError, match=exact("result type Float can't be cast to the desired output type Long")):
        m.add(m.ones(2), 1, out=m.empty(2, dtype=m.int64))
