"""Training configs: TOML (+ `--set` overrides) -> a strictly validated, fully resolved nested dict.

A small validator instead of pydantic: the schema is one table (schema.py), errors name the key path
and the file:line it came from, and gradcli keeps its four dependencies.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from gradcli.lang.ast import Span
from gradcli.errors import ConfigError, OptionError

from . import schema as S
from .specs import parse_condition, parse_layer

__all__ = ["ConfigError", "Config", "load_config", "parse_config", "to_toml"]


@dataclass
class Config:
    """The resolved config (every default filled in) and where it came from."""

    values: dict
    path: Path | None = None
    source: str = ""
    overrides: list[str] = field(default_factory=list)

    def __getitem__(self, key):
        return self.values[key]

    def hash(self) -> str:
        """sha256 of the canonical JSON of the resolved values: what --resume compares."""
        text = json.dumps(self.values, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def load_config(path: str | Path, overrides: list[str] | None = None) -> Config:
    """Read, override and validate a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read config {str(path)!r}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {str(path)!r} is not valid UTF-8") from None
    return parse_config(text, str(path), overrides)


def parse_config(text: str, filename: str = "<config>", overrides: list[str] | None = None) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        span = Span(int(m.group(1)), int(m.group(2)), int(m.group(1)), int(m.group(2)) + 1) if m else None
        msg = re.sub(r"\s*\(at line.*\)$", "", str(e)) or "invalid TOML"
        raise ConfigError(f"invalid TOML: {msg}", span, text, filename) from None
    origin = {}  # dotted key -> the --set text that gave it
    for item in overrides or []:
        key, value = _parse_override(item)
        _set_dotted(raw, key, value, item)
        origin[key] = item
    values = _Validator(text, filename, origin).run(raw)
    return Config(values, Path(filename) if filename not in ("<config>", "-") else None, text, list(overrides or []))


# ---------------------------------------------------------------------------------------------- overrides
def _parse_override(item: str):
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", key):
        raise OptionError(f"--set {item!r}: expected section.key=value, e.g. optim.lr=0.05")
    try:  # a TOML value (0.05, true, [1, 2], "x"); anything else is taken as a bare string (adam)
        return key, tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return key, value.strip()


def _set_dotted(raw: dict, key: str, value, item: str) -> None:
    *tables, last = key.split(".")
    node = raw
    for t in tables:
        node = node.setdefault(t, {})
        if not isinstance(node, dict):
            raise OptionError(f"--set {item!r}: {t!r} is not a table")
    node[last] = value


