"""Public ops: pick the overload, wrap scalars, apply torch's dtype promotion, then dispatch through
the op table (derivatives.py, via dispatch.py). Also the Tensor-op vocabulary the VJPs are written in."""
import numpy as np

from . import dtypes
from .grad_mode import STATE
from .tensor import Tensor

from .dispatch import _STORAGE, _TT, T, TableNode, _asarray, _build_nodes, _make, _record, apply  # noqa: F401
from .dispatch import broadcast_error, raise_broadcast  # noqa: F401
from .dispatch import _dropped
from .observer import OBSERVERS

_ndarray = np.ndarray
_NUM = (int, float, bool)


# ---- coercion and promotion -----------------------------------------------------------------------
def as_tensor_arg(x):
    if type(x) is Tensor or isinstance(x, Tensor):
        return x
    if isinstance(x, _NUM):
        return x
    if isinstance(x, np.generic):
        return x.item()
    return tensor(x)


def _coerce(a, b, floating=False):
    """numpy operands for a binary op, cast to torch's result dtype (numpy's own rules differ)."""
    if type(b) is Tensor and type(a) is Tensor:
        da, db = a._data, b._data
        if da.dtype is db.dtype and (not floating or da.dtype.kind == "f"):
            return da, db
    else:
        if type(a) is not Tensor:
            a = as_tensor_arg(a)
        if type(b) is not Tensor:
            b = as_tensor_arg(b)
        da = a._data if isinstance(a, Tensor) else a
        db = b._data if isinstance(b, Tensor) else b
        if type(a) is Tensor and type(b) in (float, int) and da.dtype.kind == "f" and type(b) is not bool:
            return da, db
        if type(b) is Tensor and type(a) in (float, int) and db.dtype.kind == "f" and type(a) is not bool:
            return da, db
    rt = dtypes.result_type(a, b)
    if floating and rt.category < 2:
        rt = dtypes.get_default_dtype()
    npd = rt.np
    if type(da) is _ndarray:
        if da.dtype != npd:
            da = da.astype(npd)
    else:
        da = npd.type(da)
    if type(db) is _ndarray:
        if db.dtype != npd:
            db = db.astype(npd)
    else:
        db = npd.type(db)
    return da, db


def _binary(key, a, b, args=(), floating=False):
    # fast path: same-dtype tensors, or a float tensor with a Python number (no promotion needed)
    ta = type(a) in _TT
    tb = type(b) in _TT
    if ta:
        da = a._data
        if tb:
            db = b._data
            fast = da.dtype is db.dtype and (not floating or da.dtype.kind == "f")
        else:
            db = b
            fast = (type(b) is float or type(b) is int) and da.dtype.kind == "f"
    else:
        fast = False
    if not fast:
        if not ta:
            a = as_tensor_arg(a)
        if not tb:
            b = as_tensor_arg(b)
        da, db = _coerce(a, b, floating)
        ta, tb = type(a) in _TT, type(b) in _TT
    od = T[key]
    try:
        out = od.fwd(da, db, *args) if od.fwd_args else od.fwd(da, db)
    except ValueError as e:
        raise_broadcast(e, *((db, da) if key == "rsub" else (da, db)))  # torch computes rsub as other - self
    if type(out) not in _STORAGE:
        out = _asarray(out)
    if STATE.grad_enabled and ((ta and a._rg) or (tb and b._rg)):
        return _record(od, (a, b), args, out)
    return _make(out) if not OBSERVERS else _dropped((a, b), _make(out))


def binop(key, args=(), floating=False):
    """A specialised binary op for the Tensor operators: the common case (same dtypes, or a float
    tensor with a Python number) runs in one frame; anything else goes through _binary."""
    od = T[key]
    fwd = od.fwd if not (od.fwd_args and args) else (lambda a, b: od.fwd(a, b, *args))

    def f(a, b):
        if type(a) in _TT:
            da = a._data
            if type(b) in _TT:
                db = b._data
                if da.dtype is db.dtype and (not floating or da.dtype.kind == "f"):
                    try:
                        out = fwd(da, db)
                    except ValueError as e:
                        raise_broadcast(e, da, db)
                    if type(out) not in _STORAGE:
                        out = _asarray(out)
                    if (a._rg or b._rg) and STATE.grad_enabled:
                        return _record(od, (a, b), args, out)
                    return _make(out) if not OBSERVERS else _dropped((a, b), _make(out))
            elif (type(b) is float or type(b) is int) and da.dtype.kind == "f":
                out = fwd(da, b)
                if type(out) not in _STORAGE:
                    out = _asarray(out)
                if a._rg and STATE.grad_enabled:
                    return _record(od, (a, b), args, out)
                return _make(out) if not OBSERVERS else _dropped((a, b), _make(out))
        return _binary(key, a, b, args, floating)

    f.__name__ = key
    return f


def _float_input(x):
    """Ops that only exist for floating types promote integer inputs to the default float dtype."""
    if type(x) is not Tensor:
        x = tensor(x) if not isinstance(x, Tensor) else x
    if x._data.dtype.kind != "f":
        return x, x._data.astype(dtypes.get_default_dtype().np)
    return x, x._data


def _unary(key, x, args=(), floating=True):
    if floating:
        x, d = _float_input(x)
    else:
        if not isinstance(x, Tensor):
            x = tensor(x)
        d = x._data
    return apply(T[key], (x,), args, (d,))


