"""torch.nn.functional: activations, linear, dropout and losses, dispatched through the op table."""
import math
import warnings

import numpy as np

from ..autograd import ops
from ..autograd.creation import generator
from ..autograd.tensor import Tensor
from .conv import conv2d, max_pool2d  # noqa: F401  (argument checks and the module live together in nn/conv.py)

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "gelu", "linear", "dropout",
           "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss", "one_hot", "conv2d", "max_pool2d"]

_REDUCTIONS = ("none", "mean", "sum")


# ---- activations ----------------------------------------------------------------------------------
def _maybe_inplace(out, input, inplace):
    # inplace=True keeps torch's contract (the input object holds the result) via copy_
    return input.copy_(out) if inplace else out


def _input_tensor(fn: str, input) -> None:
    """torch's argument parser on a non-tensor input (these functions are C++ bindings there)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def relu(input, inplace=False):
    _input_tensor("relu", input)
    return input.relu_() if inplace else ops.relu(input)


def sigmoid(input):
    return ops.sigmoid(input)


def tanh(input):
    return ops.tanh(input)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return ops.softmax(input if dtype is None else input.to(dtype), dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return ops.log_softmax(input if dtype is None else input.to(dtype), dim)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _input_tensor("leaky_relu", input)
    return _maybe_inplace(ops.leaky_relu(input, negative_slope), input, inplace)


def gelu(input, approximate="none"):
    _input_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return ops.gelu(input, approximate)


# ---- linear and dropout ---------------------------------------------------------------------------
def _mm_error(rows, k1, k2, n):
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k1} and {k2}x{n})")


def linear(input, weight, bias=None):
    """y = x W^T + b with the graph torch builds: addmm for 2-D input (a view-fold around it for other
    ranks), matmul (+ add if the input cannot be viewed) otherwise."""
    _input_tensor("linear", input)
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.ndim}D "
                           f"and {weight.ndim}D")
    if input.dtype is not weight.dtype:
        if bias is not None and (input.ndim == 2 or input.is_contiguous()):  # torch's addmm path
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.legacy[:-6]} and "
                               f"{weight.dtype.legacy[:-6]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_c_name(input.dtype)} != {_c_name(weight.dtype)}")
    if weight.ndim == 2 and input.shape[-1] != weight.shape[1]:
        rows = input.shape[0] if input.ndim == 2 else math.prod(input.shape[:-1])
        raise _mm_error(rows, input.shape[-1], weight.shape[1], weight.shape[0])
    if bias is None or weight.ndim != 2:
        out = ops.matmul(input, weight.t())
        return out if bias is None else out + bias
    if input.ndim == 2:
        return ops.addmm(bias, input, weight.t())
    if input.is_contiguous():
        lead = tuple(input.shape[:-1])
        flat = input.reshape(-1, input.shape[-1])
        return ops.addmm(bias, flat, weight.t()).view(lead + (weight.shape[0],))
    return ops.matmul(input, weight.t()) + bias


def _c_name(dtype):
    return {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int"}.get(
        dtype.name, dtype.name)


def dropout(input, p=0.5, training=True, inplace=False):
    _input_tensor("dropout", input)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    # one pre-scaled mask, so the graph is a single MulBackward0 like torch's
    dt = input._data.dtype
    if p == 1.0:
        mask = np.zeros(input._data.shape, dt)
    else:
        keep = generator.bernoulli(input._data.shape, 1.0 - p)  # torch: noise.bernoulli_(1 - p).div_(1 - p)
        mask = keep.astype(dt) / dt.type(1.0 - p)
    out = ops.mul(input, Tensor._make(np.asarray(mask, dt)))
    return _maybe_inplace(out, input, inplace)


def one_hot(tensor, num_classes=-1):
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    t = np.asarray(tensor._data)  # 0-d results may be numpy scalars
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    elif t.size and t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out)


# ---- losses ---------------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  UserWarning, stacklevel=3)
    return ret


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _broadcast_shape(a, b):
    sa, sb = tuple(a.shape), tuple(b.shape)
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
    return tuple(max(x, y) for x, y in zip(pa, pb))


def _expand_to(t, shape):
    # torch.broadcast_tensors adds an ExpandBackward0 only where a shape actually changes
    return t if tuple(t.shape) == shape else t.expand(shape)


def _tensor(x, like):
    return x if isinstance(x, Tensor) else ops.tensor(x, dtype=like.dtype)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    target = _tensor(target, input)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=2)
    reduction = _reduction(reduction, size_average, reduce)
    shape = _broadcast_shape(input, target)
    x, y = _expand_to(input, shape), _expand_to(target, shape)
    if weight is not None:
        # torch computes the weighted form from primitive ops, not with its fused kernel
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        wse = ops.pow(x - y, 2) * weight
        if reduction == "none":
            return wse
        return ops.sum(wse) if reduction == "sum" else ops.sum(wse) / ops.sum(weight)
    # the kernel runs in the promoted dtype (a float input with an integer target stays float32)
    return ops.apply(ops.T["mse_loss"], (x, y), (reduction,), ops._coerce(x, y, floating=True))


def _check_unit_interval(t, what):
    d = t._data
    if d.size and not bool(np.all((d >= 0) & (d <= 1))):
        raise RuntimeError(f"all elements of {what} should be between 0 and 1")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    target = _tensor(target, input)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _check_unit_interval(input, "input")
    _check_unit_interval(target, "target")
    if weight is not None:
        shape = _broadcast_shape(input, weight)
        if shape != tuple(input.shape):
            raise RuntimeError(f"output with shape [{', '.join(map(str, input.shape))}] doesn't match the "
                               f"broadcast shape [{', '.join(map(str, shape))}]")
        weight = weight.expand(shape) if tuple(weight.shape) != shape else weight
    return ops.apply(ops.T["binary_cross_entropy"], (input, target), (weight, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    target = _tensor(target, input)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    for w in (weight, pos_weight):
        if w is not None:
            _broadcast_shape(input, w)
    return ops.apply(ops.T["bce_with_logits"], (input, target), (weight, pos_weight, reduction))


def _check_target(input, target, weight):
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype.legacy[:-6]}")
    if input.ndim >= 2 and target.ndim >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    n_classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                           f"but got weight tensor of shape: [{', '.join(map(str, weight.shape))}]")
    return n_classes


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    n_classes = _check_target(input, target, weight)
    t = np.asarray(target._data)
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    if input.ndim > 2:
        # K-dimensional input (N, C, d1, ...): move classes last and fold, then unfold a 'none' result
        # (values and gradients match torch; torch's graph names this NllLoss2dBackward0 instead)
        moved = input.movedim(1, -1)
        out = nll_loss(moved.reshape(-1, n_classes), target.reshape(-1), weight, None, ignore_index, None,
                       reduction)
        return out.reshape(target.shape) if reduction == "none" else out
    tgt = target if target.dtype.name == "int64" else target.long()
    return ops.apply(ops.T["nll_loss"], (input,), (tgt, weight, reduction, ignore_index))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    if target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim)
    if target.is_floating_point():
        if input.ndim >= 2 and target.ndim == input.ndim:
            raise RuntimeError(f"Expected floating point type target to have the same shape as input: "
                               f"{input.shape} vs {target.shape}")
    logp = ops.log_softmax(input, class_dim)
    loss = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0.0:
        return loss
    return _label_smoothing(logp, target, weight, reduction, ignore_index, label_smoothing, class_dim, loss)


def _class_shape(ndim, class_dim, n):
    return tuple(n if d == class_dim else 1 for d in range(ndim))


def _label_smoothing(logp, target, weight, reduction, ignore_index, eps, class_dim, nll):
    # torch's cross_entropy_loss_label_smoothing, written in gradcli ops
    n_classes = logp.shape[class_dim]
    tdata = np.asarray(target._data)
    ignore = tdata == ignore_index
    if weight is not None:
        smooth = -(logp * weight.view(_class_shape(logp.ndim, class_dim, n_classes))).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = ops.where(Tensor._make(np.asarray(ignore)), 0.0, smooth)
    if reduction == "mean":
        if weight is not None:
            picked = np.asarray(weight._data)[tdata[~ignore]]
            ret = smooth.sum() / float(picked.sum(dtype=weight._data.dtype))
        else:
            ret = smooth.sum() / int((~ignore).sum())
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - eps) * nll + ret * (eps / n_classes)


def _cross_entropy_probs(input, target, weight, reduction, eps, class_dim):
    # torch's cross_entropy_loss_prob_target, written in gradcli ops
    n_classes = input.shape[class_dim]
    logp = ops.log_softmax(input, class_dim)
    if eps > 0.0:
        target = target * (1 - eps) + (eps / n_classes)
    prod = logp * target
    if weight is not None:
        prod = prod * weight.view(_class_shape(input.ndim, class_dim, n_classes))
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum() / (input.numel() // n_classes) if input.numel() else -prod.sum() * math.nan
