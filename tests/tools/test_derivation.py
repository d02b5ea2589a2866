"""check_derivative on textbook exercises: right answers in other forms agree, planted slips are named."""
from __future__ import annotations

import pytest

import gradcli
from gradcli.errors import GradError, OptionError
from gradcli.tools.derivation import check_derivative, parse_expect

# (expression, point, {variable: a correct derivative written differently from the engine's formula})
CORRECT = [
    ("y=sin(x**2)", {"x": "1.5"}, {"x": "2*x*cos(x**2)"}),
    ("y=x*exp(x)", {"x": "0.7"}, {"x": "(1+x)*exp(x)"}),
    ("y=(x+1)/(x-1)", {"x": "3"}, {"x": "-2/(x-1)**2"}),
    ("y=log(1+x**2)", {"x": "0.5"}, {"x": "2*x/(1+x**2)"}),
    ("y=exp(-x**2/2)", {"x": "1.2"}, {"x": "-x*exp(-x**2/2)"}),
    ("y=1/(1+exp(-x))", {"x": "0.3"}, {"x": "exp(-x)/(1+exp(-x))**2"}),
    ("y=x**3*sin(x)", {"x": "1"}, {"x": "x**2*(3*sin(x)+x*cos(x))"}),
    ("y=tanh(3*x)", {"x": "0.2"}, {"x": "3*(1-tanh(3*x)**2)"}),
    ("y=sqrt(x**2+1)", {"x": "2"}, {"x": "x/sqrt(x**2+1)"}),
    ("y=cos(x)**2", {"x": "0.4"}, {"x": "-sin(2*x)"}),
    ("y=x/(x**2+1)", {"x": "1.3"}, {"x": "(1-x**2)/(x**2+1)**2"}),
    ("y=exp(sin(x))", {"x": "2"}, {"x": "cos(x)*exp(sin(x))"}),
    ("y=x*log(x)", {"x": "2.5"}, {"x": "log(x)+1"}),
    ("y=x**2*w+sin(w)", {"x": "1", "w": "2"}, {"x": "2*w*x", "w": "x*x+cos(w)"}),
    ("y=exp(x*w)/(1+w**2)", {"x": "0.5", "w": "0.8"},
     {"x": "w*exp(x*w)/(1+w**2)", "w": "exp(x*w)*(x*(1+w**2)-2*w)/(1+w**2)**2"}),
]

# (expression, point, variable, a wrong derivative, the slip's kind, a text the named term/factor holds)
PLANTED = [
    ("y=sin(x**2)", {"x": "1.5"}, "x", "cos(x**2)", "missing_factor", "2*x"),  # chain factor dropped
    ("y=exp(3*x)", {"x": "0.4"}, "x", "exp(3*x)", "missing_factor", "3"),
    ("y=log(1+x**2)", {"x": "0.5"}, "x", "-2*x/(1+x**2)", "sign", None),
    ("y=x*exp(x)", {"x": "0.7"}, "x", "exp(x)", "missing_path", "x"),  # product rule: one term only
    ("y=x*exp(x)", {"x": "0.7"}, "x", "x*exp(x)", "missing_path", "exp(x)"),
    ("y=x**3*sin(x)", {"x": "1"}, "x", "3*x**2*sin(x)", "missing_path", "cos(x)"),
    ("y=(x+1)/(x-1)", {"x": "3"}, "x", "((x-1)+(x+1))/(x-1)**2", "path_sign", "(x - 1)"),  # quotient rule
    ("y=x/(x**2+1)", {"x": "1.3"}, "x", "((x**2+1)+2*x*x)/(x**2+1)**2", "path_sign", "x**2"),
    ("y=cos(x)**2", {"x": "0.4"}, "x", "2*cos(x)*sin(x)", "sign", None),
    ("y=tanh(3*x)", {"x": "0.2"}, "x", "1-tanh(3*x)**2", "missing_factor", "3"),
    ("y=exp(-x**2/2)", {"x": "1.2"}, "x", "exp(-x**2/2)", "missing_factor", "2*x"),  # inner derivative
    ("y=sqrt(x**2+1)", {"x": "2"}, "x", "1/(2*sqrt(x**2+1))", "missing_factor", "2*x"),
    ("y=x**2*w+sin(w)", {"x": "1", "w": "2"}, "w", "x**2", "missing_path", "cos(w)"),
    ("y=x**2*w+sin(w)", {"x": "1", "w": "2"}, "x", "w*x", "constant_factor", "0.5"),  # 2 forgotten
    ("y=sin(x)*cos(x)", {"x": "0.3"}, "x", "cos(x)**2+sin(x)**2", "path_sign", "sin(x)"),
]


