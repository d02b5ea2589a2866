"""Limit checks and the errors a run raises about them: refused before the damage, with the flag to raise."""
from __future__ import annotations

import operator
import re

import numpy as np

from ..autograd.tensor import TENSOR_TYPES
from .errors import GradLimitError, GradNameError

SIZED = frozenset({list, tuple, str, bytes})

def unbound(name: str) -> Exception:
    if name.startswith("$") or name == ".0":
        return RuntimeError("No active exception to reraise")
    return UnboundLocalError(f"cannot access local variable '{name}' where it is not associated with a value")


_UNAVAILABLE = {
    **dict.fromkeys(("open", "input", "compile", "exec", "eval", "__import__", "globals", "locals", "vars",
                     "dir", "getattr", "setattr", "delattr", "breakpoint", "help", "exit", "quit", "memoryview",
                     "bytes", "bytearray"), "is not available in .grad scripts"),
}


def load_builtin(vm, name: str):
    try:
        return vm.builtins[name]
    except KeyError:
        pass
    if name in _UNAVAILABLE:
        raise GradNameError(f"'{name}' {_UNAVAILABLE[name]} (no files, no Python introspection)")
    raise NameError(f"name '{name}' is not defined")


def depth_error(limits) -> GradLimitError:
    return GradLimitError(f"calls nest too deeply: more than {limits.max_call_depth} at once "
                          "(infinite recursion? raise the limit with --max-call-depth)")


def loop_error(limits) -> GradLimitError:
    return GradLimitError(f"loops ran more than {limits.max_loop_iterations:,} iterations "
                          "(infinite loop? raise the limit with --max-loop-iterations)")


def too_many_elements(limits, n: int):
    raise GradLimitError(f"a result of {n:,} elements is over the limit of {limits.max_tensor_elements:,} "
                         "(raise it with --max-tensor-elements)")


def check_budget(vm) -> None:
    """Called every chunk of statements: the statement and graph-node limits."""
    limits = vm.limits
    if vm.steps > limits.max_steps:
        raise GradLimitError(f"the script ran more than {limits.max_steps:,} statements "
                             "(raise the limit with --max-steps)")
    from .interpreter import _node_counter
    if _node_counter() - vm.nodes_at_start > limits.max_graph_nodes:
        raise GradLimitError(f"the script created more than {limits.max_graph_nodes:,} autograd graph nodes "
                             "(raise the limit with --max-graph-nodes)")


def _numel(x) -> int:
    if type(x) in TENSOR_TYPES:
        return x._data.size
    if isinstance(x, np.ndarray):
        return x.size
    return 1


_WIDE = re.compile(r"\d{7,}")
_MAX_WIDTH = 1_000_000


def check_format_spec(spec: str) -> None:
    """`f"{x:999999999}"` would build a gigabyte of spaces."""
    if _WIDE.search(spec):
        raise GradLimitError(f"format width or precision too large in '{spec[:40]}'")


def check_binop(limits, fn, a, b) -> None:
    """Refuse, before computing it, a result larger than the element limit (broadcast or repetition)."""
    limit = limits.max_tensor_elements
    ta, tb = type(a), type(b)
    if ta in SIZED or tb in SIZED:  # list * n, "ab" * n, s + s, "%9999999d" % x
        if ta is str and fn in (operator.mod, operator.imod):
            check_format_spec(a)
            if "*" in a:  # "%*d" % (2**31 - 1, 1): the width comes from the arguments
                for v in (b if type(b) is tuple else (b,)):
                    if type(v) is int and abs(v) >= _MAX_WIDTH:
                        raise GradLimitError(f"format width or precision {v:,} from the arguments is too large")
        elif fn in (operator.mul, operator.imul):
            seq, n = (a, b) if ta in SIZED else (b, a)
            if isinstance(n, int) and len(seq) * n > limit:
                too_many_elements(limits, len(seq) * n)
        elif fn in (operator.add, operator.iadd) and ta in SIZED and tb in SIZED:
            if len(a) + len(b) > limit:
                too_many_elements(limits, len(a) + len(b))
        return
    na, nb = _numel(a), _numel(b)
    if na * nb <= limit:  # the result cannot be larger than the product
        return
    sa, sb = tuple(np.shape(_raw(a))), tuple(np.shape(_raw(b)))
    try:
        if fn in (operator.matmul, operator.imatmul) and len(sa) >= 1 and len(sb) >= 1:
            batch = np.broadcast_shapes(sa[:-2], sb[:-2])
            rows = sa[-2] if len(sa) >= 2 else 1
            cols = sb[-1] if len(sb) >= 2 else 1
            n = int(np.prod(batch, dtype=np.int64)) * rows * cols
        else:
            n = int(np.prod(np.broadcast_shapes(sa, sb), dtype=object))
    except ValueError:
        return  # the operation itself reports the shape mismatch, in torch's words
    if n > limit:
        too_many_elements(limits, n)


