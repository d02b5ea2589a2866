"""Render numpy arrays character-for-character the way torch 2.13 prints tensors."""

from __future__ import annotations

import math

import numpy as np

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_OPTS: dict = {**_PROFILES["default"], "sci_mode": None}

# Dtypes torch treats as "obvious from the values", so repr omits `dtype=`.
# The default float dtype is assumed to stay float32 (torch's default).
_IMPLICIT_DTYPES = ("float32", "int64", "bool")
_NUMPY_DTYPES = ("float16", "float32", "float64", "int32", "int64", "bool")


def set_printoptions(precision=None, threshold=None, edgeitems=None,
                     linewidth=None, profile=None, sci_mode=None) -> None:
    """Change the global print options, with torch.set_printoptions' semantics."""
    # torch silently ignores an unknown profile name; so do we.
    if profile in _PROFILES:
        _OPTS.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _OPTS[name] = value
    # Unlike the other options, torch overwrites sci_mode on every call, so a
    # call that doesn't mention it switches back to automatic notation.
    _OPTS["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """Return a copy of the current print options (torch._tensor_str.get_printoptions)."""
    return dict(_OPTS)


def _summarize(arr: np.ndarray, edge: int) -> tuple[np.ndarray, list[bool]]:
    """Keep only the `edge` leading and trailing entries of every long dimension.

    Returns the reduced array and, per dimension, whether it was cut (and so
    gets a '...' marker).  Only the kept entries are ever touched, so a
    summarised 10**7-element array costs no more than a small one.
    """
    cut = [n > 2 * edge for n in arr.shape]
    index = [np.r_[0:edge, n - edge:n] if c else np.arange(n) for n, c in zip(arr.shape, cut)]
    return arr[np.ix_(*index)], cut


def _float_cells(values: np.ndarray, precision: int, sci_mode) -> tuple[list[str], int]:
    """Format every value in the notation torch would pick; return (texts, width).

    The notation and the column width depend only on the nonzero finite
    values; zeros, nan and inf are simply padded to that width.
    """
    flat = values.astype(np.float64).ravel()
    decisive = np.isfinite(flat) & (flat != 0)
    nonzero = flat[decisive]
    if nonzero.size == 0:
        # Nothing to base a decision on: torch falls back to integer style and
        # ignores a forced sci_mode here.
        return [_int_style(v) for v in flat.tolist()], 1
    magnitudes = np.abs(nonzero)
    big, small = float(magnitudes.max()), float(magnitudes.min())
    integral = bool(np.all(nonzero == np.ceil(nonzero)))
    if sci_mode is None:
        sci_mode = big / small > 1000.0 or big > 1.0e8 or (not integral and small < 1.0e-4)
    if sci_mode:
        texts = [f"{v:.{precision}e}" for v in flat.tolist()]
    elif integral:
        texts = [_int_style(v) for v in flat.tolist()]
    else:
        texts = [f"{v:.{precision}f}" for v in flat.tolist()]
    width = max(len(t) for t, d in zip(texts, decisive.tolist()) if d)
    return texts, width


def _int_style(v: float) -> str:
    # Whole-valued floats keep a trailing '.' so they still read as floats.
    return f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}"


def _layout(cells: list[str], shape: tuple, cut: list[bool], width: int,
            indent: int, edge: int, linewidth: int) -> str:
    """Nest already-padded cells into torch's bracketed, wrapped layout."""
    if len(shape) == 1:
        items = list(cells)
        if cut[0]:
            items[edge:edge] = [" ..."]
        per_line = max(1, math.floor((linewidth - indent) / (width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    block = len(cells) // shape[0]
    rows = [_layout(cells[i * block:(i + 1) * block], shape[1:], cut[1:], width,
                    indent + 1, edge, linewidth) for i in range(shape[0])]
    if cut[0]:
        rows[edge:edge] = ["..."]
    # Deeper nesting gets more blank lines between blocks, as in torch.
    return "[" + ("," + "\n" * (len(shape) - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(arr: np.ndarray, dtype_name: str, indent: int) -> str:
    opts = _OPTS
    edge = opts["edgeitems"]
    summarize = arr.size > opts["threshold"]
    if summarize and arr.ndim > 0 and not edge:
        return "[...]"
    sample, cut = _summarize(arr, edge) if summarize and arr.ndim else (arr, [False] * arr.ndim)
    if dtype_name in _NUMPY_DTYPES and sample.dtype != np.dtype(dtype_name):
        # Cast only the kept entries: values must round like the torch dtype would.
        sample = sample.astype(dtype_name)
    if dtype_name.startswith("float"):
        texts, width = _float_cells(sample, opts["precision"], opts["sci_mode"])
    else:
        texts = [str(v) for v in sample.ravel().tolist()]
        width = max(map(len, texts), default=1)
    cells = [t.rjust(width) for t in texts]
    if arr.ndim == 0:
        return cells[0]
    return _layout(cells, sample.shape, cut, width, indent, edge, opts["linewidth"])


def _add_suffixes(text: str, suffixes: list[str], indent: int, linewidth: int) -> str:
    parts = [text]
    # torch measures the last line two characters too long; keep that quirk
    # because it decides where suffixes wrap.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_len += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(data: np.ndarray, dtype_name: str, extras: tuple[str, ...] = ()) -> str:
    """Return exactly what repr() of the equivalent torch tensor returns.

    `extras` are preformatted trailing fields such as 'requires_grad=True' or
    'grad_fn=<MulBackward0>'; they follow any size=/dtype= fields.
    """
    arr = np.asarray(data)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        # With no values to hint at the type, even int64/bool must be spelled out.
        if dtype_name != "float32":
            suffixes.append(f"dtype=torch.{dtype_name}")
        body = "[]"
    else:
        # edgeitems=0 hides every value, so torch always reports the shape.
        if not _OPTS["edgeitems"]:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype_name not in _IMPLICIT_DTYPES:
            suffixes.append(f"dtype=torch.{dtype_name}")
        body = _body(arr, dtype_name, indent)
    suffixes.extend(extras)
    return _add_suffixes(prefix + body, suffixes, indent, _OPTS["linewidth"])
