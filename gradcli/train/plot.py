"""A run's curves from metrics.jsonl, and its PNG: the curves, plus data and decision boundary in 2-D.

The curves are a result object (the terminal chart is drawn by the CLI's renderer). The PNG has a title
(the run's name) and axis labels; it is drawn with matplotlib where that is installed (the `plot` extra,
plot_matplotlib.py), else with gradcli's own rasteriser (png.py), so no plotting library is needed.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import ConfigError

__all__ = ["PlotResult", "plot_run", "read_series", "RENDERERS", "title", "axis_labels"]

RENDERERS = ("auto", "matplotlib", "builtin")  # who draws --png: auto is matplotlib when it imports

# train, validation; then one colour per class (background tints are these mixed with white)
SERIES_COLORS = [(31, 119, 180), (255, 127, 14)]
CLASS_COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (140, 86, 75), (227, 119, 194)]


@dataclass
class PlotResult:
    """The curves of one metric (and its val_ twin when recorded) by unit of training."""

    run_dir: str
    unit: str  # iterations | epochs
    metric: str
    log_scale: bool
    series: dict = field(default_factory=dict)  # name -> {"x": [...], "y": [...]} (nan where not finite)
    png: str | None = None
    boundary: bool = False  # the PNG shows the data and the decision boundary
    renderer: str | None = None  # who drew the PNG: matplotlib | builtin


def read_series(run_dir: Path) -> tuple[list[dict], str]:
    """The rows of RUN/metrics.jsonl (a line cut short by a kill is skipped) and the run's unit name."""
    path = run_dir / "metrics.jsonl"
    if not run_dir.is_dir():
        raise ConfigError(f"run directory {str(run_dir)!r} does not exist (train one with `gradcli train CONFIG`)")
    if not path.is_file():
        raise ConfigError(f"{str(run_dir)!r} is not a run directory: metrics.jsonl missing")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        rows.append({k: (float(v) if isinstance(v, str) else v) for k, v in row.items()})
    unit = "units"
    try:
        unit = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("unit", unit)
    except (OSError, ValueError):
        pass
    return rows, unit


