"""One run of a script under the engine's recording hook, each event stamped with the script line that
caused it: the facts the doctor reasons from (it re-runs the script rather than slowing every run)."""
from __future__ import annotations

import io
import weakref
from dataclasses import dataclass, field

from gradcli.autograd import observer as obs
from gradcli.errors import GradError

MAX_EVENTS = 50_000  # a long training loop repeats itself: the first iterations hold the story


@dataclass
class Stamp:
    """Where the script was: the innermost line and the call stack (outermost first) as (line, function)."""

    line: int
    stack: tuple


@dataclass
class Run:
    """What one run left: its error (None when it ran to the end), output, warnings and events."""

    source: str
    filename: str
    error: GradError | None = None
    stdout: str = ""
    warnings: list = field(default_factory=list)  # (line, category name, message)
    globals: dict = field(default_factory=dict)
    modified: list = field(default_factory=list)  # (storage key, version, tensor, Stamp)
    backwards: list = field(default_factory=list)  # (Backward event, Stamp)
    dropped: list = field(default_factory=list)  # (Dropped event, Stamp)
    made: object = None  # node -> Stamp where it was recorded (weak keys)
    ran_in: object = None  # node -> index into `backwards` of the last backward that ran it (weak keys)
    sent_inf: list = field(default_factory=list)  # nodes whose backward sent an infinite gradient
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def line_text(self, line: int) -> str:
        lines = self.source.split("\n")
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _infinite(g) -> bool:
    import numpy as np
    d = g.detach().numpy()
    return d.dtype.kind == "f" and bool(np.isinf(d).any())


def run(source: str, filename: str, limits=None, record: bool = True) -> Run:
    """Run `source` as a .grad script with its output captured; with `record`, keep the engine's events."""
    from gradcli.lang.runner import Session

    out = Run(source, filename, made=weakref.WeakKeyDictionary(), ran_in=weakref.WeakKeyDictionary())
    stdout, stderr = io.StringIO(), io.StringIO()
    session = Session(filename, stdout=stdout, stderr=stderr, limits=limits, torch_names=False)
    count = [0]

    def stamp() -> Stamp:
        stack = session.stack()
        return Stamp(stack[-1][1] if stack else 0, tuple((n, name) for _, n, name, _ in stack))

    def on_event(event) -> None:
        count[0] += 1
        if count[0] > MAX_EVENTS:
            out.truncated = True
            return
        kind = type(event)
        if kind is obs.Recorded:
            out.made[event.node] = stamp()
        elif kind is obs.Modified:
            out.modified.append((obs.storage_key(event.tensor), event.version, event.tensor, stamp()))
        elif kind is obs.Backward:
            out.backwards.append((event, stamp()))
        elif kind is obs.BackwardStep:
            out.ran_in[event.node] = len(out.backwards) - 1
            if len(out.sent_inf) < 4 and any(g is not None and _infinite(g) for g in event.sent):
                out.sent_inf.append(event.node)
        elif kind is obs.Dropped:
            out.dropped.append((event, stamp()))

    try:
        if record:
            with obs.observe(on_event):
                session.run(source, keep_last=False)
        else:
            session.run(source, keep_last=False)
    except GradError as e:
        out.error = e
    finally:
        session.close()
    out.stdout = stdout.getvalue()
    if session.warnings is not None:
        out.warnings = [(line, category.__name__, message) for message, category, line in session.warnings.seen]
    out.globals = session.globals
    return out
