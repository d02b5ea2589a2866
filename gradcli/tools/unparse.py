"""Graph -> expression text: read a grad_fn graph back as a formula a one-liner could have written.

A node keeps only what its VJPs need, so the constants of `w + 1` are not on the graph: `Recorder` listens
to the engine's recording hook for each node (operands, args, value) while an expression and its
derivatives are built.
`Unparser` then turns any node into an `Expr` through its op-table entry's `text=`. Simplification
is light and exact: drop `*1`, `/1`, `+0`, `**1`, fold all-constant operations, put constants first in
products (float `*` commutes); sums keep their grouping, since float `+` does not associate.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gradcli.autograd.derivatives import formula_of
from gradcli.autograd.graph import AccumulateGrad
from gradcli.autograd.observer import Accumulated, Recorded, observe
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradLimitError

from . import formula_text
from .formula_text import ATOM, Expr, accumulate, call, const, placeholder

__all__ = ["Recorder", "Unparser", "MAX_FORMULA_CHARS"]

MAX_FORMULA_CHARS = 4000  # beyond this a formula stops being read; shared subgraphs expand exponentially


@dataclass
class Record:
    node: object
    xs: tuple  # the operands as the op got them: tensors or Python numbers
    input_names: tuple  # the op's names for them (empty when it takes any number)
    args: dict  # the op's non-tensor arguments by name
    value: np.ndarray
    accumulation: bool = False  # the engine adding up the gradients that reach one input along several paths


class Recorder:
    """Context manager: notes every node the engine records while active, through the engine's public
    recording hook (gradcli.autograd.observer); records are kept in the order the nodes were made."""

    def __init__(self):
        self.records: dict = {}
        self._ctx = None

    def __call__(self, event) -> None:
        if type(event) is Recorded:
            xs = tuple(x if not isinstance(x, Tensor) or x.requires_grad else x.detach().clone()
                       for x in event.inputs)  # constants copied: a later in-place op must not change them
            self.records[event.node] = Record(event.node, xs, tuple(event.input_names), event.args,
                                              np.array(event.output.detach().numpy()))
        elif type(event) is Accumulated:
            rec = self.records.get(event.output.grad_fn)
            if rec is not None and rec.node.name().startswith("AddBackward"):
                rec.accumulation = True

    def __enter__(self) -> Recorder:
        self._ctx = observe(self)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._ctx.__exit__(*exc)


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
                d for d, _ in n.next_functions if d is not None and type(d) is not AccumulateGrad and d not in memo]
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
        for x, (edge, _) in zip(rec.xs, n.next_functions):
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
        text = formula_of(n)
        try:
            if text is None:
                e = placeholder(n.name(), children, shape)
            elif type(text) is str:
                e = call(text, *children, shape=shape)
            else:
                e = text(formula_text, children, rec.args, shape)
        except (KeyError, IndexError, ValueError):
            e = placeholder(n.name(), children, shape)
        return self._checked(replace(e, value=rec.value, shape=shape))

    def _checked(self, e: Expr) -> Expr:
        if len(e.text) > self.max_chars:
            raise GradLimitError(f"the formula is longer than {self.max_chars} characters (shared "
                                 "subexpressions are written out each time they occur); the numbers are in "
                                 "`gradcli grad`")
        return e
