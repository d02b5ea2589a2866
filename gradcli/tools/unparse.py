"""Graph -> expression text: read a grad_fn graph back as a formula a one-liner could have written.

A node keeps only what its VJPs need, so the constants of `w + 1` are not on the graph: `Recorder` watches
the engine record each node (operands, args, value) while an expression and its derivatives are built.
`Unparser` then turns any node into an `Expr` through one display template per node name. Simplification
is light and exact: drop `*1`, `/1`, `+0`, `**1`, fold all-constant operations, put constants first in
products (float `*` commutes); sums keep their grouping, since float `+` does not associate.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import numpy as np

from gradcli.autograd import dispatch, engine
from gradcli.autograd.graph import AccumulateGrad
from gradcli.autograd.tensor import Tensor
from gradcli.lang.errors import GradLimitError

__all__ = ["Expr", "Recorder", "Unparser", "MAX_FORMULA_CHARS", "number_text"]

MAX_FORMULA_CHARS = 4000  # beyond this a formula stops being read; shared subgraphs expand exponentially
CMP, ADD, MUL, NEG, POW, ATOM = range(6)  # Python's precedence levels, loosest first


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


@dataclass
class Record:
    od: object
    xs: tuple  # the operands as the op got them: tensors or Python numbers
    args: tuple
    value: np.ndarray
    accumulation: bool = False  # the engine adding up the gradients that reach one input along several paths


class Recorder:
    """Context manager: notes every node the engine records (through dispatch._record) while active.

    It observes with sys.setprofile rather than patching the engine: `_record` is also bound by name in
    ops.py, and observing the one code object sees every caller. Only the current thread is watched."""

    def __init__(self):
        self.records: dict = {}
        self._pending: list = []
        self._old = None

    def _profile(self, frame, event, arg):
        if frame.f_code is not _RECORD_CODE:
            return
        if event == "call":
            loc = frame.f_locals
            xs = tuple(x if not isinstance(x, Tensor) or x.requires_grad else x.detach().clone()
                       for x in loc["xs"])  # constants copied: a later in-place op must not change them
            caller = frame.f_back and frame.f_back.f_back
            accumulation = caller is not None and (caller.f_code in _ENGINE_CODES or (
                caller.f_back is not None and caller.f_back.f_code in _ENGINE_CODES))
            self._pending.append((loc["od"], xs, tuple(loc["args"]), accumulation and loc["od"].key == "add"))
        elif event == "return" and self._pending:
            od, xs, args, accumulation = self._pending.pop()
            if isinstance(arg, Tensor) and arg.grad_fn is not None:
                self.records[arg.grad_fn] = Record(od, xs, args, np.array(arg._data), accumulation)

    def __enter__(self) -> Recorder:
        self._old = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc) -> None:
        sys.setprofile(self._old)


_RECORD_CODE = dispatch._record.__code__
# where the engine sums gradients (Tensor + Tensor): a call from here is an accumulation, not a VJP's add
_ENGINE_CODES = frozenset(f.__code__ for f in (engine.run, engine._add_to_buffer))


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
    if b.inner is not None:
        return sub(a, b.inner)  # a + (-b) is a - b, bit for bit
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
        sign, t = (" - ", t.inner) if t.inner is not None else (" + ", t)  # a + (-b) is a - b, bit for bit
        right = _paren(t, t.prec <= ADD or t.prec == NEG)
        grouped = out.grouped or left.startswith("(") or right.startswith("(")
        out = Expr(f"{left}{sign}{right}", ADD, shape, None, False, out.evaluable and t.evaluable, grouped)
    return out


def sub(a: Expr, b: Expr) -> Expr:
    if a.const and b.const:
        return _fold(np.subtract, a, b)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    if _is(b, 0) and _same(a, shape):
        return a
    if _is(a, 0) and _same(b, shape):
        return neg(b)
    if b.inner is not None:
        return add(a, b.inner)
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
    if a.inner is not None:
        return a.inner
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


def placeholder(name: str, args, shape) -> Expr:
    inner = ", ".join(a.text for a in args)
    return Expr(f"{name}({inner})", ATOM, tuple(shape), None, False, False)


# ---- the display table: node name -> how its forward reads ---------------------------------------------
def _unary(fn):
    return lambda c, a, shape: call(fn, c[0], shape=shape)


def _alpha(b: Expr, alpha) -> Expr:
    return b if alpha in (None, 1) else mul(const(alpha), b)


TEMPLATES = {
    "AddBackward0": lambda c, a, s: add(c[0], _alpha(c[1], a.get("alpha"))),
    "SubBackward0": lambda c, a, s: sub(c[0], _alpha(c[1], a.get("alpha"))),
    "RsubBackward0": lambda c, a, s: sub(c[1], _alpha(c[0], a.get("alpha"))),
    "RsubBackward1": lambda c, a, s: sub(const(a["other"]), _alpha(c[0], a.get("alpha"))),
    "MulBackward0": lambda c, a, s: mul(c[0], c[1]),
    "MulBackward1": lambda c, a, s: mul(c[0], const(a["other"])),
    "DivBackward0": lambda c, a, s: div(c[0], c[1]),
    "NegBackward0": lambda c, a, s: neg(c[0]),
    "PowBackward0": lambda c, a, s: power(c[0], const(a["exponent"])),
    "PowBackward1": lambda c, a, s: power(c[0], c[1]),
    "PowBackward2": lambda c, a, s: power(const(a["base"]), c[0]),
    # the fused backward kernels, written out as the numpy forward computes them (kernels.py)
    "TanhBackwardBackward0": lambda c, a, s: mul(c[0], sub(const(1), power(c[1], const(2)))),
    "SigmoidBackwardBackward0": lambda c, a, s: mul(c[0], mul(sub(const(1), c[1]), c[1])),
    "ThresholdBackwardBackward0": lambda c, a, s: mul(c[0], greater(c[1], const(0))),
    "SumBackward0": lambda c, a, s: call("sum", c[0], shape=s),
    "MeanBackward0": lambda c, a, s: call("mean", c[0], shape=s),
    "MmBackward0": lambda c, a, s: matmul(c[0], c[1], s),
    "MvBackward0": lambda c, a, s: matmul(c[0], c[1], s),
    "DotBackward0": lambda c, a, s: matmul(c[0], c[1], s),
    "TBackward0": lambda c, a, s: method(c[0], "t", "", s),
    "ExpandBackward0": lambda c, a, s: method(c[0], "expand", ", ".join(map(str, a["shape"])), s),
    "CloneBackward0": lambda c, a, s: c[0],
    "WhereBackward0": lambda c, a, s: where(const(np.asarray(a["condition"]._data)), c[0], c[1], s),
    "ReciprocalBackward0": lambda c, a, s: div(const(1), c[0]),
    "AliasBackward0": lambda c, a, s: c[0],
}
for _name, _fn in (("Exp", "exp"), ("Log", "log"), ("Log1P", "log1p"), ("Sin", "sin"), ("Cos", "cos"),
                   ("Tanh", "tanh"), ("Sigmoid", "sigmoid"), ("Relu", "relu"), ("Sqrt", "sqrt"),
                   ("Rsqrt", "rsqrt"), ("Abs", "abs"), ("Erf", "erf")):
    TEMPLATES[f"{_name}Backward0"] = _unary(_fn)


class Unparser:
    """Turns graph nodes into Exprs. `leaves` names leaf tensors (by identity); `stop` names nodes that
    show as a name instead of being expanded (explain's intermediates)."""

    def __init__(self, records: dict, leaves: dict, stop: dict | None = None, max_chars: int = MAX_FORMULA_CHARS):
        self.records = records
        self.leaves = {id(t): (n, t) for n, t in leaves.items()}
        self.stop = stop or {}
        self.max_chars = max_chars
        self.memo: dict = {}

    def tensor(self, t) -> Expr:
        """The formula of a tensor: its node's, a leaf's name, or its value."""
        if not isinstance(t, Tensor):
            return const(t)
        if t.grad_fn is not None:
            if t._output_nr:
                return placeholder(f"{t.grad_fn.name()}[{t._output_nr}]", (), t.shape)
            return self.node(t.grad_fn)
        return self._leaf(t)

    def _leaf(self, t) -> Expr:
        hit = self.leaves.get(id(t))
        if hit is not None and hit[1] is t:
            return Expr(hit[0], ATOM, tuple(t.shape), np.array(t._data))
        return const(np.array(t._data))  # a constant, or a leaf that is not a variable of the expression

    def node(self, root) -> Expr:
        """The formula of a node's output; iterative, so a long chain does not hit Python's recursion limit."""
        memo = self.memo
        named = memo.pop(root, None) if root in self.stop else None
        stack = [root]
        while stack:
            n = stack[-1]
            if n in memo:
                stack.pop()
                continue
            todo = [] if n in self.stop and n is not root else [
                d for d in n._next if d is not None and type(d) is not AccumulateGrad and d not in memo]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            memo[n] = self._build(n, root)
        out = memo[root]
        if root in self.stop:  # a named node asked for itself expands; everywhere else it stays its name
            del memo[root]
            if named is not None:
                memo[root] = named
        return out

    def _build(self, n, root) -> Expr:
        rec = self.records.get(n)
        shape = tuple(rec.value.shape) if rec is not None else ()
        if n in self.stop and n is not root:
            return Expr(self.stop[n], ATOM, shape, rec.value if rec is not None else None)
        if rec is None:
            return placeholder(n.name(), (), shape)
        children = []
        for x, edge in zip(rec.xs, n._next):
            if edge is None:
                children.append(const(x._data if isinstance(x, Tensor) else x))
            elif type(edge) is AccumulateGrad:
                children.append(self._leaf(edge.variable))
            else:
                children.append(self.memo[edge])
        if children and all(c.const for c in children):
            return const(rec.value)
        if rec.accumulation and len(children) == 2:
            terms = (children[0].terms or (children[0],)) + (children[1],)
            e = replace(accumulate(list(terms)), terms=terms)
            return self._checked(replace(e, value=rec.value, shape=shape))
        template = TEMPLATES.get(n.name())
        args = dict(zip(rec.od.args, rec.args))
        try:
            e = template(children, args, shape) if template else placeholder(n.name(), children, shape)
        except (KeyError, IndexError, ValueError):
            e = placeholder(n.name(), children, shape)
        return self._checked(replace(e, value=rec.value, shape=shape))

    def _checked(self, e: Expr) -> Expr:
        if len(e.text) > self.max_chars:
            raise GradLimitError(f"the formula is longer than {self.max_chars} characters (shared "
                                 "subexpressions are written out each time they occur); the numbers are in "
                                 "`gradcli grad`")
        return e
