"""The matmul family: mm, mv, dot, bmm, addmm, outer and matmul's dispatch, decomposed into the nodes torch
shows for them, with torch's shape-mismatch errors."""
import numpy as np

from .tensor import Tensor

from . import ops as o  # noqa: E402  (circular: ops star-imports this module at its end)
from .shapes import contiguous, expand, reshape, transpose, unsqueeze

__all__ = ["matmul", "mm", "mv", "dot", "bmm", "addmm", "outer"]


# ---- matmul family --------------------------------------------------------------------------------
def _mat(key, a, b):
    da, db = o._coerce(a, b)
    return o.apply(o.T[key], (a, b), (), (da, db))


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    return _mat("mm", input, mat2)


def mv(input, vec):
    if input.shape[-1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    return _mat("mv", input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError("inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number "
                           "of elements, but got {} and {} elements respectively".format(
                               input.shape[0], other.shape[0], input.shape[0], other.shape[0]))
    return _mat("dot", input, other)


def bmm(input, mat2):
    _check_bmm(input.shape, mat2.shape)
    return _mat("bmm", input, mat2)


def _check_bmm(sa, sb):
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] "
                           f"but got: [{sb[0]}, {sb[1]}].")


def outer(input, vec2):
    return reshape(input, -1, 1) * vec2


def addmm(input, mat1, mat2, beta=1, alpha=1):
    ds = [x._data for x in (input, mat1, mat2)]
    return o.apply(o.T["addmm"], (input, mat1, mat2), (), ds)


def matmul(input, other):
    """torch's matmul dispatch: dot, mv, mm, 1-D@2-D through a squeezed mm, folded and batched cases."""
    if not isinstance(other, Tensor):
        other = o.tensor(other)
    a, b = input.ndim, other.ndim
    if a == 0 or b == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a}D and {b}D")
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        _check_mm(input.shape[0], other.shape[0], (1, input.shape[0]), other.shape)
        r = mm(unsqueeze(input, 0), other)
        return o.apply(o.T["squeeze_mm"], (r,), (0,))
    if a == 2 and b == 2:
        return mm(input, other)
    if a >= 3 and b <= 2:
        lead = input.shape[:-1]
        folded = reshape(input, -1, input.shape[-1])
        r = mv(folded, other) if b == 1 else mm(folded, other)
        shp = lead if b == 1 else lead + (other.shape[-1],)
        return o.apply(o.T["unsafe_view"], (r,), (tuple(shp),))
    if a == 1:
        bsz = int(np.prod(other.shape[:-2]))
        _check_bmm((bsz, 1, input.shape[0]), (bsz,) + tuple(other.shape[-2:]))  # torch checks as a bmm
        # torch folds 1-D @ N-D into an mv against the transposed, flattened batch
        tb = contiguous(transpose(other, -1, -2))
        flat = o.apply(o.T["unsafe_view"], (tb,), ((int(np.prod(tb.shape[:-1])), tb.shape[-1]),))
        r = mv(flat, input)
        return o.apply(o.T["unsafe_view"], (r,), (tuple(other.shape[:-2]) + (other.shape[-1],),))
    # batched: broadcast the batch dims (torch expands even when they already match), fold, bmm, unfold
    a2 = input
    b2 = unsqueeze(other, -1) if b == 1 else other
    err = o.broadcast_error(a2.shape[:-2], b2.shape[:-2])
    if err is not None:
        raise err
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    n, m, p = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    bsz = int(np.prod(batch))
    _check_bmm((bsz, n, m), (bsz, b2.shape[-2], p))
    ea = expand(a2, batch + (n, m))
    eb = expand(b2, batch + (m, p))
    r = bmm(reshape(ea, bsz, n, m), reshape(eb, bsz, m, p))
    shp = batch + ((n,) if a != 1 else ()) + ((p,) if b != 1 else ())
    return o.apply(o.T["unsafe_view"], (r,), (tuple(shp),))


def _check_mm(k1, k2, sa, sb):
    if k1 != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[-2] if len(sa) > 1 else 1}x{k1} and "
                           f"{k2}x{sb[-1]})")
