"""Text of `gradcli eval` (label/value lines) and `gradcli predict` (a plain aligned table)."""
from __future__ import annotations


def _fmt(v) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def render_eval(result, console) -> None:
    rows = [("run", result.run_dir), ("checkpoint", f"{result.checkpoint}.npz (after {result.unit} {result.unit_name})"),
            ("data", f"{result.data}, {result.samples} samples")]
    rows += [(k, _fmt(v)) for k, v in result.metrics.items()]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        console.print(f"{k.ljust(width)}  {v}", soft_wrap=True)


def render_predict(result, console) -> None:
    if result.output:
        console.print(f"wrote {len(result.rows)} predictions to {result.output}", soft_wrap=True)
        return
    cells = [result.columns] + [[_fmt(v) for v in r] for r in result.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(result.columns))]
    for row in cells:  # numbers right-aligned, as a table of numbers reads
        console.print("  ".join(c.rjust(w) for c, w in zip(row, widths)).rstrip(), soft_wrap=True)
