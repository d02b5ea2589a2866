"""The autograd graph behind a tensor as data: PyTorch's node names, `next_functions` edges with their
`input_nr`, leaves and intermediates named by the variables that hold them, optional values and grads.

    g = graph_report("y=(x+w)*(w+1)", at={"x": "2", "w": "1"}, grads=True)
    [n.name for n in g.nodes]   # ['MulBackward0', 'AddBackward0', 'AddBackward0', 'AccumulateGrad', ...]

Nodes are numbered breadth-first from the root (edges in `next_functions` order), so ids are the same on
every run. The walk is iterative and stops at `max_depth` / `max_nodes`; edges to nodes past a limit are
kept as `elided` so every format can say what it left out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import gradcli
from gradcli.autograd.graph import AccumulateGrad
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradError, GradValueError
from gradcli.lang.runner import Limits

from .defaults import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES
from .expression import OptionError
from .graph_export import to_dot, to_mermaid

__all__ = ["Edge", "GraphNode", "Graph", "Loaded", "build_graph", "graph_report", "load", "is_file_argument",
           "DEFAULT_MAX_NODES", "DEFAULT_MAX_DEPTH"]


@dataclass
class Edge:
    """One entry of a node's `next_functions`: `(node, input_nr)`."""

    input_nr: int
    to: int | None  # id of the node it points at; None for a None edge, or for a node past a limit
    elided: str | None = None  # PyTorch's name of the node past a limit (then `to` is None)


@dataclass
class GraphNode:
    """One backward node. `value`/`grad` are per output (a list) when the node has several outputs."""

    id: int
    name: str  # PyTorch's class name: MulBackward0, AccumulateGrad, MyFunctionBackward
    variables: list[str]  # the variables holding the tensor this node made (for AccumulateGrad: the leaf)
    leaf: bool
    depth: int  # the fewest edges from the root
    parents: int  # edges from shown nodes that point here; more than one means the node is shared
    edges: list[Edge]
    shape: list[int] | None = None  # known for leaves and named tensors
    value: Any = None  # the tensor the node made (forward value), when a variable holds it
    grad: Any = None  # d(root)/d(the tensor the node made), from one backward pass


@dataclass
class Graph:
    """What `gradcli graph` shows; `text` holds the DOT or Mermaid export when one was asked for."""

    source: str  # the expression, or the file as given
    root: str  # the variable drawn
    nodes: list[GraphNode]
    total_nodes: int  # nodes reachable from the root, shown or not
    max_nodes: int  # 0: no limit
    max_depth: int  # 0: no limit
    limited_by: list[str] = field(default_factory=list)  # "max_depth" / "max_nodes": the limits that hid nodes
    values: bool = False
    grads: bool = False
    grad_of: str | None = None  # what the grads differentiate: "y", or "sum(y)" for a non-scalar root
    note: str | None = None  # how the root was chosen, when the user did not say
    drawn: list[str] = field(default_factory=list)  # one-liner variables whose values came from the seed
    seed: int = 0
    format: str = "tree"
    text: str | None = None


def build_graph(root: Tensor, variables: dict[str, Tensor] | None = None, *, root_name: str = "y",
                max_nodes: int = DEFAULT_MAX_NODES, max_depth: int = DEFAULT_MAX_DEPTH, values: bool = False,
                grads: bool = False, source: str = "") -> Graph:
    """The graph of `root.grad_fn`, breadth-first and iterative (a 10^5-node chain is fine)."""
    if root.grad_fn is None:
        raise GradValueError(_no_graph(root_name, root))
    variables = dict(variables or {})
    variables.setdefault(root_name, root)
    by_leaf: dict[int, list[str]] = {}  # id(leaf tensor) -> names
    by_node: dict[Any, list[tuple[str, Tensor]]] = {}  # grad_fn -> (name, tensor) of each output it made
    for name, t in variables.items():
        if t.grad_fn is None:
            by_leaf.setdefault(id(t), []).append(name)
        else:
            by_node.setdefault(t.grad_fn, []).append((name, t))

    # breadth-first: ids by distance from the root, edges in next_functions order
    start = root.grad_fn
    ids, order, depth = {start: 0}, [start], [0]
    edges_of: list[tuple] = []  # next_functions builds a tuple per call: read it once per node
    limited: set[str] = set()
    i = 0
    while i < len(order):
        node, d = order[i], depth[i]
        i += 1
        edges_of.append(node.next_functions)
        for nxt, _ in edges_of[-1]:
            if nxt is None or nxt in ids:
                continue
            if max_depth and d + 1 > max_depth:
                limited.add("max_depth")
                continue
            if max_nodes and len(order) >= max_nodes:
                limited.add("max_nodes")
                continue
            ids[nxt] = len(order)
            order.append(nxt)
            depth.append(d + 1)

    nodes: list[GraphNode] = []
    for k, node in enumerate(order):
        edges = []
        for nxt, nr in edges_of[k]:
            to = ids.get(nxt) if nxt is not None else None
            edges.append(Edge(nr, to, type(nxt).__name__ if nxt is not None and to is None else None))
        leaf = type(node) is AccumulateGrad
        if leaf:
            names, shape = by_leaf.get(id(node.variable), []), list(node.variable.shape)
        else:
            named = by_node.get(node, [])
            names = [n for n, _ in named]
            shape = list(named[0][1].shape) if named else None
        nodes.append(GraphNode(k, type(node).__name__, names, leaf, depth[k], 0, edges, shape))
    for n in nodes:
        for e in n.edges:
            if e.to is not None:
                nodes[e.to].parents += 1

    if values:
        for n, node in zip(nodes, order):
            n.value = _per_output(node, [node.variable] if n.leaf else [t for _, t in by_node.get(node, [])])
    graph = Graph(source, root_name, nodes, len(order) if not limited else _count(start), max_nodes, max_depth,
                  sorted(limited), values, grads)
    if grads:
        graph.grad_of = _fill_grads(root, root_name, nodes, order)
    return graph


