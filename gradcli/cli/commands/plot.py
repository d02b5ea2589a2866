"""`gradcli plot RUN`: a run's loss or metric curves in the terminal, and optionally as a PNG."""
from __future__ import annotations

from typing import Optional

import os

import typer

EXAMPLES = """
Examples:

\b
  gradcli plot runs/moons_mlp
  gradcli plot runs/moons_mlp --metric accuracy
  gradcli plot runs/logistic_regression --log --width 100
  gradcli plot runs/moons_mlp --png moons.png
  gradcli plot runs/moons_mlp --png moons.png --png-renderer builtin
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def plot(
        run: str = typer.Argument(..., metavar="RUN", help="A run directory written by `gradcli train`."),
        metric: str = typer.Option("loss", "--metric", "-m", metavar="METRIC", help="The metric to draw (its val_ twin too, when "
                                                                  "recorded)."),
        log: bool = typer.Option(False, "--log", help="Logarithmic y axis."),
        png: Optional[str] = typer.Option(None, "--png", metavar="FILE.png",
                                          help="Also write a PNG: the curves, and for a 2-D classifier the data "
                                               "and its decision boundary (from --checkpoint)."),
        checkpoint: str = typer.Option("best", "--checkpoint", metavar="best|last",
                                       help="The parameters behind the PNG's decision boundary."),
        png_renderer: str = typer.Option("auto", "--png-renderer", metavar="auto|matplotlib|builtin",
                                         envvar="GRADCLI_PNG_RENDERER",
                                         help="Who draws --png: matplotlib when installed (auto), or gradcli's "
                                              "own rasteriser (builtin, no plotting library)."),
    ):
        """Draw a run's curves from its metrics.jsonl: text sized to --width (or the terminal), and a PNG
        with a title and axis labels (matplotlib's when it is installed, else gradcli's own rasteriser)."""
        from gradcli.train.plot import plot_run

        from ..render import emit
        from ..renderers.plot import render

        if checkpoint not in ("best", "last"):
            from gradcli.errors import OptionError
            raise OptionError(f"--checkpoint: expected best or last, got {checkpoint!r}")
        if png is not None and os.path.isdir(png):
            from gradcli.errors import GradError
            raise GradError(f"--png: cannot write {png}: it is a directory; give a file name such as {png}/curves.png")
        emit("plot", plot_run(run, metric, png, log, checkpoint, png_renderer), render)
