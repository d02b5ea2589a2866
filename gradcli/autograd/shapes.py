"""Shape ops, views, indexing, joining and .to — decomposed into the nodes torch shows for them."""
import numpy as np

from . import dtypes
from .tensor import Tensor, _wrap_dim, storage, vc

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["reshape", "view", "flatten", "unsqueeze", "squeeze", "expand", "expand_as", "t", "transpose",
           "permute", "narrow", "select", "cat", "concat", "concatenate", "stack", "sum_to", "scatter_key",
           "gather_key", "keep_mask", "clamp_mask", "clone", "to", "contiguous", "movedim", "chunk", "split",
           "numpy_T", "swapaxes", "broadcast_shapes"]

_VIEWS = {"view", "t", "transpose", "permute", "unsqueeze", "squeeze", "squeeze_dim", "squeeze_dims",
          "expand", "alias", "select", "slice"}


def _ops():
    return o


def _view_op(key, x, args=()):
    storage(x)  # a view must alias a real array
    out = o.apply(o.T[key], (x,), args)
    if key in _VIEWS:  # numpy's results for these keys are always views of x's array
        out._vc = vc(x)  # a view shares storage, so in-place changes through either bump one counter
        if x._rg or (x._x is not None and "base" in x._x):
            out._extras()["base"] = x._x["base"] if x._x is not None and "base" in x._x else x
    return out


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


def reshape(input, *shape):
    shape = _infer(_shape_arg(shape), input._data.size)
    if not input._data.flags.c_contiguous and input._data.ndim > 1 and input._data.size > 1:
        # torch copies a non-contiguous input: a clone, then an unsafe view of the copy
        return o.apply(o.T["unsafe_view"], (clone(input),), (shape,))
    return _view_op("view", input, (shape,))


def view(input, *shape):
    if not isinstance(shape[0] if shape else None, (int, tuple, list)) and shape:
        dt = shape[0]
        return Tensor._make(input._data.view(dt.np))
    return _view_op("view", input, (_infer(_shape_arg(shape), input._data.size),))


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s == e:
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def unsqueeze(input, dim):
    return _view_op("unsqueeze", input, (_wrap_dim(dim, input._data.ndim + 1),))


