"""The training loop and its run directory: metrics rows, checkpoints, stop conditions and --resume.

Row `unit = u` holds the metrics of the parameters after u units (iterations or epochs) of training; it
is computed at the start of unit u, as the seed computes its accuracy from the forward pass of the
iteration before that iteration's update, and `stop_when` is checked after the update, as the seed
breaks after `optimizer.step()`. The last row is the final parameters.
"""
from __future__ import annotations

import csv
import io
import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import gradcli
from gradcli.errors import GradError, TrainError

from .checkpoint import atomic_write, load_checkpoint, snapshot, write_snapshot
from .config import Config, parse_config, to_toml
from .data import BatchStream, make_dataset
from .model import build_any_model, build_loss, build_optimizer, build_scheduler, metric_values, predict
from .specs import parse_condition

__all__ = ["TrainError", "TrainResult", "train", "RUN_FILES"]

RUN_FILES = ("config.toml", "run.json", "metrics.jsonl", "metrics.csv", "last.npz", "best.npz")


@dataclass
class TrainResult:
    """What a run did: shown as the summary table, or as JSON with --json."""

    run_dir: str
    status: str  # finished | stopped (stop_when met) | interrupted (stop_after, tests) | already finished
    unit: str  # iterations | epochs
    units_done: int
    units_total: int
    steps_done: int
    stop_reason: str
    final: dict  # the last row's metrics
    best: dict  # {"metric", "value", "unit"}
    resumed_from: int | None = None
    rows: list = field(default_factory=list)


def _metric_names(config: Config) -> tuple[list, list]:
    names = list(config["train"]["metrics"])
    return names, (["val_" + m for m in names] if config["data"]["validation"] > 0 else [])


def write_row(row, rows, jsonl, writer, csvf, columns, monitor, progress) -> bool:
    """Append one metrics row to the run (memory, metrics.jsonl, metrics.csv, flushed so a crash keeps it);
    True when it improves the monitored metric (progress["best"] and ["best_unit"] then record it)."""
    rows.append(row)
    jsonl.write(json.dumps({k: _json_num(v) for k, v in row.items()}, allow_nan=False) + "\n")
    jsonl.flush()
    writer.writerow([row.get(c, "") for c in columns])
    csvf.flush()
    if monitor in row and _better(monitor, row[monitor], progress["best"]):
        progress["best"], progress["best_unit"] = row[monitor], row["unit"]
        return True
    return False


def _better(metric: str, new: float, old: float | None) -> bool:
    if not math.isfinite(new):
        return False
    if old is None:
        return True
    return new > old if metric.removeprefix("val_") in ("accuracy", "r2") else new < old


