"""Check a derivative worked out by hand against autograd, by numbers, and name the wrong term when it is off.

    r = check_derivative("y=sin(x**2)", {"x": "cos(x**2)"}, {"x": "1.5"})
    r.agrees                               # False
    r.checks[0].mistake.message            # missing factor 2*x (∂a/∂x) on the path y → a → x

Symbols are never compared: the user's formula and the engine's gradient are evaluated in float64 at the point
and at POINTS seeded random points around it. The engine's gradient is a sum over chain-rule paths of products
of local factors (explain.py reads them); a wrong formula is matched against that sum with one plausible slip
(a sign, a missing path, a missing factor or inner derivative, a constant off), each decided at every point.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradcli.autograd.tensor import Tensor
from gradcli.errors import GradError, OptionError
from gradcli.lang.runner import Limits, run_source

from . import expression as E

__all__ = ["Mistake", "Point", "VariableCheck", "DerivationCheck", "check_derivative", "parse_expect", "POINTS"]

POINTS = 20  # random points besides the given one
RTOL, ATOL = 1e-7, 1e-9  # float64 on both sides; a formula's rounding differs from the engine's in the last bits


@dataclass
class Mistake:
    """The slip that turns the engine's formula into the user's, true at every point."""

    kind: str  # sign | path_sign | missing_path | missing_factor | constant_factor | unknown
    message: str
    path: str | None = None  # y → a → x
    factor: str | None = None  # the missing or flipped factor, as a formula


@dataclass
class Point:
    at: dict[str, float]
    expected: float  # autograd
    got: float  # the user's formula


@dataclass
class VariableCheck:
    wrt: str
    formula: str  # the user's
    correct: str  # the engine's formula for the derivative
    expected: float  # autograd at the given point
    got: float  # the user's formula there
    agrees: bool
    worst: Point  # the point where the two differ most (relative to scale)
    mistake: Mistake | None = None


@dataclass
class DerivationCheck:
    """What `gradcli grad --expect` shows."""

    expr: str
    output_name: str
    at: dict[str, float]
    seed: int
    points: int
    checks: list[VariableCheck] = field(default_factory=list)
    agrees: bool = True  # every variable's formula agrees


def parse_expect(specs: list[str] | None, wrt: list[str] | None, variables: list[str]) -> dict[str, str]:
    """`["2*x"]` with one variable or `--wrt` order, or `["x=2*x"]`: variable -> formula."""
    out: dict[str, str] = {}
    bare: list[str] = []
    for spec in specs or ():
        name, eq, rest = spec.partition("=")
        # `x=...` names a variable; `x==y` or `(a=b)` are not names: the whole text is a formula
        if eq and name.strip().isidentifier() and not rest.startswith("="):
            if name.strip() not in variables:
                raise OptionError(f"--expect {spec!r}: the expression has no variable '{name.strip()}' "
                                  f"(its variables: {', '.join(variables)})")
            if name.strip() in out:
                raise OptionError(f"--expect {name.strip()} is given twice")
            out[name.strip()] = rest.strip()
        else:
            bare.append(spec.strip())
    if bare:
        order = [n for n in (wrt or variables) if n not in out]
        if len(bare) > len(order):
            raise OptionError(f"--expect: {len(bare)} formula(s) without a name, but "
                              f"{'--wrt names' if wrt else 'the expression has'} {len(order)} variable(s) "
                              f"left to pair them with ({', '.join(order) or 'none'}); write NAME=FORMULA")
        if len(bare) < len(order) and not wrt and len(variables) > 1:
            raise OptionError(f"--expect: the expression has variables {', '.join(variables)}; say which one "
                              "each formula is for (NAME=FORMULA) or give --wrt")
        out.update(zip(order, bare))
    for name, text in out.items():
        if not text:
            raise OptionError(f"--expect {name}=: the formula is empty")
    order = list(wrt or []) + [n for n in variables if n not in (wrt or [])]
    return {n: out[n] for n in sorted(out, key=order.index)}  # reported in --wrt / the expression's order


def _f64(v: float) -> str:
    return f"torch.tensor({float(v)!r}, dtype=torch.float64)"


def _paths(steps, output: str, leaf: str):
    """Each chain-rule path from the output to `leaf`: (names along it, [(factor formula, value)])."""
    by_name = {s.name: s for s in steps}
    out = []

    def walk(name, names, factors):
        for e in by_name[name].edges:
            here = factors + [(e.local_full, float(e.local_value.detach().numpy().sum()))]
            if e.to == leaf:
                out.append((names + [leaf], here))
            elif e.to in by_name:
                walk(e.to, names + [e.to], here)

    if output in by_name:
        walk(output, [output], [])
    # a path by its nodes' names, and what the intermediates are (the letters are explain's, not the user's)
    labelled = []
    for names, factors in out:
        inner = "; ".join(f"{n} = {by_name[n].forward_full}" for n in names[1:-1])
        labelled.append(((" → ".join(names) + (f" ({inner})" if inner else ""), names), factors))
    return labelled


def _run(text: str, name: str, leaves: dict, limits: Limits) -> float:
    value = run_source(text, f"--expect {name}", expr=True, limits=limits,
                       variables={**E._namespace(limits), **leaves}).value
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise OptionError(f"--expect {name}: the formula gives shape {list(value.shape)}, not one number")
        return float(value.detach().numpy().sum())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise OptionError(f"--expect {name}: the formula gives a {type(value).__name__}, not a number")


def check_derivative(expr: str, expect: dict[str, str], at: dict[str, str] | None = None, seed: int = 0,
                     limits: Limits | None = None, points: int = POINTS) -> DerivationCheck:
    """Compare each `expect[var]` with autograd's ∂y/∂var at `at` and at `points` seeded points near it."""
    from .explain import explain  # the engine's paths; imported here so gradcli.tools stays light

    limits = limits or Limits()
    ev = E.evaluate(expr, at, seed, limits)
    for n, t in ev.leaves.items():
        if t.numel() != 1:
            raise OptionError(f"--expect: {n} has shape {list(t.shape)}; checking a derivative by hand needs "
                              "one-number variables")
    for n in expect:
        if n not in ev.leaves:
            raise OptionError(f"--expect {n}: not a variable of the expression (its variables: "
                              f"{', '.join(ev.leaves)})")
    base = {n: float(t.detach().numpy().sum()) for n, t in ev.leaves.items()}
    rng = np.random.default_rng(seed)
    spots = [base] + [{n: v + rng.uniform(-0.5, 0.5) * max(1.0, abs(v)) for n, v in base.items()}
                      for _ in range(points)]
    names = list(expect)
    truth = {n: [] for n in names}
    got = {n: [] for n in names}
    paths = {n: None for n in names}
    correct = {}
    kept = []
    for i, spot in enumerate(spots):
        ex = explain(expr, {n: _f64(v) for n, v in spot.items()}, names, seed, limits)
        sums = {s.leaf: s for s in ex.sums}
        leaves = {n: t.detach() for n, t in ex.leaves.items()}
        values = {n: float(sums[n].total.detach().numpy().sum()) if n in sums else 0.0 for n in names}
        if i > 0 and not all(np.isfinite(v) for v in values.values()):
            continue  # outside the function's domain (log of a negative): no verdict there
        row = {}
        for n in names:
            try:
                row[n] = _run(expect[n], n, leaves, limits)
            except OptionError:
                raise
            except GradError as e:
                if i == 0:  # a formula that cannot run at the point: a bad option value, shown where it is
                    error = OptionError(f"--expect {n}={expect[n]}: {e.message}", e.span, e.source,
                                        e.filename, e.kind)
                    error.notes = e.notes
                    raise error from None
                row[n] = float("nan")
        kept.append(spot)
        for n in names:
            truth[n].append(values[n])
            got[n].append(row[n])
            ps = _paths(ex.steps, ex.output_name, n)
            if paths[n] is None:
                paths[n] = [(p, [f for f, _ in fs], [[v for _, v in fs]]) for p, fs in ps]
                correct[n] = sums[n].formula if n in sums else "0"
            elif len(ps) == len(paths[n]):
                for k, (_, fs) in enumerate(ps):
                    paths[n][k][2].append([v for _, v in fs])
    result = DerivationCheck(expr, ev.output_name, base, seed, len(kept) - 1)
    for n in names:
        t, g = np.array(truth[n]), np.array(got[n])
        err = np.abs(g - t) / (ATOL + RTOL * np.maximum(np.abs(t), 1.0))
        err = np.where(np.isnan(err), np.inf, err)
        ok = bool(np.all(err <= 1.0))
        w = int(np.argmax(err))
        check = VariableCheck(n, expect[n], correct[n], t[0], g[0], ok, Point(kept[w], t[w], g[w]))
        if not ok:
            check.mistake = _locate(t, g, paths[n] or [], len(kept))
        result.checks.append(check)
    result.agrees = all(c.agrees for c in result.checks)
    return result


