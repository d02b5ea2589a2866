"""Comparisons, logical and bitwise ops, NaN/inf tests, equality and argmax/argmin: results that carry no
gradient, computed straight on numpy with torch's promotion and torch's errors."""
import numpy as np

from .dispatch import _asarray, _make, raise_broadcast

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_not",
           "bitwise_not", "isnan", "isinf", "isfinite", "allclose", "equal", "argmax", "argmin"]


def _compare(ufunc):
    def f(input, other):
        da, db = o._coerce(o.as_tensor_arg(input), o.as_tensor_arg(other))
        try:
            return _make(_asarray(ufunc(da, db)))
        except ValueError as e:
            raise_broadcast(e, da, db)
    return f


eq, ne, lt, le, gt, ge = map(_compare, (np.equal, np.not_equal, np.less, np.less_equal,
                                        np.greater, np.greater_equal))


# torch's kernel-name spelling of a dtype, for "not implemented for 'Float'" errors
_C_TYPE = {"f": "Float", "d": "Double", "e": "Half"}


def _logical(ufunc, kernel):
    def f(input, other):
        da, db = o._coerce(o.as_tensor_arg(input), o.as_tensor_arg(other))
        kind = np.result_type(da, db).char
        if kind in _C_TYPE:  # numpy's own message names ufunc casting rules, torch names its kernel
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{_C_TYPE[kind]}\'')
        try:
            return _make(_asarray(ufunc(da, db)))
        except ValueError as e:
            raise_broadcast(e, da, db)
    f.__name__ = kernel
    return f


bitwise_and, bitwise_or, bitwise_xor = map(_logical, (np.bitwise_and, np.bitwise_or, np.bitwise_xor),
                                           ("bitwise_and", "bitwise_or", "bitwise_xor"))


def logical_not(input):
    return _make(_asarray(np.logical_not(input._data)))


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _make(_asarray(~input._data))


def isnan(input):
    return _make(_asarray(np.isnan(input._data)))


def isinf(input):
    return _make(_asarray(np.isinf(input._data)))


def isfinite(input):
    return _make(_asarray(np.isfinite(input._data)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol, atol, equal_nan))


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def argmax(input, dim=None, keepdim=False, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis
    d = input._data
    if dim is None:
        return _make(_asarray(np.argmax(d)))
    r = np.argmax(d, axis=dim)
    return _make(np.expand_dims(r, dim) if keepdim else _asarray(r))


def argmin(input, dim=None, keepdim=False, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis
    d = input._data
    if dim is None:
        return _make(_asarray(np.argmin(d)))
    r = np.argmin(d, axis=dim)
    return _make(np.expand_dims(r, dim) if keepdim else _asarray(r))
