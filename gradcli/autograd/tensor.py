"""Tensor: a numpy array plus autograd state (requires_grad, grad, grad_fn, version counter).
Operators and methods are bound from ops.py, so every op is dispatched through the one op table."""
import warnings

import numpy as np

from . import dtypes
from .grad_mode import STATE
from .graph import AccumulateGrad, RemovableHandle, rich_display, vc, version  # noqa: F401  (re-exported)
from .observer import OBSERVERS, Dropped, notify

NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/"
    "TensorBody.h:493.)")
NONLEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
    "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")


_C_NAMES = {"float64": "double", "float32": "float", "int64": "long", "int32": "int", "float16": "half"}


class Size(tuple):
    """torch.Size: a tuple that prints as torch.Size([2, 3])."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(str(int(s)) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    __slots__ = ("_data", "_rg", "grad_fn", "_output_nr", "_vc", "_grad", "_accum", "_x", "__weakref__")
    __array_priority__ = 1000  # so ndarray (op) Tensor defers to Tensor's reflected operator

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        TENSOR_TYPES.add(cls)

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None, output_nr=0):
        t = _new(Tensor)
        t._data = data
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = None  # made on first need (see vc()): most tensors are never saved or modified in place
        t._grad = None
        t._accum = None
        t._x = {"inference": True} if STATE.inference else None  # made inside inference_mode()
        return t

    def __init__(self, *args, **kwargs):
        from .ops import tensor
        src = tensor(*args, **kwargs) if args else tensor([])
        for s in ("_data", "_rg", "grad_fn", "_output_nr", "_vc", "_grad", "_accum", "_x"):
            setattr(self, s, getattr(src, s))

    def _extras(self):
        if self._x is None:
            self._x = {}
        return self._x

    # ---- autograd state ---------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            # torch's text is shorter when asking for grad on a non-leaf (it already has it)
            raise RuntimeError(NONLEAF_REQUIRES_GRAD.split(" If ")[0] if value else NONLEAF_REQUIRES_GRAD)
        if value and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(value)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.grad_fn is None and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '[{', '.join(map(str, value.shape))}]' "
                                   f"to a tensor of size '[{', '.join(map(str, self.shape))}]'. Please ensure that "
                                   "the gradient and the tensor are the same size")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_NAMES.get(value.dtype.name, value.dtype.name)}' "
                    f"to a tensor with grad_dtype '{self.dtype.legacy[:-6]}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with "
                    "a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes "
                    "of a tensor and its gradient may break downstream systems that assume they match.")
        self._grad = value

    @property
    def retains_grad(self):
        return self._x is not None and self._x.get("retains_grad", False)

    def retain_grad(self):
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self._extras()["retains_grad"] = True
            hooks = self.grad_fn._extras().setdefault("retain", {})
            import weakref
            hooks[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook):
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            lst = self._extras().setdefault("hooks", [])
        else:
            lst = self.grad_fn._extras().setdefault("tensor_hooks", {}).setdefault(self._output_nr, [])
        lst.append(hook)
        return RemovableHandle(lst, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        lst = self._extras().setdefault("post_hooks", [])
        lst.append(hook)
        return RemovableHandle(lst, hook)

    def _grad_edge(self):
        """The (node, input_nr) pair an op consuming this tensor points its edge at."""
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        if self._rg:
            acc = self._accum
            if acc is None:
                acc = self._accum = AccumulateGrad(self)
            return (acc, 0)
        return (None, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .engine import backward
        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph,
                 inputs=inputs)

    def detach(self):
        t = Tensor._make(storage(self))
        t._vc = vc(self)  # shares storage, so it shares the version counter too
        if OBSERVERS and self._rg:
            notify(Dropped("detach", self, t))
        return t

    def detach_(self):
        if self._x is not None and self._x.get("base") is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def data(self):
        t = Tensor._make(storage(self))
        if OBSERVERS and self._rg:
            notify(Dropped("data", self, t))
        return t

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def _version(self):
        return self._vc[0] if self._vc is not None else 0

    # ---- metadata ---------------------------------------------------------------------------------
    @property
    def dtype(self):
        return dtypes.FROM_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    @property
    def device(self):
        from .device import CPU
        return CPU

    is_cuda = False
    is_cpu = True

    def get_device(self):
        return -1  # torch's answer for a CPU tensor

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        from .device import NO_CUDA
        raise AssertionError(NO_CUDA)

    def is_inference(self):
        return self._x is not None and self._x.get("inference", False)

    # ---- conversion -------------------------------------------------------------------------------
    def numpy(self):
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return storage(self)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        if OBSERVERS and self._rg:
            notify(Dropped("item", self, None))
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        if self._rg:  # torch warns for float() only (not int(), bool() or item())
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                          "behavior.\nConsider using tensor.detach() first.", UserWarning, stacklevel=2)
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.category == 2 or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from ..printing import format_tensor
        if self.grad_fn is not None:
            extras = (f"grad_fn=<{type(self.grad_fn).__name__}>",)
        elif self._rg:
            extras = ("requires_grad=True",)
        else:
            extras = ()
        return format_tensor(np.asarray(self._data), self.dtype.name, extras)

    __str__ = __repr__

    # a notebook (IPython) shows a tensor with a graph as its printed form and the graph drawn; a tensor
    # without grad_fn answers None and IPython falls back to the text above
    def _repr_svg_(self):
        return rich_display(self, "svg")

    def _repr_html_(self):
        return rich_display(self, "html")

    def __format__(self, spec):
        if self._data.ndim == 0:  # torch formats a 0-dim tensor as its Python number
            return format(self.item(), spec)
        return format(str(self), spec)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._rg))


def _rebuild(data, rg):
    t = Tensor._make(data)
    t._rg = rg
    return t


_new = object.__new__


def storage(t):
    """The tensor's data as an ndarray. Op results that are 0-d stay numpy scalars (much cheaper to
    compute with); anything that aliases or writes a tensor's data goes through here first."""
    d = t._data
    if type(d) is not np.ndarray:
        d = t._data = np.array(d)
    return d




# hot paths test `type(x) in TENSOR_TYPES`: cheaper than isinstance, and subclasses (Parameter) register
TENSOR_TYPES = {Tensor}


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n
