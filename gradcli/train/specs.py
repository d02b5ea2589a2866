"""The two small languages inside a config: layer strings (`linear(2,16)`) and `stop_when` conditions.

Both are matched with regular expressions and plain number parsing: nothing in a config is evaluated.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

LAYER_ARITY = {"linear": (2, 2), "relu": (0, 0), "tanh": (0, 0), "sigmoid": (0, 0), "dropout": (0, 1),
               "softmax": (0, 1)}
_LAYER = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$")
_NUMBER = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
_CONDITION = re.compile(rf"^\s*((?:val_)?[a-z0-9_]+)\s*(>=|<=|==|>|<)\s*({_NUMBER})\s*$")
OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}


@dataclass(frozen=True)
class LayerSpec:
    kind: str
    args: tuple

    def __str__(self):
        return self.kind + (f"({','.join(map(str, self.args))})" if self.args else "")


@dataclass(frozen=True)
class Condition:
    """`metric op threshold`, e.g. accuracy >= 0.99."""

    metric: str
    op: str
    threshold: float

    def holds(self, metrics: dict) -> bool:
        value = metrics.get(self.metric)
        return value is not None and OPS[self.op](value, self.threshold)

    def __str__(self):
        return f"{self.metric} {self.op} {self.threshold:g}"


def parse_layer(text: str) -> LayerSpec:
    """`linear(2,16)` -> LayerSpec('linear', (2, 16)); raises ValueError with the reason."""
    m = _LAYER.match(text)
    if not m:
        raise ValueError(f"cannot read layer {text!r}: expected a name with optional arguments, like linear(2,16)")
    kind, raw = m.group(1).lower(), m.group(2)
    if kind not in LAYER_ARITY:
        import difflib
        close = difflib.get_close_matches(kind, LAYER_ARITY, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(LAYER_ARITY)})"
        raise ValueError(f"unknown layer {kind!r}{hint}")
    parts = [p.strip() for p in raw.split(",")] if raw is not None and raw.strip() else []
    lo, hi = LAYER_ARITY[kind]
    if not lo <= len(parts) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise ValueError(f"{kind} takes {want} argument{'s' if hi != 1 else ''}, got {len(parts)}")
    if kind == "linear":
        if not all(re.fullmatch(r"\d+", p) for p in parts) or min(int(p) for p in parts) < 1:
            raise ValueError(f"linear needs two positive integers (in, out), got {text.strip()!r}")
        return LayerSpec(kind, tuple(int(p) for p in parts))
    if kind == "dropout":
        p = float(parts[0]) if parts and re.fullmatch(_NUMBER, parts[0]) else (0.5 if not parts else None)
        if p is None or not 0 <= p < 1:
            raise ValueError(f"dropout's probability must be a number in [0, 1), got {text.strip()!r}")
        return LayerSpec(kind, (p,) if parts else ())
    if kind == "softmax":
        if parts and not re.fullmatch(r"-?\d+", parts[0]):
            raise ValueError(f"softmax's dim must be an integer, got {text.strip()!r}")
        return LayerSpec(kind, (int(parts[0]),) if parts else ())
    return LayerSpec(kind, ())


def parse_condition(text: str, metrics: list[str]) -> Condition:
    """`accuracy >= 0.99` -> Condition; the metric must be one the run records (val_ ones included)."""
    m = _CONDITION.match(text)
    if not m:
        raise ValueError(f"cannot read {text!r}: expected `metric op number`, e.g. \"accuracy >= 0.99\" "
                         "(op is one of >= <= > < ==)")
    metric = m.group(1)
    if metric not in metrics:
        import difflib
        close = [m for m in metrics if m.startswith(metric)] or difflib.get_close_matches(metric, metrics, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{metric!r} is not a recorded metric (recorded: {', '.join(metrics)}){hint}")
    return Condition(metric, m.group(2), float(m.group(3)))