def plot_run(run_dir: str | Path, metric: str = "loss", png: str | None = None, log_scale: bool = False,
             checkpoint: str = "best", renderer: str = "auto") -> PlotResult:
    """The curves of `metric` (and val_`metric`); with `png`, also write the picture, drawn by `renderer`
    (auto: matplotlib when installed, else the built-in rasteriser)."""
    run_dir = Path(run_dir)
    if renderer not in RENDERERS:
        from gradcli.errors import OptionError
        raise OptionError(f"--png-renderer: expected one of {', '.join(RENDERERS)}, got {renderer!r}")
    rows, unit = read_series(run_dir)
    recorded = sorted({k for r in rows for k in r if k not in ("unit", "step")})
    base = metric.removeprefix("val_")
    names = [n for n in (base, "val_" + base) if n in recorded]
    if not names:
        from gradcli.errors import OptionError
        import difflib
        close = difflib.get_close_matches(metric, recorded, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise OptionError(f"--metric: {metric!r} is not recorded in {str(run_dir)!r} (recorded: "
                          f"{', '.join(recorded) or 'nothing yet'}){hint}")
    series = {}
    for n in names:
        pts = [(r["unit"], r[n]) for r in rows if n in r]
        series[n] = {"x": [p[0] for p in pts], "y": [p[1] for p in pts]}
    if log_scale and any(v <= 0 for s in series.values() for v in s["y"] if math.isfinite(v)):
        from gradcli.errors import OptionError
        raise OptionError(f"--log: {metric} has values <= 0, which a log scale cannot show")
    result = PlotResult(str(run_dir), unit, base, log_scale, series)
    if png:
        if not Path(png).parent.is_dir():
            raise ConfigError(f"--png: directory {str(Path(png).parent)!r} does not exist")
        result.renderer = _pick(renderer)
        result.boundary = write_png(result, Path(png), checkpoint, result.renderer)
        result.png = png
    return result


# ---------------------------------------------------------------------------------------------- PNG
def _pick(renderer: str) -> str:
    """matplotlib or builtin; imported lazily (a command that draws no PNG never loads matplotlib)."""
    if renderer == "builtin":
        return renderer
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        if renderer == "matplotlib":
            from gradcli.errors import OptionError
            raise OptionError('--png-renderer matplotlib: matplotlib is not installed (pip install '
                              '"gradcli[plot]"), or use --png-renderer builtin') from None
        return "builtin"
    return "matplotlib"


def title(result: PlotResult) -> str:
    """The PNG's title: the run's name (its directory)."""
    return Path(result.run_dir).resolve().name or str(result.run_dir)


def axis_labels(result: PlotResult) -> tuple[str, str]:
    """(x, y) labels: the unit of training, singular (`iteration`, `epoch`), and the metric."""
    unit = result.unit[:-1] if result.unit.endswith("s") else result.unit
    return unit, result.metric + (" (log scale)" if result.log_scale else "")


def _ticks(lo: float, hi: float) -> list[float]:
    """About five round values in [lo, hi]."""
    if hi <= lo:
        return [lo]
    step = 10 ** math.floor(math.log10((hi - lo) / 4))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= 5:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _label(v: float) -> str:
    return f"{v:.3g}"


def _curves(canvas, result: PlotResult, x0: int, y0: int, w: int, h: int) -> None:
    ink, grid = (40, 40, 40), (225, 225, 225)
    left, bottom, top, right = 70, 44, 48, 16
    px0, py0, pw, ph = x0 + left, y0 + top, w - left - right, h - top - bottom
    xs = [x for s in result.series.values() for x in s["x"]]
    ys = [y for s in result.series.values() for y in s["y"] if math.isfinite(y)]
    f = (lambda v: math.log10(v)) if result.log_scale else (lambda v: v)
    ylo, yhi = (f(min(ys)), f(max(ys))) if ys else (0.0, 1.0)
    if yhi == ylo:
        ylo, yhi = ylo - 0.5, yhi + 0.5
    xlo, xhi = min(xs), max(max(xs), min(xs) + 1)

    def X(v):
        return px0 + (v - xlo) / (xhi - xlo) * (pw - 1)

    def Y(v):
        return py0 + (1 - (f(v) - ylo) / (yhi - ylo)) * (ph - 1)
    for t in _ticks(ylo, yhi):
        y = py0 + (1 - (t - ylo) / (yhi - ylo)) * (ph - 1)
        canvas.line(px0, y, px0 + pw - 1, y, grid)
        text = _label(10 ** t if result.log_scale else t)
        canvas.text(px0 - 7 - canvas.text_width(text), int(y) - 3, text, ink)
    for t in _ticks(xlo, xhi):
        x = X(t)
        canvas.line(x, py0 + ph, x, py0 + ph + 4, ink)
        text = _label(t)
        canvas.text(int(x) - canvas.text_width(text) // 2, py0 + ph + 8, text, ink)
    canvas.line(px0, py0 + ph, px0 + pw - 1, py0 + ph, ink)
    canvas.line(px0, py0, px0, py0 + ph, ink)
    lx = px0 + 4
    for color, (name, s) in zip(SERIES_COLORS, result.series.items()):
        pts = [(X(a), Y(b)) for a, b in zip(s["x"], s["y"]) if math.isfinite(b)]
        for (a, b), (c, d) in zip(pts, pts[1:]):
            canvas.line(a, b, c, d, color, thick=2)
        if len(pts) == 1:
            canvas.dot(*pts[0], 2, color)
        canvas.rect(lx, y0 + 33, lx + 14, y0 + 36, color)  # the legend between the title and the plot
        lx = canvas.text(lx + 20, y0 + 31, name, ink) + 16
    name = title(result)  # the title centred over the plot, then the axis labels
    canvas.text(px0 + (pw - canvas.text_width(name, 2)) // 2, y0 + 8, name, ink, scale=2)
    xlabel, ylabel = axis_labels(result)
    canvas.text(px0 + (pw - canvas.text_width(xlabel)) // 2, py0 + ph + 24, xlabel, ink)
    canvas.text_up(x0 + 8, py0 + (ph + canvas.text_width(ylabel)) // 2, ylabel, ink)


def boundary_data(run_dir: Path, checkpoint: str, n: int):
    """For a 2-D classifier with a checkpoint: the predicted class over an n x n grid (row 0 at the top),
    the data points, their labels, the grid's corners (lo, hi) and the two features' names; None otherwise."""
    from .inference import decide, open_run, outputs, standardised, unstandardised
    try:
        run = open_run(run_dir, checkpoint)
    except ConfigError:  # no checkpoint yet: the curves alone
        return None
    if run.loss_name == "mse" or len(run.meta.get("features") or []) != 2:
        return None
    import gradcli
    from .data import make_dataset
    gradcli.manual_seed(run.config["train"]["seed"])
    ds = make_dataset(run.config)
    parts = [(ds.x_train, ds.y_train)] + ([(ds.x_val, ds.y_val)] if ds.x_val is not None else [])
    pts = np.concatenate([unstandardised(x.numpy(), run.meta) for x, _ in parts])
    labels = np.concatenate([y.numpy() for _, y in parts]).astype(int)
    lo, hi = pts.min(0), pts.max(0)
    pad = (hi - lo) * 0.08 + 1e-9
    lo, hi = lo - pad, hi + pad
    gx = lo[0] + (np.arange(n) + 0.5) / n * (hi[0] - lo[0])
    gy = hi[1] - (np.arange(n) + 0.5) / n * (hi[1] - lo[1])  # image rows go down
    grid = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)
    x = gradcli.from_numpy(standardised(grid, run.meta).astype(np.float32))
    cls, _ = decide(run.loss_name, outputs(run, x))
    return np.asarray(cls).reshape(n, n), pts, labels, lo, hi, list(run.meta["features"])


BOUNDARY_GRID = 380  # grid cells a side: one per pixel of the built-in 400-pixel panel


def _boundary(canvas, data, x0: int, y0: int, size: int) -> None:
    """Background tinted by predicted class over a grid, boundary pixels dark, data points on top."""
    cls, pts, labels, lo, hi, _ = data
    pad_px = 10
    n = size - 2 * pad_px
    palette = np.array([[255 - (255 - c) * 0.25 for c in col] for col in CLASS_COLORS], np.float64)
    canvas.px[y0 + pad_px:y0 + pad_px + n, x0 + pad_px:x0 + pad_px + n] = \
        palette[cls % len(CLASS_COLORS)].astype(np.uint8)
    edge = np.zeros_like(cls, bool)
    edge[:, 1:] |= cls[:, 1:] != cls[:, :-1]
    edge[1:, :] |= cls[1:, :] != cls[:-1, :]
    ys_, xs_ = np.nonzero(edge)
    canvas.px[y0 + pad_px + ys_, x0 + pad_px + xs_] = (60, 60, 60)
    for (a, b), c in zip(pts, labels):
        px = x0 + pad_px + (a - lo[0]) / (hi[0] - lo[0]) * n
        py = y0 + pad_px + (hi[1] - b) / (hi[1] - lo[1]) * n
        canvas.dot(px, py, 3, (255, 255, 255))
        canvas.dot(px, py, 2, CLASS_COLORS[c % len(CLASS_COLORS)])


def write_png(result: PlotResult, path: Path, checkpoint: str, renderer: str = "builtin") -> bool:
    """Curves on the left; for a 2-D classifier, the data and its decision boundary on the right.
    True when the boundary is shown."""
    data = boundary_data(Path(result.run_dir), checkpoint, BOUNDARY_GRID)
    if renderer == "matplotlib":
        from .plot_matplotlib import write_png as draw
        draw(result, path, data)
        return data is not None
    from .png import Canvas
    h = 400
    canvas = Canvas(560 + h if data is not None else 640, h)
    if data is not None:
        _boundary(canvas, data, 560, 0, h)
    _curves(canvas, result, 0, 0, 560 if data is not None else 640, h)
    canvas.save(path)
    return data is not None