def prepare_run_dir(out: Path, resume: bool, overwrite: bool) -> None:
    if resume:
        if not (out / "last.npz").exists():
            raise TrainError(f"cannot resume: {out}/last.npz does not exist (no checkpoint was written there)")
        for stale in out.glob(".*.tmp"):  # a write the kill cut short: the previous file is intact
            stale.unlink()
        return
    if out.exists() and not out.is_dir():
        raise TrainError(f"run directory {str(out)!r} is a file")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise TrainError(f"run directory {str(out)!r} is not empty; use --overwrite to replace the run or "
                             "--resume to continue it")
        # only what a run writes: anything else the user put there stays
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def train(config: Config, out: str | Path, *, resume: bool = False, overwrite: bool = False,
          on_event: Callable[[str, dict], None] | None = None, stop_after: int | None = None) -> TrainResult:
    """Train as the config says, writing the run directory `out`. `on_event(kind, payload)` receives
    "start", "unit", "row" and "step" ({step, loss}: each optimizer step's batch loss) events (the CLI's
    progress display; the torch backend's tests). `stop_after` ends the run after that
    many units as if it had been killed (tests of --resume)."""
    out = Path(out)
    emit = on_event or (lambda kind, payload: None)
    prepare_run_dir(out, resume, overwrite)
    if resume:
        saved = parse_config((out / "config.toml").read_text(encoding="utf-8"), str(out / "config.toml"))
        if saved.hash() != config.hash():
            raise TrainError(f"cannot resume: the config differs from the one {str(out)!r} was started with "
                             f"(hash {saved.hash()} there, {config.hash()} now); run it as a new run instead")
    tcfg = config["train"]
    names, val_names = _metric_names(config)
    condition = parse_condition(tcfg["stop_when"], names + val_names) if tcfg["stop_when"] else None
    monitor = tcfg["monitor"]

    gradcli.manual_seed(tcfg["seed"])
    data = make_dataset(config)
    model = build_any_model(config)
    loss_fn = build_loss(config["loss"])
    _trial_forward(model, loss_fn, data)  # before any run file is written: a shape error leaves nothing
    optimizer = build_optimizer(config["optim"], model.parameters())
    scheduler = build_scheduler(config["optim"], optimizer)
    stream = BatchStream(data.x_train.shape[0], config["data"]["batch_size"], config["data"]["shuffle"])
    by_epoch = tcfg["epochs"] is not None
    total = tcfg["epochs"] if by_epoch else tcfg["iterations"]
    steps_per_unit = stream.per_pass if by_epoch else 1
    unit_name = "epochs" if by_epoch else "iterations"

    progress = {"units_done": 0, "steps_done": 0, "finished": False, "status": "", "stop_reason": "",
                "best": None, "best_unit": None}
    if resume:
        progress = load_checkpoint(out / "last.npz", model, optimizer, scheduler, stream)
        # a finished run's last row sits at units_done itself
        rows = _read_rows(out / "metrics.jsonl", progress["units_done"] + int(progress["finished"]))
    else:
        rows = []
        (out / "config.toml").write_text(to_toml(config.values), encoding="utf-8")
        meta = {"gradcli": gradcli.RELEASE, "numpy": np.__version__, "python": platform.python_version(),
                "seed": tcfg["seed"], "config_hash": config.hash(), "unit": unit_name, "units_total": total,
                "train_samples": int(data.x_train.shape[0]),
                "validation_samples": int(data.x_val.shape[0]) if data.x_val is not None else 0,
                "features": data.features, "classes": data.classes,
                "standardize": {"mean": data.mean, "std": data.std} if data.mean else None,
                # where the config's relative paths (a CSV) start: eval and predict regenerate the data
                "config_dir": _relative(config.base_dir.resolve(), out.resolve())}
        atomic_write(out / "run.json", lambda fh: fh.write((json.dumps(meta, indent=2) + "\n").encode()))
    columns = ["unit", "step"] + names + val_names
    _rewrite_logs(out, columns, rows)
    resumed_from = progress["units_done"] if resume else None
    emit("start", {"total": total, "unit": unit_name, "start": progress["units_done"], "columns": columns})

    best = [None]  # the pending best.npz snapshot
    jsonl = open(out / "metrics.jsonl", "a", encoding="utf-8")
    csvf = open(out / "metrics.csv", "a", encoding="utf-8", newline="")
    writer = csv.writer(csvf)

    def log(u: int, with_val: bool) -> dict:
        row = {"unit": u, "step": progress["steps_done"]}
        row.update(metric_values(names, model, loss_fn, config["loss"]["name"], data.x_train, data.y_train))
        if with_val and data.x_val is not None:
            vals = metric_values(names, model, loss_fn, config["loss"]["name"], data.x_val, data.y_val)
            row.update({"val_" + k: v for k, v in vals.items()})
        if write_row(row, rows, jsonl, writer, csvf, columns, monitor, progress):
            # kept in memory until the next last.npz: a file per improvement cost two fsyncs each time,
            # and a resume from last.npz finds the same improvements again anyway
            best[0] = snapshot(model, optimizer, scheduler, stream, progress)
        emit("row", row)
        return row

    try:
        u = progress["units_done"]
        while not progress["finished"] and u < total:
            row = log(u, u % tcfg["eval_every"] == 0) if u % tcfg["log_every"] == 0 else None
            bad_loss = None
            for _ in range(steps_per_unit):
                idx = stream.next()
                x, y = (data.x_train, data.y_train) if idx is None else (data.x_train[idx], data.y_train[idx])
                loss = loss_fn(predict(model, x, y), y)
                value = loss.item()
                if not math.isfinite(value):
                    bad_loss = f"the loss became {value} at step {progress['steps_done']} ({unit_name[:-1]} {u})"
                    if tcfg["on_nonfinite"] == "error":
                        saved = (f"{out / 'last.npz'} holds the last checkpoint" if (out / "last.npz").exists()
                                 else "no checkpoint was written yet")
                        raise TrainError(f"{bad_loss}; lower optim.lr or check the data ({saved})")
                    break
                emit("step", {"step": progress["steps_done"], "loss": value})
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                progress["steps_done"] += 1
            if bad_loss is not None:  # on_nonfinite = "stop": end here, parameters as before that step
                progress.update(status="stopped", stop_reason=bad_loss, finished=True)
            else:
                if scheduler is not None:
                    scheduler.step()
                u += 1
                progress["units_done"] = u
                stopped = row is not None and condition is not None and condition.holds(row)
                if stopped:
                    progress["status"] = "stopped"
                    progress["stop_reason"] = f"{condition} at {unit_name[:-1]} {u - 1} ({condition.metric} = " \
                                              f"{row[condition.metric]:.6g})"
                elif u == total:
                    progress["status"], progress["stop_reason"] = "finished", f"{total} {unit_name}"
                if stopped or u == total:
                    progress["finished"] = True
                    log(u, True)
            if progress["finished"] or u % tcfg["checkpoint_every"] == 0:
                if best[0] is not None:  # first, so last.npz never names a best that is not on disk
                    write_snapshot(out / "best.npz", best[0])
                    best[0] = None
                write_snapshot(out / "last.npz", snapshot(model, optimizer, scheduler, stream, progress))
            emit("unit", {"units_done": u})
            if stop_after is not None and u >= stop_after and not progress["finished"]:
                progress["status"] = "interrupted"
                break
    finally:
        jsonl.close()
        csvf.close()
    status = progress["status"] if not (resume and resumed_from == progress["units_done"]) else "already finished"
    final = {k: v for k, v in rows[-1].items() if k not in ("unit", "step")} if rows else {}
    return TrainResult(str(out), status, unit_name, progress["units_done"], total, progress["steps_done"],
                       progress["stop_reason"], final,
                       {"metric": monitor, "value": progress["best"], "unit": progress["best_unit"]},
                       resumed_from, rows)


