"""The doctor's catalogue: one real failing script per autograd error kind (in the shape people post them),
checked four ways: torch 2.13 fails on it with the same message; the doctor names the kind, the lines and
the fix; every mechanical fix is applied and the fixed script runs to the end, under gradcli and under
torch; and `gradcli run` prints torch's message first, then the doctor (not with --no-doctor)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import gradcli
from gradcli.lang import run_source
from gradcli.tools import doctor as doctor_mod

HERE = Path(__file__).parent / "catalogue"
ROOT = Path(__file__).resolve().parents[2]
EXPECTED = tomllib.loads((HERE / "expected.toml").read_text())
SCRIPTS = sorted(HERE.glob("*.grad"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_catalogue_has_one_script_per_kind_and_at_least_twelve():
    assert len(SCRIPTS) >= 12
    assert {p.stem for p in SCRIPTS} == set(EXPECTED)
    kinds = {e["kind"] for e in EXPECTED.values()}
    assert len(kinds) >= 12
    assert kinds <= set(doctor_mod.KINDS)


@pytest.fixture(scope="module")
def diagnoses():
    return {p.stem: gradcli.doctor(p) for p in SCRIPTS}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_the_doctor_names_the_kind_lines_and_fix(path, diagnoses):
    want, got = EXPECTED[path.stem], diagnoses[path.stem]
    assert got is not None
    assert got.kind == want["kind"]
    assert got.message.startswith(want["message"])
    assert got.lines == want["lines"]
    if want["verified"] == "none":
        assert not got.mechanical and got.verified is None
        assert got.fix.startswith(want["fix"])
    else:
        assert got.verified is want["verified"] and got.mechanical
        assert want["fixed_line"] in [line.strip() for line in got.fixed_source.split("\n")]
        assert got.rerun.endswith("it runs to the end")
    text = "\n".join(got.render())
    assert text.startswith("doctor: ") and "fix: " in text
    for n in got.lines:  # every line named is quoted with its source
        assert f"line {n:>3}  " in text or f"line {n}" in text


@pytest.mark.parametrize("path", [p for p in SCRIPTS if EXPECTED[p.stem]["verified"] is True], ids=lambda p: p.stem)
def test_each_mechanical_fix_makes_the_script_run_under_gradcli(path, diagnoses):
    fixed = diagnoses[path.stem].fixed_source
    run_source(fixed, path.name, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # raises if it fails


def _python(source: str, tmp_path: Path, name: str):
    script = tmp_path / name
    script.write_text(source)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_torch_fails_on_the_script_with_the_same_message(path, diagnoses, tmp_path):
    pytest.importorskip("torch")
    r = _python(path.read_text(), tmp_path, path.stem + ".py")
    message = diagnoses[path.stem].message
    if EXPECTED[path.stem]["kind"] == "nonleaf-grad":
        assert r.returncode == 0 and message.split(" (Triggered")[0] in r.stderr
    else:
        assert r.returncode == 1 and f"RuntimeError: {message}" in r.stderr, r.stderr[-500:]


@pytest.mark.parametrize("path", [p for p in SCRIPTS if EXPECTED[p.stem]["verified"] is True], ids=lambda p: p.stem)
def test_each_mechanical_fix_makes_the_script_run_under_torch(path, diagnoses, tmp_path):
    pytest.importorskip("torch")
    r = _python(diagnoses[path.stem].fixed_source, tmp_path, path.stem + "_fixed.py")
    assert r.returncode == 0, r.stderr[-500:]
    if EXPECTED[path.stem]["kind"] == "nonleaf-grad":
        assert "not a leaf Tensor" not in r.stderr


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, env=ENV,
                          timeout=120)


@pytest.mark.parametrize("name", ["01_inplace_after_sigmoid", "06_hidden_state_loop", "19_hook_changes_shape"])
def test_run_prints_torchs_message_first_then_the_doctor(name, diagnoses):
    path = HERE / f"{name}.grad"
    r = _cli("run", str(path))
    assert r.returncode == 1
    head, _, rest = r.stderr.partition("\n\ndoctor: ")
    assert head.split("\n")[0].endswith(f"RuntimeError: {diagnoses[name].message}")
    assert "\n".join(diagnoses[name].render()[1:]) in rest
    assert rest.rstrip().endswith("--no-doctor hides this)")
    plain = _cli("run", str(path), "--no-doctor")
    assert plain.returncode == 1 and "doctor:" not in plain.stderr and plain.stderr == head + "\n"


def test_run_json_carries_the_diagnosis(diagnoses):
    r = _cli("--json", "run", str(HERE / "05_backward_twice.grad"))
    doc = json.loads(r.stdout)
    assert doc["exit_code"] == 1 and doc["error"]["kind"] == "RuntimeError"
    assert doc["error"]["doctor"] == diagnoses["05_backward_twice"].to_json()


def test_a_warning_gets_its_diagnosis_after_the_run(diagnoses):
    r = _cli("run", str(HERE / "13_nonleaf_grad.grad"))
    assert r.returncode == 0 and r.stdout == "tensor(36.)\nNone\n"
    assert "doctor: `b` is not a leaf" in r.stderr and "b.retain_grad()" in r.stderr


def test_detect_anomaly_names_the_forward_line():
    r = _cli("run", "--detect-anomaly", "--no-doctor", str(HERE / "01_inplace_after_sigmoid.grad"))
    lines = r.stderr.split("\n")
    assert lines[0].endswith(":10: UserWarning: Error detected in SigmoidBackward0. Traceback of forward call "
                             "that caused the error:")
    assert lines[1] == f'  File "{HERE / "01_inplace_after_sigmoid.grad"}", line 7, in <module>'
    assert lines[2] == "    b = a.sigmoid()"
    assert "Good luck!" in r.stderr  # torch's hint under anomaly mode


def test_repl_diagnoses_over_the_session():
    source = (HERE / "01_inplace_after_sigmoid.grad").read_text()
    r = subprocess.run([sys.executable, "-m", "gradcli", "repl"], input=source, capture_output=True, text=True,
                       env=ENV, timeout=120)
    assert r.returncode == 1
    assert "doctor: `b` was changed in place" in r.stderr and "b = b.add(1)" in r.stderr
    assert "count over this session's inputs" in r.stderr


def test_a_script_that_runs_has_no_diagnosis():
    assert gradcli.doctor("import torch\nx = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n") is None
    assert gradcli.doctor("x = 1 +\n") is None  # not an autograd problem: the syntax error is the answer


def test_the_doctor_never_advises_requires_grad_on_a_computed_loss(diagnoses):
    for d in diagnoses.values():
        for _, before, after in d.changed:
            if after is not None and "requires_grad" in after and (before is None or "requires_grad" not in before):
                assert "loss" not in after.split("=")[0]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_the_doctor_survives_every_one_line_deletion(path):
    """Half-edited scripts (any one line gone) get a diagnosis or None, never an exception."""
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        mutated = "\n".join(lines[:i] + lines[i + 1:])
        d = gradcli.doctor(mutated, path.name)
        if d is not None:
            assert d.kind in doctor_mod.KINDS and d.why and d.render()[0].startswith("doctor: ")
