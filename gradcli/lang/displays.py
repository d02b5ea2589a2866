"""The compiler's displays and comprehensions: tuples, lists, sets and dicts (with `*` and `**`), and the
list/set/dict comprehensions and generator expressions, each a function of its first iterator; also the
work-list items every compiler method returns (`E(op, arg, span)`, `Label`, `_Store`)."""
from __future__ import annotations

from . import ast as A
from .opcodes import (BUILD_DICT, BUILD_LIST, BUILD_TUPLE, CALL, CONST, FOR_ITER, GET_ITER, JUMP_BACK,
                      LIST_APPEND, LIST_EXTEND, LOAD_FAST, MAKE_FUNCTION, POP_JUMP_IF_FALSE, RETURN, YIELD)

__all__ = ["Displays", "E", "Label"]


class Label:
    """A jump target; `pos` is the instruction it points at, once the compiler has emitted it."""

    __slots__ = ("pos",)

    def __init__(self):
        self.pos = -1


class _Emit(tuple):
    """A work-list item: emit (op, arg, span)."""


class _Store(tuple):
    """A work-list item: (target node, 'store' | 'delete')."""


def E(op, arg=None, span=A.NO_SPAN):
    return _Emit((op, arg, span))



class Displays:
    """The compiler's methods for displays and comprehensions (mixed into compiler._Compiler)."""

    def c_Tuple(self, e):
        if any(isinstance(x, A.Starred) for x in e.elts):
            return self._display(e.elts, tuple, e.span)
        return [*e.elts, E(BUILD_TUPLE, len(e.elts), e.span)]

    def c_List(self, e):
        if any(isinstance(x, A.Starred) for x in e.elts):
            return self._display(e.elts, None, e.span)
        return [*e.elts, E(BUILD_LIST, len(e.elts), e.span)]

    def c_Set(self, e):
        return self._display(e.elts, set, e.span)

    def _display(self, elts, kind, span):
        """`[*a, b]`, `(*a, b)`, `{a, *b}`: a list built item by item, then made a tuple or set by kind."""
        out = [E(CONST, kind)] if kind is not None else []
        out.append(E(BUILD_LIST, 0))
        for x in elts:
            out += [x.value, E(LIST_EXTEND, None, x.span)] if isinstance(x, A.Starred) else [x, E(LIST_APPEND, 1)]
        return out + ([E(CALL, 1, span)] if kind is not None else [])

    def c_Dict(self, e):
        if any(k is None for k in e.keys):  # `{**a, 'k': v}`: (key, value) and (mapping,) parts, merged in order
            out = [E(CONST, _dict_display), E(BUILD_LIST, 0)]
            for k, v in zip(e.keys, e.values):
                out += [v, E(BUILD_TUPLE, 1)] if k is None else [k, v, E(BUILD_TUPLE, 2)]
                out.append(E(LIST_APPEND, 1))
            return out + [E(CALL, 1, e.span)]
        items = [x for kv in zip(e.keys, e.values) for x in kv]
        return [*items, E(BUILD_DICT, len(e.keys), e.span)]

    def c_ListComp(self, e):
        return self._comprehension(e, "<listcomp>", [])

    def c_GeneratorExp(self, e):
        return self._comprehension(e, "<genexpr>", [])

    def c_SetComp(self, e):
        return [E(CONST, set), *self._comprehension(e, "<setcomp>", []), E(CALL, 1, e.span)]

    def c_DictComp(self, e):
        return [E(CONST, dict), *self._comprehension(e, "<dictcomp>", []), E(CALL, 1, e.span)]

    def _comprehension(self, e, name, after):
        """`[elt for t in it if c ...]` is a function of the first iterator, called at once (as in Python);
        `(elt for ...)` is the same function yielding each elt: calling it makes a (lazy) generator."""
        lazy = isinstance(e, A.GeneratorExp)
        items = [E(LOAD_FAST, ".0")] if lazy else [E(BUILD_LIST, 0), E(LOAD_FAST, ".0")]
        closing = []
        for depth, gen in enumerate(e.generators):
            top, end = Label(), Label()
            if depth:
                items += [gen.iter, E(GET_ITER, None, gen.iter.span)]
            items += [top, E(FOR_ITER, end, gen.span), _Store((gen.target, "store"))]
            for cond in gen.ifs:
                items += [cond, E(POP_JUMP_IF_FALSE, top)]
            closing = [E(JUMP_BACK, top, gen.span), end] + closing
        if lazy:
            items += [e.elt, E(YIELD, None, e.elt.span)] + closing + [E(CONST), E(RETURN)]
        elif isinstance(e, A.DictComp):  # (key, value) pairs, which dict() takes in order
            items += [e.key, e.value, E(BUILD_TUPLE, 2), E(LIST_APPEND, len(e.generators) + 1)] + closing + \
                [E(RETURN)]
        else:
            items += [e.elt, E(LIST_APPEND, len(e.generators) + 1)] + closing + [E(RETURN)]
        params = (A.Param(".0"),)
        targets = [A.Assign((g.target,), A.Constant(None)) for g in e.generators]
        code = self._nested(name, "function", A.FunctionDef(name, params, tuple(targets)), params, items)
        code.generator = lazy
        first = e.generators[0].iter
        return [E(MAKE_FUNCTION, (code, 0, ()), e.span), first, E(GET_ITER, None, first.span),
                E(CALL, 1, e.span), *after]


def _dict_display(parts: list) -> dict:
    d: dict = {}
    for part in parts:
        if len(part) == 2:
            d[part[0]] = part[1]
        elif hasattr(part[0], "keys"):
            d.update(part[0])
        else:
            raise TypeError(f"'{type(part[0]).__name__}' object is not a mapping")
    return d
