"""Rounding (zero-gradient nodes, as torch records them), tan / log2 / log10 / expm1, masked_fill, repeat, flip,
tril / triu, view_as / type_as, the stacks (hstack, vstack, dstack, column_stack, atleast_Nd) and the boolean
reductions and tests (all, any, nonzero, isclose, logical_*)."""
import numpy as np

from .graph import bump
from .dispatch import _asarray, _make
from .tensor import Tensor, _wrap_dim

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["floor", "ceil", "round", "trunc", "tan", "log2", "log10", "expm1", "asin", "acos", "atan", "sinh",
           "cosh", "arcsin", "arccos", "arctan", "unsqueeze_", "squeeze_", "masked_fill", "repeat", "flip",
           "tril", "triu", "view_as", "type_as", "all", "any", "nonzero", "count_nonzero", "isclose",
           "logical_and", "logical_or", "logical_xor", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack",
           "dstack", "column_stack", "row_stack", "cross", "unique", "meshgrid"]


def _rounding(key):
    def f(input):
        if input._data.dtype.kind != "f":  # torch rounds integers to themselves, as a copy
            return o.clone(input)
        return o.apply(o.T[key], (input,))
    f.__name__ = key
    return f


floor, ceil, trunc = map(_rounding, ("floor", "ceil", "trunc"))


def round(input, *, decimals=0):  # noqa: A001  (torch's name)
    if input._data.dtype.kind != "f":
        return o.clone(input)
    if decimals == 0:
        return o.apply(o.T["round"], (input,))
    return o.apply(o.T["round_decimals"], (input,), (decimals,))


def tan(input):
    return o._unary("tan", input)


def log2(input):
    return o._unary("log2", input)


def log10(input):
    return o._unary("log10", input)


def expm1(input):
    return o._unary("expm1", input)


def _elementwise(key):
    def f(input):
        return o._unary(key, input)
    f.__name__ = key
    return f


asin, acos, atan, sinh, cosh = map(_elementwise, ("asin", "acos", "atan", "sinh", "cosh"))
arcsin, arccos, arctan = asin, acos, atan


_C_NAMES = {"l": "long int", "q": "long int", "i": "int", "h": "short int", "b": "signed char", "B": "unsigned char",
            "f": "float", "d": "double", "e": "c10::Half"}  # torch's C++ type names in its error texts


def masked_fill(input, mask, value):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(m.dtype.char, m.dtype.name)}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        v = value._data.astype(input._data.dtype)
        return o.apply(o.T["masked_fill_tensor"], (input, value), (m,), (input._data, v))
    return o.apply(o.T["masked_fill"], (input,), (m, value))


def repeat(input, *sizes):
    reps = tuple(int(s) for s in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes))
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    return o.apply(o.T["repeat"], (input,), (reps,))


def flip(input, *dims):
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    return o.apply(o.T["flip"], (input,), (tuple(_wrap_dim(d, input._data.ndim) for d in dims),))


def tril(input, diagonal=0):
    return o.apply(o.T["tril"], (input,), (diagonal,))


def triu(input, diagonal=0):
    return o.apply(o.T["triu"], (input,), (diagonal,))


def view_as(input, other):
    return o.view(input, other.shape)


def type_as(input, other):
    return o.to(input, other.dtype)


