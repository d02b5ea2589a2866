"""Golden tests: run `.grad` scripts and `.cmd` command lines, compare with `NAME.out`/`NAME.err`, update them.

    results = run_tests(["samples"], cli=invoke)    # invoke(args, cwd) -> Actual, for .cmd files
    summary(results)                                 # '40 passed, 0 failed'

Conventions (samples/README.md has the full text):
- `NAME.grad`: stdout with addresses masked, then, if it stops on an error, the first line of the error
  report (`NAME.grad:LINE:COL: Kind: message`); `NAME.err` holds the warning lines (source lines and torch's
  "Triggered internally" suffix dropped). Expected exit code: 1 iff `NAME.out` ends with such an error line.
- `NAME.cmd`: one line, the arguments after `gradcli`, run with the .cmd's directory as working directory;
  `NAME.out`/`NAME.err` are its stdout/stderr. Expected exit code 0.
- A line `# exit: N` (a .grad comment line, or the second line of a .cmd) overrides the expected exit code;
  `# skip: why` skips the test.
"""
from __future__ import annotations

import difflib
import fnmatch
import io
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from gradcli.errors import GradError

from .expression import OptionError

__all__ = ["Actual", "TestResult", "Expected", "find_tests", "run_grad", "run_test", "run_tests", "summary",
           "exit_code", "mask", "PROTECT_MARKER", "GoldenUsageError"]

# Files whose content would change from run to run or machine to machine, and what they become.
_MASKS = ((re.compile(r"0x[0-9a-f]+"), "0x…"),)
_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\.\)$")
_DIRECTIVE = re.compile(r"^#\s*(exit|skip):\s*(.*?)\s*$")
# A directory holding this file (or under one that does) has .grad goldens made by real torch
# (tests/golden/make_expected.py): `--update` leaves them alone unless forced.
PROTECT_MARKER = "GOLDENS_FROM_TORCH"
_SKIP_DIRS = ("__pycache__", "node_modules")


class GoldenUsageError(OptionError):
    """A path that cannot be tested (missing, not a .grad/.cmd file): the command line's usage error."""


@dataclass
class Actual:
    """What one run printed, its exit code, and the internal error (a bug, never blessed) if it crashed."""

    stdout: str
    stderr: str
    exit_code: int
    crash: str | None = None


@dataclass
class Expected:
    stdout: str | None  # None: NAME.out is missing
    stderr: str
    exit_code: int
    skip: str | None = None


@dataclass
class TestResult:
    """One test: `status` is passed, failed, skipped or updated (its goldens rewritten by --update)."""

    __test__ = False  # not a pytest test class, though its name starts with Test

    name: str
    kind: str  # grad | cmd
    status: str
    exit_code: int | None = None
    expected_exit_code: int | None = None
    message: str = ""  # why it failed (besides the diffs), or why it was skipped
    stdout_diff: str = ""
    stderr_diff: str = ""
    updated: list[str] = field(default_factory=list)  # file names rewritten by --update
    crash: str | None = None
    _path: Path | None = None


CliInvoker = Callable[[list, Path], Actual]


def mask(text: str) -> str:
    """Unstable text (object addresses) replaced by stable placeholders."""
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


# ---------------------------------------------------------------- discovery
def find_tests(paths: Iterable[str], pattern: str | None = None) -> list[tuple[str, Path]]:
    """(name, path) of every .grad/.cmd under paths, sorted, filtered by -k (substring, or glob if it has *?[)."""
    found: dict[Path, str] = {}
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                for f in sorted(files):
                    if f.endswith((".grad", ".cmd")):
                        full = Path(root) / f
                        found.setdefault(full.resolve(), full.as_posix())
        elif p.is_file():
            if p.suffix not in (".grad", ".cmd"):
                raise GoldenUsageError(f"{arg}: not a .grad or .cmd file")
            found.setdefault(p.resolve(), p.as_posix())
        elif p.exists():
            raise GoldenUsageError(f"{arg}: not a file or directory")
        else:
            raise GoldenUsageError(f"{arg}: no such file or directory")
    tests = sorted(((name, Path(name)) for name in found.values()), key=lambda t: t[0])
    if pattern:
        glob = any(c in pattern for c in "*?[")
        def selected(name: str, path: Path) -> bool:
            if glob:
                return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(path.name, pattern)
            return pattern in name
        tests = [(n, p) for n, p in tests if selected(n, p)]
    return tests


