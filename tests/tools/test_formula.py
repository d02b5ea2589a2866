"""Derivative formulas: each printed formula, evaluated with the leaves' values, gives the gradient."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.lang.errors import GradLimitError
from gradcli.lang.runner import run_source
from gradcli.tools.expression import OptionError, _namespace
from gradcli.tools.formula import check_formula, formula_report
from gradcli.tools.formula_text import number_text


def test_the_seed_example():
    r = formula_report("y=(x+w)*(w+1)", {"x": "2", "w": "1"}, ["w"])
    (d,) = r.derivatives
    assert (d.formula, d.value.item(), d.checked) == ("(w + 1) + (x + w)", 5.0, True)
    assert r.formula == "(x + w)*(w + 1)"


@pytest.mark.parametrize("expr, wrt, formula", [
    ("y=x**2", "x", "2*x"),
    ("y=3*x + 2", "x", "3"),
    ("y=x", "x", "1"),
    ("y=x*w", "x", "w"),
    ("y=-x*w", "x", "-w"),
    ("y=1 - x*x", "x", "-x - x"),
    ("y=tanh(x*w)", "x", "(1 - tanh(x*w)**2)*w"),
    ("y=log(x)*sin(x)", "x", "sin(x)/x + log(x)*cos(x)"),
    ("y=x**w", "w", "x**w*log(x)"),
    ("y=exp(w) + 0*x", "x", "0"),
])
def test_simplified_formulas(expr, wrt, formula):
    at = {"x": "1.5", "w": "0.5"} if "w" in expr else {"x": "1.5"}
    d = formula_report(expr, at, [wrt]).derivatives[0]
    assert d.formula == formula and d.evaluable
    assert d.checked


def test_higher_orders_are_formulas_too():
    r = formula_report("y=x**3", {"x": "2"}, order=3)
    assert [d.order for d in r.derivatives] == [1, 2, 3]
    assert [d.value.item() for d in r.derivatives] == [12.0, 12.0, 6.0]
    assert all(d.checked for d in r.derivatives)


def test_broadcast_constants_keep_their_shape():
    r = formula_report("y=sum(x*w + x)", {"x": "[1.,2.,3.]", "w": "2"})
    by = {d.wrt: d for d in r.derivatives}
    assert by["x"].formula == "tensor([1., 1., 1.])*w + 1" and by["x"].checked
    assert by["w"].formula == "sum(x)" and by["w"].checked


def test_a_node_without_a_template_is_marked_not_evaluable():
    r = formula_report("y=sum(softmax(x, 0)*w)", {"x": "[1.,2.]", "w": "[3.,4.]"}, ["x"])
    d = r.derivatives[0]
    assert not d.evaluable and not d.checked and "Backward" in d.formula


def test_check_formula_rejects_a_false_formula():
    import gradcli
    leaves = {"x": gradcli.tensor(2.0)}
    assert check_formula("x*x", leaves, gradcli.tensor(4.0))
    assert not check_formula("x*x + 1", leaves, gradcli.tensor(4.0))
    assert not check_formula("x*(", leaves, gradcli.tensor(4.0))


def test_too_long_a_formula_is_a_limit_error():
    expr = "a0=x*x; " + "; ".join(f"a{i}=a{i - 1}*a{i - 1}" for i in range(1, 14)) + "; y=a13"
    with pytest.raises(GradLimitError, match="longer than"):
        formula_report(expr, {"x": "1"})


def test_bad_order_and_vector_higher_orders_are_option_errors():
    with pytest.raises(OptionError):
        formula_report("y=x", {"x": "1"}, order=0)
    with pytest.raises(OptionError, match="one-number"):
        formula_report("y=sum(x*x)", {"x": "[1., 2.]"}, order=2)


@pytest.mark.parametrize("v", [0.1, 1.0, -2.5, 1e-8, 3e20, 0.0, 123456.79])
def test_number_text_reads_back_as_the_same_float32(v):
    assert np.float32(float(number_text(np.float32(v)))) == np.float32(v)


# ---- the property: every printed formula is true ---------------------------------------------------------
UNARY = ["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt"]


def _positive(e):
    # log and sqrt get an argument that stays positive: (e)**2 + 0.5
    return f"(({e})**2 + 0.5)"


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "w", "x", "w", "2", "0.5", "3"]))
    kind = draw(st.sampled_from(["+", "-", "*", "/", "**", "fn", "neg"]))
    a = draw(expressions(depth=depth - 1))
    if kind == "fn":
        fn = draw(st.sampled_from(UNARY))
        return f"{fn}({_positive(a) if fn in ('log', 'sqrt') else a})"
    if kind == "neg":
        return f"-({a})"
    if kind == "**":
        return f"({_positive(a)})**{draw(st.sampled_from(['2', '3', '0.5', '-1', 'w']))}"
    b = draw(expressions(depth=depth - 1))
    if kind == "/":
        return f"({a})/{_positive(b)}"
    return f"({a}){kind}({b})"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.floats(0.2, 2.0), st.floats(0.2, 2.0), st.integers(1, 2))
def test_every_printed_formula_evaluates_to_the_gradient(expr, x, w, order):
    try:
        r = formula_report(f"y = {expr} + 0*x + 0*w", {"x": repr(x), "w": repr(w)}, order=order)
    except GradLimitError:
        return  # a formula too long to print is refused, not printed
    for d in r.derivatives:
        value = d.value.item()
        if not math.isfinite(value):
            continue
        assert d.evaluable, (expr, d.formula)
        # evaluated independently here, not only through the report's own check
        assert check_formula(d.formula, r.leaves, d.value), (expr, d.wrt, d.order, d.formula, value)
        assert d.checked


def test_the_recorder_restores_the_profiler_even_on_errors():
    import sys

    from gradcli.lang.errors import GradError

    def mine(frame, event, arg):
        return None

    sys.setprofile(mine)
    try:
        with pytest.raises(GradError):
            formula_report("y=(x", {})
        formula_report("y=x*x", {"x": "2"})
        assert sys.getprofile() is mine
    finally:
        sys.setprofile(None)


# ---- the property: a printed derivative line reads cleanly, and its value is the formula's -------------
@st.composite
def signed_expressions(draw, depth=3):
    """expressions() plus negative constants and negations in every position: where `--` could appear."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "w", "-x", "2", "-2", "-0.5", "3"]))
    kind = draw(st.sampled_from(["+", "-", "*", "/", "neg", "fn", "-*"]))
    a = draw(signed_expressions(depth=depth - 1))
    if kind == "fn":
        return f"{draw(st.sampled_from(['exp', 'tanh', 'sin']))}({a})"
    if kind == "neg":
        return f"-({a})"
    b = draw(signed_expressions(depth=depth - 1))
    if kind == "/":
        return f"({a})/{_positive(b)}"
    if kind == "-*":
        return f"-2*({a})*({b})"
    return f"({a}){kind}({b})"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signed_expressions(), st.floats(0.2, 2.0), st.floats(-2.0, -0.2), st.integers(1, 3))