@pytest.mark.parametrize("expr,at,expect", CORRECT, ids=[c[0] + " " + ",".join(c[1]) for c in CORRECT])
def test_correct_derivatives_agree(expr, at, expect):
    r = check_derivative(expr, expect, at, seed=0)
    assert r.agrees, [(c.wrt, c.got, c.expected, c.worst) for c in r.checks]
    assert r.points == 20 and all(c.mistake is None for c in r.checks)


@pytest.mark.parametrize("expr,at,var,formula,kind,named", PLANTED,
                         ids=[f"{p[0]} d{p[2]}={p[3]}" for p in PLANTED])
def test_planted_mistakes_are_named(expr, at, var, formula, kind, named):
    r = check_derivative(expr, {var: formula}, at, seed=0)
    (c,) = r.checks
    assert not r.agrees and not c.agrees
    assert c.mistake.kind == kind, c.mistake
    if named is not None:
        assert named in c.mistake.factor, c.mistake
    # the corrected formula the check prints is the engine's, and it agrees
    assert check_derivative(expr, {var: c.correct}, at, seed=0).agrees


def test_same_seed_same_points_and_another_seed_other_points():
    a = check_derivative("y=sin(x**2)", {"x": "cos(x**2)"}, {"x": "1.5"}, seed=3)
    b = check_derivative("y=sin(x**2)", {"x": "cos(x**2)"}, {"x": "1.5"}, seed=3)
    c = check_derivative("y=sin(x**2)", {"x": "cos(x**2)"}, {"x": "1.5"}, seed=4)
    assert a.checks[0].worst == b.checks[0].worst
    assert a.checks[0].worst.at != c.checks[0].worst.at


def test_a_formula_right_only_at_the_point_is_caught():
    # d/dx x**2 at x=1 is 2, and so is 2*x**3 there; the nearby points tell them apart
    r = check_derivative("y=x**2", {"x": "2*x**3"}, {"x": "1"})
    assert r.checks[0].got == r.checks[0].expected == 2.0
    assert not r.agrees


def test_points_outside_the_domain_are_skipped_not_failed():
    r = check_derivative("y=log(x)", {"x": "1/x"}, {"x": "0.2"})
    assert r.agrees and 0 < r.points <= 20


def test_lazy_public_name_and_errors():
    assert gradcli.check_derivative is check_derivative
    with pytest.raises(OptionError) as e:
        check_derivative("y=sin(x)", {"x": "cos(x"}, {"x": "1"})
    assert e.value.span is not None and "--expect" in e.value.message
    with pytest.raises(GradError):
        check_derivative("y=sin(x)", {"z": "1"}, {"x": "1"})


def test_parse_expect_pairs_bare_formulas():
    assert parse_expect(["2*x"], None, ["x"]) == {"x": "2*x"}
    assert parse_expect(["1", "2"], ["w", "x"], ["x", "w"]) == {"w": "1", "x": "2"}
    assert parse_expect(["w=1", "x==1"], None, ["x", "w"]) == {"w": "1", "x": "x==1"}
    with pytest.raises(OptionError):
        parse_expect(["1"], None, ["x", "w"])  # which variable?
    with pytest.raises(OptionError):
        parse_expect(["1", "2"], None, ["x"])
    with pytest.raises(OptionError):
        parse_expect(["x=1", "x=2"], None, ["x"])


def test_a_missing_inner_derivative_is_named_as_one():
    r = check_derivative("y=exp(-x**2/2)", {"x": "exp(-x**2/2)"}, {"x": "1.2"})
    m = r.checks[0].mistake
    assert m.kind == "missing_factor" and "the inner derivative ∂c/∂x" in m.message and "c = -x**2/2" in m.path
