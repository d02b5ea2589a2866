"""The language's syntax tree: frozen, slotted nodes, each with a Span; plus iterative walk/equal/dump.

Over 400 lines on purpose: one declaration per node kind (~50 of them, like Python's `ast`) reads best
as one list; splitting it by statement/expression would only spread the walkers over two files.

Shapes follow Python's `ast` module where they can, so readers know them already:
- sequences are tuples; optional parts are None; operators are their source text (`"+"`, `"not in"`);
- `elif` is an `If` inside the `orelse` of the previous `If`; `a < b < c` is one `Compare`;
  `a or b or c` is one `BoolOp`; `-x` is `UnaryOp("-", x)` (number constants are never negative);
- adjacent string literals are merged into one `Constant` (or one `FString` if any part is an f-string);
  an `FString`'s parts alternate between non-empty `Constant(str)` and `FormattedValue` (no two
  constants in a row);
- assignment targets are `Name`, `Attribute`, `Subscript`, or `Tuple`/`List` of targets.

Trees can be as deep as the user's input (a 20,000-term sum is a 20,000-deep `BinOp` chain), so `==`,
`repr`, `walk`, `ast_equal` and `dump` never recurse. `==` compares spans too; use
`equal_ignoring_spans` to compare shapes. Spans are 1-based; `end_col` is one past the last column
(lark's convention).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterator, Optional

__all__ = [
    "Span", "NO_SPAN", "Node", "Stmt", "Expr",
    "Module", "ExprStmt", "Assign", "AugAssign", "If", "While", "For", "Break", "Continue", "Pass",
    "Return", "Yield", "FunctionDef", "ClassDef", "With", "Try", "Raise", "Assert", "Import", "ImportFrom",
    "Global", "Nonlocal", "Delete",
    "Param", "Keyword", "WithItem", "ExceptHandler", "Alias", "Comprehension",
    "Name", "Constant", "FString", "FormattedValue", "Tuple", "List", "Dict", "Set", "ListComp", "SetComp", "DictComp",
    "GeneratorExp", "BinOp", "UnaryOp", "BoolOp", "Compare", "IfExp", "Lambda", "Call", "Starred",
    "Attribute", "Subscript", "Slice",
    "PARAM_KINDS", "replace", "walk", "iter_children", "node_fields", "ast_equal", "equal_ignoring_spans", "dump",
]


@dataclass(frozen=True, slots=True)
class Span:
    """Source range: 1-based line/col of the first character, end_col one past the last character."""

    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return Span(self.line, self.col, other.end_line, other.end_col)


NO_SPAN = Span(0, 0, 0, 0)  # for nodes made by code rather than by the parser

class Node:
    """Base of all nodes; `span` is keyword-only so node fields read positionally: `Name("x", span=s)`.

    Nodes are frozen and slotted, as `dataclass(frozen=True, slots=True)` makes them, but built by `_node`
    below: ~55 dataclasses cost ~25 ms of every command's cold start, mostly in the per-class exec of
    their frozen `__setattr__`/`__delattr__`, which here are written once, on this class."""

    __slots__ = ("span",)
    _fields: tuple[str, ...] = ()  # in declaration order, without `span`
    __match_args__: tuple[str, ...] = ()

    def __init__(self, *, span: Span = NO_SPAN) -> None:
        _set_span(self, span)

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self):  # copy and pickle rebuild through __init__, since attributes cannot be set
        return _remake, (type(self), tuple(getattr(self, n) for n in self._fields), self.span)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return ast_equal(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:  # consistent with ==, without walking a possibly deep tree
        return hash((type(self).__name__, self.span))

    def __repr__(self) -> str:
        return dump(self)


_set_span = Node.span.__set__  # type: ignore[attr-defined]


def _remake(cls: type, values: tuple, span: Span) -> Node:
    return cls(*values, span=span)


def replace(node: Node, **changes: Any) -> Node:
    """A copy of node with some fields (or its span) changed, like `dataclasses.replace`."""
    unknown = set(changes) - set(node._fields) - {"span"}
    if unknown:
        raise TypeError(f"{type(node).__name__} has no field {sorted(unknown)[0]!r}")
    values = {n: getattr(node, n) for n in node._fields}
    values.update(changes)
    span = values.pop("span", node.span)
    return type(node)(**values, span=span)


def _node(cls: type) -> type:
    """The node class cls's annotations declare (a default is a class attribute): slotted, frozen, with a
    positional `__init__` that sets each slot through its descriptor (Node's `__setattr__` refuses)."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    ns = {k: v for k, v in cls.__dict__.items() if k not in defaults and k not in ("__dict__", "__weakref__")}
    ns.update(__slots__=names, _fields=cls._fields + names, __match_args__=cls._fields + names)
    new = type(cls.__name__, cls.__bases__, ns)
    fields = new._fields
    params = "".join(f", {n}" + (f"=_d_{n}" if n in defaults else "") for n in fields)
    body = "".join(f"\n    _s_{n}(self, {n})" for n in fields)
    env = {"NO_SPAN": NO_SPAN, "_set_span": _set_span}
    for n in fields:
        owner = next(c for c in new.__mro__ if n in c.__dict__.get("__slots__", ()))
        env[f"_s_{n}"] = owner.__dict__[n].__set__
    env.update((f"_d_{n}", v) for n, v in defaults.items())
    exec(f"def __init__(self{params}, *, span=NO_SPAN):\n    _set_span(self, span){body}", env)
    init = env["__init__"]
    init.__qualname__ = f"{new.__qualname__}.__init__"
    type.__setattr__(new, "__init__", init)
    return new


@_node
class Stmt(Node):
    """Base of statements."""


@_node
class Expr(Node):
    """Base of expressions."""


# ---------------------------------------------------------------- module and statements
@_node
class Module(Node):
    """A whole script (`parse_file`) or a one-liner (`parse_expr`): a sequence of statements."""
    body: tuple[Stmt, ...] = ()


@_node
class ExprStmt(Stmt):
    """An expression evaluated for its effect (or, last in a one-liner, for its value)."""
    value: Expr


@_node
class Assign(Stmt):
    """`t1 = t2 = value`: value is evaluated once and assigned to each target left to right."""
    targets: tuple[Expr, ...]
    value: Expr


@_node
class AugAssign(Stmt):
    """`target op= value`; op is the binary operator without '=' (`"+"`, `"//"`, `"@"`, ...)."""
    target: Expr
    op: str
    value: Expr


@_node
class If(Stmt):
    """`if test: body else: orelse`; an `elif` is a single `If` in orelse."""
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@_node
class While(Stmt):
    """`while test: body [else: orelse]` (orelse runs unless a break left the loop)."""
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@_node
class For(Stmt):
    """`for target in iter: body [else: orelse]` (orelse runs unless a break left the loop)."""
    target: Expr
    iter: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@_node
class Break(Stmt):
    """`break`."""


@_node
class Continue(Stmt):
    """`continue`."""


@_node
class Pass(Stmt):
    """`pass`."""


@_node
class Return(Stmt):
    """`return [value]`."""
    value: Optional[Expr] = None


@_node
class Yield(Stmt):
    """`yield [value]`, or `yield from value` (is_from); a statement here (its value is never sent)."""
    value: Optional[Expr] = None
    is_from: bool = False


PARAM_KINDS = ("positional", "var_positional", "keyword_only", "var_keyword")


@_node
class Param(Node):
    """One parameter of a def or lambda; kind is one of PARAM_KINDS (as in inspect.Parameter)."""
    name: str
    kind: str = "positional"
    default: Optional[Expr] = None
    annotation: Optional[Expr] = None


@_node
class FunctionDef(Stmt):
    """`@decorators def name(params) -> returns: body`; params are in source order."""
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...] = ()
    returns: Optional[Expr] = None


