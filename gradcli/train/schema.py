"""The training config's schema: every section, key, type, default and range, in one table."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

REQUIRED = object()  # a key the file must give (no default)
UNSET = None  # an optional key left out: shown as a comment by --print-config


@dataclass(frozen=True)
class Field:
    """One key: its kind ('int', 'float', 'bool', 'str', 'strs', 'floats', 'matrix', 'batch'), default,
    allowed choices and an optional range check returning an error text or None."""

    kind: str
    default: Any = REQUIRED
    choices: tuple = ()
    check: Callable[[Any], str | None] | None = None
    help: str = ""


def at_least(lo):
    return lambda v: None if v >= lo else f"must be >= {lo}"


def above(lo):
    return lambda v: None if v > lo else f"must be > {lo}"


def in_range(lo, hi):  # lo <= v < hi
    return lambda v: None if lo <= v < hi else f"must be in [{lo}, {hi})"


def finite(v):
    return None if math.isfinite(v) else "must be a finite number"


def betas(v):
    return None if len(v) == 2 and all(0 <= b < 1 for b in v) else "must be two numbers in [0, 1)"


DATA_SOURCES = ("blobs", "moons", "circles", "linear", "csv")
LOSSES = ("mse", "bce", "bce_with_logits", "cross_entropy")
METRICS = ("loss", "accuracy", "mse", "r2")

# section path -> {key: Field}. Source- and optimizer-specific keys live in their own tables below.
SECTIONS: dict[str, dict[str, Field]] = {
    "data": {
        "source": Field("str", UNSET, DATA_SOURCES, help="inferred from the one [data.<source>] table given"),
        "validation": Field("float", 0.0, check=in_range(0.0, 1.0), help="fraction held out for validation"),
        "standardize": Field("bool", False, help="scale features to mean 0, std 1 (training-set statistics)"),
        "batch_size": Field("batch", "full", check=at_least(1), help='an integer, or "full"'),
        "shuffle": Field("bool", True, help="reshuffle the training set every epoch (not with a full batch)"),
    },
    "data.blobs": {
        "n_per_class": Field("int", 100, check=at_least(1)),
        "classes": Field("int", 2, check=at_least(2)),
        "features": Field("int", 2, check=at_least(1)),
        "mean": Field("float", 1.7, check=finite, help="class 0 at +mean, class 1 at -mean (two classes)"),
        "std": Field("float", 1.0, check=above(0.0)),
        "bias": Field("float", 1.0, check=finite, help="added to every point, as in the seed"),
        "centers": Field("matrix", [], help="one row per class; default: the seed's +-mean, or a circle"),
    },
    "data.moons": {
        "n": Field("int", 200, check=at_least(2)),
        "noise": Field("float", 0.1, check=at_least(0.0)),
    },
    "data.circles": {
        "n": Field("int", 200, check=at_least(2)),
        "noise": Field("float", 0.05, check=at_least(0.0)),
        "factor": Field("float", 0.5, check=lambda v: None if 0 < v < 1 else "must be in (0, 1)"),
    },
    "data.linear": {
        "n": Field("int", 100, check=at_least(2)),
        "features": Field("int", 1, check=at_least(1)),
        "weights": Field("floats", [], help="default: drawn from the seed"),
        "bias": Field("float", 0.0, check=finite),
        "noise": Field("float", 0.1, check=at_least(0.0)),
    },
    "data.csv": {
        "path": Field("str", help="relative to the config file"),
        "target": Field("str", help="the target column's name (or 0-based index without a header)"),
        "features": Field("strs", [], help="default: every column but the target"),
        "header": Field("bool", True),
        "delimiter": Field("str", ",", check=lambda v: None if len(v) == 1 else "must be one character"),
    },
    "model": {
        "layers": Field("strs", help='e.g. ["linear(2,16)", "relu", "linear(16,1)", "sigmoid"]'),
    },
    "loss": {
        "name": Field("str", choices=LOSSES),
        "reduction": Field("str", "mean", ("mean", "sum")),
    },
    "optim": {
        "name": Field("str", "sgd", ("sgd", "adam", "adamw")),
        "lr": Field("float", 0.01, check=above(0.0)),
    },
    "optim.schedule": {
        "name": Field("str", "none", ("none", "step", "cosine"), help="steps once per epoch or iteration"),
    },
    "train": {
        "epochs": Field("int", UNSET, check=at_least(1), help="give epochs or iterations"),
        "iterations": Field("int", UNSET, check=at_least(1)),
        "stop_when": Field("str", "", help='e.g. "accuracy >= 0.99"'),
        "log_every": Field("int", 1, check=at_least(1), help="in epochs or iterations"),
        "eval_every": Field("int", UNSET, check=at_least(1), help="validation interval; default log_every"),
        "checkpoint_every": Field("int", 100, check=at_least(1)),
        "seed": Field("int", 0, check=at_least(0)),
        "on_nonfinite": Field("str", "error", ("error", "stop"), help="a nan/inf loss: fail (exit 1), or end "
                                                                      "the run there with its checkpoint"),
        "metrics": Field("strs", UNSET, help="default: loss+accuracy (classification), loss+r2 (regression)"),
        "monitor": Field("str", UNSET, help="metric for best.npz; default val_loss, or loss"),
    },
}

OPTIM_KEYS: dict[str, dict[str, Field]] = {
    "sgd": {
        "momentum": Field("float", 0.0, check=at_least(0.0)),
        "dampening": Field("float", 0.0, check=at_least(0.0)),
        "nesterov": Field("bool", False),
        "weight_decay": Field("float", 0.0, check=at_least(0.0)),
    },
    "adam": {
        "betas": Field("floats", [0.9, 0.999], check=betas),
        "eps": Field("float", 1e-8, check=above(0.0)),
        "weight_decay": Field("float", 0.0, check=at_least(0.0)),
        "amsgrad": Field("bool", False),
    },
}
OPTIM_KEYS["adamw"] = {**OPTIM_KEYS["adam"], "weight_decay": Field("float", 0.01, check=at_least(0.0))}

SCHEDULE_KEYS: dict[str, dict[str, Field]] = {
    "none": {},
    "step": {"step_size": Field("int", check=at_least(1)), "gamma": Field("float", 0.1, check=above(0.0))},
    "cosine": {"t_max": Field("int", UNSET, check=at_least(1), help="default: the whole run"),
               "eta_min": Field("float", 0.0, check=at_least(0.0))},
}

SECTION_ORDER = ("data", "model", "loss", "optim", "train")
