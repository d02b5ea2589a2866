"""dtypes: creation defaults, torch's type promotion (not numpy's), gradient dtypes, default dtype, casts."""
import operator
import warnings

import numpy as np
import pytest

import gradcli as gc

from .helpers import exact, libs, torch

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


def _operand(m, kind, name):
    d = getattr(m, name)
    if kind == "dim":
        return m.tensor([True, False]) if name == "bool" else m.tensor([1, 2], dtype=d)
    return m.tensor(True) if name == "bool" else m.tensor(1, dtype=d)


def _right_operands():
    return [("dim", n) for n in DTYPES] + [("0-dim", n) for n in DTYPES] + [("py", v) for v in (True, 2, 2.5)]


OPS = {"add": operator.add, "mul": operator.mul, "truediv": operator.truediv, "sub": operator.sub,
       "floordiv": operator.floordiv, "pow": operator.pow,
       "where": lambda a, b: _where(a, b)}


def _where(a, b):
    m = gc if isinstance(a, gc.Tensor) else torch
    return m.where(a > 0, a, b)


def _result_dtype(m, op, left, kind, right):
    a = _operand(m, "dim", left)
    b = right if kind == "py" else _operand(m, kind, right)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return repr(OPS[op](a, b).dtype)
        except Exception as e:  # noqa: BLE001 - the error type is part of the comparison
            return "error: " + type(e).__name__


def _involves_bool(left, kind, right):
    return left == "bool" or right == "bool" or right is True


@pytest.mark.parametrize("op", sorted(OPS))
def test_promotion_table_matches_torch(op):
    """Every (left dtype) x (right dim / 0-dim / Python number) pair gives torch's result dtype."""
    if torch is None:
        pytest.skip("torch not installed")
    bad = []
    for left in DTYPES:
        for kind, right in _right_operands():
            if op in ("sub", "floordiv", "pow") and _involves_bool(left, kind, right):
                continue  # bool arithmetic errors are checked separately below
            mine, theirs = (_result_dtype(m, op, left, kind, right) for m in (gc, torch))
            if mine != theirs:
                bad.append(f"{left} {op} {kind} {right}: gradcli {mine}, torch {theirs}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("m", libs(gc_xfail="bool - bool / bool tensor minus a number computes (or raises TypeError); "
                                   "torch raises RuntimeError: Subtraction, the `-` operator, with a bool tensor is "
                                   "not supported. If you are trying to invert a mask, use the `~` or `logical_not()` "
                                   "operator instead."))