@_node
class ClassDef(Stmt):
    """`@decorators class name(base): body`; single inheritance, base None for `class Foo:`."""
    name: str
    base: Optional[Expr]
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...] = ()


@_node
class WithItem(Node):
    """`context [as target]` in a with statement."""
    context: Expr
    target: Optional[Expr] = None


@_node
class With(Stmt):
    """`with item, item: body` (items entered left to right)."""
    items: tuple[WithItem, ...]
    body: tuple[Stmt, ...]


@_node
class ExceptHandler(Node):
    """`except [type [as name]]: body`; type None is a bare `except:`."""
    type: Optional[Expr]
    name: Optional[str]
    body: tuple[Stmt, ...]


@_node
class Try(Stmt):
    """`try: body` + handlers + optional `else: orelse` + optional `finally: finalbody`."""
    body: tuple[Stmt, ...]
    handlers: tuple[ExceptHandler, ...] = ()
    orelse: tuple[Stmt, ...] = ()
    finalbody: tuple[Stmt, ...] = ()


@_node
class Raise(Stmt):
    """`raise [exc [from cause]]`; a bare `raise` re-raises."""
    exc: Optional[Expr] = None
    cause: Optional[Expr] = None


@_node
class Assert(Stmt):
    """`assert test [, msg]`."""
    test: Expr
    msg: Optional[Expr] = None


