"""`gradcli run`: a script's output on stdout, its errors as file:line:col on stderr, exit codes, limit flags."""
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

runner = CliRunner()


def invoke(*args, input=None):
    return runner.invoke(app, ["run", *args], input=input)


def test_runs_a_file(tmp_path):
    script = tmp_path / "s.grad"
    script.write_text("import torch\nx = torch.tensor(3., requires_grad=True)\n(x * x).backward()\nprint(x.grad)\n")
    r = invoke(str(script))
    assert (r.exit_code, r.stdout) == (0, "tensor(6.)\n")


def test_reads_standard_input():
    r = invoke("-", input="print(1 + 1)\n")
    assert (r.exit_code, r.stdout) == (0, "2\n")


@pytest.mark.parametrize("source, first_line", [
    ("import torch\nw = torch.ones(1, requires_grad=True)\nw.add_(1)\n",
     "<stdin>:3:1: RuntimeError: a leaf Variable that requires grad is being used in an in-place operation."),
    ("x = (1,\n", "<stdin>:1:8: error: expected ')' to close '(' opened at line 1, column 5"),
    ("\xff\xfe", "<stdin>:1:1: error: source is not valid UTF-8"),
    ("while True:\n    pass\n", "<stdin>:1:1: error: loops ran more than 100 iterations"),
])
def test_errors_go_to_stderr_with_a_position_and_exit_1(source, first_line):
    r = runner.invoke(app, ["run", "-", "--max-loop-iterations", "100"],
                      input=source.encode("latin-1") if "\xff" in source else source)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0].startswith(first_line)


@pytest.mark.parametrize("path", ["/nonexistent/x.grad", "."])
def test_unreadable_paths(path):
    r = invoke(path)
    assert r.exit_code == 1 and "cannot read" in r.stderr and "Traceback" not in r.stderr


def test_bad_flag_value_is_a_usage_error():
    r = invoke("-", "--max-steps", "0", input="pass\n")
    assert r.exit_code == 2


def test_output_printed_before_an_error_is_kept():
    r = invoke("-", input="print('before')\nraise ValueError('boom')\n")
    assert r.exit_code == 1 and r.stdout == "before\n"
    assert r.stderr.startswith("<stdin>:2:1: ValueError: boom")


def test_detect_anomaly_points_at_the_forward_line():
    src = ("import torch\nx = torch.tensor([-1.], requires_grad=True)\ny = torch.sqrt(x)\ny.backward()\n")
    r = invoke("-", "--detect-anomaly", input=src)
    assert r.exit_code == 1
    assert "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output." in r.stderr


def test_console_script_entry_point():
    r = subprocess.run([sys.executable, "-m", "gradcli", "run", "-"], input="print(2 ** 10)\n",
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, "1024\n")
