"""`gradcli export CONFIG.toml -o train.py`: a training config as a plain, readable PyTorch script."""
from __future__ import annotations

from typing import List, Optional

import typer

EXAMPLES = """
Examples:

\b
  gradcli export samples/train/moons_mlp.toml -o train.py
  gradcli export samples/train/moons_mlp.toml --set optim.lr=0.05
  gradcli export samples/train/blobs_multiclass.toml -o train.py --force
"""


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def export(
        config: str = typer.Argument(..., metavar="CONFIG.toml", help="The training config (TOML), as for "
                                                                      "`gradcli train`."),
        output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE.py",
                                             help="Write the script there (atomically); default: print it."),
        set_: Optional[List[str]] = typer.Option(None, "--set", metavar="SECTION.KEY=VALUE",
                                                 help="Override a config value, as for `gradcli train`."),
        force: bool = typer.Option(False, "--force", help="Replace FILE.py when it exists."),
    ):
        """Write CONFIG's training as one PyTorch script (torch + numpy, nothing of gradcli): the same data,
        initial parameters and random draws, so its losses are `gradcli train`'s to float32 rounding.

        Run it with `python train.py` (CPU, or CUDA when available) or `torchrun --nproc_per_node=N
        train.py` (data parallel over N processes, GPUs or CPUs; several machines with --nnodes). Its
        options: --epochs/--iterations, --lr, --device, --steps N, --log-steps, --save FILE.pt. A CSV in
        the config is read relative to the script, so keep them together.
        """
        from pathlib import Path

        from gradcli.errors import GradError, OptionError
        from gradcli.train.checkpoint import atomic_write
        from gradcli.train.export import render_script

        from ..render import emit
        from .train import _load

        cfg = _load(config, set_ or [])
        if output is None:
            text = render_script(cfg, Path.cwd(), Path(config).name)
            emit("export", {"script": text, "path": None}, lambda doc, console: console.file.write(doc["script"]))
            return
        path = Path(output)
        if path.is_dir():
            raise OptionError(f"--output {output!r} is a directory; give a file name, e.g. {str(path / 'train.py')!r}")
        if not path.parent.is_dir():
            raise OptionError(f"--output {output!r}: the directory {str(path.parent)!r} does not exist")
        if path.exists() and not force:
            raise GradError(f"{output!r} exists; use --force to replace it")
        replaced = path.exists()
        text = render_script(cfg, path.parent.resolve(), Path(config).name)
        try:
            atomic_write(path, lambda fh: fh.write(text.encode()))
        except OSError as e:
            raise GradError(f"cannot write {output!r}: {e.strerror or e}") from None
        emit("export", {"script": None, "path": str(path), "replaced": replaced}, _render_written)


def _render_written(doc, console) -> None:
    replaced = ", replaced the existing file" if doc["replaced"] else ""
    console.out(f"wrote {doc['path']}{replaced}; run it with `python {doc['path']}`, or `torchrun "
                f"--nproc_per_node=N {doc['path']}` for N processes", highlight=False)
