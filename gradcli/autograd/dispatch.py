"""Dispatch through the op table: run a forward on numpy data and, when grad mode is on and an input
requires grad, record the node (edges, saved values, input metadata) the engine will run."""
import sys
import traceback

import numpy as np

from . import dtypes
from .grad_mode import STATE
from .graph import AccumulateGrad, Node, SavedResult, _seq, pack_saved
from .observer import OBSERVERS, Dropped, Recorded, notify
from .tensor import TENSOR_TYPES as _TT
from .tensor import Tensor, _new

_next_seq = _seq.__next__

_ndarray = np.ndarray
_rc = sys.getrefcount
_INPLACE_MIN = 4096  # elements: below this a fresh array costs no more than the checks
# 0-d results stay numpy scalars: scalar arithmetic is ~10x cheaper than on 0-d arrays, and a
# tensor's storage becomes a real array (tensor.storage()) before anything aliases or writes it.
_STORAGE = {np.ndarray, np.float32, np.float64, np.int64, np.bool_, np.float16, np.int32, np.uint8}
_asarray = np.asarray
_make = Tensor._make
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
        if od.inplace is not None and not STATE.grad_enabled and not OBSERVERS and type(g) is Tensor:
            # The engine's own buffer, seen by nothing else (no hook kept it, nothing captured it: the
            # references are the engine's grads list, `g` here and getrefcount's argument; an observer
            # would see the values change, so none may be on): overwrite it instead of allocating.
            d = g._data
            y = saved[0]._data if nf[0] is not None else None
            if (type(d) is _ndarray and d.size >= _INPLACE_MIN and _rc(g) <= 3 and _rc(d) <= 3
                    and d.flags.owndata and d.flags.writeable and d.flags.c_contiguous and type(y) is _ndarray
                    and y.shape == d.shape and y.dtype == d.dtype and y.flags.c_contiguous):
                od.inplace(d, y)
                return [g]
        if od.variadic:
            fn, idx = od.vjps[0], od.vjp_args[0]
            args = [saved[j] for j in idx]
            return [None if nf[i] is None else fn(g, i, *args) for i in range(len(nf))]
        out = []
        for fn, idx, nxt in zip(od.vjps, od.vjp_args, nf):
            if nxt is None:
                out.append(None)
            elif not idx:
                out.append(fn(g))
            elif len(idx) == 1:
                out.append(fn(g, saved[idx[0]]))
            elif len(idx) == 2:
                out.append(fn(g, saved[idx[0]], saved[idx[1]]))
            else:
                out.append(fn(g, *[saved[j] for j in idx]))
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


def broadcast_error(*shapes):
    """torch's error for shapes that do not broadcast (None if they do): shapes are folded left to
    right like TensorIterator does, and each pair is compared from the last dimension backwards."""
    acc = ()
    for shape in shapes:
        shape = tuple(shape)
        n = max(len(acc), len(shape))
        a = (1,) * (n - len(acc)) + acc
        b = (1,) * (n - len(shape)) + shape
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                return RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                                    f"at non-singleton dimension {i}")
        acc = tuple(y if x == 1 else x for x, y in zip(a, b))
    return None


def raise_broadcast(err, *operands):
    """Turn numpy's broadcasting ValueError into torch's RuntimeError; re-raise anything else. Called
    only after numpy failed, so the hot path pays nothing for the check."""
    shapes = [np.shape(x._data if type(x) in _TT else x) for x in operands if x is not None]
    torch_err = broadcast_error(*shapes)
    if torch_err is not None:
        raise torch_err from None
    if err is not None:
        raise err


def apply(od, xs, args=(), datas=None):
    """Run an op's forward on numpy data; record a node if grad mode is on and an input requires grad."""
    if datas is None:
        if len(xs) == 1:  # most calls (a VJP's one-input ops): no list comprehension's frame
            x = xs[0]
            datas = (x._data if type(x) in _TT else x,)
        else:
            datas = [x._data if type(x) in _TT else x for x in xs]
    try:
        out = od.fwd(*datas, *args) if od.fwd_args else od.fwd(*datas)
    except ValueError as e:
        raise_broadcast(e, *datas)
    if type(out) not in _STORAGE:
        out = _asarray(out)
    if STATE.grad_enabled and out.dtype.kind == "f":  # integer and bool results never require grad
        for x in xs:
            if type(x) in _TT and x._rg:
                return _record(od, xs, args, out)
    return _make(out) if not OBSERVERS else _dropped(xs, _make(out))


def _dropped(xs, res):
    """Tell observers when grad mode being off is why an input's history stops here."""
    if STATE.grad_enabled:
        return res
    for x in xs:
        if type(x) in _TT and x._rg:
            notify(Dropped("no_grad", x, res))
            break
    return res


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
        if STATE.saved_hooks:
            pack_saved(node)
    else:
        node._saved = None
    if STATE.anomaly:
        node._extras()["trace"] = _forward_trace()
    if OBSERVERS:
        notify(Recorded(node, tuple(xs), () if od.variadic else od.inputs, dict(zip(od.args, args)), res))
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
    if STATE.forward_trace is not None:
        return STATE.forward_trace()
    here = __file__.rsplit("/", 1)[0]
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(here)]
    return traceback.format_list(frames)
