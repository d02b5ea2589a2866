"""Ops along a dimension by an index tensor: gather, scatter, scatter_add, index_select, index_add,
and sort / argsort / topk (whose values are a gather by the sorted indices)."""
import collections

import numpy as np

from . import kernels as K
from .tensor import Tensor, _wrap_dim

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["gather", "scatter", "scatter_add", "index_select", "index_add", "sort", "argsort", "topk"]


def _index(index, name):
    """An index argument as an int64 numpy array (VJPs pass the saved array back in)."""
    d = index._data if isinstance(index, Tensor) else np.asarray(index)
    if d.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index" if name == "index_select"
                           else f"{name}(): Expected dtype int32/int64 for index")
    return np.asarray(d, np.int64)


def _dim(input, dim):
    return _wrap_dim(dim, input._data.ndim)


def _check_along(name, input, dim, index):
    if index.ndim != input._data.ndim and index.size and index.ndim and input._data.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        size = input._data.shape[dim] if input._data.ndim else 1
        if lo < -size or hi >= size or lo < 0:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def gather(input, dim, index, *, sparse_grad=False):
    dim = _dim(input, dim)
    idx = _index(index, "gather")
    _check_along("gather", input, dim, idx)
    return o.apply(o.T["gather"], (input,), (dim, idx))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        raise RuntimeError("gradcli supports scatter without reduce= only; use scatter_add for reduce='add'")
    dim = _dim(input, dim)
    idx = _index(index, "scatter")
    _check_along("scatter", input, dim, idx)
    if src is None:
        src = value
    if isinstance(src, Tensor):
        _same_dtype(input, src)
        return o.apply(o.T["scatter"], (input, src), (dim, idx))
    return o.apply(o.T["scatter_value"], (input,), (dim, idx, src))


def scatter_add(input, dim, index, src):
    dim = _dim(input, dim)
    idx = _index(index, "scatter_add")
    _check_along("scatter_add", input, dim, idx)
    _same_dtype(input, src)
    return o.apply(o.T["scatter_add"], (input, src), (dim, idx))


def _same_dtype(input, src):
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")


def index_select(input, dim, index):
    dim = _dim(input, dim)
    idx = _index(index, "index_select").reshape(-1)
    _in_range(input, dim, idx)
    return o.apply(o.T["index_select"], (input,), (dim, idx))


def _in_range(input, dim, idx):
    size = input._data.shape[dim] if input._data.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        raise IndexError("index out of range in self")


def index_add(input, dim, index, source, *, alpha=1):
    dim = _dim(input, dim)
    idx = _index(index, "index_add").reshape(-1)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_C[input._data.dtype.char]}) and source "
                           f"({_C[source._data.dtype.char]}) must have the same scalar type")
    if source._data.ndim and idx.size != source._data.shape[dim]:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({source._data.shape[dim]}), for dim: {dim}")
    _in_range(input, dim, idx)
    return o.apply(o.T["index_add"], (input, source), (dim, idx, alpha))


_C = {"f": "Float", "d": "Double", "e": "Half", "l": "Long", "q": "Long", "i": "Int", "?": "Bool", "B": "Byte"}


# ---- sorting --------------------------------------------------------------------------------------------
def _return_type(kind):
    """torch.return_types.<kind>: a (values, indices) named tuple with torch's multi-line repr."""
    base = collections.namedtuple(kind, "values indices")

    def __repr__(self):  # noqa: N807
        return f"torch.return_types.{kind}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(kind, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": "torch.return_types"})


SortResult = _return_type("sort")
TopkResult = _return_type("topk")


def sort(input, dim=-1, descending=False, stable=None):
    dim = _dim(input, dim)
    idx = K.np_sort_indices(input._data, dim, descending)
    values = o.apply(o.T["sort" if stable is None else "sort_stable"], (input,), (dim, idx))
    return SortResult(values, Tensor._make(idx))


def argsort(input, dim=-1, descending=False, stable=False):
    return Tensor._make(K.np_sort_indices(input._data, _dim(input, dim), descending))


def topk(input, k, dim=-1, largest=True, sorted=True):
    dim = _dim(input, dim)
    size = input._data.shape[dim] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    idx = K.np_sort_indices(input._data, dim, largest)
    if input._data.ndim:
        idx = np.take(idx, np.arange(k), axis=dim)
    values = o.apply(o.T["topk"], (input,), (dim, idx))
    return TopkResult(values, Tensor._make(idx))