def _no_graph(name: str, t: Tensor) -> str:
    if t.requires_grad:
        return (f"{name} is a leaf tensor: it has no grad_fn, so there is no graph to draw; draw a tensor "
                f"computed from it (--var NAME)")
    return (f"{name} has no grad_fn: it does not depend on any tensor that requires grad, so there is no graph "
            "to draw (in a one-liner every free name is a variable: y = x*x)")


def _count(start) -> int:
    seen = {start}
    stack = [start]
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return len(seen)


def _outputs(node) -> int:
    return max(1, getattr(node, "_num_outputs", 1) or 1)


def _per_output(node, tensors: list[Tensor]):
    """One value for a one-output node, else a list by output number (None where no variable holds it)."""
    if _outputs(node) == 1:
        return tensors[0].detach() if tensors else None
    out: list = [None] * _outputs(node)
    for t in tensors:
        nr = t._output_nr  # torch's Tensor.output_nr; gradcli keeps it private
        if 0 <= nr < len(out) and out[nr] is None:
            out[nr] = t.detach()
    return out


def _fill_grads(root: Tensor, root_name: str, nodes: list[GraphNode], order: list) -> str:
    """One backward pass from root (graph kept, no .grad touched): each shown node's pre-hook records the
    gradient flowing into it, i.e. d(root)/d(each tensor the node made)."""
    seen: dict = {}

    def recorder(node):
        def hook(grad_outputs):
            seen[node] = [g.detach().clone() if g is not None else None for g in grad_outputs]
        return hook

    handles = [node.register_prehook(recorder(node)) for node in order]
    leaves = _leaves(root.grad_fn)
    scalar = root.numel() == 1
    try:
        gradcli.autograd.grad(root, leaves, grad_outputs=gradcli.ones_like(root), retain_graph=True,
                              allow_unused=True)
    except GradError:
        raise
    except Exception as e:  # noqa: BLE001 - a script's own backward() may raise anything: its error, not ours
        kind = "" if isinstance(e, RuntimeError) else f"{type(e).__name__}: "
        hint = ""
        if "second time" in str(e):
            hint = ("\nThe script's own backward() freed the saved values: call it with retain_graph=True, or "
                    "draw without --grads.")
        raise GradValueError(f"--grads: backward from {root_name} failed: {kind}{e}{hint}") from None
    finally:
        for h in handles:
            h.remove()
    for n, node in zip(nodes, order):
        got = seen.get(node)
        if got is None:
            n.grad = None if _outputs(node) == 1 else [None] * _outputs(node)
        else:
            n.grad = got[0] if _outputs(node) == 1 else (got + [None] * _outputs(node))[:_outputs(node)]
    return root_name if scalar else f"sum({root_name})"


def _leaves(start) -> list[Tensor]:
    """Every leaf reachable from start: autograd.grad needs inputs, and these make every node run."""
    out, seen, stack = [], {start}, [start]
    while stack:
        node = stack.pop()
        if type(node) is AccumulateGrad:
            out.append(node.variable)
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return out


# ---- where the tensor comes from: a one-liner or a .grad file ------------------------------------------


