"""Graph nodes: the Node base (next_functions, saved values with version checks, hooks, release)
and AccumulateGrad, the node that ends every path at a leaf."""
import itertools
import re

from .grad_mode import STATE
from .observer import OBSERVERS, Modified, notify


_seq = itertools.count()
_ACCUMULATE_FIRST = 1 << 62  # above any op's sequence number, and still unique per node

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after "
         "they have already been freed). Saved intermediate values of the graph are freed when you call "
         ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
         "graph a second time or if you need to access saved tensors after calling backward.")
# How a notebook draws a graph: gradcli/__init__.py sets this to `fn(obj, kind) -> str | None` (kind "svg" or
# "html"), so the engine imports nothing of the display code; None (text only) until then
RICH_DISPLAY = None


def rich_display(obj, kind):
    """The `_repr_svg_` / `_repr_html_` of a tensor or node: None where nothing is set or nothing to draw."""
    return None if RICH_DISPLAY is None else RICH_DISPLAY(obj, kind)


_HINT = (" Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
         "with torch.autograd.set_detect_anomaly(True, check_nan=False).")
_ANOMALY_HINT = (" Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                 "The variable in question was changed in there or anywhere later. Good luck!")


class RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def vc(t):
    """A tensor's version counter (a one-item list shared by all views of a storage), made on demand."""
    c = t._vc
    if c is None:
        c = t._vc = [0]
    return c


def bump(t):
    """Raise t's version counter after an in-place change of its storage (and tell any observer)."""
    c = vc(t)
    c[0] += 1
    if OBSERVERS:
        notify(Modified(t, c[0]))


def version(t):
    c = t._vc
    return 0 if c is None else c[0]


def _short_name(node):
    return re.sub(r"Backward\d*$", "", node.name())


def modified_error(t, saved_version, producer=None):
    """torch's text for a saved tensor that an in-place op changed after it was saved."""
    shape = "[" + ", ".join(str(s) for s in t._data.shape) + "]"
    src = producer if producer is not None else t.grad_fn
    which = f", which is output {t._output_nr} of {_short_name(src)}," if src is not None else ""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[torch.{t.dtype.legacy} {shape}]{which} is at version {version(t)}; expected version "
        f"{saved_version} instead." + (_ANOMALY_HINT if STATE.anomaly else _HINT))


_MAKE = []


def _tensor_make():
    """Tensor._make, looked up once: tensor.py imports this module, so it can't be imported at the top, and
    an import statement in unpack's loop costs a module lookup per saved result."""
    if not _MAKE:
        from .tensor import Tensor
        _MAKE.append(Tensor._make)
    return _MAKE[0]


class SavedResult:
    """An op's own output, saved without a reference to the output Tensor (that would be a cycle):
    unpacking rebuilds a Tensor on the same storage whose grad_fn is the saving node."""

    __slots__ = ("data", "vc", "version", "output_nr")

    def __init__(self, t):
        c = vc(t)
        self.data, self.vc, self.version, self.output_nr = t._data, c, c[0], t._output_nr


class Node:
    """A backward function. Subclasses set `name()`; the engine calls `apply(grads) -> grads per edge`."""

    # Edges are kept flat (`_next`: nodes, `_nrs`: input numbers or None when all 0) and next_functions is
    # built on demand: fewer long-lived tuples per node keeps Python's cyclic GC cheap on big graphs.
    __slots__ = ("_next", "_nrs", "_saved", "_versions", "_seq", "_x", "__weakref__")
    _saves_tensors = False
    _num_outputs = 1

    def __init__(self, next_functions=()):
        self.next_functions = next_functions
        self._saved = None
        self._versions = None
        self._seq = next(_seq)
        self._x = None  # rarely used extras (hooks, metadata, anomaly trace) live in one lazy dict

    @classmethod
    def name(cls):
        return cls.__name__

    @property
    def next_functions(self):
        nrs = self._nrs
        if nrs is None:
            return tuple([(n, 0) for n in self._next])
        return tuple(zip(self._next, nrs))

    @next_functions.setter
    def next_functions(self, edges):
        self._next = tuple([e[0] for e in edges])
        nrs = tuple([e[1] for e in edges])
        self._nrs = nrs if any(nrs) else None

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # a notebook (IPython) shows the graph under this node inline; scripts never reach `_` names
    def _repr_svg_(self):
        return rich_display(self, "svg")

    def _repr_html_(self):
        return rich_display(self, "html")

    # ---- saved values -------------------------------------------------------------------------
    def save(self, values):
        self._saved = tuple(values)
        self._versions = tuple([v.version if type(v) is SavedResult else version(v) if hasattr(v, "_vc")
                                else None for v in values])

    def unpack(self):
        saved = self._saved
        if saved is None:
            if self._saves_tensors:
                raise RuntimeError(FREED)
            return ()
        if self._x is not None and "packed" in self._x:
            # saved through saved_tensors_hooks: each access runs the unpack hook (no version check, as torch)
            return [v.unpack(self) if type(v) is Packed else v for v in saved]
        versions = self._versions
        if versions is None:
            return saved
        out = saved  # copied only when a saved result becomes a tensor: callers only index what they get
        for k, ver in enumerate(versions):
            if ver is None:
                continue
            v = saved[k]
            if type(v) is SavedResult:
                t = (_MAKE[0] if _MAKE else _tensor_make())(v.data, True, self, v.output_nr)
                t._vc = v.vc
                if v.vc[0] != ver:
                    raise modified_error(t, ver, self)
                if out is saved:
                    out = list(saved)
                out[k] = t
            elif (0 if v._vc is None else v._vc[0]) != ver:
                raise modified_error(v, ver)
        return out

    def release(self):
        if self._saves_tensors:
            self._saved = None

    def __getattr__(self, attr):
        # torch exposes saved values as _saved_<name>; reading one after release raises like torch
        if attr.startswith("_raw_saved_"):
            names = getattr(type(self), "_save_names", ())
            key = attr[len("_raw_saved_"):]
            if key in names:
                i = names.index(key)
                op = getattr(type(self), "op", None)
                tensor = op.save_src[i][0] in (0, 2) if op is not None else (
                    self._saved is not None and _is_tensor(self._saved[i]))
                if tensor:
                    return SavedTensor(self, i)
        if attr.startswith("_saved_") and "_saved_" not in type(self).__dict__:
            names = getattr(type(self), "_save_names", ())
            key = attr[len("_saved_"):]
            if key in names:
                if self._saved is None and self._saves_tensors:
                    raise RuntimeError(FREED)
                return self.unpack()[names.index(key)]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    # ---- hooks ----------------------------------------------------------------------------------
    def _extras(self):
        if self._x is None:
            self._x = {}
        return self._x

    def register_hook(self, fn):
        lst = self._extras().setdefault("hooks", [])
        lst.append(fn)
        return RemovableHandle(lst, fn)

    def register_prehook(self, fn):
        lst = self._extras().setdefault("prehooks", [])
        lst.append(fn)
        return RemovableHandle(lst, fn)

    @property
    def metadata(self):
        return self._extras().setdefault("metadata", {})

    def _sequence_nr(self):
        return self._seq