def test_bool_subtraction_is_refused(m):
    with pytest.raises(RuntimeError, match=exact(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead.")):
        m.tensor([True, False]) - m.tensor([1, 2])


# ---- literal expectations from PYTORCH_BEHAVIOUR 2.4 (no torch needed) ----------------------------------
@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("make,expected", [
    (lambda m: m.tensor(1.5), "torch.float32"),
    (lambda m: m.tensor([1, 2]), "torch.int64"),
    (lambda m: m.tensor(True), "torch.bool"),
    (lambda m: m.tensor([1, 2.5]), "torch.float32"),
    (lambda m: m.ones(2), "torch.float32"),
    (lambda m: m.arange(3), "torch.int64"),
    (lambda m: m.arange(3.), "torch.float32"),
    (lambda m: m.full((2,), 7), "torch.int64"),
    (lambda m: m.tensor(np.array([1., 2.])), "torch.float64"),
    (lambda m: m.from_numpy(np.array([1, 2], np.int32)), "torch.int32"),
])
def test_creation_dtypes(m, make, expected):
    assert repr(make(m).dtype) == expected


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("value,expected", [(np.float64(2.0), "torch.float64"), (np.int32(3), "torch.int32"),
                                            ([np.float64(1.0), np.float64(2.0)], "torch.float64")])
def test_numpy_scalars_keep_their_dtype(m, value, expected):
    assert repr(m.tensor(value).dtype) == expected


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("expr,expected", [
    (lambda m: m.tensor([1, 2]) + m.tensor([1., 2.]), "torch.float32"),  # numpy: float64
    (lambda m: m.tensor([1., 2.]) + m.tensor(1., dtype=m.float64), "torch.float32"),  # 0-dim ranks lower
    (lambda m: m.tensor([1, 2]) * 0.5, "torch.float32"),
    (lambda m: m.tensor([1, 2]) / 2, "torch.float32"),
    (lambda m: m.tensor([1, 2]) // 2, "torch.int64"),
    (lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor(5), "torch.int32"),
    (lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor(5.), "torch.float32"),
    (lambda m: m.tensor([1., 2.]) + m.tensor([1., 2.], dtype=m.float64), "torch.float64"),
    (lambda m: m.tensor([True]) + 1, "torch.int64"),
    (lambda m: m.tensor([1, 2]).exp(), "torch.float32"),
    (lambda m: m.tensor([1, 2]).sum(), "torch.int64"),
    (lambda m: m.tensor([True, True]).sum(), "torch.int64"),
    (lambda m: -m.tensor([1, 2]), "torch.int64"),
    (lambda m: m.tensor([1, 2]) > 1, "torch.bool"),
    (lambda m: m.tensor([1., 2.]).double(), "torch.float64"),
    (lambda m: m.tensor([1.5, 2.]).long(), "torch.int64"),
])
def test_promotion_literals(m, expr, expected):
    assert repr(expr(m).dtype) == expected


@pytest.mark.parametrize("m", libs())
def test_mean_of_integer_tensor(m):
    with pytest.raises(RuntimeError, match=exact(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            "Got: Long")):
        m.tensor([1, 2]).mean()


# ---- gradient dtypes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_grad_has_the_dtype_of_its_leaf(m):
    x = m.tensor([1., 2.], requires_grad=True)
    s = m.tensor(3., dtype=m.float64, requires_grad=True)
    y = x * s
    assert repr(y.dtype) == "torch.float32"
    y.sum().backward()
    assert repr(x.grad.dtype) == "torch.float32" and repr(s.grad.dtype) == "torch.float64"
    assert s.grad.item() == 3.


@pytest.mark.parametrize("m", libs())
def test_mixed_precision_dim_tensors(m):
    x = m.tensor([1., 2.], requires_grad=True)
    d = m.tensor([3., 4.], dtype=m.float64, requires_grad=True)
    y = x * d
    assert repr(y.dtype) == "torch.float64"
    y.sum().backward()
    assert repr(x.grad.dtype) == "torch.float32" and repr(d.grad.dtype) == "torch.float64"
    assert x.grad.tolist() == [3., 4.]


@pytest.mark.parametrize("m", libs())
def test_cast_round_trip_gradient(m):
    x = m.tensor([1., 2.], requires_grad=True)
    y = x.double() * 2
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ToCopyBackward0"
    y.sum().backward()
    assert repr(x.grad.dtype) == "torch.float32" and x.grad.tolist() == [2., 2.]


@pytest.mark.parametrize("m", libs())
def test_cast_to_own_dtype_returns_self(m):
    x = m.tensor([1., 2.], requires_grad=True)
    assert x.float() is x and x.to(m.float32) is x
    assert x.float().grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_cast_to_int_cuts_the_graph(m):
    x = m.tensor([1.5, 2.5], requires_grad=True)
    i = x.long()
    assert not i.requires_grad and i.grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_float64_leaf_and_result_reprs(m):
    x = m.tensor([1.], dtype=m.float64, requires_grad=True)
    assert str(x) == "tensor([1.], dtype=torch.float64, requires_grad=True)"
    assert str(x * 2) == "tensor([2.], dtype=torch.float64, grad_fn=<MulBackward0>)"


@pytest.mark.parametrize("m", libs(gc_xfail="after set_default_dtype(float64), repr still adds ', "
                                            "dtype=torch.float64'; torch omits the dtype when it is the default: "
                                            "tensor([1.5000])"))
def test_default_dtype_can_be_switched(m):
    try:
        m.set_default_dtype(m.float64)
        assert repr(m.tensor(1.5).dtype) == "torch.float64"
        assert repr(m.ones(1).dtype) == "torch.float64"
        assert repr((m.tensor([1, 2]) * 0.5).dtype) == "torch.float64"
        assert str(m.tensor([1.5])) == "tensor([1.5000])"  # the default dtype is not printed
    finally:
        m.set_default_dtype(m.float32)
    assert repr(m.tensor(1.5).dtype) == "torch.float32"


@pytest.mark.parametrize("m", libs())
def test_float16_arithmetic_keeps_half(m):
    x = m.tensor([1., 2.], dtype=m.float16, requires_grad=True)
    (x * x).sum().backward()
    assert repr(x.grad.dtype) == "torch.float16" and x.grad.tolist() == [2., 4.]


@pytest.mark.parametrize("m", libs())
def test_integer_ops_do_not_record(m):
    w = m.tensor([1., 2.], requires_grad=True)
    i = m.tensor([1, 2])
    assert (i * 2).grad_fn is None
    assert type((w * i).grad_fn).__name__ == "MulBackward0"
    (w * i).sum().backward()
    assert w.grad.tolist() == [1., 2.]


def test_int8_int16_promotion_against_torch():
    torch = pytest.importorskip("torch")
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    for a in names:
        for b in names:
            g = gc.ones(2, dtype=getattr(gc, a)) + gc.ones(2, dtype=getattr(gc, b))
            t = torch.ones(2, dtype=getattr(torch, a)) + torch.ones(2, dtype=getattr(torch, b))
            assert repr(g.dtype) == repr(t.dtype), (a, b)
    assert gc.ones(1, dtype=gc.int16).type() == "torch.ShortTensor" and gc.ones(1).char().dtype == gc.int8
    assert repr(gc.ones(2, dtype=gc.int16)) == "tensor([1, 1], dtype=torch.int16)"
    assert (gc.short, gc.int) == (gc.int16, gc.int32)
