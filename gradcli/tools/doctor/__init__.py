"""The autograd doctor: when a script's backward fails (or reads a non-leaf's .grad), say why in the
script's own lines, propose the smallest fix, and prove it by re-running the script with the fix applied.

    diagnosis = gradcli.doctor(source)           # or gradcli.doctor(pathlib.Path("train.grad"))
    if diagnosis:
        print("\\n".join(diagnosis.render()))   # why, the fix, and whether the fixed script then runs
        diagnosis.to_json()

The script's first run is the evidence: it runs again under the engine's recording hook (the engine pays
nothing for this when the doctor is not asked), then once per candidate fix, in the sandbox and with the
same limits, with its output captured. Nothing is written anywhere.
"""
from __future__ import annotations

import difflib
import os
import time
from pathlib import Path

from gradcli.errors import GradError
from gradcli.lang.runner import source_text

from . import edits as E
from . import kinds, record
from .edits import Tree
from .model import Diagnosis, Finding, Fix

__all__ = ["doctor", "diagnose", "attach", "attach_session", "applies", "after_run", "Diagnosis", "Finding", "Fix", "KINDS"]

MAX_FIXES = 4  # candidate fixes tried, each a re-run of the script
MIN_SECONDS, RUNS_BUDGET = 10.0, 6  # the doctor's time: at least 10 s, else six times the script's own run
MAX_ROUNDS = 3  # a fix that moves the same error to the next line (w -= ..., then b -= ...) is applied again
KINDS = ("inplace-modified", "freed-graph", "no-grad-fn", "non-scalar", "nonleaf-grad", "leaf-inplace",
         "view-leaf-inplace", "unused-input", "input-no-grad", "int-requires-grad", "hook-size",
         "nan-in-backward", "bad-grad-shape", "mark-dirty")


def doctor(script, filename: str | None = None, *, limits=None) -> Diagnosis | None:
    """Diagnose a .grad script given as source text, or as a path (`pathlib.Path` / os.PathLike): None when
    it runs to the end without an autograd error or warning the doctor knows."""
    if isinstance(script, os.PathLike):
        path = Path(script)
        return diagnose(path.read_bytes(), filename or str(path), limits=limits)
    return diagnose(script, filename or "<input>", limits=limits)


def diagnose(source: str | bytes, filename: str = "<input>", *, limits=None) -> Diagnosis | None:
    text = source_text(source)
    started = time.monotonic()
    run = record.run(text, filename, limits)
    # fixes are tried while the doctor has spent less than this: a long script is not re-run a dozen times
    budget = started + max(MIN_SECONDS, RUNS_BUDGET * (time.monotonic() - started))
    try:
        tree = Tree(text, filename)
    except GradError:
        return None
    finding = kinds.find(run, tree)
    if finding is None:
        return None
    message = run.error.message if run.error is not None else next(
        (m for _, _, m in run.warnings if m.startswith(kinds.NONLEAF_GRAD)), "")
    diagnosis = Diagnosis(finding.kind, message, finding.line, list(finding.why), list(finding.lines))
    _try_fixes(diagnosis, finding, text, filename, limits, budget)
    diagnosis.lines = sorted(set(diagnosis.lines))
    return diagnosis


def _try_fixes(diagnosis: Diagnosis, finding: Finding, text: str, filename: str, limits, budget: float) -> None:
    first_failure = None
    for fix in finding.fixes[:MAX_FIXES]:
        if not fix.mechanical:
            if diagnosis.fix is None:
                diagnosis.fix = fix.text
            continue
        if time.monotonic() > budget:
            if diagnosis.fix is None and first_failure is None:
                diagnosis.fix, diagnosis.mechanical = fix.text, True
                diagnosis.rerun = "not checked: re-running this script would take too long"
            break
        ok, note, fixed, more = _verify(E.apply(text, list(fix.edits)), filename, limits, finding, fix)
        if ok:
            diagnosis.fix = "; then ".join([fix.text] + more)
            diagnosis.mechanical, diagnosis.verified, diagnosis.rerun = True, True, note
            diagnosis.fixed_source, diagnosis.changed = fixed, _changed(text, fixed)
            if fix.why:
                diagnosis.why = [diagnosis.why[0]] + list(fix.why) + diagnosis.why[1:]
            diagnosis.lines = sorted(set(diagnosis.lines) | set(fix.lines))
            return
        if first_failure is None:
            first_failure = (fix, note, fixed)
    if first_failure is not None:
        fix, note, fixed = first_failure
        diagnosis.fix, diagnosis.mechanical, diagnosis.verified, diagnosis.rerun = fix.text, True, False, note
        diagnosis.fixed_source, diagnosis.changed = fixed, _changed(text, fixed)