# ---------------------------------------------------------------------------------------------- validation
class _Validator:
    def __init__(self, text: str, filename: str, origin: dict):
        self.text, self.filename, self.origin = text, filename, origin
        self.lines = text.splitlines()

    def error(self, key: str, message: str) -> ConfigError:
        if key in self.origin:
            return ConfigError(f"--set {self.origin[key]}: {key}: {message}")
        span = self.locate(key)
        return ConfigError(f"{key}: {message}", span, self.text, self.filename)

    def locate(self, key: str) -> Span | None:
        """The line of `key` in the file: under its [table] header, or as a dotted key; else the header."""
        parts = key.split(".")
        header_line, table = None, ""
        for i, line in enumerate(self.lines, 1):
            h = re.match(r"^\s*\[\s*([\w.\s]+?)\s*\]\s*(#.*)?$", line)
            if h:
                table = re.sub(r"\s+", "", h.group(1))
                if table == key:
                    header_line = i
                continue
            m = re.match(r"^(\s*)([\w.\"]+)\s*=", line)
            if m:
                full = (table + "." if table else "") + m.group(2).replace('"', "").replace(" ", "")
                if full == key or key.startswith(full + "."):
                    return Span(i, len(m.group(1)) + 1, i, len(m.group(1)) + 1 + len(m.group(2)))
        if header_line:
            return Span(header_line, 1, header_line, len(self.lines[header_line - 1]) + 1)
        return self.locate(".".join(parts[:-1])) if len(parts) > 1 else None

    def table(self, raw, key: str) -> dict:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.error(key, f"must be a table ([{key}]), got {_type_name(raw)}")
        return raw

    def keys(self, raw: dict, prefix: str, allowed) -> None:
        for k in raw:
            if k not in allowed:
                close = difflib.get_close_matches(k, list(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(sorted(allowed))})"
                raise self.error(f"{prefix}.{k}" if prefix else k, f"unknown key{hint}")

    def fields(self, raw: dict, prefix: str, spec: dict, out: dict) -> dict:
        for name, f in spec.items():
            key = f"{prefix}.{name}"
            if name not in raw:
                if f.default is S.REQUIRED:
                    raise self.error(key, "required key is missing")
                out[name] = copy.deepcopy(f.default)
                continue
            out[name] = self.value(raw[name], key, f)
        return out

    def value(self, v, key: str, f: S.Field):
        kind = f.kind
        if kind == "batch" and v == "full":
            return v
        if kind in ("int", "batch"):
            if isinstance(v, bool) or not isinstance(v, int):
                want = 'an integer or "full"' if kind == "batch" else "an integer"
                raise self.error(key, f"expected {want}, got {_shown(v)}")
        elif kind == "float":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.error(key, f"expected a number, got {_shown(v)}")
            v = float(v)
            if not math.isfinite(v):
                raise self.error(key, f"must be a finite number, got {v}")
        elif kind == "bool":
            if not isinstance(v, bool):
                raise self.error(key, f"expected true or false, got {_shown(v)}")
        elif kind == "str":
            if not isinstance(v, str):
                raise self.error(key, f"expected a string, got {_shown(v)}")
        elif kind == "strs":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise self.error(key, f"expected a list of strings, got {_shown(v)}")
        elif kind == "floats":
            if not isinstance(v, list) or not all(_is_num(x) for x in v):
                raise self.error(key, f"expected a list of numbers, got {_shown(v)}")
            v = [float(x) for x in v]
        elif kind == "matrix":
            if not isinstance(v, list) or not all(isinstance(r, list) and all(_is_num(x) for x in r) for r in v):
                raise self.error(key, f"expected a list of lists of numbers, got {_shown(v)}")
            v = [[float(x) for x in r] for r in v]
        if f.choices and v not in f.choices:
            close = difflib.get_close_matches(str(v), [str(c) for c in f.choices], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.error(key, f"must be one of {', '.join(map(str, f.choices))}, got {v!r}{hint}")
        if f.check is not None and v is not None:
            problem = f.check(v)
            if problem:
                raise self.error(key, f"{problem}, got {_shown(v)}")
        return v

    # ---- sections ------------------------------------------------------------------------------------
    def run(self, raw: dict) -> dict:
        self.keys(raw, "", S.SECTION_ORDER)
        out = {}
        out["data"] = self.data(self.table(raw.get("data"), "data"))
        model = self.table(raw.get("model"), "model")
        if "forward" in model or "parameters" in model:  # the model written in the .grad language
            if "layers" in model:
                raise self.error("model.layers", "give either model.layers or a .grad model (model.forward and "
                                                 "[model.parameters]), not both")
            if "forward" not in model:
                raise self.error("model", "[model.parameters] needs model.forward, the expression that uses them")
            from .gradmodel import check_grad_model
            out["model"] = check_grad_model(model, self.error)
        else:
            self.keys(model, "model", {**S.SECTIONS["model"], "forward": None, "parameters": None})
            if "layers" not in model:
                raise self.error("model", "describe the model: model.layers = [\"linear(2,1)\", \"sigmoid\"], or a "
                                          ".grad model with model.forward and [model.parameters]")
            out["model"] = self.fields(model, "model", S.SECTIONS["model"], {})
        loss = self.table(raw.get("loss"), "loss")
        self.keys(loss, "loss", S.SECTIONS["loss"])
        out["loss"] = self.fields(loss, "loss", S.SECTIONS["loss"], {})
        out["optim"] = self.optim(self.table(raw.get("optim"), "optim"))
        train = self.table(raw.get("train"), "train")
        self.keys(train, "train", S.SECTIONS["train"])
        out["train"] = self.fields(train, "train", S.SECTIONS["train"], {})
        self.cross_checks(out)
        return out

    def data(self, raw: dict) -> dict:
        self.keys(raw, "data", {**S.SECTIONS["data"], **{s: None for s in S.DATA_SOURCES}})
        out = self.fields({k: v for k, v in raw.items() if k not in S.DATA_SOURCES}, "data", S.SECTIONS["data"], {})
        given = [s for s in S.DATA_SOURCES if s in raw]
        source = out["source"]
        if source is None:
            if len(given) != 1:
                raise self.error("data", "give one data source: a [data.blobs], [data.moons], [data.circles], "
                                         "[data.linear] or [data.csv] table" + (f" (found {', '.join(given)})"
                                                                                 if given else ""))
            source = given[0]
        for other in given:
            if other != source:
                raise self.error(f"data.{other}", f"data.source is {source!r}, so [data.{other}] does not apply")
        out["source"] = source
        sub = self.table(raw.get(source), f"data.{source}")
        spec = S.SECTIONS[f"data.{source}"]
        self.keys(sub, f"data.{source}", spec)
        out[source] = self.fields(sub, f"data.{source}", spec, {})
        return out

    def optim(self, raw: dict) -> dict:
        name = self.value(raw.get("name", "sgd"), "optim.name", S.SECTIONS["optim"]["name"])
        spec = {**S.SECTIONS["optim"], **S.OPTIM_KEYS[name]}
        for k in raw:
            if k not in spec and k != "schedule":
                owners = [o for o, keys in S.OPTIM_KEYS.items() if k in keys]
                if owners:
                    raise self.error(f"optim.{k}", f"is not an option of {name} (it belongs to {', '.join(owners)})")
        self.keys(raw, "optim", {**spec, "schedule": None})
        out = self.fields({k: v for k, v in raw.items() if k != "schedule"}, "optim", spec, {})
        sched = self.table(raw.get("schedule"), "optim.schedule")
        sname = self.value(sched.get("name", "none"), "optim.schedule.name", S.SECTIONS["optim.schedule"]["name"])
        sspec = {**S.SECTIONS["optim.schedule"], **S.SCHEDULE_KEYS[sname]}
        self.keys(sched, "optim.schedule", sspec)
        out["schedule"] = self.fields(sched, "optim.schedule", sspec, {})
        return out

    def cross_checks(self, out: dict) -> None:
        train, data, loss = out["train"], out["data"], out["loss"]["name"]
        if (train["epochs"] is None) == (train["iterations"] is None):
            raise self.error("train", "give exactly one of train.epochs and train.iterations")
        layers = []
        # a .grad model (no layers) has its shapes checked by its first forward
        for i, text in enumerate(out["model"].get("layers") or []):
            try:
                layers.append(parse_layer(text))
            except ValueError as e:
                raise self.error("model.layers", f"layer {i} ({text!r}): {e}") from None
        if not layers and "layers" in out["model"]:
            raise self.error("model.layers", "needs at least one layer")
        linears = [s for s in layers if s.kind == "linear"]
        if not linears and layers:
            raise self.error("model.layers", "needs at least one linear layer (nothing to train otherwise)")
        for a, b in zip(linears, linears[1:]):
            if a.args[1] != b.args[0]:
                raise self.error("model.layers", f"{a} gives {a.args[1]} features but the next {b} takes {b.args[0]}")
        n_in = _input_features(data)
        if n_in is not None and linears and linears[0].args[0] != n_in:
            raise self.error("model.layers", f"the first layer {linears[0]} takes {linears[0].args[0]} features but "
                                             f"the data has {n_in}")
        classification = loss != "mse"
        if data["source"] == "linear" and classification:
            raise self.error("loss.name", f"{loss} needs class labels; data.linear is a regression data set (use mse)")
        if data["source"] == "blobs":
            b = data["blobs"]
            if b["centers"] and (len(b["centers"]) != b["classes"] or any(len(r) != b["features"] for r in b["centers"])):
                raise self.error("data.blobs.centers", f"needs {b['classes']} rows of {b['features']} numbers")
            if b["classes"] > 2 and b["features"] < 2 and not b["centers"]:
                raise self.error("data.blobs.centers", "more than two classes in one feature need explicit centers")
            if loss in ("bce", "bce_with_logits") and b["classes"] != 2:
                raise self.error("loss.name", f"{loss} is for two classes; use cross_entropy for {b['classes']}")
        if data["source"] == "linear" and data["linear"]["weights"] and \
                len(data["linear"]["weights"]) != data["linear"]["features"]:
            raise self.error("data.linear.weights", f"needs {data['linear']['features']} numbers (data.linear.features)")
        if train["metrics"] is None:
            train["metrics"] = ["loss", "accuracy"] if classification else ["loss", "r2"]
        for m in train["metrics"]:
            if m not in S.METRICS:
                close = difflib.get_close_matches(m, S.METRICS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(S.METRICS)})"
                raise self.error("train.metrics", f"unknown metric {m!r}{hint}")
            if m == "accuracy" and not classification:
                raise self.error("train.metrics", "accuracy needs a classification loss (bce, bce_with_logits, "
                                                  "cross_entropy)")
            if m in ("mse", "r2") and loss in ("cross_entropy",):
                raise self.error("train.metrics", f"{m} needs one output per sample; not with cross_entropy")
        if "loss" not in train["metrics"]:
            train["metrics"].insert(0, "loss")
        recorded = list(train["metrics"]) + (["val_" + m for m in train["metrics"]] if data["validation"] > 0 else [])
        if train["monitor"] is None:
            train["monitor"] = "val_loss" if data["validation"] > 0 else "loss"
        if train["monitor"] not in recorded:
            raise self.error("train.monitor", f"{train['monitor']!r} is not recorded (recorded: {', '.join(recorded)})")
        if train["eval_every"] is None:
            train["eval_every"] = train["log_every"]
        if train["stop_when"]:
            try:
                parse_condition(train["stop_when"], recorded)
            except ValueError as e:
                raise self.error("train.stop_when", str(e)) from None
        sched = out["optim"]["schedule"]
        if sched["name"] == "cosine" and sched["t_max"] is None:
            sched["t_max"] = train["epochs"] or train["iterations"]


