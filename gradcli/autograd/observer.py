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

__all__ = ["observe", "Recorded", "BackwardStep", "Accumulated", "nodes_made"]

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


@contextmanager
def observe(callback):
    """Call `callback(event)` for every Recorded / BackwardStep / Accumulated event while the block runs."""
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
