"""The run's PNG drawn with matplotlib (the `plot` extra): the same panels, title and labels as the built-in
rasteriser draws, in matplotlib's type and anti-aliasing.

Loaded only when a PNG is asked for and matplotlib imports. It uses a Figure with the Agg canvas directly,
never pyplot: no global figure state, no GUI backend chosen behind the user's back. The PNG carries no
"Software" text chunk, so the same run gives the same bytes with the same matplotlib.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from .checkpoint import atomic_write
from .plot import CLASS_COLORS, SERIES_COLORS, PlotResult, axis_labels, title

__all__ = ["write_png"]


def _rgb(color) -> tuple:
    return tuple(c / 255 for c in color)


def write_png(result: PlotResult, path: Path, boundary) -> None:
    """Curves (and, when `boundary` is plot.boundary_data's tuple, the decision regions) into `path`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.6 if boundary is not None else 6.4, 4.0), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2, width_ratios=[1.4, 1]) if boundary is not None else [fig.subplots()]
    ax = axes[0]
    for color, (name, s) in zip(SERIES_COLORS, result.series.items()):
        y = [v if math.isfinite(v) else math.nan for v in s["y"]]
        ax.plot(s["x"], y, color=_rgb(color), linewidth=1.6, label=name,
                marker="o" if len(y) == 1 else None)
    if result.log_scale:
        ax.set_yscale("log")
    xlabel, ylabel = axis_labels(result)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title(result))
    ax.grid(True, color="#e1e1e1", linewidth=0.8)
    ax.legend(loc="upper right", frameon=False)
    if boundary is not None:
        cls, pts, labels, lo, hi, features = boundary
        tints = [[1 - (1 - c / 255) * 0.25 for c in col] for col in CLASS_COLORS]
        b = axes[1]
        b.imshow(cls % len(CLASS_COLORS), cmap=ListedColormap(tints), vmin=0, vmax=len(CLASS_COLORS) - 1,
                 extent=(lo[0], hi[0], lo[1], hi[1]), origin="upper", interpolation="nearest", aspect="auto")
        b.contour(np.linspace(lo[0], hi[0], cls.shape[1]), np.linspace(hi[1], lo[1], cls.shape[0]), cls,
                  levels=np.arange(cls.min(), cls.max()) + 0.5, colors="#3c3c3c", linewidths=1.0)
        b.scatter(pts[:, 0], pts[:, 1], c=[_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]) for c in labels], s=14,
                  edgecolors="white", linewidths=0.6)
        b.set_xlabel(features[0])
        b.set_ylabel(features[1])
        b.set_title("data and decision boundary")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    data = buf.getvalue()
    atomic_write(Path(path), lambda fh: fh.write(data))
