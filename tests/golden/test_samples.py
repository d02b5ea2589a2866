"""Every sample program, run by gradcli's interpreter, prints what torch 2.13 prints (its .out/.err files).

The expected files come from CPython + real torch (`make_expected.py`); a mismatch shows a unified diff.
"""
import difflib
import io
import re
from pathlib import Path

import pytest

from gradcli.lang import GradError, run_file

ROOT = Path(__file__).resolve().parents[2] / "samples"
SAMPLES = sorted(ROOT.rglob("*.grad"))
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\.\)$")

# Samples whose expected output needs something gradcli does not have yet; each names what (strict: a
# sample that starts passing must have its entry removed).
KNOWN_GAPS = {
}


def run_sample(path: Path) -> tuple[str, str]:
    """(stdout + the error header if it failed, warning header lines) as the golden files hold them."""
    out, err = io.StringIO(), io.StringIO()
    try:
        run_file(path, stdout=out, stderr=err, name=path.name)
    except GradError as e:
        out.write(e.format().split("\n", 1)[0] + "\n")
    warnings = [_TRIGGERED.sub("", line) for line in err.getvalue().splitlines() if not line.startswith("  ")]
    return _ADDRESS.sub("0x…", out.getvalue()), "".join(w + "\n" for w in warnings)


def _diff(expected: str, actual: str, name: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        f"{name} (torch 2.13)", f"{name} (gradcli)"))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_prints_what_torch_prints(path, request):
    if path.stem in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[path.stem], strict=True))
    out, err = run_sample(path)
    expected_out = path.with_suffix(".out").read_text(encoding="utf-8")
    err_file = path.with_suffix(".err")
    expected_err = err_file.read_text(encoding="utf-8") if err_file.exists() else ""
    assert out == expected_out, _diff(expected_out, out, path.name + " stdout")
    assert err == expected_err, _diff(expected_err, err, path.name + " stderr")


def test_every_sample_has_its_expected_output():
    assert SAMPLES, "no samples found"
    assert [p for p in SAMPLES if not p.with_suffix(".out").exists()] == []
