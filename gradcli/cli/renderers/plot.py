"""Text of `gradcli plot`: a line chart drawn with plain characters, sized to --width or the terminal.

Each column of the plot area is one x position; a curve is drawn by interpolating the series there and
joining neighbouring columns with vertical strokes, so a steep drop stays connected. Only characters,
no colour and no terminal queries beyond its width: the output is the same on every machine.
"""
from __future__ import annotations

import math

MARKS = ("*", "o")  # train, validation
HEIGHT = 16


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def chart(series: dict, width: int, height: int = HEIGHT, log_scale: bool = False) -> list[str]:
    """The chart's lines: y labels, a frame, the curves, x labels under the axis."""
    f = math.log10 if log_scale else (lambda v: v)
    ys = [f(y) for s in series.values() for y in s["y"] if math.isfinite(y)]
    xs = [x for s in series.values() for x in s["x"]]
    ylo, yhi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if yhi == ylo:
        ylo, yhi = ylo - 0.5, yhi + 0.5
    xlo, xhi = min(xs), max(xs)
    labels = [_fmt(10 ** v if log_scale else v) for v in (yhi, (ylo + yhi) / 2, ylo)]
    lw = max(len(s) for s in labels)
    cols = max(10, width - lw - 2)
    grid = [[" "] * cols for _ in range(height)]

    def row_of(v: float) -> int:
        return int(round((yhi - f(v)) / (yhi - ylo) * (height - 1)))
    for mark, s in zip(MARKS, series.values()):
        pts = [(x, y) for x, y in zip(s["x"], s["y"]) if math.isfinite(y)]
        if not pts:
            continue
        prev = None
        for c in range(cols):
            x = xlo + (xhi - xlo) * c / (cols - 1) if xhi > xlo else xlo
            if x < pts[0][0] or x > pts[-1][0]:
                prev = None
                continue
            i = next(k for k in range(len(pts)) if pts[k][0] >= x)
            if pts[i][0] == x or i == 0:
                y = pts[i][1]
            else:
                (x0, y0), (x1, y1) = pts[i - 1], pts[i]
                t = (x - x0) / (x1 - x0)
                y = 10 ** (f(y0) + t * (f(y1) - f(y0))) if log_scale else y0 + t * (y1 - y0)
            r = row_of(y)
            lo, hi = (r, r) if prev is None else (min(r, prev), max(r, prev))
            for rr in range(lo, hi + 1):  # a jump: each half of the stroke in the column it is nearer
                cc = c if prev is None or abs(rr - r) <= abs(rr - prev) else c - 1
                grid[rr][cc] = mark if grid[rr][cc] in (" ", mark) else "#"
            prev = r
    lines = []
    for i, row in enumerate(grid):
        label = labels[0] if i == 0 else labels[1] if i == (height - 1) // 2 else labels[2] if i == height - 1 else ""
        lines.append(f"{label.rjust(lw)} |" + "".join(row).rstrip())
    lines.append(" " * lw + " +" + "-" * cols)
    left, right = _fmt(xlo), _fmt(xhi)
    lines.append(" " * (lw + 2) + left + right.rjust(cols - len(left)))
    return lines


def render(result, console) -> None:
    from ..options import OPTIONS
    import shutil
    width = OPTIONS.width or shutil.get_terminal_size((80, 24)).columns
    names = list(result.series)
    legend = "   ".join(f"{m} {n}" for m, n in zip(MARKS, names))
    scale = ", log scale" if result.log_scale else ""
    console.print(f"{result.metric} by {result.unit[:-1]}{scale}    {legend}", soft_wrap=True)
    for line in chart(result.series, width, log_scale=result.log_scale):
        console.print(line, soft_wrap=True)
    last = "   ".join(f"{n} {_fmt(s['y'][-1])} at {s['x'][-1]}" for n, s in result.series.items() if s["y"])
    console.print(f"last: {last}", soft_wrap=True)
    if result.png:
        console.print(f"wrote {result.png}" + (" (curves, data and decision boundary)" if result.boundary else
                                               " (curves)"), soft_wrap=True)
