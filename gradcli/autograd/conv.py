"""2-D convolution: numpy kernels (im2col over strided views + one batched matmul) and the two ops' entry points."""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["convolution", "convolution_backward"]

# `padding` in the kernels is ((top, bottom), (left, right)): padding='same' with an even kernel needs
# more on one side than the other, which the public (ph, pw) form cannot say.


def out_size(size, pad, k, stride, dilation):
    return (size + pad[0] + pad[1] - dilation * (k - 1) - 1) // stride + 1


def _padded(x, padding):
    (pt, pb), (pl, pr) = padding
    if pt == pb == pl == pr == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))


def _cols(x, kshape, stride, padding, dilation, groups):
    """im2col per image: (N, groups, C/groups*kh*kw, Ho*Wo), one copy out of a strided window view."""
    xp = _padded(x, padding)
    n, c, hp, wp = xp.shape
    kh, kw = kshape
    ho = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    sn, sc, sh, sw = xp.strides
    cg = c // groups
    # output pixels last: the copy runs along image rows (long, evenly strided) instead of along the 3x3
    # taps (~20x faster), and out = W @ cols per image lands in NCHW order with no transpose afterwards
    win = as_strided(xp, (n, groups, cg, kh, kw, ho, wo),
                     (sn, sc * cg, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1]),
                     writeable=False)
    return np.ascontiguousarray(win).reshape(n, groups, cg * kh * kw, ho * wo), ho, wo


def conv2d(x, w, b, stride, padding, dilation, groups):
    oc = w.shape[0]
    cols, ho, wo = _cols(x, w.shape[2:], stride, padding, dilation, groups)
    # one small GEMM per image (numpy loops over the batch): these stay single-threaded in OpenBLAS, which
    # on a busy 2-core machine beats one big threaded GEMM whose second thread waits to be scheduled
    out = np.matmul(w.reshape(groups, oc // groups, -1), cols).reshape(x.shape[0], oc, ho, wo)
    if b is not None:
        out += b.reshape(-1, 1, 1)
    return out.astype(x.dtype, copy=False)


def _grad_rows(g, groups):
    # grad_output (n, oc, ho, wo) as (n, groups, oc/groups, ho*wo): a view of a contiguous gradient
    n, oc, ho, wo = g.shape
    return np.ascontiguousarray(g).reshape(n, groups, oc // groups, ho * wo)


def conv2d_grad_input(g, shape, w, stride, padding, dilation, groups):
    """The adjoint of conv2d in its input (a transposed convolution): matmul to columns, then col2im."""
    n, c, h, wd = shape
    oc, cg, kh, kw = w.shape
    _, _, ho, wo = g.shape
    cols = np.matmul(w.reshape(groups, oc // groups, -1).transpose(0, 2, 1), _grad_rows(g, groups))
    cols = cols.reshape(n, c, kh, kw, ho, wo)
    (pt, pb), (pl, pr) = padding
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr), cols.dtype)
    sh, sw = stride
    # one strided add per kernel tap: windows overlap, so a single add through a window view would drop sums
    for i in range(kh):
        r = i * dilation[0]
        for j in range(kw):
            q = j * dilation[1]
            xp[:, :, r:r + sh * (ho - 1) + 1:sh, q:q + sw * (wo - 1) + 1:sw] += cols[:, :, i, j]
    return np.ascontiguousarray(xp[:, :, pt:pt + h, pl:pl + wd])


def conv2d_grad_weight(g, x, wshape, stride, padding, dilation, groups):
    """The adjoint of conv2d in its weight: grad_output rows times the input's im2col columns, summed over images."""
    cols, _, _ = _cols(x, wshape[2:], stride, padding, dilation, groups)
    return np.matmul(_grad_rows(g, groups), cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(wshape)


def conv2d_backward(g, x, w, stride, padding, dilation, groups, which):
    """One of convolution's three gradients (0 input, 1 weight, 2 bias): torch's convolution_backward."""
    if which == 0:
        return conv2d_grad_input(g, x.shape, w, stride, padding, dilation, groups).astype(x.dtype, copy=False)
    if which == 1:
        return conv2d_grad_weight(g, x, w.shape, stride, padding, dilation, groups)
    return g.sum(axis=(0, 2, 3))


# ---- the ops' entry points (arguments already checked by nn.functional.conv2d) -------------------------
def convolution(input, weight, bias, stride, padding, dilation, groups):
    """ConvolutionBackward0, edges (input, weight, bias); `padding` is ((top, bottom), (left, right))."""
    return o.apply(o.T["convolution"], (input, weight, bias), (tuple(stride), padding, tuple(dilation), groups))


def convolution_backward(grad_output, input, weight, stride, padding, dilation, groups, which):
    """One gradient of a convolution as a differentiable op, edges (grad_output, input, weight) like torch's
    ConvolutionBackwardBackward0 (torch makes one node with three outputs; here each output is its own node)."""
    return o.apply(o.T["convolution_backward"], (grad_output, input, weight),
                   (stride, padding, dilation, groups, which))
