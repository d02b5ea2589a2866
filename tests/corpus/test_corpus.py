"""Every corpus program prints what torch 2.13 printed (its .out/.err), run both as a .grad script and as
Python with `torch` resolved to gradcli; the known gaps are strict xfails listed in KNOWN_FAILURES.toml."""
import re
import tomllib
from pathlib import Path

import pytest

from . import harness

PROGRAMS = harness.programs()
MANIFEST = tomllib.loads((Path(__file__).parent / "KNOWN_FAILURES.toml").read_text(encoding="utf-8"))
MODES = ("grad", "python")


def _known(path: Path, mode: str) -> str | None:
    return MANIFEST.get(path.stem, {}).get(mode)


@pytest.fixture(scope="module")
def python_results():
    return harness.run_all_python(PROGRAMS)


def _run(path: Path, mode: str, python_results) -> None:
    result = harness.run_grad(path) if mode == "grad" else python_results[path]
    problem = harness.check(path, result)
    assert problem is None, problem


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_prints_what_torch_prints(path, mode, request):
    reason = _known(path, mode)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    results = request.getfixturevalue("python_results") if mode == "python" else None
    _run(path, mode, results)


def test_corpus_is_complete():
    """At least 80 programs, each with its golden output and a header naming the public material it mirrors."""
    assert len(PROGRAMS) >= 80
    for p in PROGRAMS:
        assert p.with_suffix(".out").exists(), f"{p.name}: no .out (run tests/corpus/make_expected.py)"
        head = p.read_text(encoding="utf-8").split("\n", 3)[:3]
        assert any(line.startswith("# mirrors:") for line in head), f"{p.name}: no `# mirrors:` header line"
        compare = [ln for ln in head if ln.startswith("# compare:")]
        assert all(re.match(r"# compare: numberwise [0-9.e-]+ \(.+\)$", ln) for ln in compare), \
            f"{p.name}: `# compare: numberwise TOL (why)` needs its tolerance and its reason"


def test_manifest_names_real_programs_and_modes():
    stems = {p.stem for p in PROGRAMS}
    for name, entry in MANIFEST.items():
        assert name in stems, f"KNOWN_FAILURES.toml: no program {name}"
        assert set(entry) <= set(MODES) and all(isinstance(v, str) and v for v in entry.values()), name


def test_numberwise_comparison():
    assert harness.numberwise_diff("loss 0.1234567\ntensor([1.0000, 2.5000])", "loss 0.1234568\ntensor([1.0000, 2.5000])", 1e-5) is None
    assert harness.numberwise_diff("loss 0.12", "loss 0.13", 1e-5) is not None
    assert harness.numberwise_diff("loss 0.12", "lost 0.12", 1e-5) is not None
    assert harness.numberwise_diff("tensor([ 1.5, 10.0])", "tensor([ 1.5, 10.00001])", 1e-5) is None
