"""Finite-difference gradient checks (gradcheck, and gradgradcheck at order 2) of a one-liner or of a function
defined by a .grad script, in float64: one row per (output, input) Jacobian with its largest errors.

    report = check_expression("y = x*x*w", {"x": "2", "w": "3"})
    report.ok, [(r.wrt, r.max_abs_error) for r in report.rows]

The Jacobians are computed exactly as `gradcli.autograd.gradcheck` computes them (central differences
against one backward pass per output element), and a row passes on gradcheck's own test,
`allclose(analytic, numeric, rtol, atol)`, so `check` and `gradcheck` cannot disagree.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import gradcli
from gradcli.autograd.gradcheck import _analytical, _numerical
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradError, GradValueError
from gradcli.lang.runner import Limits, run_source

from .check_report import sweep_entry
from .expression import OptionError, evaluate, rerun

__all__ = ["Row", "CheckReport", "check_expression", "check_file"]


class _CheckError(GradValueError):
    """A problem with what was given to check (not an error of the script itself)."""


@dataclass
class Row:
    """One Jacobian d(of)/d(wrt): the entry with the largest error, and the largest errors."""

    of: str
    wrt: str
    shape: list[int]  # of wrt
    analytic: float  # at the worst entry
    numeric: float
    worst_wrt: list[int]  # index into wrt of the entry with the largest error
    worst_of: list[int]  # index into `of`
    max_abs_error: float
    max_rel_error: float  # |a-n| / max(|a|,|n|), over entries larger than atol (smaller ones: abs error)
    ok: bool


@dataclass
class CheckReport:
    target: str
    order: int
    eps: float
    atol: float
    rtol: float
    inputs: dict[str, Tensor]  # the float64 values checked at
    rows: list[Row]
    ok: bool
    drawn: list[str] = field(default_factory=list)  # inputs drawn from the seed
    seed: int = 0
    notes: list[str] = field(default_factory=list)
    sweeps: list = field(default_factory=list)  # --report: a step-size sweep of each Jacobian's worst entry


def _row(of, wrt, x, out, ana, num, atol, rtol) -> Row:
    err = np.abs(ana - num)
    k = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else (0, 0)
    big = np.maximum(np.abs(ana), np.abs(num))
    rel = err[big > atol] / big[big > atol]
    index = [[int(i) for i in np.unravel_index(int(k[0]), tuple(x.shape))],
             [int(i) for i in np.unravel_index(int(k[1]), tuple(out.shape))]] if err.size else [[], []]
    return Row(of, wrt, list(x.shape), float(ana[k]) if err.size else 0.0, float(num[k]) if err.size else 0.0,
               index[0], index[1], float(err.max()) if err.size else 0.0, float(rel.max()) if rel.size else 0.0,
               bool(np.allclose(ana, num, rtol=rtol, atol=atol)))


def _outputs(func, inputs) -> list[Tensor]:
    out = func(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not outs or not all(isinstance(o, Tensor) for o in outs):
        raise _CheckError("the function must return a tensor or a tuple of tensors")
    return outs


def _first_order(func, inputs, diff):
    """gradgradcheck's function: (inputs, v) -> v·d(outputs)/d(input) for each checked input."""
    n = len(inputs)

    def first(*args):
        xs, vs = args[:n], args[n:]
        ys = _outputs(func, xs)
        gs = gradcli.autograd.grad(ys, [xs[i] for i in diff], vs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else gradcli.zeros_like(xs[i]) for g, i in zip(gs, diff))
    return first


def _check(func, inputs: list, names: list[str], out_names: list[str], order: int, eps, atol, rtol,
           dtypes=None):
    """Rows for every (output, checked input) pair, of func at order 1 or of its first derivatives at 2."""
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise _CheckError("no input requires grad: give the tensors to check requires_grad=True")
    outs = _outputs(func, inputs)
    notes = [f"{out_names[k] if k < len(out_names) else k} is {str(o.dtype).replace('torch.', '')}: finite "
             "differences need float64, so rounding may look like a mismatch"
             for k, o in enumerate(outs) if o.dtype != gradcli.float64]
    if order == 2:
        # gradgradcheck's grad_outputs: standard normal draws (numpy seed 0), themselves checked inputs
        rng = np.random.default_rng(0)
        vs = [gradcli.tensor(rng.standard_normal(tuple(o.shape)).tolist(), dtype=gradcli.float64).requires_grad_(True)
              for o in outs]
        v_names = ["v"] if len(vs) == 1 else [f"v{k}" for k in range(len(vs))]
        out_names = [f"∂{out_names[0] if len(outs) == 1 else 'out'}/∂{names[i]}" for i in diff]
        func, inputs, names = _first_order(func, inputs, diff), list(inputs) + vs, list(names) + v_names
        diff = diff + list(range(len(inputs) - len(vs), len(inputs)))
        outs = _outputs(func, inputs)
    rows, sweeps = [], []
    for oi, out in enumerate(outs):
        for ii in diff:
            x = inputs[ii]
            num = _numerical(func, inputs, ii, oi, eps)
            ana = (_analytical(func, inputs, ii, oi) if out.requires_grad
                   else np.zeros((x.numel(), out.numel())))
            rows.append(_row(out_names[oi], names[ii], x, out, ana, num, atol, rtol))
            if dtypes is not None:  # --report: the worst entry differenced at every step
                r = rows[-1]
                dt = dtypes[ii] if ii < len(dtypes) else "float64"
                k_in = int(np.ravel_multi_index(r.worst_wrt, tuple(x.shape))) if r.worst_wrt else 0
                k_out = int(np.ravel_multi_index(r.worst_of, tuple(out.shape))) if r.worst_of else 0
                sweeps.append(sweep_entry(func, inputs, ii, oi, k_in, k_out, r.analytic, r.of, r.wrt,
                                          r.worst_wrt, r.worst_of, dt, atol, rtol))
    return rows, notes, sweeps


