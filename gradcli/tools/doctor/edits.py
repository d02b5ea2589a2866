"""Source edits the doctor proposes, made on the script's own text through its syntax tree (spans), so
a fix changes exactly the code it names and keeps everything else byte for byte."""
from __future__ import annotations

from dataclasses import dataclass

from gradcli.lang import ast as A
from gradcli.lang.parser import parse_file

# an in-place method and the out-of-place method that computes the same value
OUT_OF_PLACE = {"add_": "add", "sub_": "sub", "mul_": "mul", "div_": "div", "pow_": "pow", "exp_": "exp",
                "sigmoid_": "sigmoid", "tanh_": "tanh", "relu_": "relu", "clamp_": "clamp", "neg_": "neg",
                "sqrt_": "sqrt", "abs_": "abs", "log_": "log", "sin_": "sin", "cos_": "cos", "fill_": None,
                "zero_": None, "copy_": None, "masked_fill_": "masked_fill", "addmm_": "addmm",
                "clamp_min_": "clamp_min", "clamp_max_": "clamp_max", "square_": "square", "t_": "t",
                "unsqueeze_": "unsqueeze", "squeeze_": "squeeze", "transpose_": "transpose"}


@dataclass(frozen=True)
class Edit:
    """Replace source from (line, col) up to (end_line, end_col) — 1-based, end exclusive — with `text`."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


def replace(node: A.Node, text: str) -> Edit:
    s = node.span
    return Edit(s.line, s.col, s.end_line, s.end_col, text)


def insert_before_line(line: int, source: str, text: str) -> Edit:
    """A new statement on its own line before `line`, indented like it."""
    indent = _indent(source, line)
    return Edit(line, 1, line, 1, f"{indent}{text}\n")


def insert_after_statement(stmt: A.Stmt, source: str, text: str) -> Edit:
    indent = _indent(source, stmt.span.line)
    end = stmt.span.end_line
    return Edit(end + 1, 1, end + 1, 1, f"{indent}{text}\n")


def wrap_lines(first: int, last: int, source: str, header: str) -> Edit:
    """Indent lines first..last one level under `header` (a `with ...:` line)."""
    lines = source.split("\n")
    indent = _indent(source, first)
    body = "".join(f"    {ln}\n" if ln.strip() else "\n" for ln in lines[first - 1:last])
    return Edit(first, 1, last + 1, 1, f"{indent}{header}\n{body}")


def unwrap_block(stmt: A.With, source: str) -> Edit:
    """Drop a `with` header and dedent its body one level."""
    lines = source.split("\n")
    first, last = stmt.body[0].span.line, stmt.span.end_line
    outer = _indent(source, stmt.span.line)
    inner = _indent(source, first)
    cut = len(inner) - len(outer)
    body = "".join((ln[cut:] if ln[:cut].strip() == "" else ln) + "\n" for ln in lines[first - 1:last])
    return Edit(stmt.span.line, 1, last + 1, 1, body)


def apply(source: str, edits: list[Edit]) -> str:
    """The source with every edit made (edits must not overlap)."""
    lines = source.split("\n")
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln) + 1)

    def at(line: int, col: int) -> int:
        if line > len(lines):
            return len(source)
        return offsets[line - 1] + col - 1

    out = source
    for e in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        out = out[:at(e.line, e.col)] + e.text + out[at(e.end_line, e.end_col):]
    return out


def text_of(node: A.Node, source: str) -> str:
    lines = source.split("\n")
    s = node.span
    if s.line == s.end_line:
        return lines[s.line - 1][s.col - 1:s.end_col - 1]
    parts = [lines[s.line - 1][s.col - 1:]] + lines[s.line:s.end_line - 1] + [lines[s.end_line - 1][:s.end_col - 1]]
    return "\n".join(parts)


def _indent(source: str, line: int) -> str:
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text[:len(text) - len(text.lstrip())]


# ---- finding code in the tree --------------------------------------------------------------------
class Tree:
    """The parsed script with the lookups the doctor needs: statements by line and their enclosing blocks."""

    def __init__(self, source: str, filename: str):
        self.source = source
        self.module = parse_file(source, filename)
        self.parents: dict[int, A.Node] = {}
        for node in A.walk(self.module):
            for child in A.iter_children(node):
                self.parents[id(child)] = node

    def statement_at(self, line: int) -> A.Stmt | None:
        """The innermost statement that starts on `line`."""
        best = None
        for node in A.walk(self.module):
            if isinstance(node, A.Stmt) and node.span.line == line:
                best = node
        return best

    def enclosing(self, node: A.Node, kinds: tuple) -> A.Node | None:
        cur = self.parents.get(id(node))
        while cur is not None and not isinstance(cur, kinds):
            cur = self.parents.get(id(cur))
        return cur

    def calls_in(self, node: A.Node, attr: str | None = None) -> list[A.Call]:
        """Calls under node; with attr, only method calls `x.attr(...)` (or functions named attr)."""
        out = []
        for n in A.walk(node):
            if isinstance(n, A.Call):
                name = n.func.attr if isinstance(n.func, A.Attribute) else getattr(n.func, "id", None)
                if attr is None or name == attr:
                    out.append(n)
        return out

    def assignments_to(self, name: str) -> list[A.Stmt]:
        out = []
        for n in A.walk(self.module):
            if isinstance(n, A.Assign) and any(isinstance(t, A.Name) and t.id == name for t in n.targets):
                out.append(n)
        return out

    def text(self, node: A.Node) -> str:
        return text_of(node, self.source)


def add_keyword(call: A.Call, source: str, keyword: str) -> Edit:
    """`f(a)` -> `f(a, keyword)`: the edit inserts just before the closing parenthesis."""
    s = call.span
    inner = text_of(call, source)
    empty = inner.rstrip()[:-1].rstrip().endswith("(")
    return Edit(s.end_line, s.end_col - 1, s.end_line, s.end_col - 1, keyword if empty else f", {keyword}")
