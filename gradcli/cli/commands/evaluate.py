"""`gradcli eval RUN` and `gradcli predict RUN --data ...`: a trained run's checkpoint, evaluated or applied."""
from __future__ import annotations

import contextlib
import os
from typing import Optional

import typer

EVAL_EXAMPLES = """
Examples:

\b
  gradcli eval runs/logistic_regression
  gradcli eval runs/linear_regression --checkpoint last
  gradcli eval runs/linear_regression --data samples/train/houses.csv
  gradcli eval runs/moons_mlp --data 'moons = {n = 1000, noise = 0.3}'
"""

PREDICT_EXAMPLES = """
Examples:

\b
  gradcli predict runs/linear_regression --data samples/train/houses.csv
  gradcli predict runs/moons_mlp --data 'moons = {n = 20}' -o preds.csv
  gradcli predict runs/logistic_regression --data 'blobs = {n_per_class = 3}'
"""

_DATA_HELP = ("A CSV file (columns named as in training), or a data source in the config's syntax: "
              "'moons = {n = 500}'. Default (eval): the run's validation split.")
_CKPT_HELP = "best (the monitored metric's best; last if none yet) or last."


def register(app: typer.Typer, boundary) -> None:
    @app.command("eval", epilog=EVAL_EXAMPLES)
    @boundary
    def eval_(
        run: str = typer.Argument(..., metavar="RUN", help="A run directory written by `gradcli train`."),
        data: Optional[str] = typer.Option(None, "--data", metavar="CSV|SOURCE", help=_DATA_HELP),
        checkpoint: str = typer.Option("best", "--checkpoint", metavar="best|last", help=_CKPT_HELP),
    ):
        """Report the loss and the configured metrics of a run's checkpoint on its validation split or on
        other data."""
        from gradcli.train.inference import evaluate

        from ..render import emit
        from ..renderers.evaluate import render_eval

        with _inline_data_is_an_option(data):
            result = evaluate(run, data, checkpoint)
        emit("eval", result, render_eval)

    @app.command(epilog=PREDICT_EXAMPLES)
    @boundary
    def predict(
        run: str = typer.Argument(..., metavar="RUN", help="A run directory written by `gradcli train`."),
        data: str = typer.Option(..., "--data", metavar="CSV|SOURCE", help=_DATA_HELP.split(" Default")[0]),
        checkpoint: str = typer.Option("best", "--checkpoint", metavar="best|last", help=_CKPT_HELP),
        output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE.csv",
                                             help="Write the predictions as CSV (atomically) instead of a table."),
    ):
        """Apply a run's checkpoint to data and print one prediction per sample (class and probability for
        classification)."""
        from gradcli.train.inference import predict as run_predict

        from ..render import emit
        from ..renderers.evaluate import render_predict

        if output is not None and os.path.isdir(output):
            from gradcli.errors import GradError
            raise GradError(f"--output: cannot write {output}: it is a directory; give a file name such as "
                            f"{output}/predictions.csv")
        with _inline_data_is_an_option(data):
            result = run_predict(run, data, checkpoint, output)
        emit("predict", result, render_predict)


@contextlib.contextmanager
def _inline_data_is_an_option(data):
    """A data source written in the option itself (`--data 'moons = {n = -5}'`) that is wrong is a bad option
    value (exit 2); a CSV file that is missing or wrong is bad input (exit 1), as a script file is."""
    from gradcli.errors import GradError, OptionError

    try:
        yield
    except OptionError:
        raise
    except GradError as e:
        if data is None or "=" not in data or os.path.exists(data) or not e.message.startswith("--data"):
            raise
        raise OptionError(e.message, e.span, e.source, e.filename, e.kind) from None
