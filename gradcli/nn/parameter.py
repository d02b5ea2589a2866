"""Parameter: the Tensor subclass a Module registers as learnable when it is assigned as an attribute."""
import numpy as np

from ..autograd.tensor import Tensor, storage, vc

__all__ = ["Parameter", "UninitializedParameter"]


class Parameter(Tensor):
    """A leaf Tensor that a Module registers as a learnable parameter when assigned as an attribute."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.zeros((0,), np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        p = object.__new__(cls)
        # like torch's _make_subclass on data.detach(): same storage and version counter, new leaf
        p._data, p._vc = storage(data), vc(data)
        p._rg, p.grad_fn, p._output_nr, p._grad, p._accum, p._x = False, None, 0, None, None, None
        if requires_grad:
            if not data.dtype.is_floating_point:
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            p._rg = True
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__; Tensor.__init__ would rebuild from scratch

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(Tensor._make(self._data.copy()), self._rg)
        return memo[id(self)]


UNINITIALIZED = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
                 "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
                 "`forward` to initialize the parameters before accessing their attributes.")


class UninitializedParameter(Parameter):
    """A lazy module's parameter before its first forward: no shape yet. materialize() gives it one and
    turns it into a plain Parameter in place, so optimizers built before the first forward keep working."""

    __slots__ = ()

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        p = Parameter.__new__(cls, None, requires_grad)
        if dtype is not None:
            p._data = p._data.astype(dtype.np)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __repr__(self):
        return "<UninitializedParameter>"

    __str__ = __repr__

    @property
    def shape(self):
        raise RuntimeError(UNINITIALIZED)

    def size(self, dim=None):
        raise RuntimeError(UNINITIALIZED)

    def numel(self):
        raise RuntimeError(UNINITIALIZED)

    def materialize(self, shape, device=None, dtype=None):
        self._data = np.zeros(tuple(shape), dtype.np if dtype is not None else self._data.dtype)
        self.__class__ = Parameter


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._make(data), requires_grad)


def zero_grads(params, set_to_none=True):
    """Module.zero_grad and Optimizer.zero_grad: drop each gradient, or zero it in place (detached first,
    as torch does, so a create_graph gradient stops being part of a graph)."""
    from ..autograd.grad_mode import no_grad
    for p in params:
        g = p._grad
        if g is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if g.grad_fn is not None:
                g.detach_()
            else:
                g.requires_grad_(False)
            with no_grad():
                g.zero_()