# ---- arithmetic -----------------------------------------------------------------------------------
def _scaled(key, input, other, alpha):
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    da, db = _coerce(a, b)
    return apply(T[key], (a, b), (alpha,), (da, db * alpha))


def add(input, other, alpha=1):
    if alpha != 1:
        return _scaled("add", input, other, alpha)
    return _binary("add", input, other, _ALPHA1)


def sub(input, other, alpha=1):
    if alpha != 1:
        return _scaled("sub", input, other, alpha)
    return _binary("sub", input, other, _ALPHA1)


_ALPHA1 = (1,)


def rsub(input, other, alpha=1):
    if isinstance(other, Tensor):
        return _binary("rsub", input, other, (alpha,))
    return _unary("rsub_scalar", input, (other, alpha), floating=isinstance(other, float))


def mul(input, other):
    return _binary("mul", input, other)


def mul_scalar(input, other):
    return apply(T["mul_scalar"], (input,), (other,), (input._data,))


def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        with _no_grad():
            q = _binary("div", input, other, floating=True)._data
            q = np.floor(q) if rounding_mode == "floor" else np.trunc(q)
            rt = dtypes.result_type(as_tensor_arg(input), as_tensor_arg(other))
            return _make(_asarray(q.astype(rt.np)))
    return _binary("div", input, other, floating=True)


def rdiv(input, other):
    # torch turns `2 / x` into reciprocal(x) * 2, so that is the graph a user sees
    return mul(reciprocal(input), other)


def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


def remainder(input, other):
    with _no_grad():
        da, db = _coerce(as_tensor_arg(input), as_tensor_arg(other))
        return _make(_asarray(np.mod(da, db)))


def neg(input):
    return _unary("neg", input, floating=False)


def pow(input, exponent):
    if type(input) is not Tensor and not isinstance(input, Tensor):
        return _unary("pow_scalar_base", exponent, (input,), floating=True) if isinstance(input, float) \
            or exponent.dtype.is_floating_point else _unary("pow_scalar_base", exponent, (input,), floating=False)
    if isinstance(exponent, Tensor):
        return _binary("pow_tensor", input, exponent)
    if isinstance(exponent, float) and input._data.dtype.kind != "f":
        return _unary("pow", input, (exponent,), floating=True)
    return _unary("pow", input, (exponent,), floating=False)


def square(input):
    return pow(input, 2)


def reciprocal(input):
    return _unary("reciprocal", input)


def _elementwise(key):
    def f(input):
        return _unary(key, input)
    f.__name__ = key
    return f


exp, log, log1p, sqrt, sin, cos, tanh, sigmoid, erf = map(
    _elementwise, ("exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "erf"))


def rsqrt(input):
    return _unary("rsqrt", input)


def tanh_backward(grad_output, output):
    return _binary("tanh_backward", grad_output, output)


def sigmoid_backward(grad_output, output):
    return _binary("sigmoid_backward", grad_output, output)


def threshold_backward(grad_output, input):
    return _binary("threshold_backward", grad_output, input)


def leaky_relu_backward(grad_output, input, negative_slope):
    return _binary("leaky_relu_backward", grad_output, input, (negative_slope,))


def log_softmax_backward(grad_output, output, dim):
    return _binary("log_softmax_backward", grad_output, output, (dim,))


def bce_backward(grad, input, target, weight, reduction):
    return apply(T["bce_backward"], (grad, input, target), (weight, reduction))


def abs(input):
    return _unary("abs", input, floating=False)


def sign(input):
    return _unary("sign", input, floating=False)


def relu(input):
    return _unary("relu", input, floating=False)


def leaky_relu(input, negative_slope=0.01):
    return _unary("leaky_relu", input, (negative_slope,))


def gelu(input, approximate="none"):
    return _unary("gelu", input, (approximate,))


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return _unary("clamp", input, (min, max), floating=False)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def maximum(input, other):
    return _binary("maximum", input, other)


def minimum(input, other):
    return _binary("minimum", input, other)


def where(condition, input, other):
    cond = condition if isinstance(condition, Tensor) else tensor(condition)
    cond = cond if cond._data.dtype == np.bool_ else _make(cond._data.astype(bool))
    if type(input) is not Tensor:
        input = as_tensor_arg(input)
    if type(other) is not Tensor:
        other = as_tensor_arg(other)
    da, db = _coerce(input, other)
    try:
        return apply(T["where"], (input, other), (cond,), (da, db))
    except (RuntimeError, ValueError) as e:
        raise_broadcast(e, cond, da, db)  # torch names the condition's shape first


def _no_grad():
    from .grad_mode import no_grad
    return no_grad()


from .reductions import *  # noqa: E402,F401,F403  (reductions, shapes and creation split for size)
from .shapes import *  # noqa: E402,F401,F403
from .matmul import *  # noqa: E402,F401,F403
from .compare import *  # noqa: E402,F401,F403
from .extra import *  # noqa: E402,F401,F403
from .creation import *  # noqa: E402,F401,F403
from .conv import *  # noqa: E402,F401,F403
from .indexing import *  # noqa: E402,F401,F403
from .pool import *  # noqa: E402,F401,F403
from .shapes import _getitem  # noqa: E402,F401
