"""In-place ops and __setitem__: version bumps, torch's leaf/view errors, and grad_fn rebasing."""
import numpy as np

from .graph import bump
from . import dtypes
from .grad_mode import STATE, no_grad
from .graph import SavedResult
from .tensor import Tensor, storage, vc

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."


def _base(t):
    return t._x.get("base") if t._x is not None else None


def _check(self, others):
    """Raise torch's error for in-place changes autograd cannot record; say whether to record."""
    if not STATE.grad_enabled:
        return False
    base = _base(self)
    if base is not None and base._rg:
        if base.grad_fn is None:
            raise RuntimeError(VIEW_LEAF_INPLACE)
        raise RuntimeError("gradcli does not support in-place operations on a view of a tensor that requires "
                           "grad (torch would rebase the base tensor's history); apply the operation to the "
                           "base tensor, or use an out-of-place operation")
    if self._rg and self.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE)
    return self._rg or any(isinstance(o, Tensor) and o._rg for o in others)


def _write(self, out, record):
    """Store an op's result into self's storage, adopting its history when recorded."""
    rt = dtypes.FROM_NP[out._data.dtype]
    if rt.category > self.dtype.category:
        raise RuntimeError(f"result type {rt.legacy[:-6]} can't be cast to the desired output type "
                           f"{self.dtype.legacy[:-6]}")
    if out._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, out._data.shape))}]")
    np.copyto(storage(self), out._data, casting="unsafe")
    if record:
        self.grad_fn = out.grad_fn
        self._output_nr = out._output_nr
        self._rg = out._rg
    bump(self)
    if record and out._vc is not None:
        _rebind_saved_result(out, self)
    return self


def _rebind_saved_result(out, self):
    """The op saved its own result (exp_, sigmoid_, tanh_ ...): in torch that result *is* self, so a later
    in-place change of self must fail the saved-version check. Point the saved result at self's storage
    and version counter, at the version self has now."""
    node = out.grad_fn
    saved = getattr(node, "_saved", None)
    if not saved:
        return
    versions = list(node._versions) if node._versions is not None else [None] * len(saved)
    c = vc(self)
    for k, v in enumerate(saved):
        if type(v) is SavedResult and v.vc is out._vc:
            v.data, v.vc, v.version = storage(self), c, c[0]
            versions[k] = c[0]
    node._versions = tuple(versions)


def _snapshot(self):
    # the pre-modification value as a graph input: same history, its own copy of the data
    t = Tensor._make(self._data.copy(), self._rg, self.grad_fn, self._output_nr)
    t._accum = None
    return t


_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def inplace(fn):
    """Turn an out-of-place op `fn(self, *others)` into its in-place form."""
    ufunc = _UFUNCS.get(fn.__name__)
    scaled = fn.__name__ in ("add", "sub")  # the ops with an alpha

    def method(self, *others, **kwargs):
        record = _check(self, others)
        if ufunc is not None and not record and len(others) == 1 and (not kwargs or (
                scaled and len(kwargs) == 1 and "alpha" in kwargs)):
            # unrecorded arithmetic (optimizer updates): write straight into storage, one pass (two with an
            # alpha: other * alpha first, as the out-of-place op computes it)
            d = storage(self)
            o = others[0]
            od = o._data if isinstance(o, Tensor) else o
            same = type(od) in (float, int) or (getattr(od, "dtype", None) == d.dtype and np.shape(od) == d.shape)
            alpha = kwargs.get("alpha", 1) if kwargs else 1
            if d.dtype.kind == "f" and same and type(alpha) in (float, int):
                ufunc(d, od if alpha == 1 else od * alpha, out=d)
                bump(self)
                return self
        if record:
            out = fn(_snapshot(self), *others, **kwargs)
        elif STATE.grad_enabled:
            with no_grad():
                out = fn(self, *others, **kwargs)
        else:
            out = fn(self, *others, **kwargs)
        return _write(self, out, record)

    method.__name__ = fn.__name__ + "_"
    return method


def _zero(x):
    from .ops import T, apply
    return apply(T["zero"], (x,))


def _fill(x, value):
    from .ops import T, apply
    if isinstance(value, Tensor):
        value = value.item()
    return apply(T["fill"], (x,), (value,))