def _product(fs: list[str]) -> str:
    """Factors as one product, without the unit factors the graph carries (an add's 1)."""
    shown = [f for f in fs if f not in ("1", "1.0")]
    return " · ".join(shown) or "1"


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= 1e-6 * np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-6)))


def _locate(truth: np.ndarray, got: np.ndarray, paths: list, count: int) -> Mistake:
    """The one slip (tried simplest first) that maps the engine's sum of paths onto the user's numbers."""
    if _same(got, -truth):
        return Mistake("sign", "the sign is flipped: the formula is minus the derivative")
    full = [(p, fs, np.array(vs)) for p, fs, vs in paths if len(vs) == count]
    terms = [(label, fs, vs, np.prod(vs, axis=1)) for (label, _), fs, vs in full]
    nodes = [names for (_, names), _, _ in full]
    many = len(terms) > 1
    for name, fs, vs, term in terms:
        if many and _same(got, truth - term):
            return Mistake("missing_path", f"the term of the path {name} is missing ({_product(fs)})",
                           name, _product(fs))
    for name, fs, vs, term in terms:
        if many and _same(got, truth - 2 * term):
            return Mistake("path_sign", f"the term of the path {name} has the wrong sign ({_product(fs)})",
                           name, _product(fs))
    # a missing factor, or a missing run of them (an inner derivative), on one path: shortest first
    for size in range(1, max((len(fs) for _, fs, _, _ in terms), default=0) + 1):
        for k, (name, fs, vs, term) in enumerate(terms):
            for i in range(len(fs) - size + 1):
                part = np.prod(vs[:, i:i + size], axis=1)
                if np.any(part == 0) or _same(part, np.ones_like(part)) or _same(part, -np.ones_like(part)):
                    continue
                if _same(got, truth - term + term / part):
                    factor = _product(fs[i:i + size])
                    where = f"on the path {name}" if many else f"in the chain {name}"
                    if size > 1 and i + size == len(fs):  # a whole inner derivative: name it as one
                        inner, leaf = nodes[k][i], nodes[k][-1]
                        return Mistake("missing_factor", f"the inner derivative ∂{inner}/∂{leaf} = {factor} is "
                                                         f"missing {where}", name, factor)
                    return Mistake("missing_factor", f"a factor is missing {where}: {factor}", name, factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = got / truth
    if np.all(np.isfinite(ratio)) and _same(ratio, np.full_like(ratio, ratio[0])):
        return Mistake("constant_factor", f"off by a constant factor: the formula is {ratio[0]:.6g} times "
                                          "the derivative", factor=f"{ratio[0]:.6g}")
    return Mistake("unknown", "no single slip (sign, path, factor, constant) explains the difference")
