"""Checkpoints: parameters, optimizer and scheduler state, RNG state and progress in one `.npz`, written
atomically (temp file in the same directory, fsync, os.replace) so a crash mid-write keeps the old one."""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

import gradcli
from gradcli.autograd.creation import default_generator

from .config import ConfigError

__all__ = ["snapshot", "write_snapshot", "save_checkpoint", "load_checkpoint", "atomic_write", "FORMAT"]

FORMAT = 1


def atomic_write(path: Path, write) -> None:
    """Call write(fileobj) on a temp file next to `path`, fsync it, then rename it over `path`.

    os.replace within one directory is atomic on POSIX: readers see the old file or the new one, never a
    torn one. The directory is fsynced too, so the rename itself survives a power cut."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a run's files are as shareable as any other
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # some file systems cannot fsync a directory; the file itself is already on disk
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def snapshot(model, optimizer, scheduler, stream, progress: dict) -> dict:
    """Everything a checkpoint holds, copied out of the live objects (the optimizer updates parameters in
    place), as the arrays of an .npz. `progress` is a JSON-able dict (units done, best metric, ...)."""
    arrays = {f"param/{k}": np.array(v.numpy(), copy=True) for k, v in model.state_dict().items()}
    sd = optimizer.state_dict()
    for idx, state in sd["state"].items():
        for key, value in state.items():
            arrays[f"optim/{idx}/{key}"] = np.array(value.numpy() if hasattr(value, "numpy") else value, copy=True)
    seed, bits, next_normal = default_generator.get_state()
    arrays["rng/key"] = np.array(bits["state"]["key"], np.uint32, copy=True)
    arrays["stream/perm"] = np.array(stream.perm, np.int64, copy=True)
    meta = {"format": FORMAT, "progress": dict(progress),
            "optim_groups": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
                             for g in sd["param_groups"]],
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "rng": {"seed": seed, "pos": int(bits["state"]["pos"]), "next_normal": next_normal},
            "stream": {"cursor": stream.cursor}}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    return arrays


def write_snapshot(path: Path, arrays: dict) -> None:
    atomic_write(path, lambda fh: np.savez(fh, **arrays))


def save_checkpoint(path: Path, model, optimizer, scheduler, stream, progress: dict) -> None:
    write_snapshot(path, snapshot(model, optimizer, scheduler, stream, progress))


def load_checkpoint(path: Path, model, optimizer, scheduler, stream) -> dict:
    """Restore everything save_checkpoint wrote; returns its progress dict."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise ConfigError(f"cannot read checkpoint {str(path)!r}: {e}") from None
    if meta.get("backend") == "torch":  # parameters only: the optimizer state stayed in torch
        raise ConfigError(f"cannot resume from {str(path)!r}: the run was trained with --backend torch, whose "
                          "checkpoints hold the parameters only; start a new run instead")
    if meta.get("format") != FORMAT:
        raise ConfigError(f"checkpoint {str(path)!r} has format {meta.get('format')}, this gradcli reads {FORMAT}")
    params = {k[len("param/"):]: gradcli.from_numpy(v) for k, v in arrays.items() if k.startswith("param/")}
    model.load_state_dict(params)
    state: dict = {}
    for k, v in arrays.items():
        if k.startswith("optim/"):
            _, idx, key = k.split("/", 2)
            state.setdefault(int(idx), {})[key] = gradcli.from_numpy(v)
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in meta["optim_groups"]]
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    if scheduler is not None and meta["scheduler"] is not None:
        scheduler.load_state_dict(meta["scheduler"])
    rng = meta["rng"]
    default_generator.set_state((rng["seed"], {"bit_generator": "MT19937",
                                               "state": {"key": arrays["rng/key"], "pos": rng["pos"]}},
                                 rng["next_normal"]))
    stream.perm, stream.cursor = arrays["stream/perm"], meta["stream"]["cursor"]
    return meta["progress"]
