"""AST -> Python-like source text, such that parsing the text gives the same AST (spans aside).

Both statements and expressions are printed with explicit stacks (trees can be as deep as the input).
Parentheses are added only where precedence needs them; tuples are always parenthesised (except as
for-targets and subscript indices); f-strings pick quotes so that nested string literals never close
them early (innermost `"`, then `'`, `\"\"\"`, `'''`).
"""
from __future__ import annotations

import math

from . import ast as A
from .precedence import AND, ATOM, BOR, CMP, IFEXP, LAMBDA, NOT, OR, PRIMARY, UNARY
from .precedence import BINOP as _BINOP

__all__ = ["unparse"]

_INDENT = "    "
_QUOTES = ('"', "'", '"""', "'''")  # by how many string levels an f-string holds, innermost first


def unparse(node: A.Node) -> str:
    """Source text for a Module, a statement, or an expression."""
    if isinstance(node, A.Module):
        return _stmts(node.body, 0)
    if isinstance(node, A.Stmt):
        return _stmts((node,), 0)
    return _expr(node)


# ---------------------------------------------------------------- statements
def _stmts(body, level: int) -> str:
    lines: list[str] = []
    stack: list = [(s, level) for s in reversed(body)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            lines.append(item)
            continue
        stmt, lvl = item
        stack.extend(reversed(_expand_stmt(stmt, lvl)))
    return "".join(line + "\n" for line in lines)


def _block(header: str, body, lvl: int) -> list:
    return [_INDENT * lvl + header] + [(s, lvl + 1) for s in (body or (A.Pass(),))]


def _expand_stmt(s: A.Stmt, lvl: int) -> list:
    pad = _INDENT * lvl
    if isinstance(s, A.If):
        items = _block(f"if {_expr(s.test)}:", s.body, lvl)
        while len(s.orelse) == 1 and isinstance(s.orelse[0], A.If):  # elif chain
            s = s.orelse[0]
            items += _block(f"elif {_expr(s.test)}:", s.body, lvl)
        if s.orelse:
            items += _block("else:", s.orelse, lvl)
        return items
    if isinstance(s, (A.While, A.For)):
        head = f"while {_expr(s.test)}:" if isinstance(s, A.While) else \
            f"for {_target_list(s.target)} in {_expr(s.iter)}:"
        return _block(head, s.body, lvl) + (_block("else:", s.orelse, lvl) if s.orelse else [])
    if isinstance(s, A.FunctionDef):
        returns = f" -> {_expr(s.returns)}" if s.returns is not None else ""
        return [pad + "@" + _expr(d) for d in s.decorators] + \
            _block(f"def {s.name}({_params(s.params, True)}){returns}:", s.body, lvl)
    if isinstance(s, A.ClassDef):
        base = f"({_expr(s.base)})" if s.base is not None else ""
        return [pad + "@" + _expr(d) for d in s.decorators] + _block(f"class {s.name}{base}:", s.body, lvl)
    if isinstance(s, A.With):
        items = ", ".join(_expr(i.context) + (f" as {_expr(i.target, BOR)}" if i.target is not None else "")
                          for i in s.items)
        return _block(f"with {items}:", s.body, lvl)
    if isinstance(s, A.Try):
        items = _block("try:", s.body, lvl)
        for h in s.handlers:
            head = "except" + (f" {_expr(h.type)}" if h.type is not None else "") + \
                (f" as {h.name}" if h.name is not None else "")
            items += _block(head + ":", h.body, lvl)
        if s.orelse:
            items += _block("else:", s.orelse, lvl)
        if s.finalbody or not s.handlers:
            items += _block("finally:", s.finalbody, lvl)
        return items
    return [pad + _simple(s)]


def _simple(s: A.Stmt) -> str:
    if isinstance(s, A.ExprStmt):
        return _expr(s.value)
    if isinstance(s, A.Assign):
        return " = ".join(_expr(t) for t in s.targets + (s.value,))
    if isinstance(s, A.AugAssign):
        return f"{_expr(s.target)} {s.op}= {_expr(s.value)}"
    if isinstance(s, A.Return):
        return "return" + (f" {_expr(s.value)}" if s.value is not None else "")
    if isinstance(s, A.Yield):
        return ("yield from" if s.is_from else "yield") + (f" {_expr(s.value)}" if s.value is not None else "")
    if isinstance(s, A.Raise):
        text = "raise" + (f" {_expr(s.exc)}" if s.exc is not None else "")
        return text + (f" from {_expr(s.cause)}" if s.cause is not None else "")
    if isinstance(s, A.Assert):
        return f"assert {_expr(s.test)}" + (f", {_expr(s.msg)}" if s.msg is not None else "")
    if isinstance(s, A.Import):
        return "import " + _aliases(s.names)
    if isinstance(s, A.ImportFrom):
        return f"from {s.module} import {_aliases(s.names)}"
    if isinstance(s, A.Global):
        return "global " + ", ".join(s.names)
    if isinstance(s, A.Nonlocal):
        return "nonlocal " + ", ".join(s.names)
    if isinstance(s, A.Delete):
        return "del " + ", ".join(_expr(t, BOR) for t in s.targets)
    words = {A.Pass: "pass", A.Break: "break", A.Continue: "continue"}
    if type(s) in words:
        return words[type(s)]
    raise ValueError(f"cannot unparse {type(s).__name__}")


def _aliases(names) -> str:
    return ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in names)


