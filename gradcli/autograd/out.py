"""The out= argument of torch's functions: the result is written into `out` (resized if its shape differs,
with torch's deprecation warning) and `out` is returned; out= refuses inputs that require grad."""
import functools
import warnings

import numpy as np

from .graph import bump
from .grad_mode import STATE
from .tensor import Tensor, storage, vc

RESIZED = ("An output with one or more elements was resized since it had shape [{}], which does not match the "
           "required output shape [{}]. This behavior is deprecated, and in a future PyTorch release outputs will "
           "not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing "
           "it, inplace, to zero elements with t.resize_(0). (Triggered internally at "
           "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)")

# functions whose dtype comes from out= when none is given (creation and random sampling)
CREATION = {"zeros", "ones", "empty", "full", "rand", "randn", "arange", "linspace", "eye", "randint", "randperm"}


def _needs_grad(args, kwargs):
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, Tensor) and a._rg:
            return True
        if isinstance(a, (list, tuple)) and any(isinstance(t, Tensor) and t._rg for t in a):
            return True
    return False


def write_out(result, out):
    """Store result into out as torch does for out= (same dtype category rules as an in-place op)."""
    from . import dtypes
    rt, ot = dtypes.FROM_NP[result._data.dtype], out.dtype
    if rt.category > ot.category:
        raise RuntimeError(f"result type {rt.legacy[:-6]} can't be cast to the desired output type "
                           f"{ot.legacy[:-6]}")
    d = storage(out)
    if d.shape != result._data.shape:
        if d.size:
            warnings.warn(RESIZED.format(", ".join(map(str, d.shape)), ", ".join(map(str, result._data.shape))),
                          UserWarning, stacklevel=3)
        out._data = np.array(result._data, dtype=d.dtype)
    else:
        np.copyto(d, result._data, casting="unsafe")
    bump(out)
    return out


def with_out(fn, name):
    @functools.wraps(fn)
    def f(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if STATE.grad_enabled and _needs_grad(args, kwargs):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        if name in CREATION and kwargs.get("dtype") is None:
            kwargs["dtype"] = out.dtype
        return write_out(fn(*args, **kwargs), out)
    return f