@_node
class Alias(Node):
    """`name [as asname]` in an import; name may be dotted (`torch.nn`)."""
    name: str
    asname: Optional[str] = None


@_node
class Import(Stmt):
    """`import a.b as c, d`."""
    names: tuple[Alias, ...]


@_node
class ImportFrom(Stmt):
    """`from module import a, b as c` (module is dotted; no relative imports, no `*`)."""
    module: str
    names: tuple[Alias, ...]


@_node
class Global(Stmt):
    """`global a, b`."""
    names: tuple[str, ...]


@_node
class Nonlocal(Stmt):
    """`nonlocal a, b`."""
    names: tuple[str, ...]


@_node
class Delete(Stmt):
    """`del t1, t2`."""
    targets: tuple[Expr, ...]


# ---------------------------------------------------------------- expressions
@_node
class Name(Expr):
    """A variable reference (or an assignment target)."""
    id: str


@_node
class Constant(Expr):
    """A literal: int, float (never negative), str, True, False, None or Ellipsis (`...`)."""
    value: Any


@_node
class FormattedValue(Expr):
    """`{value!conversion:format_spec}` inside an f-string; conversion is 'r', 's', 'a' or None."""
    value: Expr
    conversion: Optional[str] = None
    format_spec: Optional[FString] = None


@_node
class FString(Expr):
    """An f-string: parts are Constant(str) (non-empty, never two in a row) and FormattedValue."""
    parts: tuple[Expr, ...] = ()


@_node
class Tuple(Expr):
    """`(a, b)`, `a, b`, `()`; also the index of `x[:, 0]` (where elements may be Slices)."""
    elts: tuple[Expr, ...] = ()


@_node
class List(Expr):
    """`[a, b]`."""
    elts: tuple[Expr, ...] = ()


@_node
class Dict(Expr):
    """`{k: v, ...}`; keys and values are parallel tuples; a `**mapping` item has the key None."""
    keys: tuple[Optional[Expr], ...] = ()
    values: tuple[Expr, ...] = ()


@_node
class Set(Expr):
    """`{a, b}` (never empty: `{}` is a Dict)."""
    elts: tuple[Expr, ...] = ()


@_node
class Comprehension(Node):
    """`for target in iter if cond1 if cond2` inside a comprehension."""
    target: Expr
    iter: Expr
    ifs: tuple[Expr, ...] = ()


@_node
class ListComp(Expr):
    """`[elt for ... for ...]`."""
    elt: Expr
    generators: tuple[Comprehension, ...]


@_node
class SetComp(Expr):
    """`{elt for ...}`."""
    elt: Expr
    generators: tuple[Comprehension, ...]


@_node
class DictComp(Expr):
    """`{key: value for ...}`."""
    key: Expr
    value: Expr
    generators: tuple[Comprehension, ...]


@_node
class GeneratorExp(Expr):
    """`(elt for ...)`, also the sole argument in `f(elt for ...)`."""
    elt: Expr
    generators: tuple[Comprehension, ...]


@_node
class BinOp(Expr):
    """`left op right`; op is one of + - * / // % @ ** | ^ &."""
    left: Expr
    op: str
    right: Expr