def squeeze(input, dim=None):
    if dim is None:
        return _view_op("squeeze", input)
    if isinstance(dim, (tuple, list)):
        return _view_op("squeeze_dims", input, (tuple(_wrap_dim(d, input.ndim) for d in dim),))
    return _view_op("squeeze_dim", input, (_wrap_dim(dim, input.ndim),))


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shp = input._data.shape
    lead = len(sizes) - len(shp)
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shp))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           "the number of sizes provided ({}) must be greater or equal to the number of "
                           "dimensions in the tensor ({})".format(len(sizes), len(shp)))
    full = tuple(shp[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    for i, s in enumerate(shp):
        if s != 1 and s != full[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({full[i + lead]}) must match the existing size "
                               f"({s}) at non-singleton dimension {i + lead}.  Target sizes: "
                               f"[{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, shp))}]")
    return _view_op("expand", input, (full,))


def expand_as(input, other):
    return expand(input, other._data.shape)


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return _view_op("t", input)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    return _view_op("transpose", input, (_wrap_dim(dim0, nd), _wrap_dim(dim1, nd)))


swapaxes = transpose


def permute(input, *dims):
    dims = _shape_arg(dims)
    return _view_op("permute", input, (tuple(_wrap_dim(d, input._data.ndim) for d in dims),))


def numpy_T(input):
    # torch implements .T as a permute reversing all dims
    return permute(input, tuple(range(input._data.ndim - 1, -1, -1)))


def movedim(input, source, destination):
    nd = input.ndim
    order = [d for d in range(nd) if d != _wrap_dim(source, nd)]
    order.insert(_wrap_dim(destination, nd), _wrap_dim(source, nd))
    return permute(input, tuple(order))


def narrow(input, dim, start, length):
    dim = _wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * dim + (slice(start, start + length),)
    return _view_op("slice", input, (key,))


def select(input, dim, index):
    dim = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")
    return _view_op("select", input, ((slice(None),) * dim + (index % size,),))


def chunk(input, chunks, dim=0):
    size = input.shape[dim]
    step = -(-size // chunks)
    return tuple(narrow(input, dim, s, min(step, size - s)) for s in range(0, size, step))


def split(input, split_size, dim=0):
    size = input.shape[dim]
    if isinstance(split_size, int):
        sizes = [min(split_size, size - s) for s in range(0, size, split_size)]
    else:
        sizes = list(split_size)
    out, s = [], 0
    for n in sizes:
        out.append(narrow(input, dim, s, n))
        s += n
    return tuple(out)


def clone(input, memory_format=None):
    return o.apply(o.T["clone"], (input,))


def contiguous(input, memory_format=None):
    return input if input._data.flags.c_contiguous else clone(input)


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """x.to(dtype) / x.to(device[, dtype]) / x.to(other): self when nothing changes (unless copy=True),
    else a ToCopyBackward0 copy. Only the cpu exists; asking for cuda raises torch's CPU-build error."""
    from .device import check_device
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, bool):  # the positional non_blocking / copy flags after a dtype
            continue
        else:
            device = a
    device = check_device(device)
    if dtype is None:
        dtype = dtypes.FROM_NP[input._data.dtype]
    if dtype.np == input._data.dtype and not copy and (device is None or device.index is None):
        return input
    return o.apply(o.T["to_copy"], (input,), (dtype,))


# ---- indexing -------------------------------------------------------------------------------------
def _is_advanced(k):
    return isinstance(k, (list, np.ndarray, Tensor)) or (isinstance(k, bool))


def _np_index(k):
    if isinstance(k, Tensor):
        return k._data
    if isinstance(k, list):
        return np.asarray([x._data if isinstance(x, Tensor) else x for x in k])
    if isinstance(k, bool):
        return np.asarray(k)
    return k


_ZERO_DIM_INDEX = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                   "to convert a 0-dim tensor to a number")


def _getitem(x, key):
    if type(key) is int and x._data.ndim:  # `g[i]`, as a Jacobian or Hessian row loop does it
        return select(x, 0, key)
    if x._data.ndim == 0 and isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        # torch's own words for `loss[0]` on a scalar loss (a common slip): index 0 names .item()
        raise IndexError(_ZERO_DIM_INDEX if key == 0 else
                         f"index {int(key)} is out of bounds for dimension 0 with size 0")
    if not isinstance(key, tuple):
        if isinstance(key, slice):
            return _slice_dim(x, 0, key, force=True)
        if key is Ellipsis:
            return _view_op("alias", x)
        key = (key,)
    if any(_is_advanced(k) for k in key):
        if x._data.ndim == 0 and any(not isinstance(k, bool) and k is not None and k is not Ellipsis for k in key):
            raise IndexError("too many indices for tensor of dimension 0")
        npkey = tuple(_np_index(k) for k in key)
        return o.apply(o.T["index"], (x,), (npkey,))
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > x._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x._data.ndim}")
    out, dim, touched = x, 0, False
    for k in key:
        if k is Ellipsis:
            dim += x._data.ndim - n_real
        elif k is None:
            out = _view_op("unsqueeze", out, (dim,))
            dim += 1
            touched = True
        elif isinstance(k, slice):
            if k != slice(None):
                out = _slice_dim(out, dim, k)
                touched = True
            dim += 1
        else:
            if not isinstance(k, (int, np.integer)) or isinstance(k, np.bool_):
                raise _bad_index(k)  # `x[i / 2]`: torch refuses a float rather than truncating it
            out = select(out, dim, int(k))
            touched = True
    return out if touched else _view_op("alias", x)


def _bad_index(k):
    if isinstance(k, str):
        return TypeError("new(): invalid data type 'str'")
    return IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                      f"indices (got {_type_name(k)})")


def _type_name(x) -> str:
    """A value's type as torch's argument errors name it (CPython's tp_name): `float`, `numpy.ndarray`."""
    if isinstance(x, Tensor):
        return "Tensor"
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _slice_dim(x, dim, k, force=False):
    if x._data.ndim == 0:  # only `t[a:b]` on a 0-dim tensor gets here (a tuple key is counted first)
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if k.step is not None and k.step <= 0:
        raise ValueError("step must be greater than zero")
    start, stop, step = k.indices(x._data.shape[dim])
    return _view_op("slice", x, ((slice(None),) * dim + (slice(start, stop, step),),))


