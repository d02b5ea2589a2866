"""The chain rule step by step, as the engine runs it: each node's incoming gradient, its local derivatives,
what it sends to each input (and where broadcasting is summed away), then each leaf's sum over its paths.

    ex = explain("y=(x+w)*(w+1)", {"x": "2", "w": "1"})
    [s.name for s in ex.steps]         # ['y', 'b', 'a']  (backward order)
    ex.sums[1].terms                   # via a: (w + 1)·1 = 2, via b: (x + w)·1 = 3  -> 5

Every number comes from the engine: one `grad(create_graph=True)`, watched through the engine's recording
hook (gradcli.autograd.observer), gives the incoming, sent and received gradients (and, being graphs, their
formulas); each node's VJPs applied to a unit gradient give its local derivatives.
Nothing here knows a derivative: the op table does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import gradcli
from gradcli.autograd.graph import AccumulateGrad
from gradcli.autograd.observer import BackwardStep, observe
from gradcli.autograd.shapes import reduced_dims
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradLimitError
from gradcli.lang.runner import Limits

from . import expression as E
from .formula_text import Expr, const, full_text
from .unparse import Recorder, Unparser

__all__ = ["EdgeStep", "Step", "Term", "LeafSum", "Explanation", "Trace", "explain", "explain_evaluation", "MAX_STEPS"]

MAX_STEPS = 200  # nodes; past this an explanation is no longer read, and `gradcli graph` shows the shape


@dataclass
class EdgeStep:
    """What one node sends to one of its inputs."""

    input: str  # the op's name for the input: self, other, ...
    to: str  # the input: a variable, an intermediate's name
    local: str  # ∂node/∂input in the names of the node's inputs: the node's VJP applied to ones
    local_full: str  # the same in the variables
    local_value: Tensor
    sent: Tensor  # the node's VJP applied to its incoming gradient
    reduced_dims: list[int] | None  # broadcasting: dims the engine sums over to fit the input's shape
    received: Tensor  # what reaches the input (sent, summed over reduced_dims)


@dataclass
class Step:
    """One node of the forward graph, in the order backward visits it."""

    name: str  # the one-liner's name for the node's output, or a letter given here
    op: str  # the node: MulBackward0, ...
    forward: str  # in the names of its inputs: a*b
    forward_full: str  # in the variables: (x + w)*(w + 1)
    value: Tensor
    incoming: Tensor  # ∂y/∂name: the gradient the node receives
    incoming_full: str  # its formula in the variables
    edges: list[EdgeStep] = field(default_factory=list)


@dataclass
class Term:
    """One path's last step into a variable: ∂y/∂via · ∂via/∂leaf."""

    via: str
    input: str
    incoming_full: str
    local_full: str
    scalar: bool  # both factors are single numbers, so the term is their product
    value: Tensor


@dataclass
class LeafSum:
    """∂y/∂leaf as the sum of what reaches the leaf along each edge into it."""

    leaf: str
    terms: list[Term]
    total: Tensor
    formula: str


@dataclass
class Explanation(E.ReportHeader):
    """What `gradcli explain` shows."""

    steps: list[Step]
    sums: list[LeafSum]
    _trace: Trace | None = field(default=None, repr=False, compare=False)  # not shown: "_" keeps it out of --json


@dataclass
class Trace:
    """The engine's nodes behind an explanation, for drawing it: `order[i]` made `steps[i]`."""

    nodes: list  # the op nodes, in the order they were made
    order: list  # the op nodes backward ran, in its order
    names: dict  # op node -> the name the steps give it
    leaves: dict[str, Tensor]  # name -> leaf tensor
    edge_index: dict  # op node -> the next_functions index of each of its step's edges


def _forward_nodes(output: Tensor, made: dict) -> list:
    """The op nodes behind `output`, in the order they were made (iterative: user-controlled depth).
    `made` is the recorder's records, which it keeps in creation order."""
    if output.grad_fn is None:
        return []
    seen = {output.grad_fn}
    stack = [output.grad_fn]
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and type(nxt) is not AccumulateGrad and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    order = {n: i for i, n in enumerate(made)}
    return sorted(seen, key=lambda n: order.get(n, -1))


def _names(ev: E.Evaluation, nodes: list) -> dict:
    """A name for every node: the one-liner's own where it has one, else a, b, c ... in forward order."""
    names = {ev.output.grad_fn: ev.output_name} if ev.output.grad_fn is not None else {}
    for name, t in ev.variables.items():
        if t.grad_fn is not None and t.grad_fn not in names and name not in ev.leaves:
            names[t.grad_fn] = name
    taken = set(ev.variables) | set(ev.leaves) | {ev.output_name} | set(E._namespace())
    letters = iter([c for c in "abcdfghkmnpqrstuvz"] + [f"v{i}" for i in range(1, 10 * MAX_STEPS)])
    for n in nodes:
        if n not in names:
            name = next(letters)
            while name in taken:
                name = next(letters)
            names[n] = name
    return names


def _text(e: Expr) -> str:
    return full_text(e) if e.const else e.text


def _formula(unparser: Unparser, t) -> str:
    if t is None:
        return "0"
    try:
        return _text(unparser.tensor(t) if t.requires_grad else const(t.detach().numpy()))
    except GradLimitError:
        return "…"  # too long to be worth reading; the numbers stand on their own


