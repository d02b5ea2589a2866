"""Which names of api_usage.tsv gradcli provides, and the share of call sites they make up.

    python tests/corpus/api_coverage.py             # the share, then the uncovered names by call sites
    python tests/corpus/api_coverage.py --rank F    # also write the ranked list with a covered mark to F

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
    kws = [(n, k, c, keyword_covered(n, k)) for n, k, c in read_keywords()]
    missing = [(n, k, c) for n, k, c, ok in kws if ok == "NO" and covered(n)]
    print("keywords gradcli's own functions refuse, by call sites:",
          ", ".join(f"{n}({k}=) {c}" for n, k, c in missing[: args.top]))
    if args.rank:
        lines = ["rank\tname\tkind\tcall_sites\tsources\tcovered"]
        lines += [f"{i}\t{n}\t{k}\t{s}\t{f}\t{'yes' if c else 'NO'}" for i, (n, k, s, f, c) in enumerate(marked, 1)]
        lines += ["", "# keyword arguments at those call sites: does gradcli's callable take them?",
                  "name\tkeyword\tcall_sites\tcovered"]
        lines += [f"{n}\t{k}\t{c}\t{ok}" for n, k, c, ok in kws]
        args.rank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
