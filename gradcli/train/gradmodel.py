"""A model written in the .grad language: declared parameters and a forward expression such as
`sigmoid(x @ w + b)`, checked with the config and evaluated by gradcli's interpreter on every forward.

    [model]
    forward = "sigmoid(x @ w + b)"
    [model.parameters]
    w = {shape = [2, 1], init = "normal", std = 0.1}
    b = {shape = [1], init = "zeros"}

The expression is parsed once when the config is read (a syntax error points at model.forward) and run in
one interpreter session per model, so each forward costs one pass of the interpreter (~0.1 ms) on top
of the tensor work. It sees `x` (the batch), the parameters, `torch`, `nn`, `F` and the usual activations
by their bare names.
"""
from __future__ import annotations

import math
import re

from gradcli import nn

__all__ = ["INITS", "FUNCTIONS", "check_grad_model", "GradModel"]

# init -> the keys it takes (with defaults); drawn in the declaration order of the parameters
INITS = {
    "zeros": {}, "ones": {}, "constant": {"value": 0.0},
    "normal": {"mean": 0.0, "std": 0.1}, "uniform": {"low": -0.1, "high": 0.1},
    "xavier_uniform": {"gain": 1.0}, "xavier_normal": {"gain": 1.0},
    "kaiming_uniform": {}, "kaiming_normal": {},
}
FUNCTIONS = ("sigmoid", "tanh", "relu", "softmax", "log_softmax", "exp", "log", "sin", "cos", "abs", "sqrt",
             "clamp", "matmul", "cat", "stack", "where", "maximum", "minimum")
_NAME = re.compile(r"^[A-Za-z]\w*$")
_RESERVED = {"x", "torch", "nn", "F", *FUNCTIONS}


def check_grad_model(raw: dict, error) -> dict:
    """The resolved [model] of a .grad model; `error(key, message)` makes the positioned ConfigError."""
    for k in raw:
        if k not in ("forward", "parameters"):
            import difflib
            close = difflib.get_close_matches(k, ["forward", "parameters"], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (a .grad model has forward and parameters)"
            raise error(f"model.{k}", f"unknown key{hint}")
    forward = raw["forward"]
    if not isinstance(forward, str) or not forward.strip():
        raise error("model.forward", "expected the forward expression as a string, e.g. \"sigmoid(x @ w + b)\"")
    from gradcli.errors import GradError
    from gradcli.lang.parser import parse_expr
    try:
        parse_expr(forward, "model.forward")
    except GradError as e:
        raise error("model.forward", f"cannot parse {forward!r}: {e.message}") from None
    params = raw.get("parameters")
    if not isinstance(params, dict) or not params:
        raise error("model.parameters", "declare the trained parameters: [model.parameters] w = {shape = [2, 1]}")
    out = {}
    for name, spec in params.items():
        key = f"model.parameters.{name}"
        if not _NAME.match(name) or name in _RESERVED:
            raise error(key, f"{name!r} cannot name a parameter (an identifier other than "
                             f"{', '.join(sorted(_RESERVED))})")
        if not isinstance(spec, dict):
            raise error(key, "expected a table such as {shape = [2, 1], init = \"normal\"}")
        init = spec.get("init", "normal")
        if init not in INITS:
            import difflib
            close = difflib.get_close_matches(str(init), INITS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise error(f"{key}.init", f"must be one of {', '.join(INITS)}, got {init!r}{hint}")
        for k in spec:
            if k not in ("shape", "init", *INITS[init]):
                owners = [i for i, keys in INITS.items() if k in keys]
                why = f"it belongs to {', '.join(owners)}" if owners else f"{init} takes {', '.join(INITS[init]) or 'no options'}"
                raise error(f"{key}.{k}", f"is not an option of init {init!r} ({why})")
        shape = spec.get("shape")
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1
                                                  for d in shape):
            raise error(f"{key}.shape", "expected a list of positive integers, e.g. [2, 1] ([] for a scalar)")
        if init.startswith(("xavier", "kaiming")) and len(shape) < 2:
            raise error(f"{key}.init", f"{init} needs a parameter of two or more dimensions, got shape {shape}")
        resolved = {"shape": list(shape), "init": init}
        for k, default in INITS[init].items():
            v = spec.get(k, default)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise error(f"{key}.{k}", f"expected a finite number, got {v!r}")
            resolved[k] = float(v)
        if init == "normal" and resolved["std"] <= 0 or init == "uniform" and resolved["low"] >= resolved["high"]:
            raise error(key, "needs std > 0" if init == "normal" else "needs low < high")
        out[name] = resolved
    return {"forward": forward, "parameters": out}


class GradModel(nn.Module):
    """An nn.Module whose parameters are the declared ones and whose forward is the .grad expression."""

    def __init__(self, spec: dict):
        super().__init__()
        import gradcli
        from gradcli.nn import init as I
        for name, p in spec["parameters"].items():
            t = nn.Parameter(gradcli.empty(*p["shape"]))
            kind = p["init"]
            with gradcli.no_grad():
                if kind in ("zeros", "ones"):
                    getattr(I, kind + "_")(t)
                elif kind == "constant":
                    I.constant_(t, p["value"])
                elif kind == "normal":
                    I.normal_(t, p["mean"], p["std"])
                elif kind == "uniform":
                    I.uniform_(t, p["low"], p["high"])
                elif kind.startswith("xavier"):
                    getattr(I, kind + "_")(t, gain=p["gain"])
                else:  # nn.Linear's own scheme
                    getattr(I, kind + "_")(t, a=math.sqrt(5))
            self.register_parameter(name, t)
        self.source = spec["forward"]
        self._session = None

    def session(self):
        if self._session is None:
            import gradcli
            from gradcli.lang.runner import Session
            names = {f: getattr(gradcli, f) for f in FUNCTIONS if hasattr(gradcli, f)}
            names.update(relu=gradcli.relu if hasattr(gradcli, "relu") else nn.functional.relu,
                         softmax=_softmax, log_softmax=_log_softmax)
            self._session = Session("model.forward", variables=names)
        return self._session

    def forward(self, x):
        s = self.session()
        s.globals.update(self._parameters)
        s.globals["x"] = x
        return s.run(self.source, expr=True)


def _softmax(t, dim=-1):
    return nn.functional.softmax(t, dim=dim)


def _log_softmax(t, dim=-1):
    return nn.functional.log_softmax(t, dim=dim)
