"""Custom autograd Functions: `class F(Function)` with static forward/backward, ctx.save_for_backward,
ctx.saved_tensors, ctx.needs_input_grad; `F.apply(...)` records a node named `<F>Backward`."""
import functools
import warnings

import numpy as np

from .graph import bump
from .grad_mode import STATE, no_grad
from .graph import FREED, Node, SavedResult, pack_saved
from .tensor import Tensor, vc

LEGACY = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
          "autograd function with static forward method. (Example: "
          "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")


class FunctionCtx:
    """What `forward` receives as ctx when no graph is recorded (grad mode off or no input needs grad)."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of one Function.apply call; it is also the ctx its forward and backward see (as in torch)."""

    _saves_tensors = True
    _fn = None

    @property
    def saved_tensors(self):
        if self._saved is None:
            if getattr(self, "_had_saved", False):
                raise RuntimeError(FREED)
            return ()
        return tuple(self.unpack())

    def apply(self, grads):
        if getattr(self, "materialize_grads", True):
            grads = [g if g is not None else Tensor._make(np.zeros(shape, dt))
                     for g, (shape, dt) in zip(grads, self._outputs_meta)]
        result = self._fn.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_in = len(self._tensor_positions)
        n_args = self._n_args
        if len(result) < n_args:
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {len(result)})")
        if any(r is not None for r in result[n_args:]):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {len(result)})")
        out = []
        for pos in self._tensor_positions[:n_in]:
            g = result[pos]
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"function {type(self).__name__} returned a gradient different than None at "
                                f"position {pos + 1}, but the corresponding forward input was not a Variable")
            out.append(g)
        return out


class FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        # torch prints these as <torch.autograd.function.MyExpBackward object at 0x...>
        node = type(name + "Backward", (BackwardCFunction,), {"_fn": cls, "__module__": "torch.autograd.function"})
        node.__repr__ = object.__repr__
        cls._backward_cls = node


class Function(metaclass=FunctionMeta):
    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself. Instantiating an autograd function "
                      "will raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(LEGACY)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        record = STATE.grad_enabled and any(args[i]._rg for i in positions)
        ctx = cls._backward_cls() if record else FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg and record for a in args)
        separate = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate:
                raw = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, raw)
            else:
                raw = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(raw, tuple)
        outs = (raw,) if single else raw
        dirty = {id(t) for t in getattr(ctx, "dirty_tensors", ())}
        if dirty:
            _check_dirty(ctx.dirty_tensors, outs, record)
        if not record:
            return raw
        ctx.next_functions = tuple(args[i]._grad_edge() for i in positions)
        ctx._tensor_positions = positions
        ctx._n_args = len(args)
        ctx._in = tuple((args[i]._data.shape, args[i]._data.dtype.char) for i in positions)
        nondiff = {id(t) for t in getattr(ctx, "non_differentiable", ())}
        wrapped, meta = [], []
        for nr, o in enumerate(outs):
            if isinstance(o, Tensor):
                meta.append((o._data.shape, o._data.dtype))
                if id(o) in nondiff or o._data.dtype.kind != "f":
                    wrapped.append(o)
                    continue
                if id(o) in dirty:  # modified in place: the input itself becomes the output, rebased on ctx
                    o.grad_fn, o._output_nr, o._rg = ctx, nr, True
                    wrapped.append(o)
                    continue
                w = Tensor._make(o._data, True, ctx, nr)
                w._vc = vc(o)
                wrapped.append(w)
            else:
                meta.append(((), np.float32))
                wrapped.append(o)
        ctx._outputs_meta = meta
        ctx._num_outputs = len(outs)
        to_save = getattr(ctx, "to_save", None)
        if to_save is not None:
            # a saved output is stored without a reference to itself, like torch's SavedVariable
            by_id = {id(o): w for o, w in zip(outs, wrapped) if isinstance(o, Tensor)}
            vals = tuple(SavedResult(by_id[id(t)]) if id(t) in by_id and by_id[id(t)].grad_fn is ctx else t
                         for t in to_save)
            ctx.save(tuple(v for v in vals))
            if STATE.saved_hooks:
                pack_saved(ctx)
            ctx._had_saved = True
            del ctx.to_save
        return wrapped[0] if single else tuple(wrapped)


def _check_dirty(dirty, outs, record):
    """torch's rules for ctx.mark_dirty: a leaf that requires grad cannot be modified, every dirty tensor
    must be returned, and marking bumps its version (after the in-place op's own bump)."""
    out_ids = {id(o) for o in outs}
    for t in dirty:
        if record and t._rg and t.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        if id(t) not in out_ids:
            raise RuntimeError("Some elements marked as dirty during the forward method were not returned as "
                               "output. The inputs that are modified inplace must all be outputs of the Function.")
        bump(t)


ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


class Error(Node):
    """What the gradients of a @once_differentiable backward point at when a graph is being built:
    differentiating through them raises, as torch's (torch::autograd::Error) does."""

    @classmethod
    def name(cls):
        return "torch::autograd::Error"

    def apply(self, grads):
        raise RuntimeError(ONCE)


def once_differentiable(fn):
    """Run a Function's backward under no_grad; if its incoming gradients carry a graph (create_graph),
    its results get an Error node, so a second differentiation through them fails loudly."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not STATE.grad_enabled or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        node = Error()
        node._num_outputs = len(outs)
        edges, wrapped = [], []
        for nr, v in enumerate(outs):
            if not isinstance(v, Tensor):
                edges.append((None, 0))
                wrapped.append(v)
                continue
            fake = Tensor._make(v._data, True)  # a detached alias that requires grad, as torch makes
            edges.append(fake._grad_edge())
            wrapped.append(Tensor._make(v._data, True, node, nr))
        node.next_functions = tuple(edges)
        return wrapped[0] if single else tuple(wrapped)
    return wrapper
