"""`gradcli train CONFIG.toml`: train a small model from a config, into a resumable run directory."""
from __future__ import annotations

from typing import List, Optional

import typer

EXAMPLES = """
Examples:

\b
  gradcli train samples/train/logistic_regression.toml
  gradcli train samples/train/moons_mlp.toml --set optim.lr=0.05
  gradcli train samples/train/moons_mlp.toml --out runs/lr05
  gradcli train samples/train/moons_mlp.toml --print-config
  gradcli train samples/train/moons_mlp.toml --resume
  gradcli train samples/train/linear_regression.toml -q --overwrite --json
  gradcli train samples/train/moons_mlp.toml --backend torch --out runs/torch
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def train(
        config: str = typer.Argument(..., metavar="CONFIG.toml", help="The training config (TOML): [data], [model], [loss], [optim], "
                                               "[train]."),
        set_: Optional[List[str]] = typer.Option(None, "--set", metavar="SECTION.KEY=VALUE", help="Override a config value: optim.lr=0.05. "
                                                                    "Repeat for more; validated like the file."),
        print_config: bool = typer.Option(False, "--print-config", help="Print the resolved config, every "
                                                                         "default filled in, and exit."),
        out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help="Run directory (default: runs/<config name>)."),
        resume: bool = typer.Option(False, "--resume", help="Continue the run in the run directory from its "
                                                            "last checkpoint; the result equals an "
                                                            "uninterrupted run."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run files in a non-empty run "
                                                                  "directory."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
        backend: str = typer.Option("gradcli", "--backend", metavar="gradcli|torch",
                                    help="gradcli: its own numpy engine. torch: the same run on PyTorch (when "
                                         "installed): same data, initial parameters and random draws, so the "
                                         "losses agree to float32 rounding; the script it runs is what "
                                         "`gradcli export` writes."),
        device: str = typer.Option("auto", "--device", metavar="auto|cpu|cuda",
                                   help="With --backend torch: where to train (auto: CUDA when available)."),
    ):
        """Train a model from CONFIG: progress on stderr, a summary at the end, files in the run directory.

        The run directory holds config.toml (resolved), run.json (versions, seed, config hash),
        metrics.jsonl and metrics.csv (one row per logged step), and the checkpoints last.npz and best.npz.
        With --backend torch the same files are written (checkpoints: the parameters only, no --resume).
        """
        from pathlib import Path

        from gradcli.train import train as run_training

        from ..render import emit
        from ..renderers.train import Progress, render, render_config

        from gradcli.errors import OptionError

        if resume and overwrite:
            raise OptionError("--resume and --overwrite contradict each other: pick one")
        _check_backend(backend, device, resume)
        cfg = _load(config, set_ or [])
        if print_config:
            emit("train", {"config": cfg.values}, render_config)
            return
        run_dir = Path(out) if out else Path("runs") / Path(config).stem
        _check_run_dir(run_dir, "--out" if out else "the run directory")
        with Progress(enabled=not quiet) as progress:
            try:
                if backend == "torch":
                    from gradcli.train.torch_backend import train_torch
                    result = train_torch(cfg, run_dir, device=device, overwrite=overwrite, on_event=progress.event)
                else:
                    result = run_training(cfg, run_dir, resume=resume, overwrite=overwrite, on_event=progress.event)
            except OSError as e:  # the disk, not gradcli: full, read-only, permissions
                from gradcli.errors import GradError
                raise GradError(f"cannot write the run directory {str(run_dir)!r}: {e.strerror or e}") from None
        summary = {k: v for k, v in vars(result).items() if k != "rows"}
        emit("train", summary, render)


def _check_backend(backend: str, device: str, resume: bool) -> None:
    """Bad values and combinations of --backend and --device are bad option values (exit 2); a missing
    torch or CUDA is found later, when the backend starts (exit 1)."""
    from gradcli.errors import OptionError

    if backend not in ("gradcli", "torch"):
        raise OptionError(f"--backend: expected gradcli or torch, got {backend!r}")
    if device not in ("auto", "cpu", "cuda"):
        raise OptionError(f"--device: expected auto, cpu or cuda, got {device!r}")
    if backend == "gradcli" and device != "auto":
        raise OptionError(f"--device {device} is for --backend torch (gradcli's engine runs on the CPU)")
    if backend == "torch" and resume:
        raise OptionError("--resume works with --backend gradcli only: a torch run's checkpoints hold the "
                          "parameters, not the optimizer state")


def _check_run_dir(run_dir, what: str) -> None:
    """A file where the run directory or one of its parents should be is a bad --out, said before training."""
    from gradcli.errors import OptionError

    for parent in reversed((run_dir, *run_dir.parents)):
        if parent.exists() and not parent.is_dir():
            raise OptionError(f"{what} {str(run_dir)!r}: {str(parent)!r} is a file, not a directory")


def _load(config: str, overrides: list):
    """The config with the --set overrides; when only the overrides make it wrong, that is a bad option
    value (exit 2), while a wrong config file is bad input (exit 1)."""
    from gradcli.errors import GradError, OptionError
    from gradcli.train import load_config

    try:
        return load_config(config, overrides)
    except GradError as e:
        if not overrides:
            raise
        try:
            load_config(config, [])
        except GradError:
            raise e from None
        message = e.message if e.message.startswith("--set") else f"--set: {e.message}"
        raise OptionError(message, e.span, e.source, e.filename, e.kind) from None
