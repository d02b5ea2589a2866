"""Results -> text or JSON: the only place the command line prints data.

Each command returns a result object (a dataclass of gradcli.tools, or a dict) and calls `emit(result,
text_renderer)`. With `--json` the result becomes one strict JSON document on stdout (sorted keys, no NaN
or Infinity literals: non-finite numbers are the strings "nan", "inf", "-inf"; tensors are
`{"shape": [...], "dtype": "float32", "values": nested lists}`), with `"schema": 1`, the command name and
`"ok": true`. A failure under --json prints one error document instead (`error_document`), besides the
human message on stderr:
`{"schema": 1, "command": "grad", "ok": false, "exit_code": 1,
  "error": {"kind": "SyntaxError", "message": "...", "file": "<expr>", "line": 1, "col": 4}}`
(`file`, `line`, `col` are null when the error has no position).
"""
from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Callable

from .options import OPTIONS

SCHEMA_VERSION = 1


def emit(command: str, result: Any, text: Callable[[Any, Any], None]) -> None:
    """Print result: `text(result, console)` normally, one JSON document with --json."""
    if OPTIONS.json:
        _write({"schema": SCHEMA_VERSION, "command": command, "ok": True, "result": to_jsonable(result)})
        return
    from .console import make_console
    text(result, make_console())


_emitted = [False]  # a document is on stdout already: a later failure (check's mismatch) adds none


def reset() -> None:
    """A new command line (the tests run many in one process): no document printed yet."""
    _emitted[0] = False


def _write(doc: dict) -> None:
    import sys
    sys.stdout.write(json.dumps(doc, sort_keys=True, allow_nan=False, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
    _emitted[0] = True


def error_document(command: str | None, kind: str, message: str, error: Any, exit_code: int) -> None:
    """The --json document of a failure; `error` (a GradError or None) gives the file, line and column."""
    if _emitted[0]:
        return
    span = getattr(error, "span", None)
    file = getattr(error, "filename", None) if error is not None else None
    document = {"schema": SCHEMA_VERSION, "command": command, "ok": False, "exit_code": exit_code,
                "error": {"kind": kind, "message": message, "file": file,
                          "line": span.line if span is not None else None,
                          "col": span.col if span is not None else None}}
    if getattr(error, "details", None):
        document["error"].update(error.details)
    _write(document)


def number(x: float) -> Any:
    """A JSON-safe number: non-finite values as strings."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def tensor_json(t) -> dict:
    import numpy as np
    data = np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)
    values = data.tolist()
    return {"shape": list(data.shape), "dtype": str(t.dtype).replace("torch.", "") if hasattr(t, "dtype") else
            str(data.dtype), "values": _clean(values)}


def _clean(v):
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return number(v)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dicts, lists, tensors and numbers as strict-JSON-ready values."""
    from gradcli.autograd.tensor import Tensor
    if isinstance(obj, Tensor):
        return tensor_json(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not f.name.startswith("_")}
    if isinstance(obj, dict):
        return {str(k) if not isinstance(k, tuple) else ",".join(map(str, k)): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, float):
        return number(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    return str(obj)


def value_text(t) -> str:
    """A tensor for a human: torch's own print format without the `tensor(...)` wrapper for a scalar."""
    from gradcli.autograd.tensor import Tensor
    if isinstance(t, Tensor):
        if t.numel() == 1 and t.dim() == 0:
            text = repr(t.detach())
            return text[len("tensor("):-1]
        return repr(t.detach())
    return str(t)