def scatter_key(g, shape, key, kind):
    if kind == "index":
        zeros = Tensor._make(np.zeros(shape, g._data.dtype))
        return o.apply(o.T["index_backward"], (zeros, g), (key,))
    return o.apply(o.T[kind + "_backward"], (g,), (shape, key))


def gather_key(g, key, kind):
    return o.apply(o.T[kind], (g,), (key,))


def keep_mask(shape, key):
    m = np.ones(shape, bool)
    m[key] = False
    return Tensor._make(m)


def clamp_mask(x, lo, hi):
    d = x._data
    m = np.ones(d.shape, bool)
    if lo is not None:
        m &= d >= lo
    if hi is not None:
        m &= d <= hi
    return Tensor._make(np.asarray(m))


def reduced_dims(shape, target):
    """The dims of a gradient of `shape` that un-broadcasting sums to reach `target`: the leading ones and
    those where `target` has size 1 (the one statement of the rule; the engine and explain use it)."""
    lead = len(shape) - len(target)
    return tuple(range(lead)) + tuple(i + lead for i, s in enumerate(target) if s == 1 and shape[i + lead] != 1)


def sum_to(g, shape):
    """Reduce a broadcast gradient to `shape`: sum leading dims and dims where `shape` has size 1."""
    shape = tuple(shape)
    gs = g._data.shape
    if gs == shape:
        return g
    if not shape:
        return g.sum()
    dims = reduced_dims(gs, shape)
    out = g.sum(dims, keepdim=True) if dims else g
    return out.reshape(shape) if out._data.shape != shape else out


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the shape the given shapes broadcast to, or torch's size-mismatch error."""
    from .tensor import Size
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    result = [1] * max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        for j in range(-1, -1 - len(shape), -1):
            if shape[j] == 1 or shape[j] == result[j]:
                continue
            if result[j] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[j]} at {j}! Mismatching "
                                   f"argument at index {i} had {shape}; but expected shape should be broadcastable "
                                   f"to {result}")
            result[j] = shape[j]
    return Size(result)


# ---- joining --------------------------------------------------------------------------------------
def _tensor_list(fn, tensors) -> list:
    """torch's check of a TensorList argument: a list or tuple, every item a tensor."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{_type_name(tensors)}")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {_type_name(x)}")
    return list(tensors)


def _join(key, tensors, dim, extra=()):
    d0 = tensors[0]._data.dtype
    for x in tensors:
        if x._data.dtype != d0:
            break
    else:  # one dtype (the common case): nothing to promote
        return o.apply(o.T[key], tuple(tensors), extra + (dim,), [x._data for x in tensors])
    rt = tensors[0].dtype
    for x in tensors[1:]:
        rt = dtypes.promote_types(rt, x.dtype) if x.dtype.category <= rt.category else x.dtype
    datas = [x._data if x._data.dtype == rt.np else x._data.astype(rt.np) for x in tensors]
    return o.apply(o.T[key], tuple(tensors), extra + (dim,), datas)


def cat(tensors, dim=0, *, axis=None):
    dim = dim if axis is None else axis
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    nd = max(x._data.ndim for x in tensors)
    dim = _wrap_dim(dim, nd)
    tensors = [x for x in tensors if not (x._data.ndim == 1 and x._data.shape[0] == 0 and nd > 1)]
    first = tensors[0]._data.shape if tensors else ()
    for i, x in enumerate(tensors):
        for d, (s0, s1) in enumerate(zip(first, x._data.shape)):
            if d != dim and s0 != s1 and len(first) == x._data.ndim:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size {s0} but "
                                   f"got size {s1} for tensor number {i} in the list.")
    return _join("cat", tensors, dim, (tuple(x._data.shape[dim] for x in tensors),))


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None):
    dim = dim if axis is None else axis
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, s0))}]"
                               f" at entry 0 and [{', '.join(map(str, x._data.shape))}] at entry {i}")
    return _join("stack", tensors, _wrap_dim(dim, tensors[0]._data.ndim + 1))
