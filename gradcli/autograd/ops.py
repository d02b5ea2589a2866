"""Public ops: pick the overload, wrap scalars, apply torch's dtype promotion, then dispatch through
the op table (derivatives.py). Also the small Tensor-op vocabulary the table's VJPs are written in."""
import math
import traceback

import numpy as np

from . import dtypes
from . import kernels as K
from .grad_mode import STATE
from .graph import AccumulateGrad, Node, SavedResult, _seq
from .tensor import TENSOR_TYPES as _TT
from .tensor import Tensor, _new, _wrap_dim

_next_seq = _seq.__next__

_ndarray = np.ndarray
# 0-d results stay numpy scalars: scalar arithmetic is ~10x cheaper than on 0-d arrays, and a
# tensor's storage becomes a real array (tensor.storage()) before anything aliases or writes it.
_STORAGE = {np.ndarray, np.float32, np.float64, np.int64, np.bool_, np.float16, np.int32, np.uint8}
_asarray = np.asarray
_make = Tensor._make
_NUM = (int, float, bool)
T = {}  # key -> OpDef, filled by _build_nodes() at import


# ---- dispatch -------------------------------------------------------------------------------------
class TableNode(Node):
    """A node made from an op-table entry; `op` is set on each generated subclass."""

    __slots__ = ("_in",)
    op = None

    def apply(self, grads):
        od = self.op
        g = grads[0]
        saved = self.unpack() if od.save_names else None
        nf = self._next
        if od.variadic:
            fn, idx = od.vjps[0], od.vjp_args[0]
            args = [saved[j] for j in idx]
            return [None if nf[i] is None else fn(g, i, *args) for i in range(len(nf))]
        out = []
        for fn, idx, nxt in zip(od.vjps, od.vjp_args, nf):
            out.append(None if nxt is None else fn(g, *[saved[j] for j in idx]))
        return out


def _build_nodes():
    from .derivatives import TABLE
    for key, od in TABLE.items():
        cls = type(od.name, (TableNode,), {"__slots__": (), "op": od})
        src = []
        for n in od.save_names:
            if n in od.inputs:
                src.append((0, od.inputs.index(n)))
            elif n in od.args:
                src.append((1, od.args.index(n)))
            elif n == "result":
                src.append((2, 0))
            elif n.startswith("shape_"):
                src.append((3, od.inputs.index(n[6:])))
            elif n.startswith("dtype_"):
                src.append((4, od.inputs.index(n[6:])))
            else:
                raise TypeError(f"op {key}: VJP names unknown value {n!r}")
        od.save_src = tuple(src)
        od.save_plan = tuple((k, i, None if od.variadic else tuple(u for u, idx in enumerate(od.vjp_args)
                                                                      if j in idx))
                             for j, (k, i) in enumerate(src))
        # which inputs' VJPs use each saved name: saved only if one of them needs a gradient
        od.users = tuple(tuple(i for i, idx in enumerate(od.vjp_args) if j in idx)
                         for j in range(len(od.save_names)))
        cls._saves_tensors = any(k in (0, 2) for k, _ in src)
        cls._save_names = od.save_names
        od.node_cls = cls
        T[key] = od


def apply(od, xs, args=(), datas=None):
    """Run an op's forward on numpy data; record a node if grad mode is on and an input requires grad."""
    if datas is None:
        datas = [x._data if type(x) in _TT else x for x in xs]
    out = od.fwd(*datas, *args) if od.fwd_args else od.fwd(*datas)
    if type(out) not in _STORAGE:
        out = _asarray(out)
    if STATE.grad_enabled:
        for x in xs:
            if type(x) in _TT and x._rg:
                return _record(od, xs, args, out)
    return _make(out)


_NONE_EDGE = (None, 0)


