"""Runs a .grad program end to end — parse, compile, execute under limits — and is the one place where
whatever a script does wrong becomes a positioned GradError (never a Python traceback)."""
from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import gradcli
from gradcli.autograd.anomaly import STATE as _STATE

from .builtins import make_builtins, make_modules
from .compiler import compile_module
from .errors import GradError, GradLimitError, GradRuntimeError
from .guards import forget_depths
from .interpreter import Interpreter, Limits
from .parser import parse_expr, parse_file
from .watchdog import Watchdog
from .transcript import is_transcript

__all__ = ["run_source", "run_file", "RunResult", "Limits", "Session"]


@dataclass
class RunResult:
    """What a run leaves: the value of a one-liner's last expression, the script's globals, the counters."""

    value: Any = None
    globals: dict = field(default_factory=dict)
    steps: int = 0
    iterations: int = 0
    warnings: list = field(default_factory=list)  # (line, category name, message) in the order shown


def run_file(path: str | Path, name: str | None = None, **options) -> RunResult:
    """Run the script at path (see run_source); `name` is how messages call the file (default: path).
    An unreadable file is a GradError too."""
    p = Path(path)
    limits = options.get("limits") or Limits()
    try:
        with open(p, "rb") as f:
            data = f.read(limits.max_source_bytes + 1)
    except OSError as e:
        raise GradError(f"cannot read {p}: {e.strerror or e}", filename=str(path)) from None
    return run_source(data, name or str(path), **options)


def run_source(source: str | bytes, filename: str = "<input>", *, stdout: TextIO | None = None,
               stderr: TextIO | None = None, limits: Limits | None = None, expr: bool = False,
               variables: dict | None = None) -> RunResult:
    """Run a script (or, with expr=True, a one-liner such as `x=2.; y=x*x`); raises GradError on failure.

    A one-liner sees `torch`, `nn` and `F` without importing them; `variables` are predefined names."""
    session = Session(filename, stdout=stdout, stderr=stderr, limits=limits, variables=variables,
                      torch_names=expr)
    try:
        value = session.run(source, expr=expr, keep_last=expr)
    finally:
        session.close()
    shown = [(line, c.__name__, m) for m, c, line in session.warnings.seen] if session.warnings else []
    return RunResult(value, session.globals, session.vm.steps, session.vm.iterations, shown)


class Session:
    """One interpreter and namespace kept alive across inputs (the REPL): each `run` sees what the ones
    before defined, and settings a script changes (default dtype, grad mode) hold until `close()`."""

    def __init__(self, filename: str = "<stdin>", *, stdout: TextIO | None = None, stderr: TextIO | None = None,
                 limits: Limits | None = None, variables: dict | None = None, torch_names: bool = True):
        self.filename = filename
        self.limits = limits or Limits()
        self.err = stderr if stderr is not None else sys.stderr
        self.vm = Interpreter({}, self.limits, filename)
        self.vm.modules = make_modules(self.limits)
        self.vm.builtins = make_builtins(self.vm, stdout if stdout is not None else sys.stdout)
        self.globals: dict = {"__name__": "__main__"}
        if torch_names:
            m = self.vm.modules
            self.globals.update(torch=m["torch"], nn=m["torch.nn"], F=m["torch.nn.functional"])
        self.globals.update(variables or {})
        self._saved = _global_state()
        self.lines: list[str] = []
        self.warnings: _Warnings | None = None

    def run(self, source: str | bytes, *, expr: bool = False, keep_last: bool = True) -> Any:
        """Run one input; returns the value of a trailing expression statement when keep_last (else None).
        The limits apply to each input on its own; raises GradError, positioned within this input."""
        filename, limits, vm = self.filename, self.limits, self.vm
        parse = parse_expr if expr else parse_file
        module = parse(source, filename, max_bytes=limits.max_source_bytes)
        text = source_text(source)
        try:  # a pasted `>>> ` session echoes its bare expressions, as Python's interactive mode does
            code = compile_module(module, filename, keep_last=keep_last, echo=not expr and is_transcript(text))
        except GradError as e:
            raise e.attach(text, filename) from None
        vm.reset_counters()
        old_limit = sys.getrecursionlimit()
        # a script call that comes back through native code (Module.__call__ -> forward) costs Python frames
        sys.setrecursionlimit(max(old_limit, limits.max_call_depth * 40 + 1000))
        self.lines = text.split("\n")
        previous_trace, _STATE.forward_trace = _STATE.forward_trace, self.forward_trace
        try:
            with warnings.catch_warnings(), Watchdog(limits):  # the timer is off again before `except`
                warnings.simplefilter("always")
                self.warnings = _Warnings(vm, text, filename, self.err)
                warnings.showwarning = self.warnings.show
                return vm.run_module(code, self.globals)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: B036  (the boundary: everything a script causes becomes a GradError)
            raise _to_grad_error(exc, text, filename) from None
        finally:
            _STATE.forward_trace = previous_trace
            sys.setrecursionlimit(old_limit)
            forget_depths()

    def stack(self) -> list[tuple[str, int, str, str]]:
        """Where the script is now, outermost call first: (file, line, function, source line)."""
        out = []
        for frame in self.vm.frames:
            span = frame.code.spans[frame.pc - 1] if frame.pc else None
            line = span.line if span is not None else 0
            source = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
            out.append((self.filename, line, frame.code.name, source))
        return out

    def forward_trace(self) -> list[str]:
        """Anomaly mode's record of where a node was made, in the script's own lines (as Python's traceback
        module would print a Python program's)."""
        return [f'  File "{f}", line {n}, in {name}\n' + (f"    {src}\n" if src else "")
                for f, n, name, src in self.stack()]

    def close(self) -> None:
        """Put back the process-wide settings the inputs changed."""
        _restore(self._saved)