def _raw(x):
    return x._data if type(x) in TENSOR_TYPES else x


def repeated(names) -> str:
    seen = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return names[0]



def guard_iterable(vm, obj):
    """Refuse a range that no loop could finish within the limits before a native function walks it."""
    if type(obj) is range and len(obj) > vm.limits.max_loop_iterations:
        raise GradLimitError(f"range of {len(obj):,} numbers is over the loop limit of "
                             f"{vm.limits.max_loop_iterations:,} (raise it with --max-loop-iterations)")
    return obj


# ---------------------------------------------------------------- results, whatever made them
MAX_INT_BITS = 1_000_000  # `x = x * x` forty times would compute for hours
MAX_NESTING = 1000  # tuples in tuples: hashing one recurses in C, one level per level, with no stack check
RESULT_CHECKED = frozenset(TENSOR_TYPES) | {int, str, bytes, list, tuple, dict, set, frozenset}


def int_too_large(n: int):
    raise GradLimitError(f"an integer of {n.bit_length():,} bits is over the limit of {MAX_INT_BITS:,} bits")


def check_result(limits, r) -> None:
    """The size budget of a value a native function or operator gave back (types in RESULT_CHECKED)."""
    t = type(r)
    if t is int:
        if r.bit_length() > MAX_INT_BITS:
            int_too_large(r)
        return
    n = r._data.size if t in TENSOR_TYPES else len(r)
    if n > limits.max_tensor_elements:
        too_many_elements(limits, n)
    if t is tuple:
        check_nesting(r)


# Depths of deep tuples already measured, by id, holding the tuple so that the id stays its own; a chain
# `t = (t,)` then costs one look-up per link. Cleared at the end of each run.
_depths: dict[int, tuple[tuple, int]] = {}


def check_nesting(t: tuple) -> int:
    """The tuple-in-tuple depth of t; a GradLimitError past MAX_NESTING (walks without recursion)."""
    for e in t:
        if type(e) is tuple:
            break
    else:
        return 1
    known = _depths.get(id(t))
    if known is not None and known[0] is t:
        return known[1]
    memo: dict[int, int] = {}
    frames = [[t, iter(t), 0]]  # a tuple, the iterator over its elements, the deepest child so far
    while frames:
        top = frames[-1]
        for e in top[1]:
            if type(e) is not tuple:
                continue
            d = memo.get(id(e))
            if d is None:
                known = _depths.get(id(e))
                if known is not None and known[0] is e:
                    d = known[1]
            if d is None:
                if len(frames) >= MAX_NESTING:
                    nesting_error()
                frames.append([e, iter(e), 0])
                break
            top[2] = max(top[2], d)
        else:
            frames.pop()
            d = top[2] + 1
            if d > MAX_NESTING:
                nesting_error()
            memo[id(top[0])] = d
            if d >= 16:
                if len(_depths) > 4096:
                    _depths.clear()
                _depths[id(top[0])] = (top[0], d)
            if frames:
                frames[-1][2] = max(frames[-1][2], d)
    return memo[id(t)]


def nesting_error():
    raise GradLimitError(f"tuples nest more than {MAX_NESTING:,} deep (hashing or comparing them would "
                         "overflow the interpreter's stack)")


def forget_depths() -> None:
    _depths.clear()
