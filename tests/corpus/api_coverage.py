"""Which names of api_usage.tsv gradcli provides, and the share of call sites they make up.

    python tests/corpus/api_coverage.py             # the share, then the uncovered names by call sites
    python tests/corpus/api_coverage.py --rank F    # also write the ranked list with a covered mark to F

A second figure: the share of call sites whose name a .grad script can reach (the sandbox allow-lists
modules and attributes), each name probed with a two-line script.

A name is covered when gradcli's Python API has it where torch has it: `torch.A.B` -> `gradcli.A.B`
(submodules imported as needed), `Tensor.X` -> an attribute of a gradcli tensor that requires grad and has a
grad_fn, `Module.X` / `Optimizer.X` -> of a `gradcli.nn.Linear` / `gradcli.optim.SGD`, `FunctionCtx.X` -> of
the ctx a custom Function's forward receives, `Node.X` -> of a grad_fn, `Function.apply` -> of a subclass of
`gradcli.autograd.Function`. Having the name is what is measured, not that every overload behaves like
torch's: the corpus programs check behaviour.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
TSV = HERE / "api_usage.tsv"


def read_usage(path: Path = TSV) -> list[tuple[str, str, int, int]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("name\t") or not line.strip():
            continue
        name, kind, sites, sources = line.split("\t")
        rows.append((name, kind, int(sites), int(sources)))
    return rows


@lru_cache(maxsize=None)
def _samples() -> dict:
    import gradcli
    from gradcli import autograd, nn, optim

    captured = {}

    class Probe(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            captured["ctx"] = ctx
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    leaf = gradcli.tensor([1.0, 2.0], requires_grad=True)
    out = Probe.apply(leaf)
    y = (leaf * 3).sum()
    lin = nn.Linear(2, 1)
    # nodes that save their input, their result, and another input (for `_saved_X` attributes)
    other = gradcli.tensor([3.0, 4.0], requires_grad=True)
    saving = [leaf.pow(2).grad_fn, leaf.exp().grad_fn, (leaf * other).grad_fn]
    # the Tensor probe is a leaf (reading .grad of a non-leaf warns, as torch does)
    return {"SavingNodes": saving, "Tensor": leaf, "Module": lin, "Optimizer": optim.SGD(lin.parameters(), lr=0.1),
            "FunctionCtx": captured["ctx"], "Node": y.grad_fn, "Function": Probe, "_out": out}


def _resolve_module_path(dotted: str):
    """gradcli's object for `torch.a.b.c`, or None."""
    parts = dotted.split(".")
    if parts[0] != "torch":
        return None
    parts[0] = "gradcli"
    obj = importlib.import_module("gradcli")
    for i, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module(".".join(parts[: i + 1]))
        except ImportError:
            return None
    return obj


def _resolve(name: str):
    head, _, attr = name.partition(".")
    if head in ("Tensor", "Module", "Optimizer", "FunctionCtx", "Node", "Function"):
        return getattr(_samples()[head], attr, None)
    return _resolve_module_path(name)


def keyword_covered(name: str, keyword: str) -> str:
    """'yes' if gradcli's callable for name takes keyword (or **kwargs: '?'), 'NO' otherwise."""
    import inspect

    obj = _resolve(name)
    if obj is None:
        return "NO"
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return "?"
    if keyword in params and params[keyword].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                                          inspect.Parameter.VAR_POSITIONAL):
        return "yes"
    return "?" if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()) else "NO"


