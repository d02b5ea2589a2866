"""The engine's public recording hook: `observe(callback)` reports every node recorded and every backward step.

    with observe(events.append):
        y = (x + w) * (w + 1)
        y.backward()
    # events: Recorded(AddBackward0), Recorded(AddBackward0), Recorded(MulBackward0), BackwardStep(...), ...

Tools (explain, diff, grad --formula) watch the engine through this and the public node API (`name()`,
`next_functions`, `apply`) only, so the engine's internals can change without breaking them. When nobody
observes, the engine pays one test of an empty list per recorded node and per backward step.
Observers are process-wide (like grad mode) and run in the order they were added; an exception in one
propagates out of the op or the backward call that reported the event.
"""
from __future__ import annotations

from contextlib import contextmanager

__all__ = ["observe", "Recorded", "BackwardStep", "Accumulated", "Modified", "Backward", "Dropped", "nodes_made"]

OBSERVERS: list = []  # the engine tests this list's truth before building any event


class Recorded:
    """A node was recorded: `inputs` are the operands as the op got them (tensors or Python numbers),
    `input_names` the op's names for them (empty for ops with a variable number of inputs), `args` the op's
    non-tensor arguments by name, `output` the tensor whose grad_fn is `node`."""

    __slots__ = ("node", "inputs", "input_names", "args", "output")

    def __init__(self, node, inputs, input_names, args, output):
        self.node, self.inputs, self.input_names, self.args, self.output = node, inputs, input_names, args, output

    def __repr__(self):
        return f"Recorded({self.node.name()})"


class BackwardStep:
    """The engine ran a node's backward: `grads` is what reached it (after its pre-hooks), `sent` what it
    returned per edge (after its hooks; None for every edge when it did not run), `received` what each
    input gets: `sent` summed down to the input's shape where the forward broadcast it."""

    __slots__ = ("node", "grads", "sent", "received")

    def __init__(self, node, grads, sent, received):
        self.node, self.grads, self.sent, self.received = node, grads, sent, received

    def __repr__(self):
        return f"BackwardStep({self.node.name()})"


class Accumulated:
    """The engine added up the gradients that reach one node's output along several paths (as a recorded
    `add` when create_graph builds a graph): `output` is the sum."""

    __slots__ = ("output",)

    def __init__(self, output):
        self.output = output

    def __repr__(self):
        return "Accumulated()"


class Modified:
    """An in-place op (or a write through indexing, or a Function's mark_dirty) changed `tensor`'s storage
    and raised its version counter to `version`."""

    __slots__ = ("tensor", "version")

    def __init__(self, tensor, version):
        self.tensor, self.version = tensor, version

    def __repr__(self):
        return f"Modified(version={self.version})"


class Backward:
    """`backward()` (`how="backward"`) or `autograd.grad()` (`how="grad"`) was called on `tensors`, before
    any check: `inputs` are grad's inputs (or backward's `inputs=`), and the two graph options as given."""

    __slots__ = ("how", "tensors", "inputs", "retain_graph", "create_graph")

    def __init__(self, how, tensors, inputs, retain_graph, create_graph):
        self.how, self.tensors, self.inputs = how, tensors, inputs
        self.retain_graph, self.create_graph = retain_graph, create_graph

    def __repr__(self):
        return f"Backward({self.how})"


class Dropped:
    """A value that requires grad went on without its history: `how` is "detach", "data", "tensor"
    (torch.tensor(t) copies), "item" (a Python number), or "no_grad" (an op ran with grad mode off);
    `source` is the tensor that required grad, `result` what came out (None for "item")."""

    __slots__ = ("how", "source", "result")

    def __init__(self, how, source, result):
        self.how, self.source, self.result = how, source, result

    def __repr__(self):
        return f"Dropped({self.how})"


@contextmanager
def observe(callback):
    """Call `callback(event)` for every event (Recorded, BackwardStep, Accumulated, Modified, Backward,
    Dropped) while the block runs."""
    OBSERVERS.append(callback)
    try:
        yield callback
    finally:
        OBSERVERS.remove(callback)


def notify(event) -> None:
    for cb in tuple(OBSERVERS):
        cb(event)


def nodes_made() -> int:
    """A number that grows by at least one with every node the engine makes (the language's node budget)."""
    from .graph import _seq
    return next(_seq)


# ---- what an observer may ask about a node after the fact (the doctor's questions) -------------------
def saved_state(node) -> list:
    """The tensors `node` saved for backward: (name, saved version, version now, storage key) each, where
    tensors sharing a storage key share one version counter (views, and an op's own output). Empty once
    backward freed them (see `freed`), or for nodes that save no tensors."""
    from .graph import SavedResult, vc
    saved, versions = getattr(node, "_saved", None), getattr(node, "_versions", None)
    names = getattr(type(node), "_save_names", None) or ()
    if not saved or versions is None:
        return []
    out = []
    for k, (value, ver) in enumerate(zip(saved, versions)):
        if ver is None:
            continue
        name = names[k] if k < len(names) else f"saved[{k}]"
        counter = value.vc if type(value) is SavedResult else vc(value)
        out.append((name, ver, counter[0], id(counter)))
    return out


def storage_key(tensor) -> int:
    """The key `saved_state` uses for the version counter `tensor` shares with its views."""
    from .graph import vc
    return id(vc(tensor))


def freed(node) -> bool:
    """Whether a backward without retain_graph already freed the tensors this node saved."""
    return bool(getattr(node, "_saves_tensors", False)) and getattr(node, "_saved", None) is None


def order(node) -> int:
    """The node's creation order (the engine runs ready nodes latest-made first)."""
    return getattr(node, "_seq", 0)
