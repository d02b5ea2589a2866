"""One-line expressions as the command line takes them: free names become leaves (given with `--at`, or
drawn from a seed), the last assignment or a trailing expression is the output; gradients of any order.

    ev = evaluate("y=(x+w)*(w+1)", {"x": "2", "w": "1"})
    ev.output_name, ev.output          # 'y', tensor(6., grad_fn=<MulBackward0>)
    first_derivatives(ev)              # {'x': tensor(2.), 'w': tensor(5.)}
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import gradcli
from gradcli.autograd import api
from gradcli.autograd.tensor import Tensor
from gradcli.lang import ast as A
from gradcli.lang.builtins import SIZED_CREATION, checked_creation
from gradcli.errors import GradError, GradNameError, GradTypeError, GradValueError, OptionError
from gradcli.lang.parser import parse_expr
from gradcli.lang.runner import Limits, run_source


__all__ = ["OptionError", "Evaluation", "evaluate", "rerun", "parse_at", "parse_wrt", "first_derivatives",
           "hessian", "pure_derivatives", "report_of", "EXPRESSION_FUNCTIONS"]

MAX_DERIVATIVE_ROWS = 2000  # backward passes one higher-order request may take


MAX_ORDER = 6  # the n-th derivative by repeated grad costs numel**n calls; 6 is plenty for a shell


# Bare names a one-liner may use without `torch.`: `y = sum(tanh(A@x)**2)`; the op table's entries declared
# `api="... expr"`, and these functions that are not table entries or pick among several
EXPRESSION_FUNCTIONS = tuple(api.names("expr")) + tuple("""
matmul square tensor zeros ones eye arange linspace randn rand outer""".split())


@dataclass
class Evaluation:
    """A one-liner run with its leaves: what the commands show."""

    expr: str
    leaves: dict[str, Tensor]  # in order of first use
    drawn: list[str]  # leaves whose values came from the seed
    output_name: str
    output: Tensor
    variables: dict[str, Tensor] = field(default_factory=dict)  # every named tensor of the one-liner
    seed: int = 0
    _rng_state: object = None  # the generator after the leaves were made: `rerun` draws from it again


def _namespace(limits: Limits | None = None) -> dict:
    """Names a one-liner sees besides torch/nn/F: math functions bare, and sum/max/min that take tensors.
    Creation functions check the size asked for first: `randn(100000,100000)` is a limit error, not 40 GB."""
    import builtins as py
    names = {n: getattr(gradcli, n) for n in EXPRESSION_FUNCTIONS if hasattr(gradcli, n)}
    for n in SIZED_CREATION:
        if n in names:
            names[n] = checked_creation(n, names[n], limits or Limits())

    def reduce_or_builtin(torch_fn, py_fn):
        def fn(*args, **kwargs):
            if args and isinstance(args[0], Tensor):
                return torch_fn(*args, **kwargs)
            return py_fn(*args, **kwargs)
        fn.__name__ = py_fn.__name__
        return fn

    names.update(sum=reduce_or_builtin(gradcli.sum, py.sum), max=reduce_or_builtin(gradcli.max, py.max),
                 min=reduce_or_builtin(gradcli.min, py.min), pi=math.pi, e=math.e, inf=math.inf, nan=math.nan)
    return names


def free_names(module: A.Module, known) -> list[str]:
    """Names read before anything assigns them, that are not functions or torch: the leaves.
    A name that is called (`foo(x)`) is a function, never a leaf: unknown_function() reports it."""
    assigned: set[str] = set()
    free: list[str] = []
    for stmt in module.body:
        value = stmt.value if isinstance(stmt, (A.Assign, A.AugAssign, A.ExprStmt)) else stmt
        bound_inside = {p.name for n in A.walk(value) if isinstance(n, A.Lambda) for p in n.params}
        bound_inside |= {t.id for n in A.walk(value) if isinstance(n, A.Comprehension)
                         for t in A.walk(n.target) if isinstance(t, A.Name)}
        called = {id(n.func) for n in A.walk(value) if isinstance(n, A.Call)}  # f(x): f is a function, not a leaf
        reads = [n.id for n in A.walk(value) if isinstance(n, A.Name) and id(n) not in called]
        if isinstance(stmt, A.AugAssign) and isinstance(stmt.target, A.Name):
            reads.append(stmt.target.id)
        for name in reads:
            if name not in assigned and name not in known and name not in bound_inside and name not in free:
                free.append(name)
        if isinstance(stmt, A.Assign):
            for t in stmt.targets:
                assigned.update(n.id for n in A.walk(t) if isinstance(n, A.Name))
    return free


def unknown_function(module: A.Module, known) -> A.Name | None:
    """The first call of a bare name that is neither known nor assigned by the one-liner (`foo(x)`)."""
    assigned = {n.id for stmt in module.body if isinstance(stmt, A.Assign) for t in stmt.targets
                for n in A.walk(t) if isinstance(n, A.Name)}
    for stmt in module.body:
        for n in A.walk(stmt):
            if isinstance(n, A.Call) and isinstance(n.func, A.Name) and n.func.id not in known \
                    and n.func.id not in assigned:
                return n.func
    return None


def parse_wrt(text: str | None) -> list[str] | None:
    """`"w,x"` -> ["w", "x"]; None for all variables; an empty list of names is a usage error."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise OptionError(f"--wrt {text!r}: give variable names separated by commas, e.g. --wrt w,x")
    return names


