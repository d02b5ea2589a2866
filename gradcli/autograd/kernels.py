"""numpy forward kernels that are more than one numpy call (the op table's forwards use them)."""
import math

import numpy as np

_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def np_sigmoid(a):
    # 1/(1+exp(-a)) needs no branches: exp overflows to inf for very negative a, and 1/inf is 0
    if a.ndim == 0:  # numpy scalar or 0-d array: no buffer to reuse (ufuncs return scalars)
        return a.dtype.type(1) / (1 + np.exp(-a))
    e = np.negative(a)
    np.exp(e, out=e)
    e += 1
    return np.divide(1, e, out=e)


def np_reciprocal(a):
    # numpy's reciprocal loop is scalar C, its divide is SIMD: 1/a is the same correctly rounded quotient
    # at twice the speed (float16 keeps reciprocal's own rounding path)
    if a.dtype.kind == "f" and a.dtype.itemsize >= 4:
        return np.divide(1, a)
    return np.reciprocal(a)


def np_tanh_backward(g, y):
    # g * (1 - y*y) in one temporary
    if type(y) is not np.ndarray or np.shape(g) != y.shape:
        return g * (1 - y * y)
    t = y * y
    np.subtract(1, t, out=t)
    t *= g
    return t


def np_sigmoid_backward(g, y):
    # g * (1 - y) * y in one temporary
    if type(y) is not np.ndarray or np.shape(g) != y.shape:
        return g * ((1 - y) * y)
    t = 1 - y
    t *= y
    t *= g
    return t


# ---- in-place backward kernels --------------------------------------------------------------------
# `k(g, saved)` overwrites the gradient array g with exactly what the op's VJP returns (the same products,
# so the same bits), block by block: a block's temporary stays in cache, so an elementwise backward costs
# about one pass over memory instead of three and allocates nothing. The engine calls them only on a
# gradient buffer nothing else can see (TableNode.apply).
INPLACE_BLOCK = 1 << 18


def _blocks(g, y):
    gf, yf = g.reshape(-1), y.reshape(-1)
    n = gf.size
    tmp = np.empty(min(n, INPLACE_BLOCK), g.dtype)
    for i in range(0, n, INPLACE_BLOCK):
        j = min(i + INPLACE_BLOCK, n)
        yield gf[i:j], yf[i:j], tmp[:j - i]


def np_sigmoid_backward_(g, y):
    for gb, yb, t in _blocks(g, y):
        np.subtract(1, yb, out=t)
        t *= yb
        gb *= t


def np_tanh_backward_(g, y):
    for gb, yb, t in _blocks(g, y):
        np.multiply(yb, yb, out=t)
        np.subtract(1, t, out=t)
        gb *= t


def np_threshold_backward_(g, x):
    for gb, xb, _ in _blocks(g, x):
        gb *= xb > 0


def np_threshold_backward(g, x):
    # relu's backward: pass g where the saved value is positive
    return g * (x > 0)


def np_addmm(c, a, b):
    out = a @ b
    if out.dtype == np.result_type(out, c):
        out += c  # in place: one pass fewer than c + a @ b
        return out
    return c + out


def np_erf(a):
    # numpy has no erf; math.erf is exact to the last bit, which float64 gradchecks need
    return np.asarray(_erf_scalar(a)).astype(a.dtype)


def np_gelu(a, approximate):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)
        return (0.5 * a * (1 + np.tanh(inner))).astype(a.dtype, copy=False)
    return (0.5 * a * (1 + np_erf(a / math.sqrt(2)))).astype(a.dtype, copy=False)


def np_var(a, dim, correction, keepdim):
    n = a.size if dim is None else math.prod(a.shape[d] for d in dim)
    m = a.mean(axis=dim, keepdims=True)
    s = ((a - m) ** 2).sum(axis=dim, keepdims=keepdim)
    return (s / max(0, n - correction)) if n - correction > 0 else s * np.nan


def np_norm(a, ord, dim, keepdim):
    x = np.abs(a)
    if ord == 2:
        return np.sqrt((x * x).sum(axis=dim, keepdims=keepdim))
    if ord == math.inf:
        return x.max(axis=dim, keepdims=keepdim)
    if ord == -math.inf:
        return x.min(axis=dim, keepdims=keepdim)
    if ord == 0:
        return (x != 0).sum(axis=dim, keepdims=keepdim).astype(a.dtype)
    return ((x ** ord).sum(axis=dim, keepdims=keepdim)) ** (1.0 / ord)


def np_take_dim(a, dim, keepdim, indices):
    idx = indices if keepdim else np.expand_dims(indices, dim)
    out = np.take_along_axis(a, idx, axis=dim)
    return out if keepdim else np.squeeze(out, dim)


def np_softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def np_log_softmax(a, dim):
    s = a - a.max(axis=dim, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=dim, keepdims=True))


def reduce_np(x, reduction):
    if reduction == "mean":
        return x.sum() / x.size if x.size else x.dtype.type(np.nan)  # np.mean is ~10 us of overhead
    if reduction == "sum":
        return np.sum(x)
    return x


def np_bce(p, y, weight, reduction):
    # torch clamps each log at -100 so that p == 0 or 1 gives a finite loss
    out = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    if weight is not None:
        out = out * weight._data
    return reduce_np(out, reduction).astype(p.dtype, copy=False)