def explain(expr: str, at: dict[str, str] | None = None, wrt: list[str] | None = None, seed: int = 0,
            limits: Limits | None = None, max_steps: int = MAX_STEPS) -> Explanation:
    """Evaluate a one-liner and explain how backward computes its gradient, node by node."""
    with Recorder() as rec:
        ev = E.evaluate(expr, at, seed, limits)
        return explain_evaluation(ev, rec, wrt, max_steps)


def explain_evaluation(ev: E.Evaluation, rec: Recorder, wrt: list[str] | None = None,
                       max_steps: int = MAX_STEPS) -> Explanation:
    """Explain the backward of `ev.output` (any scalar tensor with its named leaves: a one-liner's result, a
    first derivative built with create_graph, a script's tensor). Call it while `rec` is still recording:
    the local derivatives it builds must be recorded to read as formulas. The result's `_trace` keeps the
    nodes behind the steps (for the stepping page; never part of --json)."""
    E._need_scalar(ev)
    wanted = E._select(ev, wrt)
    nodes = _forward_nodes(ev.output, rec.records)
    if len(nodes) > max_steps:
        raise GradLimitError(f"the graph has {len(nodes)} operations; explain shows at most {max_steps} "
                             "(use gradcli grad for the numbers)")
    ran = _Steps(set(nodes))
    leaves = list(ev.leaves.values())
    with observe(ran):
        totals = gradcli.autograd.grad(ev.output, leaves, create_graph=True, allow_unused=True) \
            if ev.output.requires_grad and leaves else [None] * len(leaves)
    incoming, order = ran.incoming, ran.order
    # each node's VJPs applied to ones: the local derivatives, built as graphs so they read as formulas
    local = {n: n.apply([gradcli.ones_like(incoming[n].detach())]) for n in order}
    names = _names(ev, nodes)
    full = Unparser(rec.records, ev.leaves)
    named = Unparser(rec.records, ev.leaves, stop=names)
    leaf_of = {id(t): name for name, t in ev.leaves.items()}
    steps = [_step(n, names, rec.records, incoming[n], ran.steps[n], local[n], full, named, leaf_of)
             for n in order]
    total = {name: t for name, t in zip(ev.leaves, totals)}
    sums = [_leaf_sum(name, steps, nodes, order, total[name], full, ev) for name in wanted]
    return Explanation(**E.header(ev), steps=steps, sums=sums,
                       _trace=Trace(nodes, order, names, dict(ev.leaves), {n: [
                           i for i, (nxt, _) in enumerate(n.next_functions)
                           if nxt is not None and ran.steps[n].sent[i] is not None] for n in order}))


class _Steps:
    """Observer of the backward pass: the gradient each forward node receives, and what it sends and each
    of its inputs receives, in the order the engine runs them."""

    def __init__(self, nodes: set):
        self.nodes = nodes
        self.incoming, self.steps, self.order = {}, {}, []

    def __call__(self, event) -> None:
        if type(event) is BackwardStep and event.node in self.nodes and event.grads[0] is not None:
            # a node every path to which sent None does not run its VJPs
            self.incoming[event.node] = event.grads[0]
            self.steps[event.node] = event
            self.order.append(event.node)


def _target(nxt, names, leaf_of) -> str:
    """The name of the input an edge leads to: a variable, or an intermediate's name."""
    if type(nxt) is AccumulateGrad:
        return leaf_of.get(id(nxt.variable), "(a leaf)")
    return names.get(nxt, nxt.name())


def _step(n, names, records, incoming, ran, local, full, named, leaf_of) -> Step:
    rec = records.get(n)
    roles = rec.input_names if rec is not None else ()
    step = Step(names[n], n.name(), _text(named.node(n)), _text(full.node(n)), Tensor._make(rec.value)
                if rec is not None else gradcli.tensor(float("nan")), incoming.detach(), _formula(full, incoming))
    for i, (nxt, _) in enumerate(n.next_functions):
        if nxt is None or ran.sent[i] is None:
            continue
        to = _target(nxt, names, leaf_of)
        g = ran.sent[i].detach()
        received = ran.received[i].detach()
        dims = list(reduced_dims(tuple(g.shape), tuple(received.shape))) if received.shape != g.shape else None
        role = roles[i] if i < len(roles) else f"input {i}"
        lv = local[i]
        step.edges.append(EdgeStep(role, to, _formula(named, lv), _formula(full, lv),
                                   lv.detach() if lv is not None else gradcli.zeros(()), g, dims, received))
    return step


def _leaf_sum(name, steps, nodes, order, total, full, ev) -> LeafSum:
    # terms in forward order of the node they come through: the order a reader meets the paths
    by_node = dict(zip(order, steps))
    terms = []
    for n in nodes:
        step = by_node.get(n)
        if step is None:
            continue
        for i, edge in enumerate(step.edges):
            if edge.to == name:
                scalar = step.incoming.numel() == 1 and edge.local_value.numel() == 1
                terms.append(Term(step.name, edge.input, step.incoming_full, edge.local_full, scalar, edge.received))
    if total is None:
        total = gradcli.zeros_like(ev.leaves[name])
    return LeafSum(name, terms, total.detach(), _formula(full, total))