def is_file_argument(arg: str) -> bool:
    """EXPR or FILE? A file is `-`, a name ending in .grad or .py, a directory, or an existing path with a
    slash; anything else is an expression (so a file called `x` never shadows the expression `x`)."""
    if arg == "-" or arg.endswith((".grad", ".py")) or os.path.isdir(arg):
        return True
    return ("/" in arg or os.sep in arg) and os.path.exists(arg)


def _named_tensors(env: dict) -> dict[str, Tensor]:
    """A script's tensors by name, and the parameters of its modules as `model.weight`."""
    from gradcli.nn import Module
    out: dict[str, Tensor] = {}
    for name, v in env.items():
        if name.startswith("__"):
            continue
        if isinstance(v, Tensor):
            out[name] = v
        elif isinstance(v, Module):
            for pname, p in v.named_parameters():
                out.setdefault(f"{name}.{pname}", p)
    return out


class Loaded(NamedTuple):
    """The tensor to draw and the names around it."""

    name: str
    root: Tensor
    variables: dict[str, Tensor]
    note: str | None = None  # how the root was chosen, when --var did not say
    drawn: list[str] = []  # one-liner variables drawn from the seed


def load(argument: str, *, var: str | None = None, at: dict[str, str] | None = None, seed: int = 0,
         limits: Limits | None = None, stdin: bytes | None = None) -> Loaded:
    """The tensor to draw from a one-liner or a .grad file (`-`: the script is `stdin`)."""
    import io

    from gradcli.lang.runner import run_file, run_source

    from .expression import evaluate

    limits = limits or Limits()
    if not is_file_argument(argument):
        if not argument.strip():
            raise OptionError('the expression is empty: give one such as "y = x*x", or a .grad file')
        ev = evaluate(argument, at, seed, limits)
        variables = dict(ev.variables)
        variables.setdefault(ev.output_name, ev.output)
        name = var or ev.output_name
        if name not in variables:
            raise OptionError(f"--var {name}: the expression has no variable '{name}' (its variables: "
                              f"{', '.join(variables)})")
        return Loaded(name, variables[name], variables, None, list(ev.drawn))
    if at:
        raise OptionError(f"--at {next(iter(at))}: --at sets the variables of an expression; a .grad file "
                          "sets its own values")
    quiet = io.StringIO()  # the script's prints are not part of the graph output
    if argument == "-":
        result = run_source(stdin if stdin is not None else b"", "<stdin>", stdout=quiet, limits=limits)
    else:
        result = run_file(argument, stdout=quiet, limits=limits)
    variables = _named_tensors(result.globals)
    shown = argument if argument != "-" else "<stdin>"
    if var is not None:
        if var not in variables:
            with_fn = [n for n, t in variables.items() if t.grad_fn is not None]
            raise OptionError(f"--var {var}: {shown} has no tensor named '{var}' (tensors with a grad_fn: "
                              f"{', '.join(with_fn) or 'none'})")
        return Loaded(var, variables[var], variables)
    candidates = [n for n, t in variables.items() if t.grad_fn is not None and "." not in n]
    if not candidates:
        raise GradValueError(f"{shown} leaves no tensor with a grad_fn, so there is no graph to draw; "
                             "assign one to a variable (y = x * 2) and name it with --var")
    name = candidates[-1]
    return Loaded(name, variables[name], variables, f"graph of {name}: the last tensor with a grad_fn in {shown}; "
                                                    "choose another with --var")


def graph_report(argument: str, *, var: str | None = None, at: dict[str, str] | None = None, seed: int = 0,
                 values: bool = False, grads: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
                 max_depth: int = DEFAULT_MAX_DEPTH, fmt: str = "tree", limits: Limits | None = None,
                 stdin: bytes | None = None) -> Graph:
    """Load EXPR|FILE, build the graph of the chosen tensor, and attach the DOT/Mermaid text if asked."""
    if max_nodes < 0 or max_depth < 0:
        raise OptionError("--max-nodes and --max-depth take 0 (no limit) or more")
    if fmt not in ("tree", "dot", "mermaid", "json"):
        raise OptionError(f"--format {fmt}: expected tree, dot, mermaid or json")
    got = load(argument, var=var, at=at, seed=seed, limits=limits, stdin=stdin)
    graph = build_graph(got.root, got.variables, root_name=got.name, max_nodes=max_nodes, max_depth=max_depth,
                        values=values, grads=grads, source=argument)
    graph.note, graph.format, graph.drawn, graph.seed = got.note, fmt, got.drawn, seed
    if fmt == "dot":
        graph.text = to_dot(graph)
    elif fmt == "mermaid":
        graph.text = to_mermaid(graph)
    return graph