def source_text(source: str | bytes) -> str:
    """A script's text as the runner sees it: bytes decoded (bad UTF-8 replaced), BOM and CR line ends gone."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = bytes(source).decode("utf-8", "replace")
    return source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _global_state():
    """Process-wide settings a script may change; a run must not leak them into the next one."""
    return gradcli.get_default_dtype(), gradcli.is_grad_enabled(), (_STATE.anomaly, _STATE.anomaly_check_nan)


def _restore(saved) -> None:
    dtype, grad, (_STATE.anomaly, _STATE.anomaly_check_nan) = saved
    gradcli.set_default_dtype(dtype)
    gradcli.set_grad_enabled(grad)


class _Warnings:
    """Prints warnings as Python does for a script (`file:line: UserWarning: ...` and the line), once per
    line and text, at the script position that caused them."""

    def __init__(self, vm, text, filename, stream):
        self.vm, self.lines, self.filename, self.stream = vm, text.split("\n"), filename, stream
        self.seen: dict = {}  # (message, category, line) in the order they were first shown

    def show(self, message, category, filename, lineno, file=None, line=None):
        frames = self.vm.frames
        line_no = frames[-1].code.spans[frames[-1].pc - 1].line if frames else 0
        key = (str(message), category, line_no)
        if key in self.seen:
            return
        self.seen[key] = None
        source = self.lines[line_no - 1].strip() if 0 < line_no <= len(self.lines) else ""
        self.stream.write(f"{self.filename}:{line_no}: {category.__name__}: {str(message).rstrip()}\n")
        if source:
            self.stream.write(f"  {source}\n")


def _to_grad_error(exc: BaseException, text: str, filename: str) -> GradError:
    trace = getattr(exc, "_grad_trace", None) or []
    if isinstance(exc, GradError):
        error = exc
    elif isinstance(exc, RecursionError):
        error = GradLimitError("calls nest too deeply for the interpreter's stack (lower the nesting, or "
                               "--max-call-depth)")
    elif isinstance(exc, MemoryError):
        error = GradLimitError("out of memory: the run reached its memory limit (make tensors smaller, or "
                               "raise the limit with --max-memory)")
    else:
        error = GradRuntimeError(str(exc), kind=type(exc).__name__)
    if error.span is None and trace:
        error.span = trace[0][1]
    notes = [f"  in {inner.code.name}, called from {filename}:{span.line}:{span.col}"
             for (inner, _), (outer, span) in zip(trace, trace[1:])]
    error.notes.extend(_collapse(notes))
    return error.attach(text, filename)


def _collapse(notes: list[str]) -> list[str]:
    """Runs of the same call (recursion) as one line and a count, as Python's tracebacks do."""
    out: list[str] = []
    i = 0
    while i < len(notes):
        j = i
        while j + 1 < len(notes) and notes[j + 1] == notes[i]:
            j += 1
        out.append(notes[i])
        if j > i:
            out.append(f"  [the call above repeated {j - i} more time{'s' if j - i > 1 else ''}]")
        i = j + 1
    return out