def read_keywords(path: Path = HERE / "api_keywords.tsv") -> list[tuple[str, str, int]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("name\t") or not line.strip():
            continue
        name, kw, sites = line.split("\t")
        rows.append((name, kw, int(sites)))
    return rows


def covered(name: str) -> bool:
    head, _, attr = name.partition(".")
    if head == "Node" and attr.startswith(("_saved_", "_raw_saved_")):
        return any(hasattr(node, attr) for node in _samples()["SavingNodes"])
    if head in ("Tensor", "Module", "Optimizer", "FunctionCtx", "Node", "Function"):
        return hasattr(_samples()[head], attr)
    return _resolve_module_path(name) is not None


_GRAD_PROBES = {
    "Tensor": "t = torch.tensor([1.0, 2.0], requires_grad=True)\nv = t.{attr}",
    "Module": "m = torch.nn.Linear(2, 1)\nv = m.{attr}",
    "Optimizer": "m = torch.nn.Linear(2, 1)\no = torch.optim.SGD(m.parameters(), lr=0.1)\nv = o.{attr}",
    "Node": "t = torch.tensor([1.0, 2.0], requires_grad=True)\nfor n in [t.pow(2).grad_fn, t.exp().grad_fn, (t * t).grad_fn]:\n"
            "    try:\n        v = n.{attr}\n        break\n    except AttributeError:\n        pass\nv = n.{attr}",
    "FunctionCtx": ("class P(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
                    "        ctx.save_for_backward(x)\n        v = ctx.{attr}\n        return x * 2\n"
                    "    @staticmethod\n    def backward(ctx, g):\n        return g\n"
                    "P.apply(torch.tensor([1.0], requires_grad=True))"),
    "Function": "v = torch.autograd.Function.{attr}",
}


def grad_covered(name: str) -> bool:
    """Can a .grad script reach the name, the way tutorials write it? (`from torch.a import b` for names in
    submodules, `torch.x` otherwise; members through an object of the kind.)"""
    import io

    from gradcli.lang import run_source
    from gradcli.lang.errors import GradError

    head, _, attr = name.partition(".")
    if head in _GRAD_PROBES:
        body = _GRAD_PROBES[head].format(attr=attr)
    else:
        parts = name.split(".")
        body = (f"from {'.'.join(parts[:-1])} import {parts[-1]}" if len(parts) > 2
                else f"v = {name}")
    try:
        run_source("import torch\n" + body + "\n", "<probe>", stdout=io.StringIO(), stderr=io.StringIO())
    except GradError:
        return False
    return True


def grad_coverage(rows=None) -> tuple[float, list[tuple[str, int]]]:
    """The share of call sites whose name a .grad script can reach, and the names it cannot."""
    rows = read_usage() if rows is None else rows
    total = sum(s for _, _, s, _ in rows)
    missing = [(n, s) for n, _, s, _ in rows if not grad_covered(n)]
    return 1 - sum(s for _, s in missing) / total, missing


def coverage(rows=None) -> tuple[float, list[tuple[str, str, int, int, bool]]]:
    rows = read_usage() if rows is None else rows
    marked = [(n, k, s, f, covered(n)) for n, k, s, f in rows]
    total = sum(s for _, _, s, _, _ in marked)
    hit = sum(s for _, _, s, _, c in marked if c)
    return (hit / total if total else 1.0), marked


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rank", type=Path, help="write the ranked list with a covered column here")
    ap.add_argument("--top", type=int, default=30, help="how many uncovered names to show")
    args = ap.parse_args(argv)
    share, marked = coverage()
    total = sum(m[2] for m in marked)
    print(f"gradcli covers {share:.1%} of {total} call sites ({sum(m[4] for m in marked)} of {len(marked)} names)")
    print("uncovered, by call sites:")
    for name, kind, sites, files, ok in [m for m in marked if not m[4]][: args.top]:
        print(f"{sites:6d}  {kind:9s} {name}")
    gshare, gmissing = grad_coverage()
    print(f"as .grad scripts: {gshare:.1%} of call sites reachable; not reachable (sites): "
          + ", ".join(f"{n} {s}" for n, s in gmissing[: args.top]))
    kws = [(n, k, c, keyword_covered(n, k)) for n, k, c in read_keywords()]
    missing = [(n, k, c) for n, k, c, ok in kws if ok == "NO" and covered(n)]
    print("keywords gradcli's own functions refuse, by call sites:",
          ", ".join(f"{n}({k}=) {c}" for n, k, c in missing[: args.top]))
    if args.rank:
        unreachable = {n for n, _ in gmissing}
        lines = ["rank\tname\tkind\tcall_sites\tsources\tcovered\tin_grad_scripts"]
        lines += [f"{i}\t{n}\t{k}\t{s}\t{f}\t{'yes' if c else 'NO'}\t{'NO' if n in unreachable else 'yes'}"
                  for i, (n, k, s, f, c) in enumerate(marked, 1)]
        lines += ["", "# keyword arguments at those call sites: does gradcli's callable take them?",
                  "name\tkeyword\tcall_sites\tcovered"]
        lines += [f"{n}\t{k}\t{c}\t{ok}" for n, k, c, ok in kws]
        args.rank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
