"""Shared helpers for the engine tests: the optional torch oracle, address masking, print capture."""
import re

import pytest

import gradcli as gc

try:  # the oracle is optional: literal expectations still run without it
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

ADDR = re.compile(r"0x[0-9a-fA-F]+")


def mask(text):
    """Object addresses differ run to run: `<MulBackward0 object at 0x7f..>` -> `0x…`."""
    return ADDR.sub("0x…", str(text))


def libs(gc_xfail=None):
    """Parameters for a test run once per library: gradcli always, torch when installed.
    `gc_xfail` marks only the gradcli run as a known (strict) engine bug."""
    marks = [pytest.mark.xfail(reason=f"engine bug: {gc_xfail}", strict=True)] if gc_xfail else []
    params = [pytest.param(gc, id="gradcli", marks=marks)]
    if torch is not None:
        params.append(pytest.param(torch, id="torch"))
    return params


def lib_name(m):
    return "torch" if m is torch and torch is not None else "gradcli"


class Printer:
    """A `print` replacement that records lines, so a snippet's output can be compared."""

    def __init__(self):
        self.lines = []

    def __call__(self, *args, sep=" "):
        self.lines.append(sep.join(str(a) for a in args))

    @property
    def text(self):
        return mask("\n".join(self.lines))


def output_of(snippet, m):
    """Run `snippet(m, print)` and return what it printed, addresses masked."""
    p = Printer()
    snippet(m, p)
    return p.text


def exact(text):
    """A `pytest.raises(match=...)` pattern matching the whole message."""
    return "^" + re.escape(text) + r"\Z"


def structure(fn, inputs=(), depth=0):
    """A grad_fn's graph as nested tuples: (name, ((child, input_nr), ...)); a leaf edge names the
    position of its variable among `inputs`; None edges stay None."""
    if fn is None:
        return None
    name = type(fn).__name__
    if name == "AccumulateGrad":
        var = fn.variable
        return ("AccumulateGrad", next((i for i, t in enumerate(inputs) if t is var), "?"))
    if depth > 25:
        return (name, "…")
    return (name, tuple((structure(n, inputs, depth + 1), nr) for n, nr in fn.next_functions))


def node_names(fn):
    """Every node name reachable from fn (iterative)."""
    seen, stack, names = set(), [fn], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        names.add(type(n).__name__)
        stack.extend(nx for nx, _ in getattr(n, "next_functions", ()))
    return names
