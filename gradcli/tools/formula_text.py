"""Formula text: the Expr a graph reads as, and the constructors that write it with the fewest parentheses
that keep its tree, simplifying only where the result is the same number bit for bit (x*1, x+0, x**1,
(-a)*b = -(a*b), a + (-b) = a - b, constants folded and put first in products: float `*` commutes).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

# Python's precedence levels (the language's printer uses the same table), under the names formulas need
from gradcli.lang.precedence import ARITH as ADD  # noqa: N811
from gradcli.lang.precedence import ATOM, CMP
from gradcli.lang.precedence import POWER as POW  # noqa: N811
from gradcli.lang.precedence import TERM as MUL  # noqa: N811
from gradcli.lang.precedence import UNARY as NEG  # noqa: N811



@dataclass(frozen=True)
class Expr:
    """A formula: its text, how tightly it binds, its shape, and its value when known."""

    text: str
    prec: int = ATOM
    shape: tuple = ()
    value: np.ndarray | None = None  # constants, and every recorded node's output
    const: bool = False
    evaluable: bool = True  # False once a node without a template shows as Name(...)
    grouped: bool = False  # a sum with a parenthesized sum inside: `(a + b) + (c + d)` chains on without parens
    inner: Expr | None = None  # the operand of a negation, so that -(-a) simplifies to a
    terms: tuple = ()  # an engine accumulation: the gradients of each path, in the order the engine added them



# ---- numbers and constants ------------------------------------------------------------------------
def number_text(v) -> str:
    """The shortest text that reads back as the same float32 (or int): `2`, `0.1`, `-1.5`, `1e-08`."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = np.float32(v) if not isinstance(v, np.float64) else v
    if not np.isfinite(f):
        return "nan" if np.isnan(f) else ("inf" if f > 0 else "-inf")
    if f == 0 or 1e-4 <= abs(f) < 1e16:
        return np.format_float_positional(f, unique=True, trim="-")
    return np.format_float_scientific(f, unique=True, trim="-")


def const(value) -> Expr:
    """A constant: a Python number or an array; uniform arrays read as their one number."""
    arr = np.asarray(value)
    flat = arr.reshape(-1)
    if flat.size and bool((flat == flat[0]).all()) and np.isfinite(flat[0]):
        text = number_text(flat[0].item() if arr.dtype.kind in "iub" else flat[0])
    else:
        text = _tensor_text(arr)
    finite = bool(np.isfinite(arr).all()) if arr.dtype.kind == "f" else True
    return Expr(text, NEG if text.startswith("-") else ATOM, arr.shape, arr, True, finite)


def _tensor_text(arr, top: bool = True) -> str:
    if arr.ndim == 0:
        text = number_text(arr.item() if arr.dtype.kind in "iub" else arr)
        # `1.` keeps a float tensor's dtype when read back (tensor([1, 2]) would be int64)
        return text + "." if arr.dtype.kind == "f" and not top and text.lstrip("-").isdigit() else text
    inner = ", ".join(_tensor_text(a, False) for a in arr)
    return f"tensor([{inner}])" if top else f"[{inner}]"


def full_text(e: Expr) -> str:
    """A constant with its shape spelled out, for where broadcasting its one number would be wrong."""
    if not e.const or e.value is None or np.ndim(e.value) == 0:
        return e.text
    return _tensor_text(np.asarray(e.value))


def _is(e: Expr, v: float) -> bool:
    return e.const and e.value is not None and np.asarray(e.value).size > 0 and bool((np.asarray(e.value) == v).all())


# ---- constructors: build text with the fewest parentheses that keep the tree, and simplify ---------------
def _paren(e: Expr, need: bool) -> str:
    return f"({e.text})" if need else e.text


def _fold(op, a: Expr, b: Expr | None = None) -> Expr:
    with np.errstate(all="ignore"):
        return const(op(a.value) if b is None else op(a.value, b.value))


