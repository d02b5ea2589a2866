"""A finished (or running) run directory put back to work: its model from a checkpoint, evaluated or applied.

`eval` and `predict` rebuild the model from the run's resolved config.toml, load only the parameters of
last.npz or best.npz, and read data either as the run did (regenerated from the seed, so the validation
split is the very one the run held out) or from `--data`: a CSV path, or a data source in the config's
own TOML syntax (`moons = {n = 500}`). Features are standardised with the run's training statistics.
"""
from __future__ import annotations

import csv
import io
import json
import math
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import gradcli
from gradcli.autograd.grad_mode import no_grad

from .checkpoint import atomic_write
from .config import Config, ConfigError, parse_config
from .model import build_any_model, build_loss, metric_values

__all__ = ["Run", "open_run", "EvalResult", "PredictResult", "evaluate", "predict", "load_data"]

NEEDED = ("config.toml", "run.json")


@dataclass
class Run:
    """A run directory's config, metadata and model (parameters loaded from one checkpoint)."""

    path: Path
    config: Config
    meta: dict
    model: object
    checkpoint: str  # best | last
    progress: dict

    @property
    def loss_name(self) -> str:
        return self.config["loss"]["name"]


def open_run(run_dir: str | Path, checkpoint: str = "best") -> Run:
    """Load RUN/config.toml, run.json and the parameters of RUN/<checkpoint>.npz (best falls back to last
    when the run has no best yet: a run logs its first row before any checkpoint)."""
    path = Path(run_dir)
    if not path.is_dir():
        raise ConfigError(f"run directory {str(run_dir)!r} does not exist (train one with `gradcli train CONFIG`)")
    missing = [n for n in NEEDED if not (path / n).is_file()]
    if missing:
        raise ConfigError(f"{str(run_dir)!r} is not a complete run directory: {', '.join(missing)} missing")
    if checkpoint not in ("best", "last"):
        from gradcli.errors import OptionError
        raise OptionError(f"--checkpoint: expected best or last, got {checkpoint!r}")
    ckpt = path / f"{checkpoint}.npz"
    if checkpoint == "best" and not ckpt.exists():
        ckpt, checkpoint = path / "last.npz", "last"
    if not ckpt.exists():
        raise ConfigError(f"{str(run_dir)!r} has no checkpoint yet ({ckpt.name} missing): the run ended before "
                          "its first checkpoint")
    try:
        meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read {str(path / 'run.json')!r}: {e}") from None
    text = (path / "config.toml").read_text(encoding="utf-8")
    config = parse_config(text, str(path / "config.toml"))
    # a CSV path in the config is relative to the original config file, which run.json remembers
    base = path / meta["config_dir"] if meta.get("config_dir") else Path(".")
    config.path = base / "config.toml"
    model = build_any_model(config)
    try:
        with np.load(ckpt, allow_pickle=False) as z:
            params = {k[len("param/"):]: gradcli.from_numpy(z[k]) for k in z.files if k.startswith("param/")}
            progress = json.loads(z["meta"].tobytes().decode())["progress"]
        model.load_state_dict(params)
    except (OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile) as e:
        raise ConfigError(f"cannot load checkpoint {str(ckpt)!r}: {e}") from None
    model.eval()
    return Run(path, config, meta, model, checkpoint, progress)


# ---------------------------------------------------------------------------------------------- data
@dataclass
class Data:
    x: object  # Tensor, standardised as in training
    y: object | None  # Tensor, or None when the data has no target (predict)
    raw: np.ndarray  # the features as given, for the prediction table
    features: list
    source: str  # "validation split", "training set", a path, or a source name


def load_data(run: Run, data: str | None, *, need_target: bool) -> Data:
    """The run's validation split (training set if it had none) when `data` is None; else `data`."""
    if data is None:
        from .data import make_dataset
        gradcli.manual_seed(run.config["train"]["seed"])  # the data is the first thing a run draws
        ds = make_dataset(run.config)
        if ds.x_val is not None:
            x, y, source = ds.x_val, ds.y_val, "validation split"
        else:
            x, y, source = ds.x_train, ds.y_train, "training set (the run has no validation split)"
        raw = unstandardised(x.numpy(), run.meta)
        return Data(x, y, raw, list(ds.features), source)
    spec = _source_spec(data)
    if spec is None:
        raw, target, features = _read_csv(run, data, need_target)
        source = data
    else:
        raw, target, features = _generate(run, spec)
        source = next(iter(spec))
    n_model = len(run.meta.get("features") or features)
    if raw.shape[1] != n_model:
        raise ConfigError(f"--data: {source} has {raw.shape[1]} feature columns but the model of "
                          f"{str(run.path)!r} takes {n_model} ({', '.join(run.meta.get('features', []))})")
    x = gradcli.from_numpy(standardised(raw, run.meta).astype(np.float32))
    y = None
    if target is not None:
        y = gradcli.from_numpy(target.astype(np.float32))
        if run.loss_name != "mse":
            if not np.all(target == np.round(target)) or target.min() < 0:
                raise ConfigError(f"--data: {source}: the target must hold class labels 0, 1, ... for "
                                  f"{run.loss_name}")
            if run.loss_name == "cross_entropy":
                y = y.to(gradcli.int64)
    return Data(x, y, raw, features, source)


