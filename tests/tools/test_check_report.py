"""`check --report`: the worst Jacobian entry, the step-size sweep of it, and the float32/backward advice."""
import json
import math

from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.tools.check import check_expression, check_file
from gradcli.tools.check_report import STEPS
from pathlib import Path

SQUARES = Path(__file__).resolve().parents[2] / "samples" / "cli" / "square_functions.grad"
runner = CliRunner()

WRONG32 = """import torch

class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 2 * x ** 2

f = Cube.apply
inputs = (torch.tensor([0.5, 1.5], requires_grad=True),)
"""


def test_the_worst_entry_matches_a_hand_computation():
    # y = x**3 at x = [1, 2, 3]: dy_i/dx_i = 3 x_i^2, largest 27 at [2]; the float64 error there is the largest
    report = check_expression("y = x**3", {"x": "[1, 2, 3]"}, report=True)
    row, sw = report.rows[0], report.sweeps[0]
    assert row.worst_wrt == [2] and row.worst_of == [2]
    assert math.isclose(row.analytic, 27.0) and math.isclose(row.numeric, 27.0, rel_tol=1e-8)
    assert (sw.worst_wrt, sw.worst_of, sw.analytic) == ([2], [2], row.analytic)
    # central difference of x^3 at 3: exactly 27 + eps^2 (truncation), so at eps 1e-2 the error is 1e-4
    r2 = next(r for r in sw.rows if r.eps == 1e-2)
    assert math.isclose(r2.error64, 1e-4, rel_tol=1e-6)


def test_the_best_step_of_a_smooth_function_is_where_truncation_meets_rounding():
    sw = check_expression("y = sin(x)", {"x": "0.5"}, report=True).sweeps[0]
    assert [r.eps for r in sw.rows] == STEPS
    assert 1e-7 <= sw.best_eps64 <= 1e-4 and sw.best_error64 < 1e-9
    assert 1e-4 <= sw.best_eps32 <= 1e-2  # float32 rounding pushes its best step up
    # truncation side: error grows ~eps^2; rounding side: grows as eps shrinks
    err = {r.eps: r.error64 for r in sw.rows}
    assert err[1e-1] / err[1e-2] > 50 and err[1e-12] > 100 * sw.best_error64


def test_float32_advice_appears_for_float32_inputs_whose_float64_check_agrees():
    sw = check_expression("y = sin(x)", {"x": "0.5"}, report=True).sweeps[0]
    assert sw.dtype == "float32" and sw.verdict == "float32"
    assert "x is float32" in sw.advice[0] and "double()" in sw.advice[0]


def test_no_float32_advice_for_float64_inputs_and_none_when_the_backward_is_wrong():
    ok = check_file(SQUARES, report=True)  # float64 inputs, correct backward
    assert ok.ok and ok.sweeps[0].verdict == "ok" and ok.sweeps[0].advice == []
    bad = check_file(SQUARES, fn="SquareWrong.apply", report=True)
    sw = bad.sweeps[0]
    assert not bad.ok and sw.verdict == "backward"
    assert "float32" not in sw.advice[0] and "backward is wrong for df[2]/dinputs[0][2]" in sw.advice[0]


def test_float32_inputs_with_a_wrong_backward_blame_the_backward(tmp_path):
    p = tmp_path / "wrong32.grad"
    p.write_text(WRONG32)
    report = check_file(p, report=True)
    sw = report.sweeps[0]
    assert not report.ok and sw.dtype == "float32" and sw.verdict == "backward"
    assert "x is float32" not in " ".join(sw.advice) and "backward is wrong for df[1]/dinputs[0][1]" in sw.advice[0]


def test_cli_text_json_and_exit_codes():
    r = runner.invoke(app, ["check", "y = sin(x)", "--at", "x=0.5", "--report"])
    assert r.exit_code == 0 and "step sweep of dy/dx (given as float32)" in r.stdout
    assert "advice: x is float32" in r.stdout and all(len(ln) <= 80 for ln in r.stdout.splitlines())
    r = runner.invoke(app, ["check", "y = sin(x)", "--at", "x=0.5"])
    assert r.exit_code == 0 and "step sweep" not in r.stdout
    r = runner.invoke(app, ["--json", "check", str(SQUARES), "--fn", "SquareWrong.apply", "--report"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    sw = doc["result"]["sweeps"][0]
    assert sw["verdict"] == "backward" and len(sw["rows"]) == len(STEPS) and sw["worst_wrt"] == [2]


def test_order_2_and_overflow_report_without_errors():
    r = runner.invoke(app, ["check", "y = x*x*w + 3*w", "--at", "x=2", "--at", "w=3", "--order", "2", "--report"])
    assert r.exit_code == 0 and r.stdout.count("step sweep of") == 6
    # float32 exp(100) overflows: its errors are inf, written as the string "inf" in strict JSON
    r = runner.invoke(app, ["--json", "check", "y = exp(x)", "--at", "x=100", "--report"])
    assert r.exit_code == 0 and json.loads(r.stdout)["result"]["sweeps"][0]["rows"][0]["error32"] == "inf"