def _binary(a: Expr, b: Expr, sym: str, prec: int) -> Expr:
    shape = tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    a, b = _shaped(a, b, shape), _shaped(b, a, shape)
    left_paren = a.prec < prec or (prec == ADD and a.prec == ADD and not a.grouped) or (prec == POW and a.prec <= POW)
    right_paren = b.prec <= prec or b.prec == NEG if prec != POW else b.prec < ATOM
    text = f"{_paren(a, left_paren)}{sym}{_paren(b, right_paren)}"
    grouped = prec == ADD and ((left_paren and a.prec == ADD) or a.grouped or (right_paren and b.prec == ADD))
    return Expr(text, prec, shape, None, False, a.evaluable and b.evaluable, grouped)


def _shaped(e: Expr, other: Expr, shape) -> Expr:
    """A constant operand whose single number would broadcast to less than `shape` is written in full."""
    if e.const and tuple(e.shape) == tuple(shape) and tuple(other.shape) != tuple(shape) and e.shape:
        return replace(e, text=full_text(e), prec=ATOM)
    return e


def _same(a: Expr, shape) -> bool:
    return tuple(a.shape) == tuple(shape)


def add(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.add, a, b)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    if _is(b, 0) and _same(a, shape):
        return a
    if _is(a, 0) and _same(b, shape):
        return b
    minus = _minus(b)
    if minus is not None:
        return sub(a, minus)  # a + (-b) is a - b, bit for bit
    return _binary(a, b, " + ", ADD)


def accumulate(terms: list[Expr]) -> Expr:
    """The engine's sum of the gradients arriving along several paths, listed in forward order (the engine
    adds them in backward order; two terms commute exactly, longer sums may differ in the last bit)."""
    shape = tuple(np.broadcast_shapes(*(tuple(t.shape) for t in terms)))
    kept = [t for t in terms if not _is(t, 0)]  # a path that adds exactly 0
    if kept and tuple(np.broadcast_shapes(*(tuple(t.shape) for t in kept))) == shape:
        if len(kept) == 1:
            return kept[0]
        terms = kept
    terms = list(reversed(terms))
    out = terms[0]
    for t in terms[1:]:
        if out.const and t.const:
            out = _fold(np.add, out, t)
            continue
        shape = tuple(np.broadcast_shapes(tuple(out.shape), tuple(t.shape)))
        left = _paren(out, out.prec < ADD or (out.prec == ADD and not out.grouped and out is terms[0]))
        minus = _minus(t)
        sign, t = (" - ", minus) if minus is not None else (" + ", t)  # a + (-b) is a - b, bit for bit
        right = _paren(t, t.prec <= ADD or t.prec == NEG)
        grouped = out.grouped or left.startswith("(") or right.startswith("(")
        out = Expr(f"{left}{sign}{right}", ADD, shape, None, False, out.evaluable and t.evaluable, grouped)
    return out


def _minus(e: Expr) -> Expr | None:
    """-e exactly, when e's text starts with a minus sign (so that no `--`, `+ -` or `- -` is written): the
    operand of a negation, a negative constant, or a product or quotient whose first factor carries the
    sign -- (-p)*q/r is -(p*q/r) bit for bit, IEEE multiplication and division being sign-symmetric."""
    if e.inner is not None:
        return e.inner
    if not e.text.startswith("-"):
        return None
    if e.const:
        return _fold(np.negative, e)
    if e.prec == MUL:
        return replace(e, text=e.text[1:], grouped=False)
    return None


def sub(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.subtract, a, b)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    if _is(b, 0) and _same(a, shape):
        return a
    if _is(a, 0) and _same(b, shape):
        return neg(b)
    minus = _minus(b)
    if minus is not None:
        return add(a, minus)
    return _binary(a, b, " - ", ADD)


def mul(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.multiply, a, b)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    for one, other in ((a, b), (b, a)):
        if _is(one, 1) and _same(other, shape):
            return other
        if _is(one, -1) and _same(other, shape):
            return neg(other)
    if a.inner is not None or b.inner is not None:  # (-a)*b is -(a*b), bit for bit
        return neg(mul(a.inner or a, b.inner or b)) if (a.inner is None) != (b.inner is None) else \
            mul(a.inner, b.inner)
    if b.const and not a.const:
        a, b = b, a  # constants first: `2*x`; float multiplication commutes exactly
    if _negative(a):
        return neg(mul(_fold(np.negative, a), b))
    return _binary(a, b, "*", MUL)