def _copy(x, src):
    from .ops import T, apply, as_tensor_arg
    src = as_tensor_arg(src)
    try:
        return apply(T["copy"], (x, src))
    except ValueError:
        # src broadcasts with x but to a bigger shape: torch's in-place output error, via _write
        out = np.broadcast_shapes(x._data.shape, np.shape(src._data if isinstance(src, Tensor) else src))
        return Tensor._make(np.zeros(out, x._data.dtype))


def _random_fill(key, draw):
    def f(x, *args, generator=None):
        from .creation import default_generator
        from .ops import T, apply
        gen = generator if generator is not None else default_generator
        return apply(T[key], (x,), (getattr(gen, draw)(x._data.shape, *args, dtype=x._data.dtype),))
    f.__name__ = key
    return f


_normal_ = inplace(_random_fill("normal", "normal"))
_uniform_ = inplace(_random_fill("uniform", "uniform"))
_exponential_ = inplace(_random_fill("exponential", "exponential"))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _normal_(self, mean, std, generator=generator)


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    return _uniform_(self, from_, to, generator=generator)


def exponential_(self, lambd=1.0, *, generator=None):
    return _exponential_(self, lambd, generator=generator)


def _draws(key, make):
    def f(x, *args, generator=None):
        from .creation import default_generator
        from .ops import T, apply
        gen = generator if generator is not None else default_generator
        return apply(T[key], (x,), (make(gen, x._data, *args).astype(x._data.dtype),))
    f.__name__ = key
    return f


_bernoulli_scalar_ = inplace(_draws("bernoulli_scalar_", lambda g, d, p: g.bernoulli(d.shape, p)))
def _bernoulli_tensor(x, p, generator=None):
    from .creation import default_generator
    from .ops import T, apply
    gen = generator if generator is not None else default_generator
    values = gen.bernoulli_probs(np.broadcast_to(p._data, x._data.shape).astype(p._data.dtype))
    return apply(T["bernoulli_tensor_"], (x, p), (values.astype(x._data.dtype),), (x._data, p._data))


_bernoulli_tensor_ = inplace(_bernoulli_tensor)
_random_ = inplace(_draws("random", lambda g, d, lo, hi: g.randint(d.shape, lo, hi)))


def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        return _bernoulli_tensor_(self, p, generator=generator)
    return _bernoulli_scalar_(self, p, generator=generator)


def random_(self, from_=0, to=None, *, generator=None):
    """random_(to) or random_(from, to): integers drawn as randint draws them."""
    if to is None:
        if from_ == 0 and self._data.dtype.kind == "f":
            to = 2 ** (np.finfo(self._data.dtype).nmant + 1) + 1  # torch: [0, 2**mantissa] for floats
        else:
            from_, to = 0, from_
    return _random_(self, int(from_), int(to), generator=generator)


zero_ = inplace(_zero)
fill_ = inplace(_fill)
copy_ = inplace(_copy)


def setitem(self, key, value):
    from .ops import T, apply, as_tensor_arg
    from .shapes import _is_advanced, _np_index
    if STATE.grad_enabled and self._rg and self.grad_fn is None:
        raise RuntimeError(VIEW_LEAF_INPLACE)
    value = as_tensor_arg(value)
    npkey = tuple(_np_index(k) for k in key) if isinstance(key, tuple) else _np_index(key)
    record = _check(self, (value,))
    if record:
        vd = value._data if isinstance(value, Tensor) else value
        if isinstance(value, Tensor) and value._data.dtype != self._data.dtype:
            vd = vd.astype(self._data.dtype)
        # an index tensor, list or mask makes it torch's index_put_ (IndexPutBackward0); basic keys copy slices
        advanced = any(_is_advanced(k) for k in (key if isinstance(key, tuple) else (key,)))
        try:
            out = apply(T["index_put" if advanced else "copy_slices"], (_snapshot(self), value), (npkey,),
                        (storage(self), vd))
        except (RuntimeError, ValueError):
            _expand_error(self, npkey, value)
            raise
        return _write(self, out, True)
    try:
        storage(self)[npkey] = value._data if isinstance(value, Tensor) else value
    except ValueError:
        _expand_error(self, npkey, value)
        raise
    bump(self)


def _expand_error(self, npkey, value):
    """torch expands the value to the indexed region's shape: raise expand's error for a mismatch."""
    from .shapes import expand
    if isinstance(value, Tensor):
        expand(Tensor._make(np.zeros(value._data.shape)), np.shape(self._data[npkey]))