# ---------------------------------------------------------------- running
def run_grad(path: Path, limits=None) -> Actual:
    """Run a .grad as `gradcli run` would, in a fresh-process state; output normalised as the goldens hold it."""
    from gradcli.lang import run_file

    out, err = io.StringIO(), io.StringIO()
    code, crash = 0, None
    with _fresh_state():
        try:
            run_file(path, stdout=out, stderr=err, name=path.name, limits=limits)
        except GradError as e:
            out.write(e.format().split("\n", 1)[0] + "\n")
            code = 1
        except Exception as e:  # the runner turns every script error into a GradError: this is a bug
            crash, code = f"{type(e).__name__}: {e}", 1
    warnings = [_TRIGGERED.sub("", line) for line in err.getvalue().splitlines() if not line.startswith("  ")]
    return Actual(mask(out.getvalue()), mask("".join(w + "\n" for w in warnings)), code, crash)


class _fresh_state:
    """Tests share one process: start each from the random state and print options of a new process."""

    def __enter__(self):
        import gradcli.printing as printing
        from gradcli.autograd import creation
        from gradcli.autograd.random import Generator

        self._opts = dict(printing.get_printoptions())
        self._rng = creation.default_generator.get_state()
        creation.default_generator.set_state(Generator().get_state())

    def __exit__(self, *exc):
        import gradcli.printing as printing
        from gradcli.autograd import creation

        printing.set_printoptions(**self._opts)
        creation.default_generator.set_state(self._rng)
        return False