# ---- boolean reductions and tests: no gradient --------------------------------------------------------
def _bool_reduce(fn, input, dim, keepdim):
    d = input._data
    if dim is None:
        return _make(_asarray(fn(d)))
    dims = tuple(_wrap_dim(x, d.ndim) for x in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    return _make(_asarray(fn(d, axis=dims, keepdims=keepdim)))


def all(input, dim=None, keepdim=False):  # noqa: A001
    return _bool_reduce(np.all, input, dim, keepdim)


def any(input, dim=None, keepdim=False):  # noqa: A001
    return _bool_reduce(np.any, input, dim, keepdim)


def nonzero(input, *, as_tuple=False):
    idx = np.argwhere(input._data).astype(np.int64)
    if as_tuple:
        return tuple(_make(np.ascontiguousarray(idx[:, k])) for k in range(max(input._data.ndim, 1)))
    return _make(idx)


def count_nonzero(input, dim=None):
    d = input._data
    if dim is None:
        return _make(_asarray(np.int64(np.count_nonzero(d))))
    dims = tuple(_wrap_dim(x, d.ndim) for x in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    return _make(_asarray(np.count_nonzero(d, axis=dims).astype(np.int64)))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    da, db = o._coerce(o.as_tensor_arg(input), o.as_tensor_arg(other))
    return _make(_asarray(np.isclose(da, db, rtol, atol, equal_nan)))


def _logical(fn):
    def f(input, other):
        a = input._data
        b = other._data if isinstance(other, Tensor) else other
        return _make(_asarray(fn(a, b)))
    return f


logical_and, logical_or, logical_xor = map(_logical, (np.logical_and, np.logical_or, np.logical_xor))


# ---- stacking helpers: reshapes as torch does them (a view for 0-d, unsqueezes otherwise), then cat ----------
def _atleast(n, tensors):
    single = isinstance(tensors, Tensor)
    out = []
    for x in ((tensors,) if single else tensors):
        if x._data.ndim == 0:
            x = o.reshape(x, (1,) * n)
        elif n >= 2 and x._data.ndim == 1:
            x = o.unsqueeze(x, 0)
            if n == 3:
                x = o.unsqueeze(x, -1)
        elif n == 3 and x._data.ndim == 2:
            x = o.unsqueeze(x, -1)
        out.append(x)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    return _atleast(1, tensors[0] if len(tensors) == 1 else tensors)


def atleast_2d(*tensors):
    return _atleast(2, tensors[0] if len(tensors) == 1 else tensors)


def atleast_3d(*tensors):
    return _atleast(3, tensors[0] if len(tensors) == 1 else tensors)


def hstack(tensors):
    ts = _atleast(1, tuple(tensors))
    return o.cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return o.cat(_atleast(2, tuple(tensors)), 0)


def dstack(tensors):
    return o.cat(_atleast(3, tuple(tensors)), 2)


row_stack = vstack


def column_stack(tensors):
    ts = [o.reshape(x, (x._data.size, 1)) if x._data.ndim <= 1 else x for x in tensors]
    return o.cat(ts, 1)


# ---- in-place view changes: the tensor's own shape changes, recorded as torch's in-place overloads -----
def _inplace_view(self, key, args):
    from .inplace import _check
    from .tensor import storage, vc
    if _check(self, ()):
        from .inplace import _snapshot
        out = o.apply(o.T[key], (_snapshot(self),), args)
        self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
    else:
        out = o.apply(o.T[key], (Tensor._make(storage(self)),), args)
    self._data = out._data
    bump(self)
    return self


def unsqueeze_(input, dim):
    return _inplace_view(input, "unsqueeze_inplace", (_wrap_dim(dim, input._data.ndim + 1),))


def squeeze_(input, dim=None):
    if dim is None:
        return _inplace_view(input, "squeeze_inplace", ())
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    key = "squeeze_dims_inplace" if isinstance(dim, (tuple, list)) else "squeeze_mm"  # squeeze_(d): SqueezeBackward4
    dims = tuple(_wrap_dim(d, input._data.ndim) for d in dims)
    return _inplace_view(input, key, (dims if key == "squeeze_dims_inplace" else dims[0],))


# ---- cross product and unique ----------------------------------------------------------------------------
CROSS_DIM_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                     "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                     "with that of linalg.cross in a future release. (Triggered internally at "
                     "/__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)")


def cross(input, other, dim=None):
    if dim is None:  # torch's legacy default: the first dimension of size 3
        import warnings
        warnings.warn(CROSS_DIM_WARNING, UserWarning, stacklevel=2)
        dim = next((d for d, s in enumerate(np.broadcast_shapes(input.shape, other.shape)) if s == 3), -1)
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    sa = input._data.shape[dim - (nd - input._data.ndim)]
    sb = other._data.shape[dim - (nd - other._data.ndim)]
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} and {sb}")
    da, db = o._coerce(input, other)
    return o.apply(o.T["cross"], (input, other), (dim,), (da, db))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    d = input._data
    values, inverse, counts = np.unique(d, return_inverse=True, return_counts=True, axis=dim)
    out = o.apply(o.T["unique"], (input,), (values,)) if d.dtype.kind == "f" else _make(values)
    extra = ()
    if return_inverse:
        extra += (_make(inverse.reshape(d.shape if dim is None else (-1,)).astype(np.int64)),)
    if return_counts:
        extra += (_make(counts.astype(np.int64)),)
    return (out,) + extra if extra else out


MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. "
                    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)")


def meshgrid(*tensors, indexing=None):
    """Each input viewed along its own axis and expanded to the grid (ViewBackward0 then ExpandBackward0);
    'xy' swaps the first two inputs and outputs, as torch does."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    if indexing is None:
        import warnings
        warnings.warn(MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.size for t in ts)
    outs = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        outs.append(o.expand(o.view(t, *view), shape))
    if swap:
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)