# ---- saved_tensors_hooks: user pack/unpack of what nodes save ---------------------------------------------
class Packed:
    """A saved tensor as a pack hook returned it, with the unpack hook to turn it back."""

    __slots__ = ("value", "unpack_hook", "output_nr")

    def __init__(self, value, unpack_hook, output_nr=None):
        self.value, self.unpack_hook, self.output_nr = value, unpack_hook, output_nr

    def unpack(self, node):
        t = self.unpack_hook(self.value)
        if self.output_nr is None:
            return t
        # the node's own output comes back as a tensor of that node, as torch rebuilds it
        from .tensor import Tensor, storage
        out = Tensor._make(storage(t), True, node, self.output_nr)
        out._vc = vc(t)
        return out


def pack_saved(node):
    """Run the innermost pack hook on each tensor a node just saved (called only while hooks are set)."""
    from .grad_mode import STATE
    from .tensor import Tensor
    pack, unpack = STATE.saved_hooks[-1]
    out = []
    for v in node._saved:
        if type(v) is SavedResult:
            t = Tensor._make(v.data, True, node, v.output_nr)
            t._vc = v.vc
            out.append(Packed(pack(t), unpack, v.output_nr))
        else:
            out.append(Packed(pack(v), unpack) if isinstance(v, Tensor) else v)
    node._saved = tuple(out)
    node._versions = None
    node._extras()["packed"] = True


def _is_tensor(v):
    from .tensor import Tensor
    return isinstance(v, (Tensor, SavedResult, Packed))


class SavedTensor:
    """node._raw_saved_<name>: one saved tensor's handle, whose pack/unpack hooks can be set after the fact."""

    __slots__ = ("_node", "_index")

    def __init__(self, node, index):
        self._node, self._index = node, index

    def register_hooks(self, pack_hook, unpack_hook):
        node = self._node
        if node._saved is None:
            raise RuntimeError(
                "Calling register_hooks on a saved tensor after it has been freed. Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need "
                "to backward through the graph a second time or if you need to access saved variables after "
                "calling backward.")
        v = node.unpack()[self._index]
        packed = Packed(pack_hook(v), unpack_hook, v._output_nr if v.grad_fn is node else None)
        saved = list(node._saved)
        # the other saved values keep plain storage: mark them as already unpacked values
        if not (node._x is not None and "packed" in node._x):
            saved = list(node.unpack())
            node._versions = None
            node._extras()["packed"] = True
        saved[self._index] = packed
        node._saved = tuple(saved)

    def unpack(self):
        return self._node.unpack()[self._index]


class saved_tensors_hooks:  # noqa: N801  (torch's name)
    """Within this context, tensors saved for backward go through pack_hook, and come back through
    unpack_hook when backward (or a _saved_ attribute) needs them."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        from .grad_mode import STATE
        if STATE.saved_hooks_disabled is not None:
            raise RuntimeError(STATE.saved_hooks_disabled)
        STATE.saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        from .grad_mode import STATE
        STATE.saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Saved tensors are kept on the cpu: with the cpu the only device, a copy that comes back unchanged."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: (t.detach().clone(), t.requires_grad), lambda p: p[0])


class disable_saved_tensors_hooks:  # noqa: N801
    """Within this context, entering saved_tensors_hooks raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        from .grad_mode import STATE
        self.previous, STATE.saved_hooks_disabled = STATE.saved_hooks_disabled, self.error_message
        return self

    def __exit__(self, *exc):
        from .grad_mode import STATE
        STATE.saved_hooks_disabled = self.previous


class _NoVC:
    def __getitem__(self, i):
        return None


_NOVC = _NoVC()


class AccumulateGrad(Node):
    """Ends a path at a leaf: adds the incoming gradient into `variable.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        Node.__init__(self)
        self.variable = variable
        self._seq = _ACCUMULATE_FIRST + self._seq  # torch runs accumulation as soon as it is ready

    @classmethod
    def name(cls):
        return "torch::autograd::AccumulateGrad"
