"""`%load_ext gradcli` in an IPython shell: `%%grad` prints what `gradcli run` prints and keeps names across
cells, `%grad` prints what `gradcli grad` prints, errors are positioned messages, `gradcli.show` displays."""
import io

import pytest

pytest.importorskip("IPython")

from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import gradcli  # noqa: E402
from gradcli.cli.app import app  # noqa: E402
from gradcli.lang import run_source  # noqa: E402
from gradcli.notebook.magics import parse_line  # noqa: E402

PROGRAM = """import torch
torch.manual_seed(3)
w = torch.randn(3, requires_grad=True)
x = torch.tensor([1.0, -2.0, 0.5])
loss = torch.sigmoid(w @ x) ** 2
loss.backward()
print(w.grad)
print(loss.grad_fn.name(), [type(f).__name__ for f, _ in loss.grad_fn.next_functions])
"""


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "gradcli")
    yield ip
    ip.run_line_magic("unload_ext", "gradcli")


def cell(ip, source, line=""):
    with capture_output() as out:
        ip.run_cell_magic("grad", line, source)
    return out


def test_a_cell_prints_what_gradcli_run_prints(shell):
    expected = io.StringIO()
    run_source(PROGRAM, "<cell>", stdout=expected)
    out = cell(shell, PROGRAM)
    assert out.stdout == expected.getvalue() and out.stderr == ""
    assert "tensor([" in out.stdout and "PowBackward0 ['SigmoidBackward0']" in out.stdout


def test_cells_share_one_session_until_reset(shell):
    cell(shell, "import torch\nk = torch.tensor(3.0, requires_grad=True)\n(k * k).backward()")
    assert cell(shell, "print(k.grad)").stdout == "tensor(6.)\n"
    out = cell(shell, "print(k.grad)", line="--reset")
    assert out.stdout == "" and "NameError: name 'k' is not defined" in out.stderr
    with pytest.raises(UsageError, match="--reset"):
        shell.run_cell_magic("grad", "--fast", "print(1)")


def test_script_names_stay_out_of_python_and_back(shell):
    shell.user_ns.pop("secret", None)
    cell(shell, "secret = 42")
    assert "secret" not in shell.user_ns
    shell.user_ns["outside"] = 7
    assert "NameError" in cell(shell, "print(outside)").stderr


def test_a_mistake_is_a_positioned_message_not_a_traceback(shell):
    out = cell(shell, "import torch\nx = torch.ones(2)\ny = x @ torch.ones(3)\nprint('never')")
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert lines[0].startswith("<cell>:3:5: RuntimeError: ") and lines[1] == "y = x @ torch.ones(3)"
    assert lines[2].startswith("    ^") and "Traceback" not in out.stderr
    syntax = cell(shell, "print((1)")
    assert syntax.stderr.startswith("<cell>:1:") and "Traceback" not in syntax.stderr


def test_a_failed_backward_gets_the_doctor_over_the_cells_so_far(shell):
    cell(shell, "import torch\na = torch.tensor([1.0, 2.0], requires_grad=True)", line="--reset")
    cell(shell, "b = a.sigmoid()\nc = b * 2")
    out = cell(shell, "b.add_(1)\nc.sum().backward()")
    first = out.stderr.splitlines()[0]
    assert first.startswith("<cell>:2:1: RuntimeError: one of the variables needed for gradient computation")
    assert "doctor: `b` was changed in place after SigmoidBackward0 saved it" in out.stderr
    assert "b = b.add(1)" in out.stderr and "checked: gradcli re-ran the script with this fix" in out.stderr
    assert "count over this kernel's %%grad cells" in out.stderr and "Traceback" not in out.stderr


def test_the_sandbox_holds_in_a_cell(shell):
    out = cell(shell, "import os\nprint(os.getcwd())")
    assert out.stdout == "" and out.stderr.startswith("<cell>:1:")


def test_limits_hold_in_a_cell(shell):
    out = cell(shell, "while True:\n    pass")
    assert out.stderr.startswith("<cell>:1:1: error: loops ran more than 5,000,000 iterations")


@pytest.mark.parametrize("args", [
    ["y=(x+w)*(w+1)", "--at", "x=2", "--at", "w=1"],
    ["a=x*y; b=a+y; c=b**2", "--at", "x=1", "--at", "y=2", "--order", "2"],
    ["y = x**3", "--at", "x=3", "--order", "3"],
    ["sum(tanh(A@x)**2)", "--at", "A=randn(2,2)", "--at", "x=[1,2]", "--wrt", "x"],
    ["y = x*z", "--seed", "5"],
])
def test_grad_line_prints_what_gradcli_grad_prints(shell, args):
    cli = CliRunner().invoke(app, ["grad", *args])
    assert cli.exit_code == 0
    line = " ".join(f'"{a}"' if " " in a or ";" in a or "(" in a else a for a in args)
    with capture_output() as out:
        result = shell.run_line_magic("grad", line)
    assert repr(result) == cli.stdout.rstrip("\n") and out.stderr == ""
    assert result._repr_html_().startswith("<pre>")


def test_grad_line_numbers_match_torch(shell):
    torch = pytest.importorskip("torch")
    result = shell.run_line_magic("grad", '"y=sin(x*w)+w**2" --at x=0.5 --at w=2 --wrt w')
    x = torch.tensor(0.5, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    (torch.sin(x * w) + w ** 2).backward()
    assert list(result.report.gradient) == ["w"]
    assert float(result.report.gradient["w"]) == pytest.approx(float(w.grad), abs=1e-6)


def test_grad_line_errors(shell):
    with capture_output() as out:
        assert shell.run_line_magic("grad", '"y=(x+" --at x=1') is None
    assert out.stderr.startswith("<expr>:1:") and "Traceback" not in out.stderr
    with capture_output() as out:
        assert shell.run_line_magic("grad", '"y=x*x" --at x=1 --order 9') is None
    assert out.stderr.startswith("error: --order 9")
    for bad in ('"y=x*x" --at', '"y=x*x" --order two', '"y=x*x" --colour', '"y=x*x', ""):
        with pytest.raises(UsageError, match="%grad"):
            shell.run_line_magic("grad", bad)


def test_parse_line_reads_the_command_lines_options():
    a = parse_line("'y = x*w' --at x=1 --at 'w=[1, 2]' --wrt w --order 2 --seed 7")
    assert (a.expr, a.at, a.wrt, a.order, a.seed) == ("y = x*w", ["x=1", "w=[1, 2]"], "w", 2, 7)


def test_show_displays_an_iframe_in_the_shell(shell):
    x = gradcli.tensor(2.0, requires_grad=True)
    y = x * x + x
    with capture_output() as out:
        assert gradcli.show(y) is None
    [shown] = out.outputs
    assert shown.data["text/html"].startswith("<iframe srcdoc=")


def test_leaves_are_named_after_the_shells_variables(shell):
    from gradcli.notebook import display
    shell.user_ns["lr"] = lr = gradcli.tensor(0.1, requires_grad=True)
    y = lr * 3
    assert "lr  AccumulateGrad" in display.draw_svg(y.grad_fn, display._user_names())