@_node
class UnaryOp(Expr):
    """`op operand`; op is '-', '+', '~' or 'not'."""
    op: str
    operand: Expr


@_node
class BoolOp(Expr):
    """`v1 op v2 op ...` with op 'and' or 'or' (short-circuit, at least two values)."""
    op: str
    values: tuple[Expr, ...]


@_node
class Compare(Expr):
    """`left op1 c1 op2 c2 ...`; ops are < > == >= <= != in 'not in' is 'is not'."""
    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


@_node
class IfExp(Expr):
    """`body if test else orelse`."""
    test: Expr
    body: Expr
    orelse: Expr


@_node
class Lambda(Expr):
    """`lambda params: body`."""
    params: tuple[Param, ...]
    body: Expr


@_node
class Starred(Expr):
    """`*value` as a call argument."""
    value: Expr


@_node
class Keyword(Node):
    """`arg=value` in a call; arg None is `**value`."""
    arg: Optional[str]
    value: Expr


@_node
class Call(Expr):
    """`func(*args, **keywords)`; args may contain Starred, keywords come after args."""
    func: Expr
    args: tuple[Expr, ...] = ()
    keywords: tuple[Keyword, ...] = ()


@_node
class Attribute(Expr):
    """`value.attr`."""
    value: Expr
    attr: str


@_node
class Slice(Expr):
    """`lower:upper:step` (each optional); only as a Subscript index or an element of its Tuple."""
    lower: Optional[Expr] = None
    upper: Optional[Expr] = None
    step: Optional[Expr] = None


@_node
class Subscript(Expr):
    """`value[index]`; `x[a, b]` has a Tuple index, `x[1:2]` a Slice."""
    value: Expr
    index: Expr


# ---------------------------------------------------------------- generic, non-recursive helpers
def node_fields(node_type: type) -> tuple[str, ...]:
    """Names of a node type's fields, without `span`, in declaration order."""
    return node_type._fields  # type: ignore[attr-defined]


def iter_children(node: Node) -> Iterator[Node]:
    """The direct child nodes of node, in field order."""
    for name in node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Node):
                    yield item


def walk(node: Node) -> Iterator[Node]:
    """Every node under (and including) node, parents before children, children in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(iter_children(current))))


def ast_equal(a: Any, b: Any, ignore_spans: bool = False) -> bool:
    """Structural equality of two nodes (or tuples/values); constants must also agree in type."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        if isinstance(x, Node):
            if type(x) is not type(y):
                return False
            if not ignore_spans and x.span != y.span:
                return False
            stack.extend((getattr(x, n), getattr(y, n)) for n in node_fields(type(x)))
        elif isinstance(x, tuple):
            if not isinstance(y, tuple) or len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(x) is not type(y) or x != y:
            return False
    return True


def equal_ignoring_spans(a: Any, b: Any) -> bool:
    """True if a and b have the same shape and values, wherever they came from."""
    return ast_equal(a, b, ignore_spans=True)


def dump(node: Any, spans: bool = False) -> str:
    """A one-line, constructor-like text of a tree, e.g. `BinOp(left=Name(id='x'), op='+', ...)`."""
    out: list[str] = []
    stack: list[Any] = [("value", node)]
    while stack:
        kind, item = stack.pop()
        if kind == "text":
            out.append(item)
        elif isinstance(item, Node):
            names = node_fields(type(item))
            parts: list[Any] = [("text", type(item).__name__ + "(")]
            for i, name in enumerate(names):
                parts.append(("text", (", " if i else "") + name + "="))
                parts.append(("value", getattr(item, name)))
            if spans:
                parts.append(("text", (", " if names else "") + f"span={item.span!r}"))
            parts.append(("text", ")"))
            stack.extend(reversed(parts))
        elif isinstance(item, tuple):
            parts = [("text", "(")]
            for i, value in enumerate(item):
                if i:
                    parts.append(("text", ", "))
                parts.append(("value", value))
            parts.append(("text", ",)" if len(item) == 1 else ")"))
            stack.extend(reversed(parts))
        else:
            out.append("..." if item is Ellipsis else repr(item))
    return "".join(out)
