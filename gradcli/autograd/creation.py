"""Tensor creation (tensor, zeros, ones, full, arange, linspace, eye, random) and the default generator."""
import warnings

import numpy as np

from . import dtypes
from .device import creation_device
from .random import Generator
from .observer import OBSERVERS, Dropped, notify
from .tensor import Tensor

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
           "full_like", "empty_like", "rand_like", "randn_like", "randn", "rand", "normal", "randint",
           "randperm", "multinomial", "bernoulli", "arange", "linspace", "eye", "manual_seed", "seed", "initial_seed", "generator",
           "default_generator", "Generator"]

COPY_WARNING = ("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")
INT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


generator = default_generator = Generator()


def manual_seed(s):
    return generator.manual_seed(s)


def seed():
    return generator.seed()


def initial_seed():
    return generator.initial_seed()


def _finish(data, requires_grad):
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(INT_GRAD)
        t._rg = True
    return t


def _flatten_tensors(data):
    """Nested lists may hold 0-dim tensors (torch.tensor([a, b]) is common): replace them by numbers."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(x) for x in data]
    return data


def _infer_dtype(data):
    """torch's rule for Python data: any float -> default float, else any int -> int64, else bool."""
    stack, kinds, np_types = [data], set(), []
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, (np.ndarray, np.generic)):
            # numpy values keep their own dtype (torch.tensor(np.float64(2.)) is float64)
            np_types.append(x.dtype)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (float, np.floating)):
            kinds.add("f")
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if np_types:
        rt = np.result_type(*np_types)
        if "f" in kinds and rt.kind != "f":
            return dtypes.get_default_dtype()
        return dtypes.FROM_NP.get(rt, dtypes.get_default_dtype())
    if "f" in kinds:
        return dtypes.get_default_dtype()
    if "i" in kinds or "u" in kinds:
        return dtypes.int64
    return dtypes.bool_ if kinds else dtypes.get_default_dtype()


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    creation_device(device)
    if isinstance(data, Tensor):
        warnings.warn(COPY_WARNING, UserWarning, stacklevel=2)
        arr = data._data.copy() if dtype is None else data._data.astype(dtype.np)
        out = _finish(arr, requires_grad)
        if OBSERVERS and data._rg:
            notify(Dropped("tensor", data, out))
        return out
    if isinstance(data, np.ndarray):
        arr = np.array(data, dtype=None if dtype is None else dtype.np)
        dtypes.of_array(arr)
        return _finish(arr, requires_grad)
    data = _flatten_tensors(data)
    dt = dtype or _infer_dtype(data)
    try:
        arr = np.array(data, dtype=dt.np)
    except ValueError as e:
        raise ValueError(_ragged_message(data) or str(e)) from None
    if arr.dtype == object:
        raise ValueError(_ragged_message(data) or "could not build a tensor from this data")
    return _finish(arr, requires_grad)


def _ragged_message(data):
    # torch reports the first sequence whose length differs from its siblings
    stack = [(data, 0)]
    while stack:
        x, dim = stack.pop()
        if isinstance(x, (list, tuple)) and x and isinstance(x[0], (list, tuple)):
            n = len(x[0])
            for y in x[1:]:
                if not isinstance(y, (list, tuple)) or len(y) != n:
                    got = len(y) if isinstance(y, (list, tuple)) else 0
                    return f"expected sequence of length {n} at dim {dim + 1} (got {got})"
            stack.extend((y, dim + 1) for y in x)
    return None


def as_tensor(data, dtype=None, device=None):
    creation_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        return Tensor._make(data)
    return tensor(data, dtype=dtype)


def from_numpy(a):
    dtypes.of_array(a)
    return Tensor._make(a)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if int(s) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(int(x)) for x in size)}]")
    return tuple(int(s) for s in size)


def _dt(dtype):
    return (dtype or dtypes.get_default_dtype()).np


