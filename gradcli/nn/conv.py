"""2-D convolution and max pooling for nn: F.conv2d / F.max_pool2d (torch's argument checks and error texts)
and the Conv2d / MaxPool2d modules."""
import math
import warnings

from ..autograd import ops
from . import init
from .module import Module, Parameter

__all__ = ["conv2d", "Conv2d", "max_pool2d", "MaxPool2d"]

_C_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int"}


def _listed(v):
    return "[" + ", ".join(str(int(e)) for e in v) + "]"


def _pair(name, v, dims):
    v = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(v) == 1:
        v = v * dims
    if len(v) != dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dims} values to match "
                           f"the convolution dimensions, but got {name}={_listed(v)}")
    return tuple(int(e) for e in v)


def _same_padding(kernel, dilation):
    # torch pads the extra element of an even total after the input (bottom / right)
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    if any(lo != hi for lo, hi in pads):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
                      "copy of the input be created", UserWarning, stacklevel=3)
    return tuple(pads)


def _check(input, weight, bias, stride, padding, dilation, groups):
    if weight.ndim != 4:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {weight.ndim - 2} values "
                           f"to match the convolution dimensions, but got stride={_listed(stride)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for side in padding for p in side):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {_listed(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    oc, cg = weight.shape[:2]
    if oc % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_listed(weight.shape)}] instead")
    if input.shape[1] != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_listed(weight.shape)}, expected "
                           f"input{_listed(input.shape)} to have {cg * groups} channels, but got {input.shape[1]} "
                           "channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != oc):
        raise RuntimeError(f"Given weight of size {_listed(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{oc} elements, but got bias of size {_listed(bias.shape)} instead")
    padded = [input.shape[2 + i] + sum(padding[i]) for i in range(2)]
    kernel = [dilation[i] * (weight.shape[2 + i] - 1) + 1 for i in range(2)]
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel size: "
                           f"({kernel[0]} x {kernel[1]}). Kernel size can't be greater than actual input size")
    # torch checks the bias's dtype before the weight's
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_C_NAMES.get(input.dtype.name, input.dtype.name)}) and bias type "
                           f"({_C_NAMES.get(bias.dtype.name, bias.dtype.name)}) should be the same")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.legacy[:-6]} but found {weight.dtype.legacy[:-6]}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: one ConvolutionBackward0 node (unbatched input: wrapped in unsqueeze /
    squeeze, as torch does)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                           f"{_listed(input.shape)}")
    stride = _pair("stride", stride, 2)
    dilation = _pair("dilation", dilation, 2)
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0), (0, 0))
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(weight.shape[2:], dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _pair("padding", padding, 2))
    batched = input.ndim == 4
    if not batched:
        input = input.unsqueeze(0)
    _check(input, weight, bias, stride, pads, dilation, groups)
    out = ops.convolution(input, weight, bias, stride, pads, dilation, groups)
    return out if batched else out.squeeze(0)


class Conv2d(Module):
    """A 2-D convolution layer, initialised like torch (kaiming_uniform with a=sqrt(5); bias U(±1/sqrt(fan_in)))."""

    _MODES = ("zeros", "reflect", "replicate", "circular")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride, dilation = (_pair(n, v, 2) for n, v in
                                         (("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)))
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _pair("padding", padding, 2)
        if padding_mode not in self._MODES:
            raise ValueError(f"padding_mode must be one of {{'reflect', 'circular', 'zeros', 'replicate'}}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.transposed, self.output_padding = False, (0, 0)
        self.groups, self.padding_mode = groups, padding_mode
        self.weight = Parameter(ops.empty(out_channels, in_channels // groups, *kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(ops.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # torch's _ConvNd.reset_parameters: same order and bounds (it skips the bias when fan_in is 0, Linear does not)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode != "zeros":
            raise NotImplementedError(f"gradcli: Conv2d(padding_mode={self.padding_mode!r}) is not supported; "
                                      "only 'zeros'")
        return conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


# ---- max pooling ----------------------------------------------------------------------------------------
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    kernel = _pair("kernel_size", kernel_size, 2)
    stride = kernel if stride is None or stride == [] else _pair("stride", stride, 2)
    padding, dilation = _pair("padding", padding, 2), _pair("dilation", dilation, 2)
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    out, indices = ops.max_pool2d_with_indices(input, kernel, stride, padding, dilation, ceil_mode)
    return (out, indices) if return_indices else out


class MaxPool2d(Module):
    """Max over each kernel window; `return_indices` also returns where each maximum came from."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")