def _params(params, annotations: bool, nested: bool = False) -> str:
    out, star_done = [], False
    for p in params:
        ann = f": {_expr(p.annotation, 0, nested)}" if annotations and p.annotation is not None else ""
        if p.kind == "var_positional":
            out.append(f"*{p.name}{ann}")
            star_done = True
        elif p.kind == "var_keyword":
            out.append(f"**{p.name}{ann}")
        else:
            if p.kind == "keyword_only" and not star_done:
                out.append("*")
                star_done = True
            default = f"={_expr(p.default, LAMBDA, nested)}" if p.default is not None else ""
            out.append(p.name + ann + default)
    return ", ".join(out)


def _target_list(t: A.Expr, nested: bool = False) -> str:
    """A for/comprehension target: a tuple prints bare (`i, x`)."""
    if isinstance(t, A.Tuple) and t.elts:
        return ", ".join(_expr(e, BOR, nested) for e in t.elts) + ("," if len(t.elts) == 1 else "")
    return _expr(t, BOR, nested)


# ---------------------------------------------------------------- expressions
def _prec(e: A.Expr) -> int:
    if isinstance(e, A.BinOp):
        return _BINOP[e.op]
    if isinstance(e, A.UnaryOp):
        return NOT if e.op == "not" else UNARY
    if isinstance(e, A.BoolOp):
        return OR if e.op == "or" else AND
    if isinstance(e, A.Compare):
        return CMP
    if isinstance(e, A.IfExp):
        return IFEXP
    if isinstance(e, A.Lambda):
        return LAMBDA
    if isinstance(e, (A.Call, A.Attribute, A.Subscript)):
        return PRIMARY
    if isinstance(e, A.Constant) and type(e.value) in (int, float) and (e.value < 0 or math.copysign(1, e.value) < 0):
        return UNARY
    return ATOM


