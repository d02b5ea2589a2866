"""`%%grad` (a cell run as a .grad script in the sandbox) and `%grad EXPR --at x=1` (what `gradcli grad` prints).

Cells of one kernel share one lang.Session, as lines of `gradcli repl` do: a name a cell defines is there in
the next. Errors are shown as the command line shows them (file:line:col, the source line, a caret, the
message) on stderr; a user never sees a Python traceback.
"""
from __future__ import annotations

import argparse
import html
import shlex
import sys

__all__ = ["GradMagics", "grad_text", "parse_line", "CELL_FILENAME"]

CELL_FILENAME = "<cell>"


class _Stdout:
    """The stream a script prints to: whatever sys.stdout is when it prints (the kernel swaps it per cell)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class _Stderr(_Stdout):
    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _LineParser(argparse.ArgumentParser):
    """`%grad`'s options, with the meaning `gradcli grad` gives them; a mistake is a UsageError, not an exit."""

    def error(self, message):
        from IPython.core.error import UsageError
        raise UsageError(f"%grad: {message}")

    def exit(self, status=0, message=None):
        from IPython.core.error import UsageError
        raise UsageError(message or "%grad: stopped")


def parse_line(line: str) -> argparse.Namespace:
    """Read `EXPR [--at NAME=VALUE]... [--wrt a,b] [--order N] [--seed S]` as the command line does."""
    p = _LineParser(prog="%grad", add_help=False)
    p.add_argument("expr")
    p.add_argument("--at", action="append", default=None)
    p.add_argument("--wrt", default=None)
    p.add_argument("--order", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    try:
        words = shlex.split(line)
    except ValueError as e:  # an unclosed quote
        from IPython.core.error import UsageError
        raise UsageError(f"%grad: {e}") from None
    return p.parse_args(words)


def value_text(t) -> str:
    """A tensor as `gradcli grad` prints it: torch's format, without `tensor(...)` around a 0-d one."""
    text = repr(t.detach())
    return text[len("tensor("):-1] if t.dim() == 0 else text


def _line(label: str, t) -> str:
    text = value_text(t)
    if "\n" in text:
        pad = " " * (len(label) + 3)
        first, *rest = text.split("\n")
        text = "\n".join([first] + [pad + line if line else "" for line in rest])
    return f"{label} = {text}"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def grad_text(report) -> str:
    """The text `gradcli grad` prints for a GradReport (its renderer, without rich: the Hessian of scalar
    variables as plain aligned columns)."""
    y = report.output_name
    out = [report.expr]
    for name, leaf in report.leaves.items():
        out.append(_line(f"  {name}", leaf))
        if name in report.drawn:
            out.append(f"   (drawn with seed {report.seed}; set it with --at {name}=...)")
    out += [_line(y, report.value), ""]
    out += [_line(f"∂{y}/∂{name}", g) for name, g in report.gradient.items()]
    if report.hessian:
        out.append("")
        names = list(report.gradient)
        if all(report.leaves[n].numel() == 1 for n in names):
            rows = [[""] + [f"∂/∂{n}" for n in names]]
            rows += [[f"∂²{y}/∂{a}"] + [value_text(report.hessian[(a, b)]) for b in names] for a in names]
            widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
            out.append(f"Hessian of {y}".center(sum(widths) + 2 * (len(widths) - 1)))
            out += ["  ".join([r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, len(r))])
                    for r in rows]
        else:
            for (a, b), block in report.hessian.items():
                out.append(_line(f"∂²{y}/∂{a}²" if a == b else f"∂²{y}/∂{a}∂{b}", block))
    for k, per_leaf in (report.higher or {}).items():
        out.append("")
        sup = str(k).translate(_SUPERSCRIPT)
        out += [_line(f"∂{sup}{y}/∂{name}{sup}", t) for name, t in per_leaf.items()]
    return "\n".join(out)


class GradResult:
    """What `%grad` returns: shown as the command's text; `.report` holds the numbers (a GradReport)."""

    def __init__(self, report):
        self.report = report
        self.text = grad_text(report)

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.text)}</pre>"


class GradMagics:
    """The magics of one IPython shell, and the .grad session its cells share."""

    def __init__(self, shell=None):
        self.shell = shell
        self._session = None
        self.history: list[str] = []  # the cells that ran: what the autograd doctor re-runs

    @property
    def session(self):
        if self._session is None:
            from gradcli.lang.runner import Session
            self._session = Session(CELL_FILENAME, stdout=_Stdout(), stderr=_Stderr())
        return self._session

    def reset(self) -> None:
        """Forget the names earlier cells defined (and put back the settings they changed)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self.history = []

    def cell(self, line: str, cell: str) -> None:
        """`%%grad`: run the cell as a .grad script; `%%grad --reset` starts from a fresh namespace first."""
        from gradcli.errors import GradError
        options = line.split()
        if options not in ([], ["--reset"]):
            from IPython.core.error import UsageError
            raise UsageError(f"%%grad takes no options but --reset (got {line.strip()!r})")
        if options:
            self.reset()
        try:
            self.session.run(cell, keep_last=False)
        except GradError as e:
            sys.stdout.flush()
            self._diagnose(e, cell)
            sys.stderr.write((e.format() if e.span else f"error: {e.message}") + "\n")
        else:
            self.history.append(cell)
        finally:
            sys.stdout.flush()

    def _diagnose(self, error, cell: str) -> None:
        """A failed backward gets the autograd doctor's why and checked fix, as in `gradcli run` (the cells so
        far re-run as one script; line numbers then count over them)."""
        from gradcli.tools import doctor
        doctor.attach_session(error, self.history + [cell], CELL_FILENAME, "this kernel's %%grad cells")

    def line(self, line: str):
        """`%grad EXPR --at x=2`: the value and derivatives of a one-liner, as `gradcli grad` prints them."""
        from gradcli.errors import GradError
        from gradcli.tools.expression import grad_report, parse_at, parse_wrt
        args = parse_line(line)
        try:
            report = grad_report(args.expr, parse_at(args.at), parse_wrt(args.wrt), args.order, args.seed,
                                 stdout=_Stderr())
        except GradError as e:
            sys.stderr.write((e.format() if e.span else f"error: {e.message}") + "\n")
            return None
        return GradResult(report)

    def grad(self, line: str, cell: str | None = None):
        """One name for both: IPython calls a line-and-cell magic with cell=None for `%grad`."""
        if cell is None:
            return self.line(line)
        return self.cell(line, cell)
