"""`gradcli check`: gradcheck/gradgradcheck tables for one-liners and .grad functions; exit 1 on mismatch."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.tools.check import check_expression, check_file

runner = CliRunner()
SQUARES = Path(__file__).resolve().parents[2] / "samples" / "cli" / "square_functions.grad"

FUNCTIONS = """import torch

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * {backward}

x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
f = lambda x, w: Exp.apply(x) * w
inputs = (x, w)
"""


def invoke(*args):
    return runner.invoke(app, list(args))


def script(tmp_path, backward="y"):
    p = tmp_path / "exp.grad"
    p.write_text(FUNCTIONS.format(backward=backward))
    return p


def test_a_correct_expression_passes_with_one_row_per_input():
    r = invoke("check", "y = x*x*w", "--at", "x=2", "--at", "w=3")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "gradcheck of y = x*x*w"
    assert [ln.split()[:2] for ln in lines if ln.startswith("y ")] == [["y", "x"], ["y", "w"]]
    assert lines[-1] == "2 of 2 Jacobians match"


def test_the_report_agrees_with_the_derivatives():
    report = check_expression("y = sin(x) * w", {"x": "0.5", "w": "[1, 2]"})
    assert report.ok and [r.wrt for r in report.rows] == ["x", "w"]
    assert all(r.max_abs_error < 1e-8 for r in report.rows)
    assert report.inputs["x"].dtype.name == "float64"


def test_constants_and_random_draws_inside_the_expression_are_stable():
    report = check_expression("y = sum(randn(3) * x * tensor([1., 2., 3.]))", {"x": "1.5"})
    assert report.ok and report.rows[0].max_abs_error < 1e-8


def test_a_wrong_custom_function_fails_with_exit_1(tmp_path):
    r = invoke("check", str(script(tmp_path, backward="2 * y")))
    assert r.exit_code == 1
    assert "MISMATCH" in r.stdout and r.stdout.splitlines()[-1] == "1 of 2 Jacobians differ from finite differences"
    assert r.stderr.startswith("error: gradcheck failed: df/dinputs[0] max abs error")


def test_a_correct_custom_function_passes_at_order_1_and_2(tmp_path):
    p = script(tmp_path)
    assert invoke("check", str(p)).exit_code == 0
    r = invoke("check", str(p), "--order", "2")
    assert r.exit_code == 0 and "gradgradcheck of exp.grad: f(inputs)" in r.stdout


def test_order_2_catches_a_backward_that_is_not_differentiable(tmp_path):
    p = script(tmp_path, backward="y.detach()")
    assert invoke("check", str(p)).exit_code == 0
    report = check_file(p, order=2)
    assert not report.ok and [r.wrt for r in report.rows if not r.ok] == ["inputs[0]"]


def test_fn_and_inputs_options_name_rows_after_a_literal_tuple(tmp_path):
    report = check_file(script(tmp_path), fn="Exp.apply", inputs="(x,)")
    assert [r.wrt for r in report.rows] == ["x"]
    report = check_file(script(tmp_path), inputs="(x, w)")
    assert [r.wrt for r in report.rows] == ["x", "w"] and report.ok


def test_the_shipped_sample_tells_the_two_squares_apart():
    assert invoke("check", str(SQUARES), "--fn", "Square.apply").exit_code == 0
    assert invoke("check", str(SQUARES), "--fn", "SquareWrong.apply").exit_code == 1


def test_torch_gives_the_same_verdicts(tmp_path):
    torch = pytest.importorskip("torch")

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * 2 * y

    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(Exp.apply, (x,), raise_exception=False) is False
    assert check_file(script(tmp_path, backward="2 * y"), fn="Exp.apply", inputs="x").ok is False


def test_json_document(tmp_path):
    r = invoke("--json", "check", str(script(tmp_path, backward="2 * y")))
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["command"] == "check" and doc["result"]["ok"] is False
    rows = doc["result"]["rows"]
    assert [(row["wrt"], row["ok"]) for row in rows] == [("inputs[0]", False), ("inputs[1]", True)]


def test_wrt_limits_the_rows():
    r = invoke("check", "y = x*w", "--at", "x=1", "--at", "w=2", "--wrt", "w")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "1 of 1 Jacobians match"


@pytest.mark.parametrize("args, code, message", [
    (["missing.grad"], 1, "cannot read missing.grad"),
    (["."], 1, "it is a directory"),
    ([""], 1, "error"),
    (["y = x*x", "--at", "q=1"], 2, "has no variable 'q'"),
    (["y = x*x", "--wrt", "q"], 2, "not a variable"),
    (["y = x*x", "--order", "3"], 2, ""),
    (["y = x*x", "--eps", "0"], 2, "--eps"),
    (["y = (x"], 1, "error"),
])
def test_bad_input_is_one_clear_error(args, code, message):
    r = invoke("check", *args)
    assert r.exit_code == code and message in r.stderr and "Traceback" not in r.stderr


def test_script_problems(tmp_path):
    p = script(tmp_path)
    r = invoke("check", str(p), "--fn", "g")
    assert r.exit_code == 1 and "name 'g' is not defined" in r.stderr
    r = invoke("check", str(p), "--fn", "x")
    assert r.exit_code == 1 and "not a function" in r.stderr
    r = invoke("check", str(p), "--at", "x=1")
    assert r.exit_code == 2
    garbage = tmp_path / "g.grad"
    garbage.write_bytes(b"\x00\xff\xfe")
    r = invoke("check", str(garbage))
    assert r.exit_code == 1 and "not valid UTF-8" in r.stderr


def test_an_error_in_backward_points_at_its_line(tmp_path):
    r = invoke("check", str(script(tmp_path, backward="undefined_name")))
    first, *rest = r.stderr.splitlines()
    assert r.exit_code == 1 and first.endswith("exp.grad:13:20: NameError: name 'undefined_name' is not defined")
    assert rest == ["        return g * undefined_name", "                   ^~~~~~~~~~~~~~"]
    assert "NameError: name 'undefined_name' is not defined" in r.stderr.splitlines()[0]


def test_help_has_examples():
    r = invoke("check", "--help")
    assert r.exit_code == 0 and 'gradcli check "y = x*x*w" --at x=2 --at w=3' in r.stdout


def test_the_help_examples_run(monkeypatch):
    import shlex

    from gradcli.cli.commands.check import EXAMPLES
    monkeypatch.chdir(SQUARES.parents[2])
    lines = [ln.strip() for ln in EXAMPLES.splitlines() if ln.strip().startswith("gradcli check")]
    assert len(lines) == 5
    for line in lines:
        r = invoke(*shlex.split(line)[1:])
        assert r.exit_code == (1 if "Wrong" in line else 0), (line, r.stderr)
        assert r.stdout.splitlines()[-1].endswith("finite differences" if "Wrong" in line else "match")