def _verify(fixed: str, filename: str, limits, finding: Finding, fix: Fix):
    """Re-run with the fix; a fix that only moves the same error to another line is applied again there."""
    more: list[str] = []
    line = finding.line
    for _ in range(MAX_ROUNDS):
        rerun = record.run(fixed, filename, limits)
        if rerun.ok:
            problem = fix.check(rerun) if fix.check is not None else None
            if problem is None:
                return True, "gradcli re-ran the script with this fix: it runs to the end", fixed, more
            return False, f"gradcli re-ran the script with this fix: it runs, but {problem}", fixed, more
        try:
            again = kinds.find(rerun, Tree(fixed, filename))
        except GradError:
            again = None
        where = rerun.error.span.line if rerun.error.span is not None else 0
        if (again is None or again.kind != finding.kind or where == line or not again.fixes
                or not again.fixes[0].mechanical):
            return False, (f"gradcli re-ran the script with this fix: it then fails at line {where}: "
                           f"{rerun.error.message.split('. ')[0]}"), fixed, more
        line = where
        more.append(again.fixes[0].text)
        fixed = E.apply(fixed, list(again.fixes[0].edits))
    return False, "gradcli re-ran the script with this fix: the same error keeps moving on", fixed, more


def _changed(before: str, after: str) -> list:
    """The fix as a diff: per hunk, the removed lines (old numbering, new text None), then the added lines
    (new numbering, old text None)."""
    a, b = before.split("\n"), after.split("\n")
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            out += [(i + 1, a[i], None) for i in range(i1, i2)]
            out += [(j + 1, None, b[j]) for j in range(j1, j2)]
    return out




def applies(error: GradError) -> bool:
    """Whether the doctor has anything to say: a positioned RuntimeError (not syntax, limits or I/O)."""
    return error.kind == "RuntimeError" and error.span is not None


def attach(error: GradError, source: str | bytes, filename: str, *, limits=None) -> Diagnosis | None:
    """Diagnose a failed run and put the result on its error (`explanation` for text, `details` for
    --json); torch's message stays first and unchanged."""
    if not applies(error):
        return None
    diagnosis = diagnose(source, filename, limits=limits)
    if diagnosis is None or diagnosis.message != error.message:  # a different run (randomness): say nothing
        return None
    error.explanation = diagnosis.render() + ["(gradcli's autograd doctor; --no-doctor hides this)"]
    error.details = {"doctor": diagnosis.to_json()}
    return diagnosis


def attach_session(error: GradError, inputs: list[str], filename: str, what: str, *, limits=None) -> None:
    """`attach` for the REPL and notebook cells: the inputs that ran, then the failing one, re-run as one
    script. Never raises: the diagnosis is a bonus and must not replace the error it explains."""
    try:
        if attach(error, "\n".join(inputs), filename, limits=limits) is not None and len(inputs) > 1:
            error.explanation.insert(-1, f"(line numbers count over {what}, as one script)")
    except Exception:  # noqa: BLE001
        pass


def after_run(warnings: list, source: str | bytes, filename: str, *, limits=None) -> Diagnosis | None:
    """For a run that ended but warned that a non-leaf's .grad was read: the doctor's answer, or None."""
    if not any(m.startswith(kinds.NONLEAF_GRAD) for _, _, m in warnings):
        return None
    return diagnose(source, filename, limits=limits)
