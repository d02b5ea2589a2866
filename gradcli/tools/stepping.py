"""What the stepping page shows, as data: the explanation of a tensor (a one-liner's result, its first
derivative for `--order 2`, or a tensor a .grad script left), the graph behind it (op nodes and leaves, with
torch's node names) and the frames a reader steps through, one per backward node in the engine's order.

    st = stepping("y=(x+w)*(w+1)", at={"x": "2", "w": "1"})
    [f.title for f in st.frames]     # ['Forward', 'y = a*b  MulBackward0', ..., 'The gradients']
    st.explanation                   # the same Explanation `gradcli explain --json` prints

Every number is the explanation's: a frame only says which node is active, which edges carry what it sends
and what each node has received so far, by pointing into the explanation's steps.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import gradcli
from gradcli.autograd.graph import AccumulateGrad
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradError, GradValueError, OptionError
from gradcli.lang.runner import Limits

from . import expression as E
from .explain import MAX_STEPS, Explanation, explain_evaluation
from .unparse import Recorder

__all__ = ["PageNode", "PageEdge", "Frame", "Stepping", "stepping", "stepping_of", "MAX_PAGE_STEPS"]

MAX_PAGE_STEPS = 5000  # op nodes a page steps through (explain's text stops at MAX_STEPS: a page can scroll)


@dataclass
class PageNode:
    id: str  # n0, n1 ... (op nodes in backward order), then l0, l1 ... (leaves in the explanation's order)
    name: str  # the variable or the letter the steps use
    op: str  # torch's node name: MulBackward0, AccumulateGrad
    leaf: bool
    value: Tensor | None  # the forward value (None where the graph does not know it)
    step: int | None  # index into explanation.steps (op nodes that backward ran)


@dataclass
class PageEdge:
    id: str  # e0, e1 ...
    src: str  # the node whose next_functions holds the edge (gradients flow src -> dst)
    dst: str
    index: int  # position in next_functions
    step: int | None = None  # the step whose backward sends along it
    edge: int | None = None  # index into that step's edges


@dataclass
class Frame:
    """One stop of the stepper: 0 is the forward pass, then one per step, then the final gradients."""

    title: str
    active: str | None  # the node whose backward runs
    edges: list[str]  # the edges it sends along
    received: dict[str, list[int]] = field(default_factory=dict)  # node id -> (step, edge) pairs so far, flat


@dataclass
class Stepping:
    explanation: Explanation
    nodes: list[PageNode]
    edges: list[PageEdge]
    frames: list[Frame]
    order: int = 1
    source: str = ""


def stepping(argument: str, *, var: str | None = None, at: dict[str, str] | None = None, wrt: list[str] | None
             = None, seed: int = 0, order: int = 1, limits: Limits | None = None, stdin: bytes | None = None,
             max_steps: int = MAX_STEPS) -> Stepping:
    """The page's data for EXPR|FILE: `order` 2 steps through the backward of the first derivative's
    create_graph graph (∂y/∂v, v the --wrt variable or the first one); for a FILE, `var` names the tensor
    (default: the last one with a grad_fn)."""
    from .graph import is_file_argument, load

    if order not in (1, 2):
        raise OptionError(f"--order {order}: explain steps through order 1 (the gradient) or 2 (the backward "
                          "of a first derivative's create_graph graph)")
    limits = limits or Limits()
    with Recorder() as rec:
        if is_file_argument(argument):
            if order != 1 or wrt:
                raise OptionError(f"{'--order' if order != 1 else '--wrt'}: for a .grad file, explain the tensor "
                                  "the script builds (--var NAME); --order and --wrt are for a one-liner")
            got = load(argument, var=var, at=at, seed=seed, limits=limits, stdin=stdin)
            ev = _script_evaluation(argument if argument != "-" else "<stdin>", got)
        else:
            ev = E.evaluate(argument, at, seed, limits, stdout=io.StringIO())
            if var is not None and var != ev.output_name:
                ev = _pick(ev, var)
            if order == 2:
                ev, wrt = _first_derivative(ev, wrt)
        ex = _explain(ev, rec, wrt, max_steps)
    return stepping_of(ex, order=order, source=argument)


def _explain(ev, rec, wrt, max_steps) -> Explanation:
    try:
        return explain_evaluation(ev, rec, wrt, max_steps)
    except GradError:
        raise
    except Exception as e:  # noqa: BLE001 - the engine's RuntimeError for a graph the script already freed
        if "second time" not in str(e):
            raise
        raise GradValueError(f"{ev.output_name}: the script's own backward() freed the values its graph saved, "
                             "so backward cannot run again; call it with retain_graph=True, or explain a "
                             "tensor no backward has gone through") from None


def _pick(ev: E.Evaluation, var: str) -> E.Evaluation:
    """A one-liner's intermediate instead of its result (--var a)."""
    t = ev.variables.get(var)
    if t is None or var in ev.leaves:
        what = "is a variable (a leaf): explain a tensor computed from it" if var in ev.leaves else \
            f"is not a name the expression assigns (its intermediates: {', '.join(ev.variables) or 'none'})"
        raise OptionError(f"--var {var}: {var} {what}")
    return replace(ev, output=t, output_name=var)


