"""Every error gradcli reports, in one dependency-free module: `GradError` and its subclasses.

Each error carries a span and formats as `file:line:col: error: message` plus a caret line. Every error a
user can cause is a `GradError`; the command line's one boundary (`cli/app.py` `boundary`) catches it and
exits 1 (2 for an `OptionError`, a bad option value); anything else is a bug. `format()` prints the
offending source line and a caret line: `^` under the start column, or `^~~~` under the whole span when it
lies on one line. Layers raise these without importing each other (the language, the tools, training).
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the type: a Span is any object with line/col/end_line/end_col
    from gradcli.lang.ast import Span

__all__ = ["GradError", "GradSyntaxError", "GradNameError", "GradTypeError", "GradValueError",
           "GradRuntimeError", "GradLimitError", "GradImportError", "OptionError", "ConfigError", "TrainError"]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the parser counts lines the same way (it normalises to \n)
_WINDOW = 120  # longer source lines are shown as a window around the column


class GradError(Exception):
    """Base of every language error; `span` is where, `source`/`filename` say what to quote."""

    label = "error"

    def __init__(self, message: str, span: Span | None = None, source: str | None = None,
                 filename: str | None = None, kind: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.filename = filename
        self.kind = kind  # shown instead of the label: `RuntimeError`, `NameError`, ...
        self.notes: list[str] = []  # lines after the caret: where a failing call was made from
        self.explanation: list[str] = []  # a block after the report: the autograd doctor's why and fix
        self.details: dict | None = None  # the same for --json documents

    def __reduce__(self):  # keep span/source/filename (and subclass fields) through pickling
        return (type(self), (self.message,), dict(self.__dict__))

    def attach(self, source: str | None = None, filename: str | None = None) -> GradError:
        """Fill in the source text and file name if the raiser did not know them; returns self."""
        if self.source is None:
            self.source = source
        if self.filename is None:
            self.filename = filename
        return self

    def location(self) -> str:
        """`file:line:col`, or just `file` when there is no span."""
        name = self.filename or "<input>"
        if self.span is None:
            return name
        return f"{name}:{self.span.line}:{self.span.col}"

    def format(self) -> str:
        """The full report: header line, then the source line and the caret line when known."""
        head = f"{self.location()}: {self.kind or self.label}"
        lines = [f"{head}: {self.message}" if self.message else head]
        quoted = _quote(self.source, self.span)
        if quoted:
            lines.extend(quoted)
        lines.extend(self.notes)
        if self.explanation:
            lines.append("")
            lines.extend(self.explanation)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


class GradSyntaxError(GradError):
    """The text is not a valid program (raised by the parser)."""

    at_end = False  # the text ended too early (open bracket, missing block): more lines could complete it


class GradNameError(GradError):
    """A name is used but not defined, or an attribute is not allowed."""


class GradTypeError(GradError):
    """An operation got a value of the wrong type or the wrong number of arguments."""


class GradValueError(GradError):
    """An operation got a value of the right type but a bad value."""


class GradRuntimeError(GradError):
    """An error raised while running, labelled with its torch-style kind (`RuntimeError`, ...)."""

    def __init__(self, message: str, span: Span | None = None, source: str | None = None,
                 filename: str | None = None, kind: str = "RuntimeError"):
        super().__init__(message, span, source, filename, kind)


class GradLimitError(GradError):
    """A resource limit was hit: source size, nesting depth, number literal size, step budget."""


class GradImportError(GradError):
    """An import names a module or a name the language does not provide."""


# ---- the tools' and training's errors: here so that raising one loads nothing else ----------------------
class OptionError(GradValueError):
    """A bad option value (`--at x`, `--wrt q`): the command line's usage error (exit 2)."""


class ConfigError(GradValueError):
    """A config that cannot be trained: unknown key, wrong type, value out of range, inconsistent sections."""


class TrainError(GradError):
    """Training could not go on: a non-finite loss, a run directory in the way, a run that cannot resume."""


# ---------------------------------------------------------------- caret rendering
def _width(ch: str) -> int:
    """Terminal columns of one displayed character (wide CJK = 2, combining marks = 0)."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _visible(ch: str) -> str:
    """Tabs stay (the caret line copies them); control/unprintable characters show as '?'."""
    if ch == "\t":
        return ch
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "?"
    return ch


def _quote(source: str | None, span: Span | None) -> list[str] | None:
    """The source line of `span.line` and a caret line under `span`, or None if not available."""
    if source is None or span is None or span.line < 1:
        return None
    lines = _LINE_BREAK.split(source)
    if span.line > len(lines):
        return None
    text = lines[span.line - 1]
    start = max(span.col - 1, 0)
    if span.end_line == span.line and span.end_col > span.col:
        stop = span.end_col - 1
    else:
        stop = start + 1
    prefix = ""
    if len(text) > _WINDOW:  # show a window around the column, marked with "..."
        lo = max(0, min(start - _WINDOW // 2, len(text) - _WINDOW))
        hi = min(len(text), lo + _WINDOW)
        prefix = "..." if lo else ""
        suffix = "..." if hi < len(text) else ""
        text, start, stop = text[lo:hi] + suffix, start - lo, stop - lo
        start, stop = start + len(prefix), stop + len(prefix)
        text = prefix + text
    shown = "".join(_visible(c) for c in text)
    start = min(start, len(shown))
    stop = max(min(stop, len(shown)), start + 1)
    pad = "".join("\t" if c == "\t" else " " * _width(c) for c in shown[:start])
    marked = sum(max(_width(c), 1) for c in shown[start:stop]) if stop <= len(shown) else 1
    marked = max(marked, 1)
    return [shown.rstrip("\n"), pad + "^" + "~" * (marked - 1)]
