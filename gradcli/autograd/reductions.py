"""Reductions (sum, mean, prod, var, std, norm, max, min), softmax and the losses' public entry points."""
import collections
import math

import numpy as np

from . import dtypes
from .tensor import Tensor, _wrap_dim

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["sum", "mean", "prod", "var", "std", "norm", "max", "min", "amax", "amin", "softmax",
           "log_softmax", "dims_of", "unsqueeze_dims", "count_over", "evenly_distribute", "onehot_along",
           "logsumexp", "cumsum"]


def _ops():
    return o


def dims_of(dim, ndim):
    """Normalise an int / tuple / list dim argument to a sorted tuple of non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        dims = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
    else:
        dims = (_wrap_dim(dim, ndim),)
    return dims if ndim else ()  # torch lets a 0-d tensor reduce over dim 0 (or -1): over nothing


def _int_to_long(x):
    return x._data.astype(np.int64) if x._data.dtype.kind in "biu" else x._data


def sum(input, dim=None, keepdim=False, dtype=None, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    d = _int_to_long(input) if dtype is None else input._data.astype(dtype.np)
    dims = dims_of(dim, input._data.ndim)
    if dims is None:
        return o.apply(o.T["sum"], (input,), (), (d,))
    if not dims:  # torch reads sum(x, ()) as "all dims", through the dim overload
        dims = tuple(range(input._data.ndim))
    return o.apply(o.T["sum_dim"], (input,), (dims, keepdim), (d,))


def _need_float(name, input):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {input.dtype.legacy[:-6]}")


def mean(input, dim=None, keepdim=False, dtype=None, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    if dtype is None:
        _need_float("mean", input)
    d = input._data if dtype is None else input._data.astype(dtype.np)
    dims = dims_of(dim, input._data.ndim)
    if dims is None:
        return o.apply(o.T["mean"], (input,), (), (d,))
    return o.apply(o.T["mean_dim"], (input,), (dims, keepdim), (d,))


def prod(input, dim=None, keepdim=False, dtype=None, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    d = _int_to_long(input) if dtype is None else input._data.astype(dtype.np)
    if dim is None:
        return o.apply(o.T["prod"], (input,), (), (d,))
    return o.apply(o.T["prod_dim"], (input,), ((_wrap_dim(dim, input.ndim),), keepdim), (d,))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    if isinstance(dim, bool):  # var(x, False) is the old `unbiased` positional
        dim, unbiased = None, dim
    return o.apply(o.T["var"], (input,), (dims_of(dim, input.ndim), _correction(unbiased, correction), keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return o.apply(o.T["std"], (input,), (dims_of(dim, input.ndim), _correction(unbiased, correction), keepdim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    ord = 2 if p in ("fro", None) else float(p) if not isinstance(p, str) else p
    if ord == 2.0:
        ord = 2
    return o.apply(o.T["norm"], (input,), (ord, dims_of(dim, input.ndim), keepdim))


class _MinMax(collections.namedtuple("_MinMax", "values indices")):
    __slots__ = ()
    _kind = "max"

    def __repr__(self):
        return f"torch.return_types.{self._kind}(\nvalues={self.values!r},\nindices={self.indices!r})"


class _Max(_MinMax):
    __slots__ = ()
    _kind = "max"


class _Min(_MinMax):
    __slots__ = ()
    _kind = "min"


def _minmax(input, dim, keepdim, other, is_max):
    if isinstance(dim, Tensor):
        dim, other = None, dim
    if other is not None:
        return o.maximum(input, other) if is_max else o.minimum(input, other)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{'max' if is_max else 'min'}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        return o.apply(o.T["max_all" if is_max else "min_all"], (input,))
    dim = _wrap_dim(dim, input.ndim)
    idx = (np.argmax if is_max else np.argmin)(input._data, axis=dim)
    if keepdim:
        idx = np.expand_dims(idx, dim)
    values = o.apply(o.T["max_dim" if is_max else "min_dim"], (input,), (dim, keepdim, idx))
    return (_Max if is_max else _Min)(values, Tensor._make(np.asarray(idx, np.int64)))


def max(input, dim=None, keepdim=False, *, other=None, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    return _minmax(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim=False, *, other=None, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    return _minmax(input, dim, keepdim, other, False)


def amax(input, dim=(), keepdim=False, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    dims = dims_of(dim, input.ndim) or tuple(range(input.ndim))
    return o.apply(o.T["amax"], (input,), (dims, keepdim))


def amin(input, dim=(), keepdim=False, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    dims = dims_of(dim, input.ndim) or tuple(range(input.ndim))
    return o.apply(o.T["amin"], (input,), (dims, keepdim))


def softmax(input, dim=None, dtype=None, *, axis=None):
    dim = dim if axis is None else axis
    x, d = o._float_input(input)
    return o.apply(o.T["softmax"], (x,), (_wrap_dim(_implicit_dim(dim, x), x.ndim),), (d,))


def log_softmax(input, dim=None, dtype=None, *, axis=None):
    dim = dim if axis is None else axis
    x, d = o._float_input(input)
    return o.apply(o.T["log_softmax"], (x,), (_wrap_dim(_implicit_dim(dim, x), x.ndim),), (d,))


def _implicit_dim(dim, x):
    if dim is not None:
        return dim
    return 0 if x.ndim in (0, 1, 3) else 1  # torch's legacy rule for softmax without dim


def logsumexp(input, dim, keepdim=False, *, keepdims=None, axis=None):
    keepdim = keepdim if keepdims is None else keepdims
    dim = dim if axis is None else axis  # numpy's spellings, which torch accepts too
    x, d = o._float_input(input)
    return o.apply(o.T["logsumexp"], (x,), (dims_of(dim, x.ndim), keepdim), (d,))


def cumsum(input, dim=None, dtype=None, *, axis=None):
    dim = dim if axis is None else axis  # numpy's spelling, which torch accepts too
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional arguments: \"dim\"")
    d = _int_to_long(input) if dtype is None else input._data.astype(dtype.np)
    return o.apply(o.T["cumsum"], (input,), (_wrap_dim(dim, input.ndim),), (d,))


# ---- helpers the VJPs use ---------------------------------------------------------------------------
def unsqueeze_dims(g, dims, keepdim):
    if keepdim or dims is None:
        return g
    for d in dims:
        g = g.unsqueeze(d)
    return g


def count_over(shape, dims):
    return math.prod(shape[d] for d in dims) if dims is not None else math.prod(shape)


def evenly_distribute(g, mask):
    return g * mask / mask.sum()


def onehot_along(shape, dim, indices, keepdim):
    idx = indices if keepdim else np.expand_dims(indices, dim)
    ar = np.arange(shape[dim]).reshape([-1 if i == dim else 1 for i in range(len(shape))])
    return Tensor._make(np.asarray(ar == idx))