def _trial_forward(model, loss_fn, data) -> None:
    """One forward and loss on two samples, so a model that does not fit the data (a .grad forward's
    shapes, an output the loss cannot take) fails before the run directory is written. The generator
    state is put back: a forward that draws (dropout) must not shift the run's random numbers."""
    from gradcli.autograd.creation import default_generator
    state = default_generator.get_state()
    try:
        with gradcli.no_grad():
            x, y = data.x_train[:2], data.y_train[:2]
            loss_fn(predict(model, x, y), y)
    finally:
        default_generator.set_state(state)


def _relative(target: Path, start: Path) -> str:
    """target relative to start (a run directory moved with its configs keeps working), else absolute."""
    import os
    try:
        return os.path.relpath(target, start)
    except ValueError:  # another drive on Windows
        return str(target)


def _json_num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def _read_rows(path: Path, units_done: int) -> list[dict]:
    """The rows a checkpoint at `units_done` has seen: later ones came after it and will be recomputed."""
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # a line cut by the kill that ended the run
                continue
            if row.get("unit", units_done) < units_done:
                rows.append({k: (float(v) if isinstance(v, str) else v) for k, v in row.items()})
    return rows


def _rewrite_logs(out: Path, columns: list, rows: list) -> None:
    lines = "".join(json.dumps({k: _json_num(v) for k, v in r.items()}, allow_nan=False) + "\n" for r in rows)
    atomic_write(out / "metrics.jsonl", lambda fh: fh.write(lines.encode()))
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    atomic_write(out / "metrics.csv", lambda fh: fh.write(buf.getvalue().encode()))
