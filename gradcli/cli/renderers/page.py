"""Text of `--html PATH`: where the stepping page went and what it holds."""
from __future__ import annotations


def render_written(w, console) -> None:
    size = f"{w.bytes / 1024:.1f} KB" if w.bytes < 1024 * 1024 else f"{w.bytes / 1024 / 1024:.1f} MB"
    verb = "replaced" if w.replaced else "wrote"
    console.print(f"{verb} {w.path}: {w.steps} backward step{'s' * (w.steps != 1)} over {w.nodes} nodes "
                  f"({size}); open it in a browser (it needs no network)", soft_wrap=True, markup=False,
                  highlight=False)