class _float64:
    """Constants the expression makes (`tensor([1., 2.])`, `randn(3)`) in float64 too, as the leaves are."""

    def __enter__(self):
        self.saved = gradcli.get_default_dtype()
        gradcli.set_default_dtype(gradcli.float64)

    def __exit__(self, *exc):
        gradcli.set_default_dtype(self.saved)


def check_expression(expr: str, at: dict[str, str] | None = None, wrt: list[str] | None = None, seed: int = 0,
                     order: int = 1, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                     limits: Limits | None = None, report: bool = False) -> CheckReport:
    """gradcheck (order 2: gradgradcheck) of a one-liner at float64 copies of its leaves."""
    _need_order(order)
    ev = evaluate(expr, at, seed, limits)
    names = list(ev.leaves)
    for n in wrt or ():
        if n not in ev.leaves:
            raise OptionError(f"--wrt {n}: not a variable of the expression (its variables: {', '.join(names)})")
    leaves = [ev.leaves[n].detach().double().requires_grad_(not wrt or n in wrt) for n in names]

    def func(*xs):
        with _float64():
            return rerun(ev, dict(zip(names, xs)), limits)

    dtypes = [str(ev.leaves[n].dtype).replace("torch.", "") for n in names] if report else None
    rows, notes, sweeps = _check(func, leaves, names, [ev.output_name], order, eps, atol, rtol, dtypes)
    return CheckReport(expr, order, eps, atol, rtol, dict(zip(names, [x.detach() for x in leaves])), rows,
                       all(r.ok for r in rows), ev.drawn, seed, notes, sweeps)


_NAMES = re.compile(r"^\(?\s*([A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*)\s*,?\s*\)?$")


def check_file(path: str | Path, fn: str = "f", inputs: str = "inputs", order: int = 1, eps: float = 1e-6,
               atol: float = 1e-5, rtol: float = 1e-3, limits: Limits | None = None,
               report: bool = False) -> CheckReport:
    """gradcheck(fn, inputs) as the script would call it, fn and inputs evaluated in the script's globals.

    The script runs once (its own output is not shown); the check runs inside that run, so an error in
    the script's forward or backward is reported at its line."""
    _need_order(order)
    from gradcli.lang.parser import parse_expr

    for option, text in (("--fn", fn), ("--inputs", inputs)):
        try:
            parse_expr(text, option)
        except GradError as e:
            raise OptionError(f"{option} {text!r}: {e.message}") from None
    limits = limits or Limits()
    p = Path(path)
    try:
        with open(p, "rb") as f:
            data = f.read(limits.max_source_bytes + 1)
    except OSError as e:
        raise GradError(f"cannot read {p}: {e.strerror or e}", filename=str(path)) from None
    text = data.decode("utf-8", "replace")
    hook_line = len(re.findall(r"\r\n|\r|\n", text)) + 2  # the call appended after one more line break
    m = _NAMES.match(inputs.strip())
    box: dict = {}

    def hook(fn_obj, inputs_obj):
        try:
            if not callable(fn_obj):
                raise _CheckError(f"--fn {fn}: a {type(fn_obj).__name__}, not a function")
            xs = list(inputs_obj) if isinstance(inputs_obj, (tuple, list)) else [inputs_obj]
            literal = [s.strip() for s in m.group(1).split(",")] if m and "," in inputs else []
            if isinstance(inputs_obj, Tensor):
                names = [inputs.strip()]
            elif len(literal) == len(xs):  # --inputs "(x, w)": the rows say x and w
                names = literal
            else:
                names = [f"{inputs.strip()}[{k}]" for k in range(len(xs))]
            dtypes = ([str(x.dtype).replace("torch.", "") if isinstance(x, Tensor) else "float64" for x in xs]
                      if report else None)
            xs = [x.detach().double().requires_grad_(True) if isinstance(x, Tensor) and x.requires_grad else x
                  for x in xs]
            box["report"] = (xs, names, *_check(fn_obj, xs, names, ["f"], order, eps, atol, rtol, dtypes))
        except _CheckError as e:  # ours, not the script's: reported without a position in the script
            box["error"] = e

    try:
        run_source(data + f"\n__gradcli_check__({fn}, {inputs})\n".encode(), str(path), stdout=io.StringIO(),
                   limits=limits, variables={"__gradcli_check__": hook})
    except GradError as e:
        # the call of the hook is a line the script does not have: keep only positions in the script
        e.notes = [n for n in e.notes if not n.endswith(f"{path}:{hook_line}:1")]
        if e.span is not None and e.span.line >= hook_line:
            e.span = None
            e.message = f"in --fn {fn} / --inputs {inputs}: {e.message}"
        raise
    if "error" in box:
        raise box["error"]
    xs, names, rows, notes, sweeps = box["report"]
    inputs_shown = {n: x.detach() for n, x in zip(names, xs) if isinstance(x, Tensor) and x.requires_grad}
    return CheckReport(f"{p.name}: {fn}({inputs})", order, eps, atol, rtol, inputs_shown, rows,
                       all(r.ok for r in rows), notes=notes, sweeps=sweeps)


def _need_order(order: int) -> None:
    if order not in (1, 2):
        raise OptionError(f"--order {order}: 1 (gradcheck) or 2 (gradgradcheck)")
