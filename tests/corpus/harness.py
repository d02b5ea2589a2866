"""Run the corpus programs both ways (as .grad scripts, and as Python with `torch` resolved to gradcli) and compare.

Mode "grad": gradcli's interpreter runs the file as a .grad script (gradcli.tools.golden.run_grad, the same
code as `gradcli test`). Mode "python": CPython runs the file with a `sys.meta_path` finder that answers
`import torch`, `torch.nn`, `torch.nn.functional`, `torch.autograd(.function|.functional)`, `torch.optim`,
... with gradcli's modules; all programs run in one worker process (`python harness.py --worker`), each in a
fresh namespace from a fresh gradcli state, and each result is one JSON line, so a program that crashes the
worker loses only itself (the parent restarts the worker after it).

Comparison: exact by default (the .out/.err torch 2.13 wrote). A header line
`# compare: numberwise TOL (why)` compares number by number instead: the text with every number replaced
by a placeholder (and runs of spaces squeezed, since column widths follow the digits) must be equal, and
each pair of numbers must agree within TOL, relative or absolute.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROGRAMS = HERE / "programs"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")
COMPARE = re.compile(r"^#\s*compare:\s*numberwise\s+([0-9.eE+-]+)", re.M)


def programs() -> list[Path]:
    return sorted(PROGRAMS.glob("*.py"))


def tolerance(path: Path) -> float | None:
    """The numberwise tolerance a program's header declares, or None (exact)."""
    m = COMPARE.search(path.read_text(encoding="utf-8"))
    return float(m.group(1)) if m else None


def expected(path: Path) -> tuple[str, str]:
    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    return (out.read_text(encoding="utf-8") if out.exists() else "",
            err.read_text(encoding="utf-8") if err.exists() else "")


def numberwise_diff(want: str, have: str, tol: float) -> str | None:
    """None if the texts agree number by number within tol; else what differs first."""
    def shape(text):
        return re.sub(r" +", " ", NUMBER.sub("#", text))
    if shape(want) != shape(have):
        for i, (a, b) in enumerate(zip(want.splitlines(), have.splitlines())):
            if shape(a) != shape(b):
                return f"line {i + 1}: text differs:\n  expected {a!r}\n  actual   {b!r}"
        return "the number of lines differs"
    for a, b in zip(NUMBER.findall(want), NUMBER.findall(have)):
        x, y = float(a), float(b)
        if not (math.isclose(x, y, rel_tol=tol, abs_tol=tol) or (math.isnan(x) and math.isnan(y))):
            return f"{a} vs {b} (tolerance {tol})"
    return None


# ---------------------------------------------------------------- mode "python": torch -> gradcli
class _Alias(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        self.own = (self.module.__spec__, self.module.__loader__)
        return self.module

    def exec_module(self, module):
        # the import system stamped torch's spec on gradcli's module: put gradcli's back, or its own relative
        # imports would warn (__package__ != __spec__.parent)
        module.__spec__, module.__loader__ = self.own


class TorchIsGradcli(importlib.abc.MetaPathFinder):
    """`import torch.X.Y` gives gradcli.X.Y (an ImportError when gradcli has no such module)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        target_name = "gradcli" + fullname[len("torch"):]
        try:
            module = importlib.import_module(target_name)
        except ImportError:
            raise ModuleNotFoundError(f"No module named '{fullname}' (gradcli has no {target_name})",
                                      name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _Alias(module))


def install_shim() -> None:
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, TorchIsGradcli())


def run_python(path: Path) -> dict:
    """One program under CPython with the shim, from a fresh gradcli state; output as the goldens hold it."""
    import warnings

    from gradcli.autograd import grad_mode
    from gradcli.autograd.dtypes import set_default_dtype, float32
    from gradcli.tools.golden import _fresh_state, mask

    sys.path.insert(0, str(ROOT / "tests" / "golden"))
    try:
        from make_expected import run_one
    finally:
        sys.path.pop(0)
    with _fresh_state(), warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        try:
            result = run_one(path)
        finally:
            set_default_dtype(float32)
            grad_mode.set_grad_enabled(True)
    return {"stdout": mask(result["stdout"]), "stderr": mask(result["stderr"])}


def worker(paths: list[str]) -> None:
    install_shim()
    real_stdout = sys.stdout
    for p in paths:
        try:
            res = run_python(Path(p))
        except BaseException as e:  # the runner itself broke on this program: report, go on
            res = {"stdout": "", "stderr": "", "crash": f"{type(e).__name__}: {e}"}
        res["path"] = p
        real_stdout.write(json.dumps(res) + "\n")
        real_stdout.flush()


def run_all_python(paths: list[Path], timeout_s: float = 300) -> dict[Path, dict]:
    """Every program in mode "python", in worker subprocesses; a program that kills its worker is a crash."""
    results: dict[Path, dict] = {}
    todo = list(paths)
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    while todo:
        try:
            proc = subprocess.run([sys.executable, str(Path(__file__)), "--worker", *map(str, todo)],
                                  capture_output=True, text=True, encoding="utf-8", env=env, cwd=str(PROGRAMS),
                                  timeout=timeout_s)
            out, err = proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = "timed out"
        for line in out.splitlines():
            res = json.loads(line)
            results[Path(res.pop("path"))] = res
        done = set(results)
        rest = [p for p in todo if p not in done]
        if rest:  # the first one not reported killed the worker
            results[rest[0]] = {"stdout": "", "stderr": "", "crash": f"the worker died: {err[-2000:]}"}
            rest = rest[1:]
        todo = rest
    return results


def run_grad(path: Path) -> dict:
    from gradcli.tools.golden import run_grad as golden_run_grad

    actual = golden_run_grad(path)
    return {"stdout": actual.stdout, "stderr": actual.stderr, "crash": actual.crash}


def check(path: Path, result: dict) -> str | None:
    """None if the result matches the program's golden output; else what differs."""
    from gradcli.tools.golden import diff

    if result.get("crash"):
        return f"crashed: {result['crash']}"
    want_out, want_err = expected(path)
    tol = tolerance(path)
    problems = []
    for what, want, have in (("stdout", want_out, result["stdout"]), ("stderr", want_err, result["stderr"])):
        if tol is None:
            if want != have:
                problems.append(diff(want, have, path.with_suffix(".out" if what == "stdout" else ".err").name))
        else:
            d = numberwise_diff(want, have, tol)
            if d:
                problems.append(f"{what}: {d}")
    return "\n".join(problems) or None


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        with contextlib.redirect_stderr(io.StringIO()):
            worker(sys.argv[2:])
