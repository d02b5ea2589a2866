"""Count the torch API names that beginners' public material calls, by call site, into api_usage.tsv.

This is a developer tool: it reads local snapshots of the public material and real torch 2.13 (to tell a
tensor method from `list.append`), and is not run by the tests; the tests read the .tsv it writes.

    python tests/corpus/count_api.py                  # rewrite tests/corpus/api_usage.tsv
    python tests/corpus/count_api.py --print 30       # and show the top 30

What is counted, and how (the heuristics are part of the facts; the .tsv header repeats them):
- Python code only: d2l's markdown code blocks whose tab list names pytorch or `all` (IPython `%` and `!`
  lines dropped), micrograd's test file, the code of the PyTorch tutorials and of the autograd and
  extending notes of PyTorch's docs (saved from the stored copies of pytorch/tutorials and pytorch/pytorch,
  prose dropped; each file's first line names its commit), and the `>>>` examples in the docstrings of
  installed torch's autograd modules (functional, function, grad_mode, graph), read as if the module's
  `__all__` names were imported, as the examples assume.
- A site is one occurrence in the syntax tree. Module-level names are resolved through the file's imports
  (`import torch.nn as nn`, `from torch.autograd import Function`, `import torch.nn.functional as F`) to
  their full dotted name, e.g. `F.relu(...)` -> `torch.nn.functional.relu` (kind `call`, or `ref` when the
  name is used without calling it: `torch.float32`, `class Net(nn.Module)`).
- A method call or attribute read `obj.NAME` on something that is not a module is counted as
  `Tensor.NAME` when real torch.Tensor has NAME (kind `method`, or `attribute` for a non-callable such as
  `.grad`); otherwise `Module.NAME` / `Optimizer.NAME` when torch.nn.Module / torch.optim.Optimizer has it
  (the receiver's name decides between the two when both have it: one containing `optim`, `trainer` or
  `updater` is an optimizer); `ctx.NAME` on a receiver named `ctx` is `FunctionCtx.NAME`; `next_functions`
  and `_saved_X` / `_raw_saved_X` are Node attributes, and a call of a tensor property such as `grad_fn.name()` is `Node.name`; `X.apply(...)` on a class the file derives from Function is `Function.apply`.
  Python's own methods that torch.Tensor also has (`.index`, `.count` on lists) are not told apart;
  `.name` is never counted as a tensor attribute (named tensors do not occur; file objects' names do).
- Objects made by other libraries are skipped: a name assigned from an expression that calls something
  imported from a non-torch module (micrograd's `Value`, numpy), or from another such name, is "foreign"
  until reassigned, and method calls on it are not counted. d2l counts as torch-like (in its pytorch tab,
  `d2l.tensor`, `d2l.matmul`, ... return torch tensors), but `d2l.X` names themselves are not counted.
"""
from __future__ import annotations

import argparse
import ast
import collections
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRRORS = Path("/work/.mirror")
# code saved from the stored copies of pytorch/tutorials and pytorch/pytorch (docs/source/notes), one file per
# page, its first line `# source: REPO PATH @ COMMIT (...)`
SAVED_DIRS = (Path("/work/scratch/api_sources/pytorch+tutorials"), Path("/work/scratch/api_sources/pytorch+pytorch"))
D2L_EN_CHAPTERS = ("chapter_preliminaries", "chapter_linear-regression", "chapter_linear-classification",
                   "chapter_multilayer-perceptrons")
D2L_ZH_CHAPTERS = ("chapter_preliminaries", "chapter_linear-networks", "chapter_multilayer-perceptrons")
TORCH_DOC_MODULES = ("autograd/functional.py", "autograd/function.py", "autograd/grad_mode.py",
                     "autograd/graph.py")
TORCHLIKE = ("torch", "d2l")
NODE_METHODS = {"name", "register_prehook", "metadata"}
OPTIMIZER_RECEIVER = re.compile(r"optim|trainer|updater", re.I)


