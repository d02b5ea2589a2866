"""Text of `gradcli check`: what was checked at which values, then one table row per Jacobian."""
from __future__ import annotations

import textwrap

from ..render import value_text


def _num(x: float) -> str:
    return f"{x:.6g}"


def _err(x: float) -> str:
    return "0" if x == 0 else f"{x:.1e}"


def _columns(rows, right=()) -> list[str]:
    """Plain aligned columns (no trailing spaces, so the text is stable for golden files)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
            for r in rows]


def mismatch_message(report) -> str:
    """The one line on stderr when a check fails (exit 1)."""
    bad = "; ".join(f"d{r.of}/d{r.wrt} max abs error {_err(r.max_abs_error)}" for r in report.rows if not r.ok)
    what = "gradgradcheck" if report.order == 2 else "gradcheck"
    return f"{what} failed: {bad} (allowed: atol {report.atol:g} + rtol {report.rtol:g} * |numeric|)"


def render(report, console) -> None:
    what = "gradgradcheck" if report.order == 2 else "gradcheck"
    console.print(f"{what} of {report.target}", soft_wrap=True)
    console.print(f"float64, eps {report.eps:g}, atol {report.atol:g}, rtol {report.rtol:g}")
    for name, x in report.inputs.items():
        # shown as the float32 value given (the check runs on its float64 copy, as the header says)
        text = value_text(x.float()) if x.numel() <= 6 else f"shape {list(x.shape)}"
        drawn = f"   (drawn with seed {report.seed}; set it with --at {name}=...)" if name in report.drawn else ""
        console.print(f"  {name} = {text.replace(chr(10), ' ')}{drawn}", soft_wrap=True)
    if report.order == 2:
        console.print("  v = gradgradcheck's random grad_output (numpy seed 0)")
    rows = [("of", "wrt", "shape", "worst at", "analytic", "numeric", "max abs err", "max rel err", "")]
    for r in report.rows:
        # the Jacobian entry that differs most: the index into `of`, then into `wrt`
        at = f"{r.worst_of}, {r.worst_wrt}".replace(", ", ",").replace("],[", "], [")
        rows.append((r.of, r.wrt, str(r.shape), at, _num(r.analytic), _num(r.numeric),
                     _err(r.max_abs_error), _err(r.max_rel_error), "ok" if r.ok else "MISMATCH"))
    console.print()
    for line in _columns(rows, right=(4, 5, 6, 7)):
        console.print(line, soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {note}", soft_wrap=True)
    for sw in report.sweeps:
        _sweep(sw, console)
    console.print()
    bad = sum(not r.ok for r in report.rows)
    console.print(f"{len(report.rows)} of {len(report.rows)} Jacobians match" if report.ok else
                  f"{bad} of {len(report.rows)} Jacobians differ from finite differences", soft_wrap=True)


def _sweep(sw, console) -> None:
    """--report: the worst entry of one Jacobian differenced at every step, float64 and the input's float32."""
    console.print()
    ix = lambda i: f"[{','.join(map(str, i))}]" if i else ""  # noqa: E731  (a 0-d tensor: no index)
    _say(console, f"step sweep of d{sw.of}{ix(sw.worst_of)}/d{sw.wrt}{ix(sw.worst_wrt)} (given as {sw.dtype}), "
                  f"analytic {_num(sw.analytic)}", "")
    rows = [("eps", "float64 error", "float32 error", "")]
    for r in sw.rows:
        mark = " ".join(m for m, b in (("best64", r.eps == sw.best_eps64), ("best32", r.eps == sw.best_eps32)) if b)
        rows.append((f"{r.eps:.0e}", _err(r.error64), _err(r.error32), mark))
    for line in _columns(rows, right=(1, 2)):
        console.print(f"  {line}", soft_wrap=True)
    if sw.verdict != "backward" and sw.best_eps64 == sw.rows[0].eps:
        _say(console, "no truncation error to see (central differences are exact for this entry); "
                      "rounding (~1/eps) grows as eps shrinks")
    elif sw.verdict != "backward":
        _say(console, f"truncation (~eps^2) and rounding (~1/eps) errors meet near eps {sw.best_eps64:.0e} "
                      f"in float64, {sw.best_eps32:.0e} in float32")
    for a in sw.advice:
        _say(console, f"advice: {a}")


def _say(console, text: str, indent: str = "  ") -> None:
    """Prose wrapped to 80 columns by us (soft_wrap: rich must not re-wrap), so goldens do not depend on rich."""
    for line in textwrap.wrap(text, 80, initial_indent=indent, subsequent_indent=indent + "  ",
                              break_on_hyphens=False, break_long_words=False):
        console.print(line, soft_wrap=True)
