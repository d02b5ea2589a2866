"""Parameter: the Tensor subclass a Module registers as learnable when it is assigned as an attribute."""
import numpy as np

from ..autograd.tensor import Tensor, storage, vc

__all__ = ["Parameter"]


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


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._make(data), requires_grad)