def _first_derivative(ev: E.Evaluation, wrt: list[str] | None):
    """The evaluation of ∂y/∂v, built with create_graph=True, as the tensor to explain."""
    E._need_scalar(ev)
    if wrt and len(wrt) > 1:
        raise OptionError(f"--wrt {','.join(wrt)}: --order 2 differentiates one first derivative dy/dv; name one "
                          "variable v (the second derivatives with respect to every variable are shown)")
    names = E._select(ev, wrt)
    if not names:
        raise GradValueError("the expression has no variables, so it has no derivatives")
    v = names[0]
    g = None
    if ev.output.requires_grad:
        (g,) = gradcli.autograd.grad(ev.output, [ev.leaves[v]], create_graph=True, allow_unused=True)
    y = ev.output_name
    if g is None or g.grad_fn is None:
        raise GradValueError(f"∂{y}/∂{v} does not depend on any variable (it is a constant), so its backward has "
                             f"no steps: every second derivative through {v} is 0")
    if g.numel() != 1:
        raise GradValueError(f"--order 2 steps through the backward of ∂{y}/∂{v}, which has shape "
                             f"{list(g.shape)}; choose a variable with one element first in --wrt")
    return replace(ev, output=g, output_name=f"d{y}_d{v}"), None


def _script_evaluation(shown: str, got) -> E.Evaluation:
    """A script's tensor as an Evaluation: its leaves are the leaves its graph reaches, named by the script's
    variables (a module's parameters as model.weight), else leaf1, leaf2 ..."""
    from .graph import _leaves

    root = got.root
    if root.grad_fn is None:
        from .graph import _no_graph
        raise GradValueError(_no_graph(got.name, root))
    names = {}
    for n, t in got.variables.items():
        if t.grad_fn is None:
            names.setdefault(id(t), n)
    leaves: dict[str, Tensor] = {}
    unnamed = 0
    for t in sorted(_leaves(root.grad_fn), key=lambda t: names.get(id(t), "~")):
        name = names.get(id(t))
        if name is None:
            unnamed += 1
            name = f"leaf{unnamed}"
        leaves[name] = t
    variables = {n: t for n, t in got.variables.items() if "." not in n}
    return E.Evaluation(shown, leaves, [], got.name, root, variables)


def stepping_of(ex: Explanation, *, order: int = 1, source: str = "") -> Stepping:
    """Nodes, edges and frames of an explanation (it must carry its `_trace`)."""
    tr = ex._trace
    ids = {n: f"n{i}" for i, n in enumerate(tr.order)}
    for n in tr.nodes:  # op nodes backward did not run (every gradient into them was None)
        ids.setdefault(n, f"n{len(ids)}")
    step_of = {n: i for i, n in enumerate(tr.order)}
    nodes = [PageNode(ids[n], tr.names.get(n, n.name()), n.name(), False,
                      ex.steps[step_of[n]].value if n in step_of else None, step_of.get(n))
             for n in sorted(ids, key=lambda n: int(ids[n][1:]))]
    leaf_ids: dict[int, str] = {}
    for name, t in tr.leaves.items():
        leaf_ids[id(t)] = f"l{len(leaf_ids)}"
        nodes.append(PageNode(leaf_ids[id(t)], name, "AccumulateGrad", True, ex.leaves[name], None))
    edges: list[PageEdge] = []
    for n in sorted(ids, key=lambda n: int(ids[n][1:])):
        k = step_of.get(n)
        for i, (nxt, _) in enumerate(n.next_functions):
            if nxt is None:
                continue
            dst = leaf_ids.get(id(nxt.variable)) if type(nxt) is AccumulateGrad else ids.get(nxt)
            if dst is None:
                continue
            e = PageEdge(f"e{len(edges)}", ids[n], dst, i)
            if k is not None and i in tr.edge_index.get(n, ()):
                e.step, e.edge = k, tr.edge_index[n].index(i)
            edges.append(e)
    return Stepping(ex, nodes, edges, _frames(ex, nodes, edges), order, source)


def _frames(ex: Explanation, nodes: list[PageNode], edges: list[PageEdge]) -> list[Frame]:
    by_step = {n.step: n for n in nodes if n.step is not None}
    frames = [Frame("Forward", None, [])]
    received: dict[str, list[int]] = {}
    for k, step in enumerate(ex.steps):
        sent = [e for e in edges if e.step == k]
        for e in sent:
            received.setdefault(e.dst, []).extend([k, e.edge])
        frames.append(Frame(f"{step.name} = {step.forward}  {step.op}", by_step[k].id, [e.id for e in sent],
                            {n: list(v) for n, v in sorted(received.items())}))
    frames.append(Frame("The gradients", None, [], {n: list(v) for n, v in sorted(received.items())}))
    return frames