# ---------------------------------------------------------------- sources -> (label, code units)
def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def d2l_blocks(markdown: str, tab_marker: str) -> list[str]:
    """The code of the ```{.python .input} blocks whose tab list names pytorch or all."""
    out = []
    for block in re.findall(r"```\{\.python \.input[^}]*\}\n(.*?)```", markdown, re.S):
        lines = block.splitlines()
        first = lines[0].strip() if lines else ""
        if not first.startswith(tab_marker):
            continue
        tabs = {t.strip() for t in first[len(tab_marker):].split(",")}
        if not tabs & {"pytorch", "all"}:
            continue
        code = [ln for ln in lines[1:] if not ln.lstrip().startswith(("%", "!"))]
        out.append("\n".join(code))
    return out


def docstring_examples(text: str) -> list[str]:
    """The `>>>`/`...` example lines of a module's docstrings, one unit per run of consecutive lines."""
    units, cur = [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(">>>") or (s.startswith("...") and cur):
            cur.append(s[4:] if len(s) > 3 else "")
        elif cur:
            units.append("\n".join(cur))
            cur = []
    if cur:
        units.append("\n".join(cur))
    return units


def collect_sources() -> list[tuple[str, str, list[str]]]:
    """(source file label, commit, code units)."""
    found = []
    for repo_name, chapters, marker in (("d2l-ai/d2l-en", D2L_EN_CHAPTERS, "%%tab"),
                                        ("d2l-ai/d2l-zh", D2L_ZH_CHAPTERS, "#@tab")):
        repo = MIRRORS / repo_name.replace("/", "+") / "repo"
        commit = _git(repo, "rev-parse", "HEAD").strip()
        for path in _git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
            if path.split("/")[0] in chapters and path.endswith(".md") and not path.endswith("_origin.md"):
                units = d2l_blocks(_git(repo, "show", f"HEAD:{path}"), marker)
                if units:
                    found.append((f"{repo_name}:{path}", commit, units))
    repo = MIRRORS / "karpathy+micrograd" / "repo"
    found.append(("karpathy/micrograd:test/test_engine.py", _git(repo, "rev-parse", "HEAD").strip(),
                  [_git(repo, "show", "HEAD:test/test_engine.py")]))
    for path in sorted(p for d in SAVED_DIRS for p in d.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        m = re.match(r"# source: (\S+) (\S+) @ ([0-9a-f]{40})", text)
        found.append((f"{m.group(1)}:{m.group(2)}", m.group(3), [text]))
    import torch
    root = Path(torch.__file__).parent
    import importlib
    for rel in TORCH_DOC_MODULES:
        units = docstring_examples((root / rel).read_text(encoding="utf-8"))
        # the examples use the module's own names unimported (`class Func(Function)`, `@once_differentiable`)
        modname = "torch." + rel[:-3].replace("/", ".")
        public = getattr(importlib.import_module(modname), "__all__", [])
        prelude = "import torch\n" + (f"from {modname} import {', '.join(public)}\n" if public else "")
        units = [prelude] + units
        if units:
            found.append((f"torch {torch.__version__} docstrings:torch/{rel}", "installed", units))
    return found


# ---------------------------------------------------------------- counting
class Counter(ast.NodeVisitor):
    """Walk one code unit; record (name, kind) sites. Imports carry over between units of one file."""

    def __init__(self, tensor_names: dict, module_names: set, optim_names: set, ctx_names: set):
        self.aliases: dict[str, str] = {}     # local name -> dotted torch name (or 'd2l')
        self.foreign_imports: set[str] = set()
        self.foreign: set[str] = set()        # variables holding objects of other libraries
        self.function_classes: set[str] = set()
        self.sites: list[tuple[str, str]] = []
        self.keywords: list[tuple[str, str]] = []  # (API name, keyword) per call site that passes it
        self._called: str | None = None
        self.tensor_names, self.module_names = tensor_names, module_names
        self.optim_names, self.ctx_names = optim_names, ctx_names

    # imports
    def visit_Import(self, node):
        for a in node.names:
            top = a.name.split(".")[0]
            if top in TORCHLIKE:
                self.aliases[a.asname or top] = a.name if a.asname else top
            else:
                self.foreign_imports.add(a.asname or top)

    def visit_ImportFrom(self, node):
        mod = node.module or ""
        for a in node.names:
            local = a.asname or a.name
            if mod.split(".")[0] in TORCHLIKE:
                self.aliases[local] = f"{mod}.{a.name}"
            else:
                self.foreign_imports.add(local)

    # names
    def dotted(self, node) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.aliases:
            return ".".join([self.aliases[node.id], *reversed(parts)])
        return None

    def root_name(self, node) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    def is_foreign(self, expr) -> bool:
        """Does expr make an object of another library? Decided by what is called or operated on, not by
        the arguments: `torch.linspace(0, 2 * math.pi)` is a tensor, `Value(2.0) * x` is not."""
        if isinstance(expr, (ast.Call, ast.Attribute, ast.Subscript, ast.Name)):
            root = self.root_name(expr)
            return root is not None and (root in self.foreign or root in self.foreign_imports)
        if isinstance(expr, ast.BinOp):
            return self.is_foreign(expr.left) or self.is_foreign(expr.right)
        if isinstance(expr, ast.UnaryOp):
            return self.is_foreign(expr.operand)
        if isinstance(expr, (ast.Tuple, ast.List)):
            return any(self.is_foreign(e) for e in expr.elts)
        return False

    def visit_Assign(self, node):
        foreign = self.is_foreign(node.value)
        for t in node.targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    (self.foreign.add if foreign else self.foreign.discard)(n.id)
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        for b in node.bases:
            name = self.dotted(b) or ""
            if name.endswith("Function"):
                self.function_classes.add(node.name)
        self.generic_visit(node)

    def record(self, name: str, kind: str):
        if not name.startswith("d2l"):
            self.sites.append((name, kind))
            if kind in ("call", "method"):
                self._called = name

    def visit_Call(self, node):
        self._called = None
        self._attr_or_name(node.func, called=True)
        if self._called is not None:
            self.keywords += [(self._called, k.arg) for k in node.keywords if k.arg]
        for a in node.args:
            self.visit(a)
        for k in node.keywords:
            self.visit(k.value)

    def visit_Attribute(self, node):
        self._attr_or_name(node, called=False)

    def visit_Name(self, node):
        if node.id in self.aliases and isinstance(node.ctx, ast.Load):
            name = self.aliases[node.id]
            if "." in name:  # `Function` from `from torch.autograd import Function`; bare `torch` is no API
                self.record(name, "ref")

    def _attr_or_name(self, node, called: bool):
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                self.record(self.aliases[node.id], "call" if called else "ref")
            return
        if not isinstance(node, ast.Attribute):
            self.visit(node)
            return
        full = self.dotted(node)
        if full is not None:
            self.record(full, "call" if called else "ref")
            return
        self.visit(node.value)
        if not isinstance(node.ctx, ast.Load):
            # an assignment target: `x.grad = None` writes an attribute; still a use of the API
            pass
        attr, recv = node.attr, node.value
        root = self.root_name(recv)
        if root is not None and (root in self.foreign or root in self.foreign_imports):
            return
        if isinstance(recv, ast.Name) and recv.id == "ctx" and attr in self.ctx_names:
            self.record(f"FunctionCtx.{attr}", "method" if called else "attribute")
        elif attr == "apply" and isinstance(recv, ast.Name) and recv.id in self.function_classes:
            self.record("Function.apply", "method" if called else "ref")
        elif attr == "next_functions" or attr.startswith(("_saved_", "_raw_saved_")):
            self.record(f"Node.{attr}", "attribute")
        elif called and self.tensor_names.get(attr) == "attribute":
            # a call of what is a property on a tensor (`grad_fn.name()`): a graph node's method
            if attr in NODE_METHODS:
                self.record(f"Node.{attr}", "method")
        elif attr in self.tensor_names:
            kind = self.tensor_names[attr]
            if called or kind == "attribute":
                self.record(f"Tensor.{attr}", kind)
        elif called and (attr in self.module_names or attr in self.optim_names):
            text = ast.unparse(recv)
            is_opt = attr in self.optim_names and (attr not in self.module_names or OPTIMIZER_RECEIVER.search(text))
            self.record(f"{'Optimizer' if is_opt else 'Module'}.{attr}", "method")


def torch_member_tables():
    import torch

    tensor = {}
    for name in dir(torch.Tensor):
        if name.startswith("_"):
            continue
        obj = getattr(torch.Tensor, name, None)
        tensor[name] = "method" if callable(obj) else "attribute"
    for name in ("grad", "grad_fn", "requires_grad", "is_leaf", "data", "shape", "dtype", "device", "T"):
        tensor[name] = "attribute"
    # named tensors' `.name`: in this material `.name` is a file's name or a grad_fn's name(), never that
    del tensor["name"]
    module = {n for n in dir(torch.nn.Module) if not n.startswith("_")}
    optim = {n for n in dir(torch.optim.Optimizer) if not n.startswith("_")}
    ctx = {n for n in dir(torch.autograd.function.FunctionCtx) if not n.startswith("_")}
    ctx |= {"saved_tensors", "needs_input_grad"}
    return tensor, module, optim, ctx


def parse_units(units: list[str]) -> tuple[list[ast.AST], int]:
    """Parse each unit; a unit that is not valid Python is split into lines, keeping those that parse."""
    trees, dropped = [], 0
    for unit in units:
        try:
            trees.append(ast.parse(unit))
            continue
        except SyntaxError:
            pass
        for line in unit.splitlines():
            try:
                trees.append(ast.parse(line.strip()))
            except SyntaxError:
                dropped += 1
    return trees, dropped


def count(sources) -> tuple[dict, dict, list, collections.Counter]:
    tables = torch_member_tables()
    keywords: collections.Counter = collections.Counter()
    sites: collections.Counter = collections.Counter()
    files: dict = collections.defaultdict(set)
    per_source = []
    for label, commit, units in sources:
        counter = Counter(*tables)
        trees, dropped = parse_units(units)
        for tree in trees:
            counter.visit(tree)
        for key in counter.sites:
            sites[key] += 1
            files[key].add(label)
        keywords.update(counter.keywords)
        per_source.append((label, commit, len(counter.sites), dropped))
    return sites, files, per_source, keywords


def write_tsv(path: Path, sites, files, per_source) -> None:
    import torch

    rows = sorted(sites.items(), key=lambda kv: (-kv[1], kv[0][0]))
    total = sum(sites.values())
    head = [
        "# Torch API names called by the public material beginners copy, by call site (facts; see count_api.py).",
        f"# Written by tests/corpus/count_api.py with torch {torch.__version__} deciding what a Tensor/Module/Optimizer member is.",
        "# Heuristics: module names resolved through each file's imports; `obj.NAME` counted as Tensor.NAME when",
        "# torch.Tensor has NAME, else Module./Optimizer. (receiver name decides), ctx.NAME as FunctionCtx.NAME;",
        "# objects of other libraries (micrograd's Value, numpy) skipped; d2l.X names not counted.",
        f"# {total} sites, {len(rows)} names, {len(per_source)} source files:",
    ]
    for label, commit, n, dropped in per_source:
        extra = f", {dropped} unparsable line(s) skipped" if dropped else ""
        head.append(f"#   {label} @ {commit}: {n} sites{extra}")
    lines = head + ["name\tkind\tcall_sites\tsources"]
    lines += [f"{name}\t{kind}\t{n}\t{len(files[(name, kind)])}" for (name, kind), n in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "api_usage.tsv")
    ap.add_argument("--print", type=int, default=0, metavar="N", help="show the top N names")
    args = ap.parse_args(argv)
    sources = collect_sources()
    sites, files, per_source, keywords = count(sources)
    write_tsv(args.out, sites, files, per_source)
    kw_lines = ["# Keyword arguments passed at the call sites counted in api_usage.tsv (same sources), by sites.",
                "name\tkeyword\tcall_sites"]
    kw_lines += [f"{n}\t{k}\t{c}" for (n, k), c in sorted(keywords.items(), key=lambda kv: (-kv[1], kv[0]))]
    args.out.with_name("api_keywords.tsv").write_text("\n".join(kw_lines) + "\n", encoding="utf-8")
    print(f"{sum(sites.values())} sites, {len(sites)} names, {len(per_source)} files -> {args.out}")
    for (name, kind), n in sorted(sites.items(), key=lambda kv: -kv[1])[: args.print]:
        print(f"{n:6d}  {kind:9s} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
