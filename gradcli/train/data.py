"""Training data: the synthetic generators and CSV files of a config, split, standardised and batched.

Every random draw comes from gradcli's default generator, in a fixed order (data, split, model init,
then shuffles and dropout), so a seed fixes the run; the seed's blobs are its torch.normal calls.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

import gradcli
from gradcli.autograd.tensor import Tensor

from .config import Config, ConfigError

__all__ = ["Dataset", "make_dataset", "BatchStream"]


@dataclass
class Dataset:
    x_train: Tensor
    y_train: Tensor
    x_val: Tensor | None
    y_val: Tensor | None
    features: list[str]
    classes: int  # 0 for regression
    mean: list[float] = field(default_factory=list)  # standardisation (training statistics), if used
    std: list[float] = field(default_factory=list)


def make_dataset(config: Config) -> Dataset:
    """Generate or read the data, split off validation, standardise; draws from the default generator."""
    data, loss = config["data"], config["loss"]["name"]
    src = data["source"]
    x, y, names = {"blobs": _blobs, "moons": _moons, "circles": _circles, "linear": _linear,
                   "csv": lambda c: _csv(c, config)}[src](data[src])
    classification = loss != "mse"
    classes = 0
    if classification:
        labels = np.asarray(y.numpy(), np.float64)
        if not np.all(labels == np.round(labels)) or labels.min() < 0:
            raise ConfigError(f"loss.name = {loss!r} needs class labels 0, 1, ... in the target; got other values")
        classes = int(labels.max()) + 1
        if loss != "cross_entropy" and classes > 2:
            raise ConfigError(f"loss.name = {loss!r} is for two classes; the target has {classes} (use cross_entropy)")
        classes = max(classes, 2)
        y = y.to(gradcli.int64) if loss == "cross_entropy" else y.to(gradcli.float32)
    x_val = y_val = None
    n = x.shape[0]
    if data["validation"] > 0:
        n_val = max(1, int(round(n * data["validation"])))
        if n_val >= n:
            raise ConfigError(f"data.validation = {data['validation']} leaves no training data ({n} samples)")
        perm = gradcli.randperm(n)
        x_val, y_val = x[perm[:n_val]], y[perm[:n_val]]
        x, y = x[perm[n_val:]], y[perm[n_val:]]
    ds = Dataset(x, y, x_val, y_val, names, classes)
    if data["standardize"]:
        arr = x.numpy().astype(np.float64)
        mean, std = arr.mean(0), arr.std(0)
        std[std == 0] = 1.0  # a constant feature stays constant instead of becoming nan
        ds.mean, ds.std = mean.tolist(), std.tolist()
        ds.x_train = _scaled(x, mean, std)
        ds.x_val = _scaled(x_val, mean, std) if x_val is not None else None
    return ds


def _scaled(x: Tensor, mean, std) -> Tensor:
    return gradcli.from_numpy(((x.numpy().astype(np.float64) - mean) / std).astype(np.float32))


def _blobs(c: dict):
    k, f = c["classes"], c["features"]
    if c["centers"]:
        centers = c["centers"]
    elif k == 2:
        centers = [[c["mean"]] * f, [-c["mean"]] * f]  # the seed: class 0 at +mean, class 1 at -mean
    else:
        r = abs(c["mean"]) * math.sqrt(2)
        centers = [[r * math.cos(2 * math.pi * i / k), r * math.sin(2 * math.pi * i / k)] + [0.0] * (f - 2)
                   for i in range(k)]
    ones = gradcli.ones(c["n_per_class"], f)
    xs, ys = [], []
    for i, center in enumerate(centers):
        # the seed's torch.normal(mean_value * n_data, 1) + bias, drawn class after class
        m = ones * center[0] if len(set(center)) == 1 else ones * gradcli.tensor(center)
        xs.append(gradcli.normal(m, c["std"]) + c["bias"])
        ys.append(gradcli.full((c["n_per_class"],), float(i)))
    return gradcli.cat(xs, 0), gradcli.cat(ys, 0), [f"x{j}" for j in range(f)]


def _noise(n: int, d: int, scale: float) -> np.ndarray:
    return scale * gradcli.randn(n, d).numpy().astype(np.float64) if scale > 0 else np.zeros((n, d))


def _moons(c: dict):
    n_out = c["n"] // 2
    n_in = c["n"] - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])
    x += _noise(c["n"], 2, c["noise"])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return gradcli.from_numpy(x.astype(np.float32)), gradcli.from_numpy(y.astype(np.float32)), ["x0", "x1"]


def _circles(c: dict):
    n_out = c["n"] // 2
    n_in = c["n"] - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        c["factor"] * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    x += _noise(c["n"], 2, c["noise"])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return gradcli.from_numpy(x.astype(np.float32)), gradcli.from_numpy(y.astype(np.float32)), ["x0", "x1"]


def _linear(c: dict):
    n, f = c["n"], c["features"]
    x = gradcli.randn(n, f)
    w = gradcli.tensor(c["weights"]) if c["weights"] else gradcli.randn(f)
    y = x @ w + c["bias"]
    if c["noise"] > 0:
        y = y + c["noise"] * gradcli.randn(n)
    return x, y, [f"x{j}" for j in range(f)]


def _csv(c: dict, config: Config):
    path = (config.base_dir / c["path"]).resolve() if not c["path"].startswith("/") else c["path"]
    shown = c["path"]
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh, delimiter=c["delimiter"]))
    except OSError as e:
        raise ConfigError(f"data.csv.path: cannot read {shown!r}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"data.csv.path: {shown!r} is not valid UTF-8") from None
    first = 1
    if c["header"]:
        if not rows:
            raise ConfigError(f"{shown}: the file is empty (data.csv.header = true expects a header line)")
        names, rows, first = [h.strip() for h in rows[0]], rows[1:], 2
    else:
        names = [str(i) for i in range(len(rows[0]) if rows else 0)]

    def column(name: str, what: str) -> int:
        if name in names:
            return names.index(name)
        import difflib
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (columns: {', '.join(names)})"
        raise ConfigError(f"data.csv.{what}: no column {name!r} in {shown}{hint}")

    target = column(c["target"], "target")
    feats = [column(f, "features") for f in c["features"]] or [i for i in range(len(names)) if i != target]
    if target in feats:
        raise ConfigError(f"data.csv.features: the target column {c['target']!r} cannot also be a feature")
    if not feats:
        raise ConfigError(f"data.csv: {shown} has no feature columns besides the target")
    table = []
    for line, row in enumerate(rows, first):
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != len(names):
            raise ConfigError(f"{shown}:{line}: expected {len(names)} columns, got {len(row)}")
        values = []
        for i in feats + [target]:
            try:
                v = float(row[i])
            except ValueError:
                raise ConfigError(f"{shown}:{line}: column {names[i]!r}: cannot read {row[i]!r} as a number") from None
            if not math.isfinite(v):
                raise ConfigError(f"{shown}:{line}: column {names[i]!r}: {row[i]!r} is not a finite number")
            values.append(v)
        table.append(values)
    if len(table) < 2:
        raise ConfigError(f"{shown}: needs at least two data rows, found {len(table)}")
    arr = np.asarray(table, np.float64)
    n_feat = config["model"].get("layers") and _first_linear_in(config)
    if n_feat is not None and n_feat != len(feats):
        raise ConfigError(f"model.layers: the first linear layer takes {n_feat} features but {shown} gives "
                          f"{len(feats)} ({', '.join(names[i] for i in feats)})")
    return (gradcli.from_numpy(arr[:, :-1].astype(np.float32)), gradcli.from_numpy(arr[:, -1].astype(np.float32)),
            [names[i] for i in feats])


def _first_linear_in(config: Config) -> int | None:
    from .specs import parse_layer
    for text in config["model"].get("layers") or []:
        spec = parse_layer(text)
        if spec.kind == "linear":
            return spec.args[0]
    return None


class BatchStream:
    """Index batches for one training set: a fresh permutation per pass when shuffling (never for a full
    batch, so the seed's full-batch run draws nothing). State (perm, cursor) goes into checkpoints."""

    def __init__(self, n: int, batch_size, shuffle: bool):
        self.n = n
        self.full = batch_size == "full" or batch_size >= n
        self.size = n if self.full else batch_size
        self.shuffle = shuffle and not self.full
        self.perm = np.arange(n, dtype=np.int64)
        self.cursor = n  # start a new pass on the first call

    @property
    def per_pass(self) -> int:
        return math.ceil(self.n / self.size)

    def next(self):
        """The next batch's indices (None for the whole set in order)."""
        if self.full:
            return None
        if self.cursor >= self.n:
            self.perm = gradcli.randperm(self.n).numpy() if self.shuffle else np.arange(self.n, dtype=np.int64)
            self.cursor = 0
        idx = self.perm[self.cursor:self.cursor + self.size]
        self.cursor += self.size
        return gradcli.from_numpy(idx)