def _expr(node: A.Expr, need: int = 0, nested: bool = False) -> str:
    """Text of an expression, parenthesised if its precedence is below `need`.

    nested: inside an f-string field, where string literals must escape both quote characters.
    """
    out: list[str] = []
    stack: list = [(node, need)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        e, want = item
        parts = _expand_expr(e, nested)
        if _prec(e) < want or (nested and isinstance(e, A.Lambda)):  # a lambda's ':' would start a format spec
            parts = ["(", *parts, ")"]
        stack.extend(reversed(parts))
    return "".join(out)


def _join(items, sep=", ") -> list:
    parts: list = []
    for i, item in enumerate(items):
        if i:
            parts.append(sep)
        parts.append(item)
    return parts


def _expand_expr(e: A.Expr, nested: bool) -> list:
    """The pieces of one node: strings, and (child, needed precedence) pairs."""
    if isinstance(e, A.Name):
        return [e.id]
    if isinstance(e, A.Constant):
        return [_constant(e.value, nested)]
    if isinstance(e, A.BinOp):
        p = _BINOP[e.op]
        if e.op == "**":
            return [(e.left, PRIMARY), " ** ", (e.right, UNARY)]
        return [(e.left, p), f" {e.op} ", (e.right, p + 1)]
    if isinstance(e, A.UnaryOp):
        if e.op == "not":
            return ["not ", (e.operand, NOT)]
        return [e.op, (e.operand, UNARY)]
    if isinstance(e, A.BoolOp):
        p = _prec(e)
        return _join([(v, p + 1) for v in e.values], f" {e.op} ")
    if isinstance(e, A.Compare):
        parts: list = [(e.left, BOR)]
        for op, c in zip(e.ops, e.comparators):
            parts += [f" {op} ", (c, BOR)]
        return parts
    if isinstance(e, A.IfExp):
        return [(e.body, OR), " if ", (e.test, OR), " else ", (e.orelse, LAMBDA)]
    if isinstance(e, A.Lambda):
        params = _params(e.params, False, nested)
        return ["lambda" + (" " + params if params else "") + ": ", (e.body, LAMBDA)]
    if isinstance(e, A.Call):
        args = [(a, LAMBDA) for a in e.args] + [
            [f"{k.arg}=" if k.arg is not None else "**", (k.value, LAMBDA)] for k in e.keywords]
        return [(e.func, PRIMARY), "(", *_flat(_join(args)), ")"]
    if isinstance(e, A.Starred):
        return ["*", (e.value, LAMBDA)]
    if isinstance(e, A.Attribute):
        value = e.value
        if isinstance(value, A.Constant) and type(value.value) in (int, float):
            return ["(", (value, 0), ")." + e.attr]  # `1.real` would lex as `1.` `real`
        return [(value, PRIMARY), "." + e.attr]
    if isinstance(e, A.Subscript):
        index = e.index
        if isinstance(index, A.Tuple) and index.elts:
            inner = _flat(_join([_slice_item(x) for x in index.elts])) + ([","] if len(index.elts) == 1 else [])
        else:
            inner = _slice_item(index)
        return [(e.value, PRIMARY), "[", *inner, "]"]
    if isinstance(e, A.Slice):
        return _slice_item(e)
    if isinstance(e, A.Tuple):
        return ["(", *_join([(x, LAMBDA) for x in e.elts]), ",)" if len(e.elts) == 1 else ")"]
    if isinstance(e, A.List):
        return ["[", *_join([(x, LAMBDA) for x in e.elts]), "]"]
    if isinstance(e, A.Dict):
        items = [[(k, IFEXP), ": ", (v, LAMBDA)] if k is not None else ["**", (v, BOR)]
                 for k, v in zip(e.keys, e.values)]
        return ["{", *_flat(_join(items)), "}"]
    if isinstance(e, A.Set):
        return ["{", *_join([(x, LAMBDA) for x in e.elts]), "}"]
    if isinstance(e, (A.ListComp, A.GeneratorExp, A.SetComp, A.DictComp)):
        opening, closing = {A.ListComp: "[]", A.GeneratorExp: "()"}.get(type(e), "{}")
        head = [(e.key, IFEXP), ": ", (e.value, LAMBDA)] if isinstance(e, A.DictComp) else [(e.elt, LAMBDA)]
        parts = [opening, *head]
        for g in e.generators:
            parts += [" for " + _target_list(g.target, nested) + " in ", (g.iter, OR)]
            for cond in g.ifs:
                parts += [" if ", (cond, OR)]
        return parts + [closing]
    if isinstance(e, A.FString):
        return [_fstring(e, nested)]
    if isinstance(e, A.FormattedValue):
        return [_fstring(A.FString((e,)), nested)]
    raise ValueError(f"cannot unparse {type(e).__name__}")


def _flat(parts: list) -> list:
    out: list = []
    for p in parts:
        out.extend(p) if isinstance(p, list) else out.append(p)
    return out


def _slice_item(x: A.Expr) -> list:
    if not isinstance(x, A.Slice):
        return [(x, IFEXP)]
    parts: list = [(x.lower, IFEXP)] if x.lower is not None else []
    parts.append(":")
    if x.upper is not None:
        parts.append((x.upper, IFEXP))
    if x.step is not None:
        parts += [":", (x.step, IFEXP)]
    return parts


# ---------------------------------------------------------------- literals
def _constant(value, nested: bool = False) -> str:
    if value is Ellipsis:
        return "..."
    if isinstance(value, str):
        return '"' + _escape(value, '"', both=nested) + '"'  # always ": f-strings pick quotes around it
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("cannot unparse a NaN constant")
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        return repr(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    raise ValueError(f"cannot unparse constant {value!r}")


def _escape(text: str, quote: str, braces: bool = False, both: bool = False) -> str:
    out = []
    for ch in text:
        if ch == "\\" or ch == quote[0] or (both and ch in "'\""):
            out.append("\\" + ch)
        elif braces and ch in "{}":
            out.append(ch * 2)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def _levels(f: A.FString, depth: int = 0) -> int:
    """Quote levels f needs: 1 + the deepest string literal inside its fields (spec fields included)."""
    if depth >= len(_QUOTES):
        raise ValueError("f-strings nest too deeply to unparse")
    deepest = 0
    fields = [p for p in f.parts if isinstance(p, A.FormattedValue)]
    while fields:
        field = fields.pop()
        if field.format_spec is not None:  # a spec is part of f's own text: its fields count as f's
            fields.extend(p for p in field.format_spec.parts if isinstance(p, A.FormattedValue))
        for n in A.walk(field.value):
            if isinstance(n, A.FString):
                deepest = max(deepest, _levels(n, depth + 1))
            elif isinstance(n, A.Constant) and isinstance(n.value, str):
                deepest = max(deepest, 1)
    return deepest + 1


def _fstring(f: A.FString, nested: bool = False) -> str:
    levels = _levels(f)
    if levels > len(_QUOTES):
        raise ValueError("f-strings nest too deeply to unparse")
    quote = _QUOTES[levels - 1]
    return "f" + quote + _fbody(f.parts, quote, False, nested) + quote


def _fbody(parts, quote: str, spec: bool, nested: bool) -> str:
    out = []
    for part in parts:
        if isinstance(part, A.Constant):
            if spec and any(c in part.value for c in "{}"):
                raise ValueError("a format spec cannot contain literal braces")
            out.append(_escape(part.value, quote, braces=True, both=nested))
            continue
        text = _expr(part.value, IFEXP, nested=True)
        field = "{" + (" " if text.startswith("{") else "") + text
        if part.conversion:
            field += "!" + part.conversion
        if part.format_spec is not None:
            field += ":" + _fbody(part.format_spec.parts, quote, True, nested)
        out.append(field + "}")
    return "".join(out)