def read_cmd(path: Path) -> tuple[list[str], int | None]:
    """The arguments of a .cmd file and its `# exit: N` (None if absent)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise GradError(f"{path.name}: not UTF-8 text") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or lines[0].lstrip().startswith("#"):
        raise GradError(f"{path.name}: empty; the first line holds the arguments after `gradcli`")
    if len(lines) > 2 or (len(lines) == 2 and not _DIRECTIVE.match(lines[1].strip())):
        raise GradError(f"{path.name}: one line of arguments, then optionally `# exit: N`")
    try:
        args = shlex.split(lines[0])
    except ValueError as e:
        raise GradError(f"{path.name}: {e}") from None
    return args, _directives(lines[1:]).get("exit")


def _directives(lines: Iterable[str]) -> dict:
    out: dict = {}
    for line in lines:
        m = _DIRECTIVE.match(line.strip())
        if m:
            out.setdefault(m.group(1), m.group(2))
    if "exit" in out:
        if not out["exit"].isdigit():
            raise GradError(f"`# exit: {out['exit']}`: expected a number")
        out["exit"] = int(out["exit"])
    return out


def _error_line(name: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(name)}(:\d+:\d+)?: [A-Za-z_][\w.]*(: |$)")


def _golden_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # a failing test that says why, not a crash of the runner
        raise GradError(f"{file.name}: not UTF-8 text") from None


def expected_for(path: Path) -> Expected:
    """What a test should print and its exit code, from NAME.out/.err and the directives."""
    out_file, err_file = path.with_suffix(".out"), path.with_suffix(".err")
    stdout = _golden_text(out_file) if out_file.exists() else None
    stderr = _golden_text(err_file) if err_file.exists() else ""
    if path.suffix == ".cmd":
        _, exit_ = read_cmd(path)
        skip = _directives(path.read_text(encoding="utf-8").splitlines()).get("skip")
        return Expected(stdout, stderr, exit_ or 0, skip)
    text = path.read_bytes().decode("utf-8", "replace")
    found = _directives(ln for ln in text.splitlines() if ln.lstrip().startswith("#"))
    last = (stdout or "").rstrip("\n").rsplit("\n", 1)[-1]
    default = 1 if _error_line(path.name).match(last) else 0
    return Expected(stdout, stderr, found.get("exit", default), found.get("skip"))


def run_test(name: str, path: Path, cli: CliInvoker | None = None, update: bool = False,
             force: bool = False, limits=None) -> TestResult:
    """Run one test and compare; with update, rewrite the goldens that differ (never after a crash)."""
    kind = path.suffix[1:]
    try:
        expected = expected_for(path)
    except GradError as e:
        return TestResult(name, kind, "failed", message=e.message, _path=path)
    if expected.skip is not None:
        return TestResult(name, kind, "skipped", message=expected.skip, _path=path)
    if kind == "grad":
        actual = run_grad(path, limits)
    elif cli is None:
        return TestResult(name, kind, "failed", message="no command-line runner was given for .cmd tests")
    else:
        args, _ = read_cmd(path)
        with _fresh_state():  # `gradcli run x.grad` in a .cmd starts like a new process too
            actual = cli(args, path.parent)
    result = _compare(name, kind, path, expected, actual)
    if update and result.status == "failed" and not actual.crash:
        _update(result, path, expected, actual, force)
    return result


def _compare(name, kind, path, expected: Expected, actual: Actual) -> TestResult:
    r = TestResult(name, kind, "passed", actual.exit_code, expected.exit_code, crash=actual.crash, _path=path)
    problems = []
    if actual.crash:
        problems.append(f"crashed (a bug in gradcli, never blessed by --update): {actual.crash}")
    if expected.stdout is None:
        problems.append(f"no {path.with_suffix('.out').name}: run with --update to create it")
    if actual.stdout != expected.stdout:
        r.stdout_diff = diff(expected.stdout or "", actual.stdout, path.with_suffix(".out").name)
    if actual.stderr != expected.stderr:
        r.stderr_diff = diff(expected.stderr, actual.stderr, path.with_suffix(".err").name)
    if actual.exit_code != expected.exit_code:
        problems.append(f"exit code {actual.exit_code}, expected {expected.exit_code}")
    if problems or r.stdout_diff or r.stderr_diff:
        r.status, r.message = "failed", "; ".join(problems)
    return r


def diff(expected: str, actual: str, filename: str) -> str:
    """A unified diff, expected (the golden file) first; a missing final newline is shown, not hidden."""
    a, b = expected.splitlines(True), actual.splitlines(True)
    for lines in (a, b):
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n\\ No newline at end of file\n"
    return "".join(difflib.unified_diff(a, b, f"{filename} (expected)", f"{filename} (actual)"))


def _protected(path: Path) -> bool:
    return any((d / PROTECT_MARKER).exists() for d in (path.resolve().parent, *path.resolve().parents))


def _update(r: TestResult, path: Path, expected: Expected, actual: Actual, force: bool) -> None:
    if r.kind == "grad" and _protected(path) and not force:
        r.message = "; ".join(filter(None, [r.message, f"not updated: its goldens come from torch ({PROTECT_MARKER}; "
                                                          "use --force to overwrite)"]))
        return
    writes = {}
    if actual.stdout != expected.stdout:
        writes[path.with_suffix(".out")] = actual.stdout
    if actual.stderr != expected.stderr:
        writes[path.with_suffix(".err")] = actual.stderr or None  # an empty .err is no .err
    if actual.exit_code != expected.exit_code:
        if r.kind != "cmd":
            r.message = f"exit code {actual.exit_code}, expected {expected.exit_code}: --update does not edit scripts"
            return
        args = next(ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip())
        writes[path] = args + "\n" + (f"# exit: {actual.exit_code}\n" if actual.exit_code else "")
    for file, text in writes.items():
        if text is None:
            file.unlink(missing_ok=True)
        else:
            file.write_text(text, encoding="utf-8", newline="\n")
    r.status, r.message = "updated", ""
    r.updated = sorted(f.name for f in writes)
    r.stdout_diff = r.stderr_diff = ""


def run_tests(paths: Iterable[str], pattern: str | None = None, cli: CliInvoker | None = None,
              update: bool = False, force: bool = False,
              progress: Callable[[TestResult], None] | None = None, limits=None,
              isolate: bool = True) -> list[TestResult]:
    """Find and run the tests; `progress` is called after each one. With isolate (where fork exists) they
    run in worker processes under the process limits, so that one test cannot end or hang the run."""
    from gradcli.lang.limits import Limits

    from . import golden_pool

    tests = find_tests(paths, pattern)
    limits = limits or Limits()
    if isolate and tests and golden_pool.available():
        def one(name, path):
            return run_test(name, path, cli, update, force, limits)
        return golden_pool.run_isolated(tests, one, limits, progress=progress)
    results = []
    for name, path in tests:
        results.append(run_test(name, path, cli, update, force, limits))
        if progress:
            progress(results[-1])
    return results


def counts(results: list[TestResult]) -> dict[str, int]:
    c = {"passed": 0, "failed": 0, "skipped": 0, "updated": 0}
    for r in results:
        c[r.status] += 1
    return c


def summary(results: list[TestResult]) -> str:
    """`N passed, N failed`, then `, N skipped` / `, N updated` when there are any."""
    c = counts(results)
    text = f"{c['passed']} passed, {c['failed']} failed"
    return text + "".join(f", {c[k]} {k}" for k in ("skipped", "updated") if c[k])


def exit_code(results: list[TestResult]) -> int:
    """0 all passed (or were updated/skipped), 1 any failed, 5 no tests ran (pytest's code)."""
    if not results:
        return 5
    return 1 if any(r.status == "failed" for r in results) else 0
