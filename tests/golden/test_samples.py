"""Every sample program, run by gradcli's interpreter, prints what torch 2.13 prints (its .out/.err files);
every samples/**/NAME.cmd command line prints its .out/.err.

The expected files of .grad programs come from CPython + real torch (`make_expected.py`); those of .cmd
files from gradcli (`gradcli test --update`). Running and comparing is gradcli.tools.golden's, the same
code as `gradcli test samples/`; a mismatch shows a unified diff.
"""
from pathlib import Path

import pytest

from gradcli.cli.commands.test import invoke_cli
from gradcli.tools.golden import run_grad, run_test

ROOT = Path(__file__).resolve().parents[2] / "samples"
SAMPLES = sorted(ROOT.rglob("*.grad"))
COMMANDS = sorted(ROOT.rglob("*.cmd"))

# Samples whose expected output needs something gradcli does not have yet; each names what (strict: a
# sample that starts passing must have its entry removed).
KNOWN_GAPS = {
}


def run_sample(path: Path) -> tuple[str, str]:
    """(stdout + the error header if it failed, warning header lines) as the golden files hold them."""
    actual = run_grad(path)
    return actual.stdout, actual.stderr


def _check(path: Path) -> None:
    r = run_test(path.name, path, cli=invoke_cli)
    assert r.status == "passed", "\n".join(filter(None, [r.message, r.stdout_diff, r.stderr_diff]))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_prints_what_torch_prints(path, request):
    if path.stem in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[path.stem], strict=True))
    _check(path)


@pytest.mark.parametrize("path", COMMANDS, ids=[p.name for p in COMMANDS])
def test_command_sample_prints_its_golden(path):
    _check(path)


def test_every_sample_has_its_expected_output():
    assert SAMPLES and COMMANDS, "no samples found"
    assert [p for p in SAMPLES + COMMANDS if not p.with_suffix(".out").exists()] == []
