"""2-D max pooling: numpy kernels (argmax over the kernel taps, first maximum wins, NaN propagates as in
torch) and the entry points of its two ops; indices are flat positions in each input plane, as torch's."""
import numpy as np

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)

__all__ = ["max_pool2d_with_indices", "max_pool2d_backward", "max_pool2d_gather"]


def pool_out_size(size, k, s, p, d, ceil_mode):
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside the input or left pad
        out -= 1
    return out


def np_max_pool2d_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """(values, indices) of max pooling over x [N, C, H, W] or [C, H, W]."""
    if x.ndim == 3:
        v, i = np_max_pool2d_indices(x[None], kernel, stride, padding, dilation, ceil_mode)
        return v[0], i[0]
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh = pool_out_size(h, kh, sh, ph, dh, ceil_mode)
    ow = pool_out_size(w, kw, sw, pw, dw, ceil_mode)
    best = np.full((n, c, oh, ow), -np.inf, x.dtype)
    idx = np.zeros((n, c, oh, ow), np.int64)
    first = True
    for i in range(kh):
        rows = np.arange(oh) * sh + i * dh - ph
        rok = (rows >= 0) & (rows < h)
        for j in range(kw):
            cols = np.arange(ow) * sw + j * dw - pw
            cok = (cols >= 0) & (cols < w)
            ok = rok[:, None] & cok[None, :]
            v = x[:, :, np.clip(rows, 0, h - 1)[:, None], np.clip(cols, 0, w - 1)[None, :]]
            v = np.where(ok, v, -np.inf)
            take = (v > best) | (np.isnan(v) & ~np.isnan(best)) | (first & ok)
            flat = np.clip(rows, 0, h - 1)[:, None] * w + np.clip(cols, 0, w - 1)[None, :]
            best = np.where(take, v, best)
            idx = np.where(take, flat, idx)
            first = first & ~ok
    return best.astype(x.dtype, copy=False), idx


def np_pool_gather(a, indices):
    if a.ndim == 3:
        return np_pool_gather(a[None], indices[None])[0]
    n, c = a.shape[:2]
    flat = a.reshape(n, c, -1)
    return np.take_along_axis(flat, indices.reshape(n, c, -1), 2).reshape(indices.shape)


def np_pool_scatter(g, shape, indices):
    if len(shape) == 3:
        return np_pool_scatter(g[None], (1,) + tuple(shape), indices[None])[0]
    n, c = shape[:2]
    out = np.zeros((n, c, shape[2] * shape[3]), g.dtype)
    ni = np.arange(n)[:, None, None]
    ci = np.arange(c)[None, :, None]
    np.add.at(out, (ni, ci, indices.reshape(n, c, -1)), g.reshape(n, c, -1))
    return out.reshape(shape)


def max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """Values (a MaxPool2DWithIndicesBackward0 node) and int64 indices, for a 3-D or 4-D input."""
    _, idx = np_max_pool2d_indices(x._data, kernel, stride, padding, dilation, ceil_mode)
    out = o.apply(o.T["max_pool2d"], (x,), (kernel, stride, padding, dilation, ceil_mode, idx))
    return out, o.Tensor._make(idx)


def max_pool2d_backward(grad, x, kernel, stride, padding, dilation, ceil_mode, indices):
    return o.apply(o.T["max_pool2d_backward"], (grad, x), (kernel, stride, padding, dilation, ceil_mode, indices))


def max_pool2d_gather(g, indices):
    """g [N, C, H, W] (or [C, H, W]) read at pooling indices: the adjoint of the backward's scatter."""
    lead = tuple(g.shape[:-2])
    idx = o.Tensor._make(np.ascontiguousarray(indices.reshape(lead + (-1,))))
    return g.reshape(lead + (-1,)).gather(len(lead), idx).reshape(indices.shape)
