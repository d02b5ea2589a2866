"""The AST handlers of the grammar's rules: (span, already-built children) -> node, never recursive.

Over 400 lines on purpose: one short handler per grammar rule, in the grammar's order; the checks Python
makes at compile time already live apart in checks.py.

`reductions.py` calls a rule's handler as lark's LALR parser reduces the rule, so children are built
before their parent and no parse tree is made; the parser's own stack makes that iterative however
deep the input nests (`-(-(-x))`, `a.b.c...`, `x**x**x...`). Operator runs (`a + b * -c < d and e`,
flat in the grammar) get Python's precedence from an iterative shunting-yard (`_climb`). Handlers also
check what the grammar leaves permissive (assignment targets, parameter order, call argument order,
single inheritance), with the help of checks.py; they raise GradSyntaxError with the offending span.
"""
from __future__ import annotations

import sys

from lark import Token

from . import ast as A
from .ast import Span
from .checks import BareStar, check_params, check_target
from .errors import GradLimitError, GradSyntaxError
from .strings import FieldParser, merge_parts, string_parts


def token_span(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


class _TargetList:
    """`a, b` written without brackets as a for/del/comprehension target."""
    def __init__(self, elts, span):
        self.elts, self.span = tuple(elts), span


class _Clause:
    """An elif/else/finally clause on its way into its statement."""
    def __init__(self, kind, body, span, test=None):
        self.kind, self.body, self.span, self.test = kind, body, span, test


class _BareGenexp:
    """`f(x for x in xs)`: legal only as the sole argument."""
    def __init__(self, node):
        self.node, self.span = node, node.span


class _Args:
    def __init__(self, args, keywords, span):
        self.args, self.keywords, self.span = tuple(args), tuple(keywords), span


def _number(tok: Token):
    text = tok.value.replace("_", "")
    if text[:2].lower() in ("0x", "0o", "0b"):
        return int(text, 0)
    if any(c in text for c in ".eE"):
        return float(text)
    if len(text) > 1 and text[0] == "0" and text.strip("0"):
        raise GradSyntaxError("leading zeros in decimal integer literals are not permitted", token_span(tok))
    limit = sys.get_int_max_str_digits()
    if limit and len(text) > limit:
        raise GradLimitError(f"integer literal is too large ({len(text)} digits; limit {limit})", token_span(tok))
    return int(text)


# Binding power of the operators in an `operation` run (higher binds tighter), as in Python.
_OR, _AND, _NOT, _CMP, _UNARY = 1, 2, 3, 4, 10
_BINARY = {"or": _OR, "and": _AND, "<": _CMP, ">": _CMP, "==": _CMP, ">=": _CMP, "<=": _CMP, "!=": _CMP,
           "in": _CMP, "not in": _CMP, "is": _CMP, "is not": _CMP, "|": 5, "^": 6, "&": 7, "+": 8, "-": 8,
           "*": 9, "/": 9, "//": 9, "%": 9, "@": 9, "**": 11}


class _Chain:
    """A BoolOp or Compare still growing in `_climb` (`a < b < c`, `a and b and c`): n-ary, not nested."""
    __slots__ = ("op", "left", "ops", "operands")

    def __init__(self, op, left, right):
        self.op, self.left, self.ops, self.operands = op, left, [op], [right]

    def node(self):
        span = self.left.span.to(self.operands[-1].span)
        if self.op in ("and", "or"):
            return A.BoolOp(self.op, (self.left, *self.operands), span=span)
        return A.Compare(self.left, tuple(self.ops), tuple(self.operands), span=span)


def _done(x):
    return x.node() if type(x) is _Chain else x


def _climb(items: list):
    """Shunting-yard over [PREFIX* operand (BINOP PREFIX* operand)*] with Python's precedences.

    `**` is right-associative and binds tighter than a unary minus on its left (`-x**2` is -(x**2))
    but not on its right (`2**-x`); comparisons chain into one Compare; `and`/`or` runs become one
    BoolOp; `not` may only start an operand of and/or/not (`a + not b` is an error, as in Python).
    """
    out: list = []
    pending: list = []  # (precedence, operator, token, is_prefix)

    def reduce():
        prec, op, tok, prefix = pending.pop()
        right = _done(out.pop())
        if prefix:
            out.append(A.UnaryOp(op, right, span=token_span(tok).to(right.span)))
            return
        left = out.pop()
        if prec == _CMP or prec <= _AND:  # extend the chain on the left if it is the same kind
            same = type(left) is _Chain and (left.op == op if prec <= _AND else left.op not in ("and", "or"))
            if same:
                left.ops.append(op)
                left.operands.append(right)
                out.append(left)
            else:
                out.append(_Chain(op, _done(left), right))
            return
        left = _done(left)
        out.append(A.BinOp(left, op, right, span=left.span.to(right.span)))

    for x in items:
        if not isinstance(x, Token):
            out.append(x)
            continue
        if x.type == "PREFIX":
            op = x.value
            if op == "not" and pending and pending[-1][0] > _NOT:
                raise GradSyntaxError(f"'not' cannot follow '{pending[-1][1]}' without parentheses", token_span(x))
            pending.append((_NOT if op == "not" else _UNARY, op, x, True))
            continue
        op = " ".join(x.value.split())  # BINOP or IN; "not  in" -> "not in"
        prec = _BINARY[op]
        right_assoc = op == "**"
        while pending and (pending[-1][0] > prec or (pending[-1][0] == prec and not right_assoc)):
            reduce()
        pending.append((prec, op, x, False))
    while pending:
        reduce()
    return _done(out[0])


class _Handlers:
    """One method per grammar rule (or alias): (span, children) -> node."""

    def __init__(self, parse_field: FieldParser):
        self.parse_field = parse_field

    # ---------------------------------------------------------- module, simple statements
    def file(self, s, c):
        return A.Module(tuple(c), span=s)

    expr = file

    def expr_stmt(self, s, c):
        return A.ExprStmt(c[0], span=s)

    def assign(self, s, c):
        for target in c[:-1]:
            check_target(target)
        return A.Assign(tuple(c[:-1]), c[-1], span=s)

    def aug_assign(self, s, c):
        check_target(c[0], nested=False)
        return A.AugAssign(c[0], c[1].value[:-1], c[2], span=s)

    def ann_assign(self, s, c):
        check_target(c[0], "annotate", nested=False)
        if isinstance(c[0], A.Tuple):
            raise GradSyntaxError("only single target (not tuple) can be annotated", c[0].span)
        # The annotation is evaluated by Python but has no effect a script can see: not kept.
        return A.Assign((c[0],), c[2], span=s) if c[2] is not None else A.Pass(span=s)

    def pass_stmt(self, s, c):
        return A.Pass(span=s)

    def break_stmt(self, s, c):
        return A.Break(span=s)

    def continue_stmt(self, s, c):
        return A.Continue(span=s)

    def return_stmt(self, s, c):
        return A.Return(c[0], span=s)

    def yield_stmt(self, s, c):
        return A.Yield(c[0], span=s)

    def yield_from(self, s, c):
        return A.Yield(c[0], True, span=s)

    def raise_stmt(self, s, c):
        return A.Raise(c[0], c[1], span=s)

    def assert_stmt(self, s, c):
        return A.Assert(c[0], c[1], span=s)

    def del_stmt(self, s, c):
        targets = c[0].elts if isinstance(c[0], _TargetList) else (c[0],)
        for target in targets:
            check_target(target, "delete")
        return A.Delete(targets, span=s)

    def global_stmt(self, s, c):
        return A.Global(tuple(t.value for t in c), span=s)

    def nonlocal_stmt(self, s, c):
        return A.Nonlocal(tuple(t.value for t in c), span=s)

    def import_stmt(self, s, c):
        return A.Import(tuple(c), span=s)

    def dotted_as_name(self, s, c):  # c[0] is the joined dotted name
        return A.Alias(c[0], c[1].value if c[1] is not None else None, span=s)

    def import_as_name(self, s, c):
        return A.Alias(c[0].value, c[1].value if c[1] is not None else None, span=s)

    def from_stmt(self, s, c):
        return A.ImportFrom(c[0], tuple(c[1:]), span=s)

    def dotted_name(self, s, c):
        return ".".join(t.value for t in c)

    # ---------------------------------------------------------- compound statements
    def suite(self, s, c):
        return tuple(c)

    def if_stmt(self, s, c):
        test, body, *clauses = c
        orelse: tuple = ()
        end = s
        if clauses and clauses[-1] is not None:
            orelse = clauses[-1].body
        for clause in reversed(clauses[:-1]):  # elifs, innermost last
            orelse = (A.If(clause.test, clause.body, orelse, span=clause.span.to(end)),)
        return A.If(test, body, orelse, span=s)

    def elif_clause(self, s, c):
        return _Clause("elif", c[1], s, c[0])

    def else_clause(self, s, c):
        return _Clause("else", c[0], s)

    finally_clause = else_clause

    def while_stmt(self, s, c):
        return A.While(c[0], c[1], c[2].body if c[2] is not None else (), span=s)

    def for_stmt(self, s, c):
        target = self._target(c[0])
        check_target(target)
        return A.For(target, c[1], c[2], c[3].body if c[3] is not None else (), span=s)

    def try_stmt(self, s, c):
        body, *handlers, orelse, final = c
        for h in handlers[:-1]:
            if h.type is None:
                raise GradSyntaxError("default 'except:' must be last", h.span)
        return A.Try(body, tuple(handlers), orelse.body if orelse else (), final.body if final else (), span=s)

    def try_finally(self, s, c):
        return A.Try(c[0], (), (), c[1].body, span=s)

    def except_clause(self, s, c):
        return A.ExceptHandler(c[0], c[1].value if c[1] is not None else None, c[2], span=s)

    def with_stmt(self, s, c):
        return A.With(tuple(c[:-1]), c[-1], span=s)

    def with_item(self, s, c):
        if c[1] is not None:
            check_target(c[1])
        return A.WithItem(c[0], c[1], span=s)

    def funcdef(self, s, c):
        name, params, returns, body = c
        return A.FunctionDef(name.value, params or (), body, (), returns, span=s)

    def parameters(self, s, c):
        return check_params(c, lambda_=False)

    def param(self, s, c):
        return A.Param(c[0].value, "positional", c[2], c[1], span=s)

    def star_param(self, s, c):
        if c[0] is None:
            return BareStar(s)
        return A.Param(c[0].value, "var_positional", None, c[1], span=s)

    def starstar_param(self, s, c):
        return A.Param(c[0].value, "var_keyword", None, c[1], span=s)

    def classdef(self, s, c):
        name, args, body = c
        base = None
        if args is not None:
            if args.keywords:
                raise GradSyntaxError("class keyword arguments are not supported", args.keywords[0].span)
            if len(args.args) > 1 or any(isinstance(a, A.Starred) for a in args.args):
                raise GradSyntaxError("a class can have at most one base class", args.span)
            base = args.args[0] if args.args else None
        return A.ClassDef(name.value, base, body, span=s)

    def decorated(self, s, c):
        return A.replace(c[-1], decorators=tuple(c[:-1]))

    def decorator(self, s, c):
        return c[0]

    # ---------------------------------------------------------- expressions
    def _target(self, t):
        return A.Tuple(t.elts, span=t.span) if isinstance(t, _TargetList) else t

    def tuple_list(self, s, c):
        return A.Tuple(tuple(c), span=s)

    def target_tuple(self, s, c):
        return _TargetList(c, s)

    def if_exp(self, s, c):  # [body run..., IF, test run..., ELSE, orelse]
        i = next(k for k, x in enumerate(c) if isinstance(x, Token) and x.type == "IF")
        j = next(k for k, x in enumerate(c) if isinstance(x, Token) and x.type == "ELSE")
        return A.IfExp(_climb(c[i + 1:j]), _climb(c[:i]), c[-1], span=s)

    def lambdef(self, s, c):
        return A.Lambda(c[0] or (), c[1], span=s)

    def lambda_params(self, s, c):
        return check_params(c, lambda_=True)

    def lparam(self, s, c):
        return A.Param(c[0].value, "positional", c[1], span=s)

    def lstar_param(self, s, c):
        return BareStar(s) if c[0] is None else A.Param(c[0].value, "var_positional", span=s)

    def lstarstar_param(self, s, c):
        return A.Param(c[0].value, "var_keyword", span=s)

    def test(self, s, c):
        return _climb(c)

    operation = test

    def call(self, s, c):
        args = c[1] or _Args((), (), s)
        return A.Call(c[0], args.args, args.keywords, span=s)

    def subscript(self, s, c):
        return A.Subscript(c[0], c[1], span=s)

    def subscripts(self, s, c):  # commas are kept: `x[i,]` is a tuple index, `x[i]` is not
        items = [x for x in c if not isinstance(x, Token)]
        if len(items) == len(c):
            return items[0]
        return A.Tuple(tuple(items), span=s)

    def slice(self, s, c):
        return A.Slice(c[0], c[1], c[2], span=s)

    def attribute(self, s, c):
        return A.Attribute(c[0], c[1].value, span=s)

    def empty_tuple(self, s, c):
        return A.Tuple((), span=s)

    def genexp(self, s, c):
        return A.GeneratorExp(c[0], tuple(c[1:]), span=s)

    def list(self, s, c):
        return A.List(tuple(x for x in c if x is not None), span=s)

    def listcomp(self, s, c):
        return A.ListComp(c[0], tuple(c[1:]), span=s)

    def dict(self, s, c):
        items = [x for x in c if x is not None]
        return A.Dict(tuple(k for k, _ in items), tuple(v for _, v in items), span=s)

    def dict_item(self, s, c):
        return (c[0], c[1])

    def dict_unpack(self, s, c):
        return (None, c[0])

    def dictcomp(self, s, c):
        return A.DictComp(c[0], c[1], tuple(c[2:]), span=s)

    def set(self, s, c):
        return A.Set(tuple(c), span=s)

    def setcomp(self, s, c):
        return A.SetComp(c[0], tuple(c[1:]), span=s)

    def star_expr(self, s, c):
        return A.Starred(c[0], span=s)

    star_target = star_expr

    def comp_for(self, s, c):
        target = self._target(c[0])
        check_target(target)
        return A.Comprehension(target, c[1], tuple(c[2:]), span=s)

    def comp_if(self, s, c):
        return c[0]

    def arguments(self, s, c):
        args, keywords, names = [], [], set()
        for item in c:
            if isinstance(item, A.Keyword):
                if item.arg is not None:
                    if item.arg in names:
                        raise GradSyntaxError(f"keyword argument repeated: {item.arg}", item.span)
                    names.add(item.arg)
                keywords.append(item)
                continue
            if isinstance(item, _BareGenexp):
                if len(c) > 1:
                    raise GradSyntaxError("generator expression must be parenthesized", item.span)
                item = item.node
            if keywords and any(k.arg is None for k in keywords):
                raise GradSyntaxError("positional argument follows keyword argument unpacking", item.span)
            if keywords and not isinstance(item, A.Starred):
                raise GradSyntaxError("positional argument follows keyword argument", item.span)
            args.append(item)
        return _Args(args, keywords, s)

    def kwarg(self, s, c):
        return A.Keyword(c[0].value, c[1], span=s)

    def star_arg(self, s, c):
        return A.Starred(c[0], span=s)

    def starstar_arg(self, s, c):
        return A.Keyword(None, c[0], span=s)

    def genexp_arg(self, s, c):
        return _BareGenexp(A.GeneratorExp(c[0], tuple(c[1:]), span=s))

    # ---------------------------------------------------------- atoms
    def name(self, s, c):
        return A.Name(c[0].value, span=s)

    def number(self, s, c):
        return A.Constant(_number(c[0]), span=s)

    def strings(self, s, c):
        parts, is_f = [], False
        for tok in c:
            f, p = string_parts(tok.value, tok.line, tok.column, self.parse_field)
            is_f = is_f or f
            parts.extend(p)
        if not is_f:
            return A.Constant("".join(p.value for p in parts), span=s)
        return A.FString(merge_parts(parts), span=s)

    def ellipsis(self, s, c):
        return A.Constant(Ellipsis, span=s)

    def const_none(self, s, c):
        return A.Constant(None, span=s)

    def const_true(self, s, c):
        return A.Constant(True, span=s)

    def const_false(self, s, c):
        return A.Constant(False, span=s)


def handlers(parse_field: FieldParser) -> dict:
    """{rule or alias name: handler(span, children) -> node}, for `reductions.make_callbacks`."""
    h = _Handlers(parse_field)
    return {name: getattr(h, name) for name in dir(_Handlers) if not name.startswith("_")}