def parse_at(specs: list[str] | None) -> dict[str, str]:
    """`["x=2", "A=randn(3,3)"]` -> {"x": "2", "A": "randn(3,3)"}; a malformed spec is a GradValueError."""
    out: dict[str, str] = {}
    for spec in specs or ():
        name, eq, value = spec.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier() or not value.strip():
            raise OptionError(f"--at {spec!r}: expected NAME=VALUE, e.g. --at x=2 or --at A=randn(3,3)")
        if name in out:
            raise OptionError(f"--at {name} is given twice")
        out[name] = value.strip()
    return out


def evaluate(expr: str, at: dict[str, str] | None = None, seed: int = 0, limits: Limits | None = None,
             filename: str = "<expr>", stdout=None) -> Evaluation:
    """Run a one-liner with its free names bound to leaves; raises GradError for anything wrong.
    What it prints goes to `stdout` (the command line passes stderr: its stdout is the report)."""
    at = dict(at or {})
    limits = limits or Limits()
    if not expr.strip():
        raise OptionError('the expression is empty: give one such as "y = x**2" or "sum(tanh(A@x))"')
    module = parse_expr(expr, filename, max_bytes=limits.max_source_bytes)
    namespace = _namespace(limits)
    known = set(namespace) | {"torch", "nn", "F"} | set(dir(__import__("builtins")))
    bad = unknown_function(module, known)
    if bad is not None:
        raise GradNameError(f"unknown function '{bad.id}': one-liners know {', '.join(EXPRESSION_FUNCTIONS)}, "
                            "sum, max, min and torch.*", bad.span, expr, filename)
    leaves_order = free_names(module, known)
    unknown = [n for n in at if n not in leaves_order]
    if unknown:
        raise OptionError(f"--at {unknown[0]}: the expression has no variable '{unknown[0]}' "
                            f"(its variables: {', '.join(leaves_order) or 'none'})", filename=filename)
    gradcli.manual_seed(seed)
    leaves: dict[str, Tensor] = {}
    drawn: list[str] = []
    for name in leaves_order:
        if name in at:
            leaves[name] = _leaf(name, at[name], namespace, limits)
        else:
            leaves[name] = gradcli.randn(()).requires_grad_(True)
            drawn.append(name)
    if not leaves_order:
        raise GradValueError("the expression has no variables to differentiate: its free names become the "
                             "variables, as x and w in \"y=(x+w)*(w+1)\"", module.body[0].span, expr, filename)
    rng_state = gradcli.default_generator.get_state()
    try:
        result = run_source(expr, filename, expr=True, limits=limits, variables={**namespace, **leaves},
                            stdout=stdout)
    except GradError as e:
        raise _with_xor_hint(e, module)
    output_name, output = _output(module, result)
    if not isinstance(output, Tensor):
        if isinstance(output, (int, float)) and not isinstance(output, bool):
            output = gradcli.tensor(float(output))
        else:
            raise GradTypeError(f"the expression gives a {type(output).__name__}, not a tensor or number",
                                module.body[-1].span, expr, filename)
    variables = {k: v for k, v in result.globals.items()
                 if isinstance(v, Tensor) and k not in namespace and not k.startswith("__")}
    return Evaluation(expr, leaves, drawn, output_name, output, variables, seed, rng_state)


def _with_xor_hint(error: GradError, module: A.Module) -> GradError:
    """`y = x^2` fails on floats as bitwise xor, in the engine's words; say what was meant."""
    uses_xor = any(isinstance(n, (A.BinOp, A.AugAssign)) and n.op == "^" for n in A.walk(module))
    if uses_xor and "xor" in error.message and "**" not in error.message:
        error.message += " (`^` is bitwise xor, as in Python; a power is written **, e.g. x**2)"
    return error