def standardised(raw: np.ndarray, meta: dict) -> np.ndarray:
    st = meta.get("standardize")
    return (raw - np.asarray(st["mean"])) / np.asarray(st["std"]) if st else raw


def unstandardised(x: np.ndarray, meta: dict) -> np.ndarray:
    st = meta.get("standardize")
    x = x.astype(np.float64)
    return x * np.asarray(st["std"]) + np.asarray(st["mean"]) if st else x


def _source_spec(data: str) -> dict | None:
    """`moons = {n = 500}` or `moons` -> {"moons": {...}}; None for anything else (a CSV path)."""
    from . import schema as S
    if data.strip() in S.DATA_SOURCES[:-1]:
        return {data.strip(): {}}
    if "=" not in data:
        return None
    try:
        doc = tomllib.loads(data)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"--data {data!r}: not a CSV path nor a data table ({e})") from None
    if len(doc) != 1 or next(iter(doc)) not in S.DATA_SOURCES or not isinstance(next(iter(doc.values())), dict):
        raise ConfigError(f"--data {data!r}: expected one source table, e.g. 'moons = {{n = 500}}' or "
                          "'csv = {path = \"new.csv\", target = \"y\"}', or a CSV path")
    return doc


def _generate(run: Run, spec: dict):
    """A data source in the config's syntax, validated like the file, drawn from the run's seed, unsplit."""
    from .data import make_dataset
    values = {k: v for k, v in run.config.values.items()}
    data = {"source": next(iter(spec)), "validation": 0.0, "standardize": False, "batch_size": "full",
            "shuffle": False, **spec}
    raw = {**{k: v for k, v in values.items() if k != "data"}, "data": data}
    # monitor and stop_when may name val_ metrics, which an unsplit set has not: they do not apply here
    raw["train"] = {**{k: v for k, v in raw["train"].items() if v is not None}, "monitor": "loss", "stop_when": ""}
    text = _toml(raw)
    try:
        cfg = parse_config(text, "<--data>")
    except ConfigError as e:
        raise ConfigError(f"--data: {e.message}") from None
    cfg.path = run.config.path
    gradcli.manual_seed(run.config["train"]["seed"])
    ds = make_dataset(cfg)
    target = ds.y_train.numpy().astype(np.float64)
    return ds.x_train.numpy().astype(np.float64), target, list(ds.features)


def _toml(values: dict) -> str:
    from .config import to_toml
    return to_toml(values)


def _read_csv(run: Run, path_text: str, need_target: bool):
    """Columns by name as the run named its features (and target); headerless files by position."""
    cfg = run.config["data"].get("csv") or {}
    header, delim = cfg.get("header", True), cfg.get("delimiter", ",")
    target_name = cfg.get("target", "y")
    try:
        with open(path_text, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.reader(fh, delimiter=delim) if r and any(v.strip() for v in r)]
    except OSError as e:
        raise ConfigError(f"--data: cannot read {path_text!r}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--data: {path_text!r} is not valid UTF-8") from None
    features = list(run.meta.get("features") or [])
    if not rows or (header and len(rows) < 2):
        raise ConfigError(f"--data: {path_text} has no data rows")
    if header:
        names = [h.strip() for h in rows[0]]
        missing = [f for f in features if f not in names]
        if missing:
            raise ConfigError(f"--data: {path_text} lacks the feature column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(map(repr, missing))} the model was trained on (it has: "
                              f"{', '.join(names)})")
        cols = [names.index(f) for f in features]
        tcol = names.index(target_name) if target_name in names else None
        body, first = rows[1:], 2
    else:
        width = len(rows[0])
        if width not in (len(features), len(features) + 1):
            raise ConfigError(f"--data: {path_text} has {width} columns; the model takes {len(features)} features "
                              f"(plus the target, optionally)")
        cols = list(range(len(features)))
        tcol = len(features) if width == len(features) + 1 else None
        body, first, names = rows, 1, [str(i) for i in range(width)]
    if tcol is None and need_target:
        raise ConfigError(f"--data: {path_text} has no target column {target_name!r}: eval needs the true values")
    table = []
    for line, row in enumerate(body, first):
        if len(row) != len(names):
            raise ConfigError(f"--data: {path_text}:{line}: expected {len(names)} columns, got {len(row)}")
        values = []
        for i in cols + ([tcol] if tcol is not None else []):
            try:
                v = float(row[i])
            except ValueError:
                raise ConfigError(f"--data: {path_text}:{line}: column {names[i]!r}: cannot read {row[i]!r} as a "
                                  "number") from None
            if not math.isfinite(v):
                raise ConfigError(f"--data: {path_text}:{line}: column {names[i]!r}: {row[i]!r} is not finite")
            values.append(v)
        table.append(values)
    arr = np.asarray(table, np.float64)
    if tcol is None:
        return arr, None, features
    return arr[:, :-1], arr[:, -1], features