def _input_features(data: dict) -> int | None:
    src = data["source"]
    if src == "blobs":
        return data["blobs"]["features"]
    if src in ("moons", "circles"):
        return 2
    if src == "linear":
        return data["linear"]["features"]
    return len(data["csv"]["features"]) or None  # known only once the file is read


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _type_name(v) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(v), type(v).__name__)


def _shown(v) -> str:
    text = json.dumps(v) if isinstance(v, (str, list, dict, bool)) else repr(v)
    return f"{_type_name(v)} {text if len(text) < 60 else text[:57] + '...'}"


# ---------------------------------------------------------------------------------------------- output
def to_toml(values: dict) -> str:
    """The resolved config as TOML (stdlib tomllib cannot write); unset optional keys become comments."""
    lines: list[str] = []

    def emit(table: dict, name: str):
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if scalars or len(scalars) == len(table):  # a table of tables only ([model.parameters]) needs no header
            lines.append(f"[{name}]")
            for k, v in scalars.items():
                lines.append(f"# {k} = (not set)" if v is None else f"{k} = {_toml_value(v)}")
            lines.append("")
        for k, v in table.items():
            if isinstance(v, dict):
                emit(v, f"{name}.{k}")

    for section in S.SECTION_ORDER:
        emit(values[section], section)
    return "\n".join(lines).rstrip() + "\n"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)
