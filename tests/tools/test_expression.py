"""One-liners as the CLI takes them: leaves from --at or the seed, outputs, derivatives of every order,
against torch (skipped without it) and against finite differences."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcli
from gradcli.tools.expression import (OptionError, evaluate, first_derivatives, grad_report, hessian, parse_at,
                                      pure_derivatives)


def test_seed_example():
    ev = evaluate("y=(x+w)*(w+1)", parse_at(["x=2", "w=1"]))
    assert (ev.output_name, ev.output.item(), list(ev.leaves)) == ("y", 6.0, ["x", "w"])
    g = first_derivatives(ev)
    assert (g["x"].item(), g["w"].item()) == (2.0, 5.0)
    assert type(ev.output.grad_fn).__name__ == "MulBackward0"


def test_trailing_expression_is_the_output_and_bare_functions_work():
    ev = evaluate("sum(tanh(A@x)**2)", parse_at(["A=eye(2)", "x=[1,2]"]))
    assert ev.output_name == "f" and type(ev.output.grad_fn).__name__ == "SumBackward0"
    expected = 2 * math.tanh(2) * (1 - math.tanh(2) ** 2)
    assert first_derivatives(ev)["x"][1].item() == pytest.approx(expected, rel=1e-6)


def test_unset_variables_are_drawn_from_the_seed_and_reported():
    a, b = evaluate("y = x * z", {"x": "3"}, seed=7), evaluate("y = x * z", {"x": "3"}, seed=7)
    assert a.drawn == ["z"] and a.leaves["z"].item() == b.leaves["z"].item()
    assert evaluate("y = x * z", {"x": "3"}, seed=8).leaves["z"].item() != a.leaves["z"].item()


@pytest.mark.parametrize("specs, words", [
    (["x"], "expected NAME=VALUE"), (["=2"], "expected NAME=VALUE"), (["x=1", "x=2"], "given twice"),
    (["x=nan"], "not finite"), (["x=[1, inf]"], "not finite"), (["q=1"], "has no variable 'q'"),
])
def test_bad_at_values_are_option_errors(specs, words):
    with pytest.raises(OptionError, match=words):
        evaluate("y = x * 2", parse_at(specs))


def test_non_scalar_output_says_how_to_reduce_it():
    ev = evaluate("y = x * 2", {"x": "[1, 2]"})
    with pytest.raises(gradcli.lang.GradError, match=r"use sum\(y\) or pick an element such as y\[0\]"):
        first_derivatives(ev)


def test_higher_orders_of_x_cubed():
    ev = evaluate("y = x**3", {"x": "3"})
    assert [pure_derivatives(ev, k)["x"].item() for k in (1, 2, 3, 4)] == [27.0, 18.0, 6.0, 0.0]
    r = grad_report("y = x**3", {"x": "3"}, order=3)
    assert r.hessian[("x", "x")].item() == 18.0 and r.higher[3]["x"].item() == 6.0


def test_hessian_against_torch():
    torch = pytest.importorskip("torch")
    expr = "y = sum(tanh(A@x)**2) + (x*x).sum() * w"
    ev = evaluate(expr, parse_at(["A=[[1.,2.],[0.5,-1.]]", "x=[0.3,-0.2]", "w=1.5"]))
    h = hessian(ev)

    def f(A, x, w):
        return (torch.tanh(A @ x) ** 2).sum() + (x * x).sum() * w

    inputs = (torch.tensor([[1., 2.], [0.5, -1.]]), torch.tensor([0.3, -0.2]), torch.tensor(1.5))
    ref = torch.autograd.functional.hessian(f, inputs)
    names = ["A", "x", "w"]
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            assert h[(a, b)].numpy() == pytest.approx(ref[i][j].numpy(), abs=1e-5), (a, b)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(0.2, 3.0),
       st.sampled_from(["y = x*w + sin(x)", "y = exp(-x) * w**2", "y = log(x + w) / w", "y = tanh(x*w) - x"]))
def test_first_derivatives_match_central_differences(x, w, expr):
    ev = evaluate(expr, {"x": repr(x), "w": repr(w)})
    g = first_derivatives(ev)

    def value(xv, wv):
        return evaluate(expr, {"x": repr(xv), "w": repr(wv)}).output.double().item()

    h = 1e-3
    num_x = (value(x + h, w) - value(x - h, w)) / (2 * h)
    num_w = (value(x, w + h) - value(x, w - h)) / (2 * h)
    assert g["x"].item() == pytest.approx(num_x, rel=2e-2, abs=2e-3)
    assert g["w"].item() == pytest.approx(num_w, rel=2e-2, abs=2e-3)
