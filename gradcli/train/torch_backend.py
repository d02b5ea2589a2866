"""`gradcli train CONFIG --backend torch`: the same run on PyTorch (CPU or CUDA), into gradcli's run directory.

It runs the very script `gradcli export` writes (export.render_script), in this process, and records
what the script reports as loop.py records a run: config.toml, run.json (plus the backend, torch's
version and the device), metrics.jsonl and metrics.csv, and last.npz / best.npz holding the parameters
as numpy arrays under gradcli's names, so `gradcli eval`, `predict` and `plot` read the run as any
other. The optimizer state stays in torch, so a torch run cannot be resumed (`--resume` says so).
torch is imported here only, and only when this backend is chosen.
"""
from __future__ import annotations

import csv
import json
import math
import platform
from pathlib import Path
from typing import Callable

import numpy as np

import gradcli
from gradcli.errors import GradError, TrainError

from .checkpoint import FORMAT, atomic_write, write_snapshot
from .config import Config, to_toml
from .export import render_script
from .loop import TrainResult, _metric_names, _relative, _rewrite_logs, prepare_run_dir, write_row

__all__ = ["import_torch", "pick_device", "train_torch", "DEVICES"]

DEVICES = ("auto", "cpu", "cuda")


def import_torch():
    """torch, or a GradError that says how to get it (exit 1: the command line is right, the
    environment lacks a dependency)."""
    try:
        import torch
    except ImportError:
        raise GradError("--backend torch needs PyTorch, which is not installed in this Python: pip install torch "
                        "(CUDA builds: https://pytorch.org/get-started/locally/), or train with the default "
                        "--backend gradcli") from None
    return torch


def pick_device(torch, name: str):
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise GradError(f"--device cuda: this PyTorch ({torch.__version__}) sees no CUDA device; use --device cpu, "
                        "or install a CUDA build of PyTorch")
    return torch.device(name)


def load_script(source: str, config: Config) -> dict:
    """The exported script's functions and constants, defined without running its main()."""
    namespace = {"__name__": "gradcli_torch_backend", "__file__": str(config.base_dir / "train.py")}
    exec(compile(source, "<gradcli export>", "exec"), namespace)  # text gradcli generated; checked forward
    return namespace