def test_printed_derivatives_have_no_double_signs_and_show_their_value(expr, x, w, order):
    from gradcli.cli.renderers.diff import formula_line
    from gradcli.lang.parser import parse_expr

    try:
        r = formula_report(f"y = {expr} + 0*x + 0*w", {"x": repr(x), "w": repr(w)}, order=order)
    except GradLimitError:
        return
    for d in [*r.derivatives, None]:
        text = r.formula if d is None else d.formula
        for bad in ("--", "+-", "+ -", "- -"):
            assert bad not in text, (expr, text)
        parse_expr(text, "<formula>")  # reads back as a one-liner
        if d is None or not math.isfinite(d.value.item()):
            continue
        line = formula_line("y", d)
        assert "--" not in line and "+ -" not in line and "- -" not in line, line
        printed = float(line.split(" = ")[-1].split("   ")[0])
        got = float(run_source(d.formula, "<formula>", expr=True,
                               variables={**_namespace(), **{n: t.detach() for n, t in r.leaves.items()}}).value)
        # torch's print format: 4 decimals, or 4 after the point of the mantissa in scientific notation
        assert abs(printed - got) <= 5e-5 + 1e-4 * abs(got), (expr, line, got)


def test_grad_with_formulas_evaluates_the_expression_once():
    import io

    from gradcli.tools.formula import grad_with_formulas
    out = io.StringIO()
    r = grad_with_formulas("print('ran'); y=(x+w)*(w+1)", {"x": "2", "w": "1"}, stdout=out)
    assert out.getvalue() == "ran\n"
    assert r.formulas["w"].formula == "(w + 1) + (x + w)" and r.formulas["w"].checked
    assert float(r.gradient["w"]) == 5.0


def test_grad_with_formulas_runs_under_the_commands_limits():
    from gradcli.errors import GradLimitError
    from gradcli.lang.runner import Limits
    from gradcli.tools.formula import grad_with_formulas
    with pytest.raises(GradLimitError):
        grad_with_formulas("y=x*x", {"x": "[1.,2.,3.]"}, limits=Limits(max_tensor_elements=2))
