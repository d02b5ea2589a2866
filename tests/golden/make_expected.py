"""Regenerate (or, with --check, verify) the expected output of every .grad sample by running it under
real CPython with torch 2.13.

Layout (see also tests/golden/README.md and samples/tutorials/README.md):

    samples/<topic>/NAME.grad   the program (a Python subset; `import torch` is real torch here)
    samples/<topic>/NAME.out    what it prints on stdout; if it stops on an uncaught exception, one
                                last line `NAME.grad:LINE:COL: Kind: message`
    samples/<topic>/NAME.err    only when non-empty: its warnings, one per line,
                                `NAME.grad:LINE: Category: message`

Each sample runs in its own fresh interpreter (a subprocess of this script), so torch's global state
(random generator, warning registries, grad mode) starts as in a new `python NAME.grad`; torch runs
with one intra-op thread (OMP_NUM_THREADS=1) so that float reductions do not depend on the machine. The source is
compiled with the file's bare name as filename and executed in a fresh namespace whose __name__ is
"__main__"; stdout and stderr are captured; object addresses (`0x[0-9a-f]+`) become `0x…`.

Error line: LINE and COL locate the expression that raised in the innermost frame of the script itself
(not in torch's own Python code): CPython's position table (`co_positions`) for the instruction the
frame was executing. That is the call that raised, e.g. `w.add_(1)`, or, when the exception comes from
inside a library call such as `gradcheck(...)`, the script's call of that function. COL is 1-based and
counted in characters. The message is `str(exception)`.

Warning lines: LINE is the script line that triggered the warning (the innermost script frame when the
warning is attributed to a library file). torch's C++ warnings end with " (Triggered internally at
<path of torch's build>:<line>.)"; that suffix names torch's build tree, not the program, and is
dropped. Python's default warning filters apply (a warning repeated on the same line shows once).

Usage:
    python tests/golden/make_expected.py            # rewrite all .out/.err files
    python tests/golden/make_expected.py --check    # compare only; exit 1 and show a diff on difference
    python tests/golden/make_expected.py samples/tutorials/seed000_1_gradient_basics.grad ...
"""
from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ADDRESS = re.compile(r"0x[0-9a-f]+")
TRIGGERED = re.compile(r" \(Triggered internally at [^\n]*?\)$", re.M)
TIMEOUT_S = 300


# ---------------------------------------------------------------- child: run one program
def _script_position(tb, name: str, source_lines: list[str]) -> tuple[int, int]:
    """(line, 1-based character column) of the innermost traceback entry that is in the script."""
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            found = tb
        tb = tb.tb_next
    if found is None:
        return 0, 0
    positions = list(found.tb_frame.f_code.co_positions())
    line, _end_line, col, _end_col = positions[found.tb_lasti // 2]
    if line is None:
        return found.tb_lineno, 1
    if col is None:
        return line, 1
    text = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
    # co_positions counts UTF-8 bytes; the convention counts characters.
    chars = len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
    return line, chars + 1


def _innermost_script_line(name: str) -> int | None:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == name:
            return frame.f_lineno
        frame = frame.f_back
    return None


def run_one(path: Path) -> dict:
    import contextlib
    import warnings

    name = path.name
    source = path.read_text(encoding="utf-8")
    source_lines = source.splitlines()
    out, err = io.StringIO(), io.StringIO()

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if filename != name:
            lineno = _innermost_script_line(name) or lineno
        text = TRIGGERED.sub("", str(message))
        err.write(f"{name}:{lineno}: {category.__name__}: {text}\n")

    warnings.showwarning = showwarning
    code = compile(source, name, "exec")
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(code, namespace)
        except Exception as exc:  # an uncaught error ends the program: report it like the interpreter
            line, col = _script_position(exc.__traceback__, name, source_lines)
            print(f"{name}:{line}:{col}: {type(exc).__name__}: {exc}")
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "seconds": time.perf_counter() - start}


# ---------------------------------------------------------------- parent: drive, mask, write/compare
def mask(text: str) -> str:
    return ADDRESS.sub("0x…", text)


def run_in_subprocess(path: Path) -> dict:
    # One intra-op thread: float reductions then split the same way on every machine (determinism), and
    # a loaded machine does not make torch's worker threads spin against each other.
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--run-one", str(path)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=str(path.parent),
        timeout=TIMEOUT_S,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{path}: the runner itself failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def expected_files(path: Path, result: dict) -> dict[Path, str | None]:
    """The files a sample should have: .out always, .err only when there is something on stderr."""
    err = mask(result["stderr"])
    return {path.with_suffix(".out"): mask(result["stdout"]), path.with_suffix(".err"): err or None}


def _show(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help=".grad files (default: every one under samples/)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_one is not None:
        result = run_one(args.run_one.resolve())
        sys.__stdout__.write(json.dumps(result))
        return 0

    paths = sorted(p.resolve() for p in (args.paths or SAMPLES.rglob("*.grad")))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run_in_subprocess, paths))

    failed = 0
    for path, result in zip(paths, results):
        slow = f"  (slow: {result['seconds']:.1f} s)" if result["seconds"] > 5 else ""
        for target, want in expected_files(path, result).items():
            have = target.read_text(encoding="utf-8") if target.exists() else None
            if have == want:
                continue
            if args.check:
                failed += 1
                diff = difflib.unified_diff(
                    (have or "").splitlines(keepends=True), (want or "").splitlines(keepends=True),
                    fromfile=f"{target.name} (stored)", tofile=f"{target.name} (torch {_torch_version()})")
                sys.stdout.write(f"DIFFERS: {_show(target)}\n" + "".join(diff) + "\n")
            elif want is None:
                target.unlink()
                print(f"removed {_show(target)}")
            else:
                target.write_text(want, encoding="utf-8")
                print(f"wrote {_show(target)}")
        if slow:
            print(f"{_show(path)}{slow}")
    if args.check:
        print(f"{len(paths)} samples checked, {failed} file(s) differ")
        return 1 if failed else 0
    return 0


def _torch_version() -> str:
    import torch
    return torch.__version__


if __name__ == "__main__":
    sys.exit(main())
