"""Derivatives as formulas, read off the graph that `create_graph` builds, and checked by evaluating them.

    report = formula_report("y=(x+w)*(w+1)", {"x": "2", "w": "1"}, ["w"])
    report.derivatives[0].formula      # '(w + 1) + (x + w)'   (= 5)

No derivative is worked out here: gradcli.autograd.grad builds the derivative's graph from the op table,
and unparse.py only reads it. Each formula is then run through the language with the leaves' values and
compared with the gradient, so a formula that is printed as checked is known to be true at that point.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

import gradcli
from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradError
from gradcli.lang.runner import Limits, run_source

from . import expression as E
from .formula_text import Expr, const, full_text
from .unparse import Recorder, Unparser

__all__ = ["Derivative", "FormulaReport", "GradWithFormulas", "formula_report", "grad_with_formulas",
           "derivative_formulas", "check_formula", "with_formulas"]

MAX_ORDER = 4


@dataclass
class Derivative:
    """One derivative: its formula in the leaves, its value, and whether the formula was checked."""

    wrt: str
    order: int
    formula: str
    value: Tensor
    evaluable: bool  # False when a node without a display template shows as Name(...)
    checked: bool  # the formula, evaluated with the leaves' values, equals the value


@dataclass
class FormulaReport(E.ReportHeader):
    """What `gradcli diff` shows: the expression as a formula of its leaves, and each derivative's formula."""

    formula: str
    order: int
    derivatives: list[Derivative] = field(default_factory=list)


def _text(e: Expr) -> str:
    return full_text(e) if e.const else e.text


def check_formula(text: str, leaves: dict[str, Tensor], value: Tensor, limits: Limits | None = None) -> bool:
    """Does the formula, run with the leaves' values (under the command's limits), give `value` (to float32
    rounding)?"""
    try:
        out = run_source(text, "<formula>", expr=True, limits=limits or Limits(),
                         variables={**E._namespace(), **{n: t.detach() for n, t in leaves.items()}}).value
    except GradError:
        return False
    got = np.asarray(out.detach().numpy() if isinstance(out, Tensor) else out, dtype=np.float64)
    want = np.asarray(value.detach().numpy(), dtype=np.float64)
    if got.shape != want.shape and not (got.size == 1 and want.size == 1):
        return False
    return bool(np.allclose(got.reshape(want.shape), want, rtol=1e-4, atol=1e-6, equal_nan=True))


def derivative_formulas(ev: E.Evaluation, records: dict, wrt: list[str] | None = None,
                        order: int = 1, limits: Limits | None = None) -> list[Derivative]:
    """The pure derivatives d^k y/dx^k (k = 1..order) of an evaluation made under `Recorder`, as formulas."""
    E._need_scalar(ev)
    if not 1 <= order <= MAX_ORDER:
        raise E.OptionError(f"--order {order}: give an order from 1 to {MAX_ORDER}")
    names = E._select(ev, wrt)
    unparser = Unparser(records, ev.leaves)
    out: list[Derivative] = []
    for name in names:
        x = ev.leaves[name]
        if order > 1 and x.numel() != 1:
            raise E.OptionError(f"--order {order}: {name} has shape {list(x.shape)}; derivatives past the first "
                                "are shown for one-number variables only")
        current = ev.output
        for k in range(1, order + 1):
            g = None
            if isinstance(current, Tensor) and current.requires_grad:
                (g,) = gradcli.autograd.grad(current, [x], create_graph=True, allow_unused=True)
            if g is None:
                g = gradcli.zeros_like(x) if k == 1 else gradcli.zeros(())
            e = unparser.tensor(g) if g.requires_grad else const(np.array(g.detach().numpy()))
            text = _text(e)
            checked = e.evaluable and check_formula(text, ev.leaves, g, limits)
            out.append(Derivative(name, k, text, g.detach(), e.evaluable, checked))
            current = g
    return out


def formula_report(expr: str, at: dict[str, str] | None = None, wrt: list[str] | None = None, order: int = 1,
                   seed: int = 0, limits: Limits | None = None, stdout=None) -> FormulaReport:
    """Evaluate a one-liner once and read its derivatives (up to `order`) as formulas."""
    if not 1 <= order <= MAX_ORDER:
        raise E.OptionError(f"--order {order}: give an order from 1 to {MAX_ORDER}")
    with Recorder() as rec:
        ev = E.evaluate(expr, at, seed, limits, stdout=stdout)
        return _formulas_of(ev, rec, wrt, order, limits)


def _formulas_of(ev: E.Evaluation, rec: Recorder, wrt, order: int, limits: Limits | None) -> FormulaReport:
    derivatives = derivative_formulas(ev, rec.records, wrt, order, limits)
    forward = Unparser(rec.records, ev.leaves).tensor(ev.output)
    return FormulaReport(**E.header(ev), formula=_text(forward), order=order, derivatives=derivatives)


def grad_with_formulas(expr: str, at: dict[str, str] | None = None, wrt: list[str] | None = None, order: int = 1,
                       seed: int = 0, limits: Limits | None = None, stdout=None) -> GradWithFormulas:
    """`gradcli grad --formula`: one evaluation (under the command's limits) gives the numbers and the
    first-derivative formulas, each checked under the same limits."""
    if not 1 <= order <= E.MAX_ORDER:
        raise E.OptionError(f"--order {order}: give an order from 1 to {E.MAX_ORDER}")
    with Recorder() as rec:
        ev = E.evaluate(expr, at, seed, limits, stdout=stdout)
        report = E.report_of(ev, wrt, order)
        formulas = _formulas_of(ev, rec, wrt, 1, limits)
    return with_formulas(report, formulas)


@dataclass
class GradWithFormulas(E.GradReport):
    """`gradcli grad --formula`: the grad report, plus the formula of each first derivative."""

    formulas: dict[str, Derivative] = field(default_factory=dict)


def with_formulas(report: E.GradReport, formulas: FormulaReport) -> GradWithFormulas:
    """The grad report with the first-derivative formulas attached (same JSON keys, plus `formulas`)."""
    return GradWithFormulas(**{f.name: getattr(report, f.name) for f in fields(report)},
                            formulas={d.wrt: d for d in formulas.derivatives if d.order == 1})