def _record(od, xs, args, out):
    # Written flat on purpose: this runs once per recorded op and dominates small-graph cost. Every
    # tuple kept on the node lives as long as the graph and adds to Python's GC work, so input
    # metadata is kept only for inputs whose shape or dtype differs from the output's (the engine
    # reduces gradients for exactly those), and versions only when a tensor is saved.
    node = _new(od.node_cls)
    nexts = []
    nrs = None
    meta = None
    oshape = out.shape
    ochar = out.dtype.char
    k = -1
    for x in xs:
        k += 1
        if type(x) in _TT:
            fn = x.grad_fn
            if fn is not None:
                nexts.append(fn)
                if x._output_nr:
                    nrs = nrs or [0] * len(xs)
                    nrs[k] = x._output_nr
            elif x._rg:
                acc = x._accum
                if acc is None:
                    acc = x._accum = AccumulateGrad(x)
                nexts.append(acc)
            else:
                nexts.append(None)
                continue
            d = x._data
            if d.shape != oshape or d.dtype.char != ochar:
                if meta is None:
                    meta = [None] * len(xs)
                meta[k] = (d.shape, d.dtype.char)
        else:
            nexts.append(None)
    node._next = nexts = tuple(nexts)
    node._nrs = nrs if nrs is None else tuple(nrs)
    node._in = meta if meta is None else tuple(meta)
    node._seq = _next_seq()
    node._x = None
    res = _new(Tensor)  # Tensor._make inlined: this is the hottest allocation in the engine
    res._data = out
    res._rg = True
    res.grad_fn = node
    res._output_nr = 0
    res._vc = res._grad = res._accum = res._x = None
    if od.save_names:
        vals = []
        vers = None
        for j, (kind, i, users) in enumerate(od.save_plan):
            if users is not None:
                for u in users:
                    if nexts[u] is not None:
                        break
                else:
                    vals.append(None)
                    continue
            if kind == 0:
                v = xs[i]
                vals.append(v)
                if type(v) in _TT:
                    if vers is None:
                        vers = [None] * len(od.save_plan)
                    vers[j] = 0 if v._vc is None else v._vc[0]
            elif kind == 2:
                vals.append(SavedResult(res))
                if vers is None:
                    vers = [None] * len(od.save_plan)
                vers[j] = 0
            elif kind == 1:
                vals.append(args[i])
            elif kind == 3:
                vals.append(xs[i]._data.shape)
            else:
                vals.append(dtypes.FROM_NP[xs[i]._data.dtype])
        node._saved = tuple(vals)
        node._versions = vers if vers is None else tuple(vers)
    else:
        node._saved = None
    if STATE.anomaly:
        node._extras()["trace"] = _forward_trace()
    return res


def _edge_of(x):
    """(node, input_nr) for a tensor an op consumes, creating a leaf's AccumulateGrad on first use."""
    fn = x.grad_fn
    if fn is not None:
        return fn, x._output_nr
    if x._rg:
        acc = x._accum
        if acc is None:
            acc = x._accum = AccumulateGrad(x)
        return acc, 0
    return None, 0


def _forward_trace():
    """The user's call stack at forward time, without gradcli's own frames (anomaly mode only)."""
    here = __file__.rsplit("/", 1)[0]
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(here)]
    return traceback.format_list(frames)


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
    out = od.fwd(da, db, *args) if od.fwd_args else od.fwd(da, db)
    if type(out) not in _STORAGE:
        out = _asarray(out)
    if STATE.grad_enabled and ((ta and a._rg) or (tb and b._rg)):
        return _record(od, (a, b), args, out)
    return _make(out)


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
                    out = fwd(da, db)
                    if type(out) not in _STORAGE:
                        out = _asarray(out)
                    if (a._rg or b._rg) and STATE.grad_enabled:
                        return _record(od, (a, b), args, out)
                    return _make(out)
            elif (type(b) is float or type(b) is int) and da.dtype.kind == "f":
                out = fwd(da, b)
                if type(out) not in _STORAGE:
                    out = _asarray(out)
                if a._rg and STATE.grad_enabled:
                    return _record(od, (a, b), args, out)
                return _make(out)
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
    return apply(T["where"], (input, other), (cond,), (da, db))


def _compare(ufunc):
    def f(input, other):
        da, db = _coerce(as_tensor_arg(input), as_tensor_arg(other))
        return _make(_asarray(ufunc(da, db)))
    return f


eq, ne, lt, le, gt, ge = map(_compare, (np.equal, np.not_equal, np.less, np.less_equal,
                                        np.greater, np.greater_equal))


def _logical(ufunc):
    def f(input, other):
        da, db = _coerce(as_tensor_arg(input), as_tensor_arg(other))
        return _make(_asarray(ufunc(da, db)))
    return f


bitwise_and, bitwise_or, bitwise_xor = map(_logical, (np.bitwise_and, np.bitwise_or, np.bitwise_xor))


def logical_not(input):
    return _make(_asarray(np.logical_not(input._data)))


def bitwise_not(input):
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


def argmax(input, dim=None, keepdim=False):
    d = input._data
    if dim is None:
        return _make(_asarray(np.argmax(d)))
    r = np.argmax(d, axis=dim)
    return _make(np.expand_dims(r, dim) if keepdim else _asarray(r))


def argmin(input, dim=None, keepdim=False):
    d = input._data
    if dim is None:
        return _make(_asarray(np.argmin(d)))
    r = np.argmin(d, axis=dim)
    return _make(np.expand_dims(r, dim) if keepdim else _asarray(r))


def _no_grad():
    from .grad_mode import no_grad
    return no_grad()


from .reductions import *  # noqa: E402,F401,F403  (reductions, shapes and creation split for size)
from .shapes import *  # noqa: E402,F401,F403
from .creation import *  # noqa: E402,F401,F403
from .shapes import _getitem  # noqa: E402,F401