def zeros(*shape, dtype=None, device=None, requires_grad=False, size=None):
    creation_device(device)
    size = shape if size is None else (size,)  # torch also takes the shape as size=
    return _finish(np.zeros(_size(size), _dt(dtype)), requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False, size=None):
    creation_device(device)
    size = shape if size is None else (size,)  # torch also takes the shape as size=
    return _finish(np.ones(_size(size), _dt(dtype)), requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False, size=None):
    creation_device(device)
    size = shape if size is None else (size,)  # torch also takes the shape as size=
    return _finish(np.zeros(_size(size), _dt(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype.np), requires_grad)


def _like(x, dtype):
    return x._data.shape, (dtype.np if dtype is not None else x._data.dtype)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    s, d = _like(input, dtype)
    return _finish(np.zeros(s, d), requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    s, d = _like(input, dtype)
    return _finish(np.ones(s, d), requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    return zeros_like(input, dtype, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    s, d = _like(input, dtype)
    return _finish(np.full(s, fill_value, d), requires_grad)


def _gen(g):
    return g if g is not None else default_generator


def randn(*shape, generator=None, dtype=None, device=None, requires_grad=False, size=None):
    creation_device(device)
    size = shape if size is None else (size,)  # torch also takes the shape as size=
    return _finish(_gen(generator).normal(_size(size), 0.0, 1.0, _dt(dtype)), requires_grad)


def rand(*shape, generator=None, dtype=None, device=None, requires_grad=False, size=None):
    creation_device(device)
    size = shape if size is None else (size,)  # torch also takes the shape as size=
    return _finish(_gen(generator).uniform(_size(size), 0.0, 1.0, _dt(dtype)), requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    g = _gen(generator)
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    dt = dtype.np if dtype is not None else (like._data.dtype if like is not None else _dt(None))
    if like is None:
        if size is None:
            raise TypeError("normal() missing required argument 'size' when mean and std are numbers")
        return _finish(g.normal(_size((size,)), float(m), float(s), dt), requires_grad)
    shape = np.broadcast_shapes(np.shape(m), np.shape(s)) if size is None else _size((size,))
    if isinstance(std, Tensor):
        # torch: out.normal_(0, 1), then out.mul_(std).add_(mean), each rounded in the output dtype
        out = g.normal(shape, 0.0, 1.0, dt) * np.asarray(s, dt) + (np.asarray(m, dt) if isinstance(mean, Tensor) else m)
    else:
        # torch: out.normal_(0, std), then out.add_(mean)
        out = g.normal(shape, 0.0, float(s), dt) + np.asarray(m, dt)
    return _finish(np.asarray(out, dt), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if int(low) >= int(high):
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={int(low)} >= to={int(high)}")
    return _finish(_gen(generator).randint(_size((size,)), int(low), int(high)).astype((dtype or dtypes.int64).np),
                   requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    n = _size((n,))[0]
    return _finish(_gen(generator).randperm(n).astype((dtype or dtypes.int64).np), requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Category indices drawn from each row of `input` (unnormalised probabilities), as torch's CPU
    kernel draws them: one sample (or none replaced) by argmax/top-k of p / Exp(1); several with
    replacement by binary search of a uniform draw in the normalised cumulative sums."""
    p = input._data
    n_cat = p.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if p.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    g = _gen(generator)
    rows = p.reshape(-1, n_cat)
    if not replacement or num_samples == 1:
        q = (rows / g.exponential(rows.shape, 1.0, p.dtype)).astype(p.dtype)
        if num_samples == 1:
            out = np.argmax(q, axis=-1)[:, None]
        else:  # top-k of q, largest first (ties: the first index)
            out = np.argsort(-q, axis=-1, kind="stable")[:, :num_samples]
    else:
        out = np.empty((rows.shape[0], num_samples), np.int64)
        for i, row in enumerate(rows):
            cum = np.cumsum(row, dtype=p.dtype)  # accumulated in the input dtype, as the kernel does
            total = cum[-1]
            if total > 0:
                cum = (cum / total).astype(p.dtype)
            cum[-1] = 1
            u = g._uniform01(num_samples, np.float64)
            out[i] = np.searchsorted(cum, u, side="left")  # first slot whose cumulative value >= u
    return _finish(out.astype(np.int64).reshape(p.shape[:-1] + (num_samples,)), False)


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws: with probabilities `input` (a tensor), or with the number p for every element of input's shape."""
    from .ops import T, apply
    g = _gen(generator)
    d = input._data
    values = (g.bernoulli(d.shape, p) if p is not None else g.bernoulli_probs(d)).astype(d.dtype)
    return apply(T["bernoulli"], (input,), (values,))


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    if end is None:
        start, end = 0, start
    vals = (start, end, step)
    vals = tuple(v.item() if isinstance(v, Tensor) else v for v in vals)
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, int) for v in vals) else dtypes.get_default_dtype()
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    return _finish(np.arange(*vals, dtype=np.float64).astype(dtype.np) if dtype.is_floating_point
                   else np.arange(*vals, dtype=dtype.np), requires_grad)


def _fma_exact(a, b, c):
    from fractions import Fraction
    return np.array([float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in
                     zip(a.tolist(), b.tolist(), np.broadcast_to(c, np.shape(a)).tolist())], np.float64)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """torch's kernel: step = (end - start) / (steps - 1) in the dtype; the first half counts up from start,
    the second half down from end, each point one fused multiply-add (so the end points are exact)."""
    from .random import _fma32, _fma64
    creation_device(device)
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dt = np.dtype(_dt(dtype))
    if steps == 1:
        return _finish(np.array([start], np.float64).astype(dt), requires_grad)
    half = steps // 2
    if dt == np.float16:  # Half arithmetic rounds after every operation, no fused multiply-add
        h = np.float16
        s, e = h(start), h(end)
        step = h(np.float32(h(e - s)) / np.float32(steps - 1))
        up = h(s + h(step * np.arange(half, dtype=h)))
        down = h(e - h(step * np.arange(steps - half - 1, -1, -1, dtype=h)))
        return _finish(np.concatenate([up, down]), requires_grad)
    if dt.kind in "iub":  # the end points become integers first; the step is a double
        start, end = int(start), int(end)
    wide = dt != np.float32  # float64 arithmetic for float64 and (as torch's double step) integer dtypes
    ftype = np.float64 if wide else np.float32
    s, e = ftype(start), ftype(end)
    step = ftype(e - s) / ftype(steps - 1)
    up = np.arange(half, dtype=ftype)
    down = np.arange(steps - half - 1, -1, -1, dtype=ftype)
    fma = _fma64 if wide else _fma32
    if wide and not all(v == 0 or 2.0 ** -900 < abs(float(v)) < 2.0 ** 900 for v in (step, s, e)):
        fma = _fma_exact  # the split products of the fast fused multiply-add under/overflow out there
    out = np.concatenate([fma(np.full(half, step, ftype), up, s), fma(np.full(len(down), -step, ftype), down, e)])
    return _finish(out.astype(dt), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    creation_device(device)
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad)