# ---------------------------------------------------------------------------------------------- eval
@dataclass
class EvalResult:
    """Metrics of one checkpoint on one data set."""

    run_dir: str
    checkpoint: str
    unit: int  # units of training behind the checkpoint
    unit_name: str  # iterations | epochs
    data: str
    samples: int
    metrics: dict = field(default_factory=dict)


def evaluate(run_dir: str | Path, data: str | None = None, checkpoint: str = "best") -> EvalResult:
    run = open_run(run_dir, checkpoint)
    d = load_data(run, data, need_target=True)
    names = run.config["train"]["metrics"]
    values = metric_values(names, run.model, build_loss(run.config["loss"]), run.loss_name, d.x, d.y)
    return EvalResult(str(run_dir), run.checkpoint, int(run.progress.get("units_done", 0)),
                      run.meta.get("unit", "units"), d.source,
                      int(d.x.shape[0]), values)


# ---------------------------------------------------------------------------------------------- predict
@dataclass
class PredictResult:
    """One row per sample: its features as given, the prediction (a value or a class) and, for
    classification, the probability of the predicted class."""

    run_dir: str
    checkpoint: str
    data: str
    task: str  # regression | classification
    columns: list
    rows: list
    output: str | None = None


def outputs(run: Run, x) -> np.ndarray:
    """The model's raw output for x (n,) or (n, classes), without a graph."""
    with no_grad():
        out = run.model(x)
    o = out.numpy().astype(np.float64)
    return o[:, 0] if o.ndim == 2 and o.shape[1] == 1 else o


def decide(loss_name: str, o: np.ndarray):
    """(prediction, probability of it) from raw outputs; probability None for regression."""
    if loss_name == "mse":
        return o, None
    if loss_name == "cross_entropy":
        z = o - o.max(-1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        cls = p.argmax(-1)
        return cls, p[np.arange(len(cls)), cls]
    p1 = 1 / (1 + np.exp(-o)) if loss_name == "bce_with_logits" else o
    cls = (p1 >= 0.5).astype(np.int64)
    return cls, np.where(cls == 1, p1, 1 - p1)


def predict(run_dir: str | Path, data: str, checkpoint: str = "best", output: str | None = None) -> PredictResult:
    run = open_run(run_dir, checkpoint)
    d = load_data(run, data, need_target=False)
    pred, prob = decide(run.loss_name, outputs(run, d.x))
    task = "regression" if run.loss_name == "mse" else "classification"
    columns = list(d.features) + ["prediction"] + (["probability"] if prob is not None else [])
    rows = []
    for i in range(d.raw.shape[0]):
        row = [float(v) for v in d.raw[i]]
        row.append(float(pred[i]) if task == "regression" else int(pred[i]))
        if prob is not None:
            row.append(float(prob[i]))
        rows.append(row)
    result = PredictResult(str(run_dir), run.checkpoint, d.source, task, columns, rows, output)
    if output:
        write_csv(Path(output), columns, rows)
    return result


def write_csv(path: Path, columns: list, rows: list) -> None:
    """Written atomically: a reader (or a crash) never sees half a file."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([repr(v) if isinstance(v, float) else v for v in r])
    if not path.parent.is_dir():
        raise ConfigError(f"--output: directory {str(path.parent)!r} does not exist")
    atomic_write(path, lambda fh: fh.write(buf.getvalue().encode()))