def rerun(ev: Evaluation, leaves: dict[str, Tensor], limits: Limits | None = None) -> Tensor:
    """The one-liner's output again with other leaf tensors (gradcheck's perturbed float64 copies); randn
    inside the expression draws the same numbers as the first time."""
    if ev._rng_state is not None:
        gradcli.default_generator.set_state(ev._rng_state)
    module = parse_expr(ev.expr, "<expr>")
    limits = limits or Limits()
    result = run_source(ev.expr, "<expr>", expr=True, limits=limits, variables={**_namespace(limits), **leaves})
    output = _output(module, result)[1]
    return output if isinstance(output, Tensor) else gradcli.tensor(float(output), dtype=gradcli.float64)


def _leaf(name: str, text: str, namespace: dict, limits: Limits) -> Tensor:
    try:
        # nan and inf are names here so that `--at x=nan` gets the message below, not "name 'nan' is not defined"
        value = run_source(text, f"--at {name}", expr=True, limits=limits,
                           variables={**namespace, "nan": math.nan, "inf": math.inf}).value
    except GradError as e:  # whatever is wrong with the value, it is a bad option value (exit 2)
        error = OptionError(f"--at {name}={text}: {e.message}", e.span, e.source, e.filename, e.kind)
        error.notes = e.notes
        raise error from None
    if isinstance(value, Tensor):
        t = value.detach()
    elif isinstance(value, (int, float, list, tuple)) and not isinstance(value, bool):
        try:
            t = gradcli.tensor(value, dtype=gradcli.float32)
        except (TypeError, ValueError, OverflowError) as e:
            raise OptionError(f"--at {name}={text}: not a number or a list of numbers ({e})") from None
    else:
        raise OptionError(f"--at {name}={text}: gives a {type(value).__name__}; give a number, a list "
                             "or a tensor expression")
    if not t.is_floating_point():
        t = t.float()
    if not bool(gradcli.isfinite(t).numpy().all()):
        raise OptionError(f"--at {name}={text}: the value is not finite; derivatives need finite numbers")
    return t.clone().requires_grad_(True)


def _output(module: A.Module, result) -> tuple[str, object]:
    last = module.body[-1]
    if isinstance(last, A.ExprStmt):
        return "f", result.value
    for stmt in reversed(module.body):
        if isinstance(stmt, A.Assign) and isinstance(stmt.targets[-1], A.Name):
            name = stmt.targets[-1].id
            return name, result.globals[name]
    raise GradValueError("the expression has no result: end it with an expression or an assignment "
                         "such as y = ...", last.span)


def _need_scalar(ev: Evaluation) -> None:
    if ev.output.numel() != 1:
        raise GradValueError(f"{ev.output_name} has shape {list(ev.output.shape)}; derivatives need one number: "
                             f"use sum({ev.output_name}) or pick an element such as {ev.output_name}[0]")


def _select(ev: Evaluation, wrt: list[str] | None) -> list[str]:
    names = list(ev.leaves) if not wrt else list(wrt)
    for n in names:
        if n not in ev.leaves:
            raise OptionError(f"--wrt {n}: not a variable of the expression (its variables: "
                                f"{', '.join(ev.leaves) or 'none'})")
    return names


def first_derivatives(ev: Evaluation, wrt: list[str] | None = None) -> dict[str, Tensor]:
    """dy/dx for each leaf x (zeros where y does not depend on x)."""
    _need_scalar(ev)
    names = _select(ev, wrt)
    if not ev.output.requires_grad:
        return {n: gradcli.zeros_like(ev.leaves[n]) for n in names}
    grads = gradcli.autograd.grad(ev.output, [ev.leaves[n] for n in names], retain_graph=True, allow_unused=True)
    return {n: (g if g is not None else gradcli.zeros_like(ev.leaves[n])) for n, g in zip(names, grads)}


