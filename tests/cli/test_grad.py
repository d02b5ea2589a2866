"""`gradcli grad`: text and JSON output of values and derivatives, exit codes for bad input."""
import json

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_seed_example_text():
    r = invoke("grad", "y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1")
    assert r.exit_code == 0
    assert r.stdout == "y=(x+w)*(w+1)\n  x = 2.\n  w = 1.\ny = 6.\n\n∂y/∂x = 2.\n∂y/∂w = 5.\n"


def test_order_three():
    r = invoke("grad", "y = x**3", "--at", "x=3", "--order", "3")
    assert r.exit_code == 0
    assert "∂³y/∂x³ = 6." in r.stdout and "18." in r.stdout


def test_json_is_strict_and_complete():
    r = invoke("--json", "grad", "a=x*y; b=a+y; c=b**2", "--at", "x=1", "--at", "y=2", "--order", "2")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1 and doc["command"] == "grad"
    res = doc["result"]
    assert res["output_name"] == "c" and res["value"]["values"] == 16.0
    assert res["gradient"]["x"]["values"] == 16.0 and res["hessian"]["x,y"]["values"] == 16.0


def test_json_has_no_nan_literals():
    r = invoke("--json", "grad", "y = log(x)", "--at", "x=0")
    assert r.exit_code == 0 and "NaN" not in r.stdout and "Infinity" not in r.stdout
    assert json.loads(r.stdout)["result"]["value"]["values"] == "-inf"


def test_drawn_variables_are_shown_with_the_seed():
    r = invoke("grad", "y = x * w", "--at", "x=2", "--seed", "3")
    assert r.exit_code == 0 and "drawn with seed 3; set it with --at w=..." in r.stdout


@pytest.mark.parametrize("args, code, words", [
    (["grad", "y=(x"], 1, "expected ')' to close '('"),
    (["grad", "y = x*2", "--at", "x"], 2, "expected NAME=VALUE"),
    (["grad", "y = x*2", "--at", "z=1"], 2, "has no variable 'z'"),
    (["grad", "y = x*2", "--at", "x=nan"], 2, "not finite"),
    (["grad", "y = x*2", "--wrt", "q"], 2, "--wrt q"),
    (["grad", "y = x*2", "--at", "x=[1,2]"], 1, "use sum(y)"),
    (["grad", "y = undefined_fn(x)"], 1, "unknown function 'undefined_fn'"),
    (["grad", "y = x", "--order", "9"], 2, "--order"),
])
def test_bad_input_is_one_clear_error(args, code, words):
    r = invoke(*args)
    assert r.exit_code == code, r.output
    assert words in r.stderr and "Traceback" not in r.stderr


# --expect: a derivative worked out by hand, checked against autograd

def test_expect_agrees_exit_0():
    r = invoke("grad", "y=sin(x**2)", "--at", "x=1.5", "--expect", "2*x*cos(x**2)")
    assert r.exit_code == 0, r.output
    assert "∂y/∂x = 2*x*cos(x**2)   agrees at the point and 20 seeded points near it (seed 0)" in r.stdout


def test_expect_disagrees_exit_1_names_the_missing_factor_and_the_correct_formula():
    r = invoke("grad", "y=sin(x**2)", "--at", "x=1.5", "--expect", "cos(x**2)")
    assert r.exit_code == 1
    assert "DISAGREES" in r.stdout and "mistake: a factor is missing in the chain y → a → x (a = x**2): 2*x" in r.stdout
    assert "correct: ∂y/∂x = cos(x**2)*(2*x)" in r.stdout


def test_expect_json_shape():
    r = invoke("--json", "grad", "y=x*exp(x)+w", "--at", "x=1", "--at", "w=2", "--expect", "exp(x)",
               "--expect", "w=1", "--wrt", "x,w")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    res = doc["result"]
    assert doc["ok"] is True and res["agrees"] is False and res["points"] == 20
    x, w = res["checks"]
    assert (x["wrt"], x["agrees"], x["mistake"]["kind"]) == ("x", False, "missing_path")
    assert (w["wrt"], w["agrees"], w["mistake"]) == ("w", True, None)
    assert set(x) == {"wrt", "formula", "correct", "expected", "got", "agrees", "worst", "mistake"}
    assert set(x["worst"]) == {"at", "expected", "got"}


@pytest.mark.parametrize("args", [
    ["--expect", "cos(x"],  # a syntax error in the formula
    ["--expect", "z=1"],  # no such variable
    ["--expect", "1", "--expect", "2"],  # more formulas than variables
    ["--expect", "cos(x)", "--order", "2"],
])
def test_expect_malformed_exit_2(args):
    r = invoke("grad", "y=sin(x)", "--at", "x=1", *args)
    assert r.exit_code == 2, r.output


def test_expect_syntax_error_points_into_the_formula():
    r = invoke("grad", "y=sin(x)", "--at", "x=1", "--expect", "cos(x")
    assert "--expect x:1:6:" in r.stderr and "cos(x\n     ^" in r.stderr