def np_bce_backward(g, p, y, weight, reduction):
    out = (p - y) / np.maximum((1 - p) * p, 1e-12)
    if weight is not None:
        out *= weight._data
    scale = g / p.size if reduction == "mean" else g
    out *= scale
    return out.astype(p.dtype, copy=False)


def np_bce_logits(x, y, weight, pos_weight, reduction):
    # log(1 + exp(-|x|)) + max(-x, 0) is log(1 + exp(-x)) without overflow
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    if pos_weight is None:
        out = (1 - y) * x + softplus_neg
    else:
        lw = 1 + (pos_weight._data - 1) * y
        out = (1 - y) * x + lw * softplus_neg
    if weight is not None:
        out = out * weight._data
    return reduce_np(out, reduction).astype(x.dtype, copy=False)


def nll_weights(shape, target, weight, ignore_index, dtype):
    """Per-sample weight of the target class (0 where ignored), for input [N, C] or [C]."""
    t = target._data
    w = np.ones(shape[1] if len(shape) > 1 else shape[0], dtype) if weight is None else weight._data
    valid = t != ignore_index
    return np.where(valid, w[np.where(valid, t, 0)], 0).astype(dtype), valid


def np_nll(a, target, weight, reduction, ignore_index):
    w, valid = nll_weights(a.shape, target, weight, ignore_index, a.dtype)
    t = np.where(valid, target._data, 0)
    picked = a[np.arange(a.shape[0]), t] if a.ndim == 2 else a[t]
    out = -picked * w
    if reduction == "mean":
        return np.asarray(out.sum() / w.sum(), a.dtype)
    if reduction == "sum":
        return np.asarray(out.sum(), a.dtype)
    return out


def has_array(key):
    return any(isinstance(k, np.ndarray) for k in (key if isinstance(key, tuple) else (key,)))


def np_logsumexp(a, dim, keepdim):
    m = np.max(a, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def np_scatter(g, shape, key):
    z = np.zeros(shape, g.dtype)
    if has_array(key):
        np.add.at(z, key, g)  # repeated indices accumulate, as torch's index backward does
    else:
        z[key] = g
    return z


def np_setitem(a, key, b):
    out = a.copy()
    out[key] = b
    return out


def np_prod_others(a, axis):
    """For each element, the product of the other elements (along axis, or of all), zeros included."""
    if axis is None:
        flat = a.reshape(-1)
        out = np.array([np.prod(np.delete(flat, i)) for i in range(flat.size)], a.dtype)
        return out.reshape(a.shape)
    moved = np.moveaxis(a, axis, -1)
    n = moved.shape[-1]
    out = np.stack([np.prod(np.delete(moved, i, axis=-1), axis=-1) for i in range(n)], -1)
    return np.moveaxis(out, -1, axis).astype(a.dtype)


# ---- gather / scatter along a dimension (torch.gather, scatter, scatter_add, index_add) --------------
def along(index, dim):
    """The full index tuple that picks element [i0, .., index[i], .., in] for every position of `index`:
    torch reads only the leading part of the other dimensions, up to index's size in each."""
    ix = [np.arange(s).reshape([-1 if d == k else 1 for d in range(index.ndim)]) for k, s in enumerate(index.shape)]
    ix[dim] = index
    return tuple(ix)


def _part(src, shape):
    # torch uses src's leading block of index's shape
    return src[tuple(slice(0, s) for s in shape)] if np.ndim(src) else src


def np_gather(a, dim, index):
    return a[along(index, dim)] if a.ndim else a[()] + np.zeros(index.shape, a.dtype)


def np_scatter_along(a, src, dim, index):
    out = np.array(a, copy=True)
    if out.ndim == 0:
        out[()] = np.asarray(src).reshape(-1)[0] if index.size else out
        return out
    out[along(index, dim)] = _part(src, index.shape)  # repeated indices: the last write wins
    return out


def np_scatter_add(a, src, dim, index):
    out = np.array(a, copy=True)
    np.add.at(out, along(index, dim) if out.ndim else (), _part(src, index.shape))
    return out


def np_index_add(a, src, dim, index, alpha):
    out = np.array(a, copy=True)
    key = (slice(None),) * dim + (index,) if out.ndim else ()
    np.add.at(out, key, src * alpha if alpha != 1 else src)
    return out


def np_sort_indices(a, dim, descending):
    """Stable sort order along dim; NaN sorts as the largest value, as in torch."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(a, axis=dim, kind="stable").astype(np.int64)
    # descending and stable: sort the reversed array, reverse the order back, map to original positions
    rev = np.flip(a, axis=dim)
    order = np.flip(np.argsort(rev, axis=dim, kind="stable"), axis=dim)
    return (a.shape[dim] - 1 - order).astype(np.int64)


def np_round_decimals(a, decimals):
    """torch's round(decimals=d): nearbyint(x * 10**d) / 10**d (negative d: divide first, then multiply)."""
    if decimals > 0:
        p = a.dtype.type(10.0 ** decimals)
        return (np.round(a * p) / p).astype(a.dtype, copy=False)
    p = a.dtype.type(10.0 ** -decimals)
    return (np.round(a / p) * p).astype(a.dtype, copy=False)

