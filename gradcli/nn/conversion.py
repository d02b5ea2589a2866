"""Module.to / cpu / cuda / double / float / half: parameters and buffers converted in place (the same
Parameter objects, as torch keeps them); the cpu is the only device and cuda raises torch's CPU-build error."""
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor


class Conversions:
    """Mixed into Module."""

    def to(self, *args, **kwargs):
        """Convert floating parameters and buffers in place (the same Parameter objects, as torch keeps
        them); the cpu is the only device, and cuda raises torch's CPU-build error."""
        from ..autograd.device import check_device
        from ..autograd.dtypes import dtype as dtype_cls
        dtype = kwargs.get("dtype")
        check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, dtype_cls):
                dtype = a
            elif not isinstance(a, bool):
                check_device(a)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        return self._cast(dtype) if dtype is not None else self

    def _cast(self, dtype):
        with no_grad():
            for m in self.modules():
                for registry in (m._parameters, m._buffers):
                    for t in registry.values():
                        if t is not None and t.is_floating_point() and t.dtype is not dtype:
                            t.data = t.data.to(dtype)
                            if t._grad is not None:
                                t._grad = t._grad.to(dtype)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        from ..autograd.device import NO_CUDA
        raise AssertionError(NO_CUDA)

    def double(self):
        from ..autograd.dtypes import float64
        return self._cast(float64)

    def float(self):
        from ..autograd.dtypes import float32
        return self._cast(float32)

    def half(self):
        from ..autograd.dtypes import float16
        return self._cast(float16)