def _negative(e: Expr) -> bool:
    return e.const and e.value is not None and np.asarray(e.value).size > 0 and bool((np.asarray(e.value) < 0).all())


def div(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.true_divide, a, b)
    if _is(b, 1) and _same(a, np.broadcast_shapes(tuple(a.shape), tuple(b.shape))):
        return a
    if _negative(a):
        return neg(div(_fold(np.negative, a), b))
    if a.inner is not None:  # (-a)/b is -(a/b), bit for bit
        return neg(div(a.inner, b))
    return _binary(a, b, "/", MUL)


def matmul(a: Expr, b: Expr, shape) -> Expr:
    e = _binary(replace(a, shape=()), replace(b, shape=()), " @ ", MUL)
    return replace(e, shape=tuple(shape))


def power(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.power, a, b)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    if _is(b, 1) and _same(a, shape):
        return a
    if _is(b, 0):
        return const(np.ones(shape, np.asarray(a.value).dtype if a.value is not None else np.float32))  # x**0 is 1, even at 0, inf and nan
    return _binary(a, b, "**", POW)


def neg(a: Expr) -> Expr:
    if a.const:
        return _fold(np.negative, a)
    minus = _minus(a)
    if minus is not None:
        return minus
    # -a*b reads as (-a)*b, which is -(a*b) bit for bit: only sums need parentheses
    return Expr(f"-{_paren(a, a.prec < MUL)}", NEG, a.shape, None, False, a.evaluable, inner=a)


def greater(a: Expr, b: Expr) -> Expr:
    return _binary(a, b, " > ", CMP)


def where(cond: Expr, a: Expr, b: Expr, shape) -> Expr:
    """where(c, a, b); a condition that is all True or all False picks its branch."""
    flat = np.asarray(cond.value).reshape(-1)
    for pick, other in ((a, True), (b, False)):
        if flat.size and bool((flat == other).all()) and tuple(pick.shape) == tuple(shape):
            return pick
    return call("where", replace(cond, text=full_text(cond)), a, b, shape=shape)


def call(fn: str, *args: Expr, extra: str = "", shape=None) -> Expr:
    text = ", ".join([full_text(a) for a in args] + ([extra] if extra else []))
    return Expr(f"{fn}({text})", ATOM, tuple(args[0].shape if shape is None else shape), None, False,
                all(a.evaluable for a in args))


def method(a: Expr, name: str, extra: str, shape) -> Expr:
    return Expr(f"{_paren(a, a.prec < ATOM)}.{name}({extra})", ATOM, tuple(shape), None, False, a.evaluable)


def index(a: Expr, key, shape) -> Expr:
    """a[i, j] for a key of plain integers; anything else is left to the placeholder."""
    key = key if isinstance(key, tuple) else (key,)
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in key):
        raise ValueError("not a plain index")
    return Expr(f"{_paren(a, a.prec < ATOM)}[{', '.join(str(int(k)) for k in key)}]", ATOM, tuple(shape), None,
                False, a.evaluable)


def placeholder(name: str, args, shape) -> Expr:
    inner = ", ".join(a.text for a in args)
    return Expr(f"{name}({inner})", ATOM, tuple(shape), None, False, False)


# ---- helpers the op table's `text=` entries use ------------------------------------------------------
def scaled(b: Expr, alpha) -> Expr:
    """`alpha * b`, or b when alpha is 1 (add/sub's alpha=)."""
    return b if alpha in (None, 1) else mul(const(alpha), b)


def dims(a: dict) -> str:
    """A reduction's `dim` (and keepdim) arguments as a method call writes them."""
    dim = a["dim"]
    dim = dim[0] if isinstance(dim, tuple) and len(dim) == 1 else dim
    return f"{dim}, keepdim=True" if a.get("keepdim") else str(dim)