def train_torch(config: Config, out: str | Path, *, device: str = "auto", overwrite: bool = False,
                on_event: Callable[[str, dict], None] | None = None, max_steps: int | None = None) -> TrainResult:
    """Train the config with PyTorch, writing the run directory `out`; events as loop.train sends.
    `max_steps` ends the run after that many optimizer steps (status "interrupted"; tests)."""
    source = render_script(config, config.base_dir)  # first: what the config asks of torch, torch or not
    torch = import_torch()
    dev = pick_device(torch, device)
    out = Path(out)
    emit = on_event or (lambda kind, payload: None)
    ns = load_script(source, config)
    tcfg = config["train"]
    names, val_names = _metric_names(config)
    monitor, by_epoch = tcfg["monitor"], tcfg["epochs"] is not None
    total = tcfg["epochs"] if by_epoch else tcfg["iterations"]
    unit_name = "epochs" if by_epoch else "iterations"

    # gradcli's own data set, for run.json (names, classes, standardisation) and its checks of the data
    from .data import make_dataset
    gradcli.manual_seed(tcfg["seed"])
    ds = make_dataset(config)
    torch.manual_seed(tcfg["seed"])
    data = ns["make_data"]()
    model = ns["make_model"]()
    _trial_forward(torch, ns, model, data)
    prepare_run_dir(out, False, overwrite)
    (out / "config.toml").write_text(to_toml(config.values), encoding="utf-8")
    meta = {"gradcli": gradcli.RELEASE, "numpy": np.__version__, "python": platform.python_version(),
            "backend": "torch", "torch": torch.__version__, "device": str(dev),
            "seed": tcfg["seed"], "config_hash": config.hash(), "unit": unit_name, "units_total": total,
            "train_samples": int(data[0].shape[0]), "validation_samples": int(data[2].shape[0]) if data[2] is not None
            else 0, "features": ds.features, "classes": ds.classes,
            "standardize": {"mean": ds.mean, "std": ds.std} if ds.mean else None,
            "config_dir": _relative(config.base_dir.resolve(), out.resolve())}
    atomic_write(out / "run.json", lambda fh: fh.write((json.dumps(meta, indent=2) + "\n").encode()))
    columns = ["unit", "step"] + names + val_names
    _rewrite_logs(out, columns, [])
    emit("start", {"total": total, "unit": unit_name, "start": 0, "columns": columns})

    rows: list = []
    progress = {"units_done": 0, "steps_done": 0, "finished": False, "status": "", "stop_reason": "",
                "best": None, "best_unit": None}
    best = [None]
    jsonl = open(out / "metrics.jsonl", "a", encoding="utf-8")
    csvf = open(out / "metrics.csv", "a", encoding="utf-8", newline="")
    writer = csv.writer(csvf)

    def snapshot() -> dict:
        arrays = {f"param/{k}": v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}
        info = {"format": FORMAT, "backend": "torch", "progress": dict(progress)}
        arrays["meta"] = np.frombuffer(json.dumps(info).encode(), np.uint8)
        return arrays

    def on_row(row: dict) -> None:
        row = {c: row[c] for c in columns if c in row}
        if write_row(row, rows, jsonl, writer, csvf, columns, monitor, progress):
            best[0] = snapshot()
        emit("row", row)

    def on_step(step: int, loss: float) -> None:
        progress["steps_done"] = step + 1
        emit("step", {"step": step, "loss": loss})

    def on_unit(units: int, status: str | None, reason: str) -> None:
        progress["units_done"] = units
        finished = status is not None
        if finished:
            progress.update(status=status, stop_reason=reason)
        if finished or units % tcfg["checkpoint_every"] == 0:
            if best[0] is not None:  # first, so last.npz never names a best that is not on disk
                write_snapshot(out / "best.npz", best[0])
                best[0] = None
            progress["finished"] = finished
            write_snapshot(out / "last.npz", snapshot())
        emit("unit", {"units_done": units})

    try:
        result = ns["fit"](model, data, dev, total, max_steps=max_steps, on_row=on_row, on_step=on_step,
                           on_unit=on_unit)
    except FloatingPointError as e:
        saved = (f"{out / 'last.npz'} holds the last checkpoint" if (out / "last.npz").exists()
                 else "no checkpoint was written yet")
        raise TrainError(f"{str(e).split(';')[0]}; lower optim.lr or check the data ({saved})") from None
    except RuntimeError as e:  # torch's own error (a shape, a device, memory): its first line says what
        raise TrainError(f"PyTorch: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    finally:
        jsonl.close()
        csvf.close()
    final = {k: v for k, v in rows[-1].items() if k not in ("unit", "step")} if rows else {}
    return TrainResult(str(out), result["status"], unit_name, result["units"], total, result["steps"],
                       result["reason"], final, {"metric": monitor, "value": progress["best"],
                                                 "unit": progress["best_unit"]}, None, rows)


def _trial_forward(torch, ns: dict, model, data) -> None:
    """One forward and loss on two samples before any run file is written (a .grad forward whose shapes do
    not fit fails here), with the generator put back so the run's draws are unchanged."""
    state = torch.get_rng_state()
    try:
        with torch.no_grad():
            x, y = data[0][:2], data[1][:2]
            ns["LOSS"](ns["predict"](model, x, y), y)
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        where = "model.forward" if hasattr(model, "forward") and type(model).__name__ == "Model" else "model"
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise TrainError(f"{where}: PyTorch cannot run the model on the data: {first}") from None
    finally:
        torch.set_rng_state(state)
