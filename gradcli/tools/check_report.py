"""The gradient-check report of `gradcli check --report`: a step-size sweep of each Jacobian's worst entry,
in float32 and float64, with where truncation and rounding errors meet and advice when float32 is the cause.

    sweep = sweep_entry(func, inputs, ii, oi, k_in, k_out, analytic, dtype="float32")
    sweep.best_eps64, sweep.advice
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import gradcli
from gradcli.autograd.tensor import Tensor

__all__ = ["SweepRow", "Sweep", "sweep_entry", "STEPS"]

STEPS = [10.0 ** -k for k in range(1, 13)]  # 1e-1 ... 1e-12 by decades


@dataclass
class SweepRow:
    eps: float
    error64: float  # |central difference in float64 - analytic|
    error32: float  # the same with every input cast to float32


@dataclass
class Sweep:
    """The worst entry d(of)[worst_of]/d(wrt)[worst_wrt] of one Jacobian, differenced at every step."""

    of: str
    wrt: str
    worst_wrt: list[int]
    worst_of: list[int]
    dtype: str  # the dtype the input was given in
    analytic: float
    rows: list[SweepRow]
    best_eps64: float
    best_error64: float
    best_eps32: float
    best_error32: float
    verdict: str  # "ok", "float32", "backward"
    advice: list[str] = field(default_factory=list)


def _difference(func, inputs, ii, oi, k_in, k_out, eps, dtype) -> float:
    """One central difference of output oi's flat entry k_out along input ii's flat entry k_in, in dtype."""
    def value(step):
        xs = []
        for j, x in enumerate(inputs):
            if isinstance(x, Tensor):
                a = x.detach().numpy().astype(np.float64).copy()
                if j == ii:
                    a.reshape(-1)[k_in] += step
                x = gradcli.tensor(a.astype(dtype).tolist() if a.ndim else float(a.astype(dtype)),
                                   dtype=gradcli.float32 if dtype == np.float32 else gradcli.float64
                                   ).requires_grad_(x.requires_grad)  # order 2's function differentiates them
            xs.append(x)
        out = func(*xs)
        out = out[oi] if isinstance(out, (tuple, list)) else out
        return out.detach().numpy().astype(dtype).reshape(-1)[k_out]
    # divided by 2*eps as gradcheck does, even where float32 cannot hold x+eps (that is the rounding shown)
    with np.errstate(all="ignore"):
        return float((np.float64(value(eps)) - np.float64(value(-eps))) / (2 * eps))


def sweep_entry(func, inputs, ii, oi, k_in, k_out, analytic, of, wrt, worst_wrt, worst_of, dtype, atol, rtol):
    rows = []
    for eps in STEPS:
        e = [abs(_difference(func, inputs, ii, oi, k_in, k_out, eps, t) - analytic) for t in (np.float64, np.float32)]
        e = [x if np.isfinite(x) else float("inf") for x in e]
        rows.append(SweepRow(eps, e[0], e[1]))
    b64 = min(rows, key=lambda r: r.error64)
    b32 = min(rows, key=lambda r: r.error32)
    allowed = atol + rtol * abs(analytic)
    advice = []
    if b64.error64 > allowed:
        verdict = "backward"
        advice.append(f"the backward is wrong for d{of}{_ix(worst_of)}/d{wrt}{_ix(worst_wrt)}: no step brings "
                      f"float64 differences within {allowed:.1e} of the analytic {analytic:.6g} (best error "
                      f"{b64.error64:.1e} at eps {b64.eps:g}), so rounding is not the cause")
    else:
        verdict = "ok"
        at_default = next(r for r in rows if r.eps == 1e-6)
        if dtype == "float32" and at_default.error32 > allowed:
            verdict = "float32"
            advice.append(f"{wrt} is float32: at eps 1e-06 float32 differences are off by {at_default.error32:.1e} "
                          f"(rounding, ~1e-7/eps) while float64 ones are off by {at_default.error64:.1e}; "
                          "check in float64 (as `gradcli check` does; in a script, pass x.double() to gradcheck)")
    return Sweep(of, wrt, worst_wrt, worst_of, dtype, analytic, rows, b64.eps, b64.error64, b32.eps, b32.error32,
                 verdict, advice)


def _ix(index) -> str:
    return f"[{','.join(str(i) for i in index)}]" if index else ""