def hessian(ev: Evaluation, wrt: list[str] | None = None) -> dict[tuple[str, str], Tensor]:
    """d²y/dxi dxj for each pair of leaves: a block of shape (xi.shape + xj.shape)."""
    _need_scalar(ev)
    names = _select(ev, wrt)
    xs = [ev.leaves[n] for n in names]
    rows = sum(x.numel() for x in xs)
    if rows > MAX_DERIVATIVE_ROWS:
        raise OptionError(f"the Hessian over {rows:,} variables' elements needs {rows:,} backward passes "
                          f"(limit {MAX_DERIVATIVE_ROWS:,}): pick fewer with --wrt")
    if not ev.output.requires_grad:
        return {(a, b): gradcli.zeros(tuple(ev.leaves[a].shape) + tuple(ev.leaves[b].shape)) for a in names for b in names}
    firsts = gradcli.autograd.grad(ev.output, xs, create_graph=True, allow_unused=True)
    out: dict[tuple[str, str], Tensor] = {}
    for a, g in zip(names, firsts):
        rows = []
        flat = g.reshape(-1) if g is not None else None
        for i in range(ev.leaves[a].numel()):
            if flat is None or not flat.requires_grad:
                rows.append([None] * len(xs))
                continue
            rows.append(gradcli.autograd.grad(flat[i], xs, retain_graph=True, allow_unused=True))
        for j, b in enumerate(names):
            block = [r[j] if r[j] is not None else gradcli.zeros_like(ev.leaves[b]) for r in rows]
            out[(a, b)] = gradcli.stack([t.detach() for t in block]).reshape(
                tuple(ev.leaves[a].shape) + tuple(ev.leaves[b].shape))
    return out


def pure_derivatives(ev: Evaluation, order: int, wrt: list[str] | None = None) -> dict[str, Tensor]:
    """dⁿy/dxⁿ for each leaf x: a tensor of shape x.shape repeated n times (a number for a scalar x)."""
    _need_scalar(ev)
    if order < 1:
        raise OptionError("--order must be 1 or more")
    out = {}
    for name in _select(ev, wrt):
        x = ev.leaves[name]
        if x.numel() ** (order - 1) > MAX_DERIVATIVE_ROWS:
            raise OptionError(f"the order-{order} derivative for {name} ({x.numel()} elements) needs "
                              f"{x.numel() ** (order - 1):,} backward passes (limit {MAX_DERIVATIVE_ROWS:,}): "
                              "lower --order or use --wrt")
        current = [ev.output]  # the derivative so far, as a flat list of scalar tensors
        shape: tuple = ()
        for _ in range(order):
            nxt = []
            for c in current:
                if c is None or not c.requires_grad:
                    nxt.extend([None] * x.numel())
                    continue
                (g,) = gradcli.autograd.grad(c, [x], create_graph=True, allow_unused=True)
                nxt.extend(list(g.reshape(-1)) if g is not None else [None] * x.numel())
            current = nxt
            shape = shape + tuple(x.shape)
        values = [0.0 if c is None else c.item() for c in current]
        out[name] = gradcli.tensor(values).reshape(shape) if shape else gradcli.tensor(values[0])
    return out


@dataclass
class ReportHeader:
    """What every expression command's result opens with: the one-liner, its output and its variables."""

    expr: str
    output_name: str
    value: Tensor
    leaves: dict[str, Tensor]
    drawn: list[str]
    seed: int


def header(ev: Evaluation) -> dict:
    """The header fields of a result, from an evaluation (detached: a report holds no graph)."""
    return dict(expr=ev.expr, output_name=ev.output_name, value=ev.output.detach(),
                leaves={k: v.detach() for k, v in ev.leaves.items()}, drawn=ev.drawn, seed=ev.seed)


@dataclass
class GradReport(ReportHeader):
    """What `gradcli grad` shows: the value, first derivatives, and higher ones up to `order`."""

    order: int
    gradient: dict[str, Tensor]
    hessian: dict[tuple[str, str], Tensor] | None = None
    higher: dict[int, dict[str, Tensor]] | None = None  # order k >= 3 -> leaf -> d^k y / dx^k


def grad_report(expr: str, at: dict[str, str] | None = None, wrt: list[str] | None = None, order: int = 1,
                seed: int = 0, limits: Limits | None = None, stdout=None) -> GradReport:
    """Evaluate a one-liner and its derivatives up to `order` (1: gradient, 2: + Hessian, k: + pure k-th)."""
    if order < 1 or order > MAX_ORDER:
        raise OptionError(f"--order {order}: give an order from 1 to {MAX_ORDER}")
    return report_of(evaluate(expr, at, seed, limits, stdout=stdout), wrt, order)


def report_of(ev: Evaluation, wrt: list[str] | None = None, order: int = 1) -> GradReport:
    """The grad report of an evaluation already made (grad --formula reads formulas off the same one)."""
    if order < 1 or order > MAX_ORDER:
        raise OptionError(f"--order {order}: give an order from 1 to {MAX_ORDER}")
    report = GradReport(**header(ev), order=order,
                        gradient={k: v.detach() for k, v in first_derivatives(ev, wrt).items()})
    if order >= 2:
        report.hessian = hessian(ev, wrt)
    if order >= 3:
        report.higher = {k: pure_derivatives(ev, k, wrt) for k in range(3, order + 1)}
    return report
