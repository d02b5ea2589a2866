"""Compiles the AST into flat instruction lists for the interpreter's stack machine, without recursion.

Over 400 lines on purpose: one emitter per AST node kind, all sharing the explicit work list; scoping
already lives apart in scope.py.

One `Code` per module, function, lambda, class body and comprehension. The compiler walks the tree with
an explicit work list (a 20,000-term sum is a 20,000-deep BinOp chain), so neither compiling nor running
a program recurses over the depth of the user's input. Names are resolved here, as Python does at
compile time: a name assigned in a function is local to it, `global`/`nonlocal` say otherwise, other
names are looked up in the enclosing functions (closures), then in the module, then in the builtins.
"""
from __future__ import annotations

import operator

from . import ast as A
from .errors import GradLimitError, GradSyntaxError
from .opcodes import (BINOP, BREAK, BUILD_DICT, BUILD_LIST, BUILD_SLICE, BUILD_STRING, CALL,
                      CALL_EX, CALL_KW, COMPARE, CONST, DELETE_ATTR, DELETE_SUBSCR, DICT_SET, DICT_UPDATE,
                      DUP, DUP2, DUP_ROT3, END_FINALLY, EXC_MATCH, FORMAT, FOR_ITER, GET_ITER, IMPORT,
                      IMPORT_FROM, INPLACE, JUMP, JUMP_BACK, JUMP_IF_FALSE_OR_POP, JUMP_IF_TRUE_OR_POP,
                      LIST_APPEND, LIST_EXTEND, LOAD_ATTR, LOAD_FAST, LOAD_GLOBAL, LOAD_SUPER, MAKE_CLASS,
                      MAKE_FUNCTION, POP, POP_BLOCK, POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE, RAISE,
                      RAISE_ASSERT, RERAISE, RETURN, ROT2, ROT3, SETUP_EXCEPT, SETUP_FINALLY, SETUP_WITH,
                      STMT, STORE_ATTR, STORE_FAST, STORE_SUBSCR, SUBSCR, UNARY, UNPACK, WITH_EXIT,
                      YIELD, GEN_RETURN, PRINT_EXPR, UNPACK_EX)
from .displays import Displays, E, Label, _Emit, _Store
from .opcodes import FOR_ITER_STORE, LOAD_FAST_ATTR, LOAD_GLOBAL_ATTR, OPS  # noqa: F401  (OPS: names)
from .scope import Scope

__all__ = ["Code", "compile_module", "OPS", "MAX_BLOCK_NESTING"]

MAX_BLOCK_NESTING = 200  # nested def/class bodies; each one runs through one Python frame


_MAX_INT_BITS = 1_000_000  # `2 ** 10 ** 10` would compute for hours


def _pow(a, b):
    if type(a) is int and type(b) is int and b > 0 and abs(a) > 1 and b * a.bit_length() > _MAX_INT_BITS:
        raise GradLimitError(f"integer result of {a} ** {b} would have more than {_MAX_INT_BITS:,} bits")
    return a ** b


_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "//": operator.floordiv, "%": operator.mod, "@": operator.matmul, "**": _pow,
           "|": operator.or_, "^": operator.xor, "&": operator.and_}
_INPLACE = {"+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
            "//": operator.ifloordiv, "%": operator.imod, "@": operator.imatmul, "**": operator.ipow,
            "|": operator.ior, "^": operator.ixor, "&": operator.iand}
_UNARY = {"-": operator.neg, "+": operator.pos, "~": operator.invert, "not": operator.not_}
_COMPARE = {"<": operator.lt, ">": operator.gt, "==": operator.eq, ">=": operator.ge, "<=": operator.le,
            "!=": operator.ne, "is": operator.is_, "is not": operator.is_not,
            "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}


class Code:
    """A compiled body: parallel lists of opcodes, arguments and source spans, plus its signature."""

    __slots__ = ("name", "kind", "ops", "args", "spans", "params", "first_arg", "filename", "positional",
                 "varargs", "kwonly", "varkw", "simple", "arity", "generator")

    def __init__(self, name: str, kind: str, filename: str, params: tuple[A.Param, ...] = ()):
        self.name, self.kind, self.filename = name, kind, filename  # kind: module, function, class
        self.ops: list[int] = []
        self.args: list = []
        self.spans: list[A.Span] = []
        self.params = params
        self.positional = tuple(p.name for p in params if p.kind == "positional")
        self.kwonly = tuple(p.name for p in params if p.kind == "keyword_only")
        self.varargs = next((p.name for p in params if p.kind == "var_positional"), None)
        self.varkw = next((p.name for p in params if p.kind == "var_keyword"), None)
        self.simple = len(self.positional) == len(params)  # the fast path of argument binding
        self.arity = len(params) if self.simple else -1  # a call with this many positional arguments only
        self.first_arg = self.positional[0] if self.positional else None  # `self` for zero-argument super()
        self.generator = False  # a body with `yield`: calling it makes a generator (generators.py)

    def __repr__(self) -> str:
        return f"<code {self.name}>"


def compile_module(module: A.Module, filename: str, keep_last: bool = False, echo: bool = False) -> Code:
    """Compile a parsed program; with keep_last, a trailing expression statement is the result; with echo
    (a pasted interactive session), each expression statement outside defs and classes shows its value."""
    return _Compiler(filename, echo).run(module, keep_last and not echo)


class _Compiler(Displays):
    def __init__(self, filename: str, echo: bool = False):
        self.filename, self.echo = filename, echo

    def run(self, module: A.Module, keep_last: bool) -> Code:
        top = Code("<module>", "module", self.filename)
        body = list(module.body)
        last = None
        if keep_last and body and isinstance(body[-1], A.ExprStmt):
            last = body.pop()
        tail = [last.value, E(RETURN)] if last else [E(CONST), E(RETURN)]
        jobs = [(top, body + tail, Scope("module", None, module.body), 0)]
        while jobs:  # each nested def/lambda/class/comprehension body is a job of its own
            code, items, scope, depth = jobs.pop()
            self.code, self.scope, self.depth, self.jobs = code, scope, depth, jobs
            self.loops: list[tuple[Label, Label, int]] = []  # (break, continue, blocks at loop start)
            self.blocks = 0  # try/with blocks open at this point of the code
            self.handlers = 0  # except clauses we are inside (for a bare `raise`)
            stmts = [i for i in items if isinstance(i, A.Stmt)]
            if stmts:  # the statement budget is charged per body and per loop iteration, not per statement
                items = [E(STMT, count_statements(stmts), stmts[0].span)] + list(items)
            self._emit_all(items)
            if code.generator:  # a generator's return ends its iteration instead of returning a value
                code.ops = [GEN_RETURN if op == RETURN else op for op in code.ops]
            _resolve(code)
        return top

    # ---------------------------------------------------------------- the work list
    def _emit_all(self, items) -> None:
        code = self.code
        ops, args, spans = code.ops, code.args, code.spans
        stack = list(reversed(items))
        labelled = -1  # the last position a label points at: no instruction there may be fused away
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind is _Emit:
                op, arg, span = item
                fused = _FUSE.get((ops[-1], op)) if ops and labelled != len(ops) else None
                if fused is not None:  # one dispatch instead of two in the interpreter's loop
                    ops[-1], args[-1] = fused, (args[-1], arg)
                    if op == LOAD_ATTR:
                        spans[-1] = span
                    continue
                ops.append(op)
                args.append(arg)
                spans.append(span)
            elif kind is Label:
                item.pos = labelled = len(ops)
            elif kind is _Store:
                stack.extend(reversed(self._store(*item)))
            elif callable(item) and not isinstance(item, A.Node):
                item()
            else:
                handler = getattr(self, "c_" + type(item).__name__)
                stack.extend(reversed(handler(item)))

    def _nested(self, name: str, kind: str, node, params=(), items=()) -> Code:
        """Queue the body of a def/lambda/class/comprehension as its own Code."""
        if self.depth >= MAX_BLOCK_NESTING:
            raise GradLimitError(f"definitions nest too deeply (limit {MAX_BLOCK_NESTING})", node.span)
        # CPython's __qualname__: a def's own definitions are `<locals>` of it, a class's are attributes
        parent = self.code
        qual = name if parent.kind == "module" else \
            f"{parent.name}.<locals>.{name}" if parent.kind == "function" else f"{parent.name}.{name}"
        code = Code(qual, kind, self.filename, params)
        body = node.body if isinstance(node, (A.FunctionDef, A.ClassDef)) else ()
        code.generator = kind == "function" and _has_yield(body)
        scope = Scope(kind, self.scope, body, params)
        self.jobs.append((code, list(items), scope, self.depth + 1))
        return code

    def _block(self, delta: int):
        def change():
            self.blocks += delta
        return change

    # ---------------------------------------------------------------- statements
    def _stmts(self, body) -> list:
        return list(body)

    def c_ExprStmt(self, s):
        if self.echo and self.code.kind == "module":
            return [s.value, E(PRINT_EXPR, None, s.span)]
        return [s.value, E(POP)]

    def c_Assign(self, s):
        out = [s.value]
        for t in s.targets[:-1]:
            out += [E(DUP), _Store((t, "store"))]
        return out + [_Store((s.targets[-1], "store"))]

    def c_AugAssign(self, s):
        t, op = s.target, E(INPLACE, _INPLACE[s.op], s.span)
        if isinstance(t, A.Name):
            return [t, s.value, op, _Store((t, "store"))]
        if isinstance(t, A.Attribute):
            return [t.value, E(DUP), E(LOAD_ATTR, t.attr, t.span), s.value, op, E(ROT2),
                    E(STORE_ATTR, t.attr, t.span)]
        if isinstance(t, A.Subscript):
            return [t.value, t.index, E(DUP2), E(SUBSCR, None, t.span), s.value, op, E(ROT3),
                    E(STORE_SUBSCR, None, t.span)]
        raise GradSyntaxError("illegal expression for augmented assignment", t.span)

    def c_Delete(self, s):
        return [_Store((t, "delete")) for t in s.targets]

    def c_Pass(self, s):
        return []

    def c_Global(self, s):
        return []

    c_Nonlocal = c_Global

    def c_If(self, s):
        other, end = Label(), Label()
        if not s.orelse:  # no jump over an empty else: one dispatch less each time the body runs
            return [s.test, E(POP_JUMP_IF_FALSE, other, s.test.span), *s.body, other]
        return [s.test, E(POP_JUMP_IF_FALSE, other, s.test.span), *s.body,
                E(JUMP, end), other, *s.orelse, end]

    def _loop(self, brk: Label, cont: Label):
        def push():
            self.loops.append((brk, cont, self.blocks))

        def pop():
            self.loops.pop()
        return push, pop

    def c_While(self, s):
        top, orelse, end = Label(), Label(), Label()  # the else clause runs when the test fails, not on break
        push, pop = self._loop(end, top)
        return [top, E(STMT, 1 + count_statements(s.body), s.span), s.test,
                E(POP_JUMP_IF_FALSE, orelse, s.test.span), push, *s.body, pop, E(JUMP_BACK, top, s.span),
                orelse, *s.orelse, end]

    def c_For(self, s):
        top, brk, end = Label(), Label(), Label()
        push, pop = self._loop(brk, top)
        out = [s.iter, E(GET_ITER, None, s.iter.span), top, E(STMT, 1 + count_statements(s.body), s.span),
               E(FOR_ITER, end, s.span), _Store((s.target, "store")), push, *s.body, pop,
               E(JUMP_BACK, top, s.span), brk, E(POP)]
        if not s.orelse:
            return out + [end]
        done = Label()  # a break skips the else clause; the exhausted iterator runs it
        return out + [E(JUMP, done), end, *s.orelse, done]

    def c_Break(self, s):
        brk, _, blocks = self.loops[-1]
        return [E(BREAK, (brk, self.blocks - blocks), s.span)]

    def c_Continue(self, s):
        _, cont, blocks = self.loops[-1]
        return [E(BREAK, (cont, self.blocks - blocks), s.span)]

    def c_Return(self, s):
        value = s.value if s.value is not None else E(CONST)
        return [value, E(RETURN, None, s.span)]

    def c_Yield(self, s):
        if not s.is_from:
            return [s.value if s.value is not None else E(CONST), E(YIELD, None, s.span)]
        top, end = Label(), Label()  # `yield from it`: a loop that yields what it gets
        return [s.value, E(GET_ITER, None, s.value.span), top, E(FOR_ITER, end, s.span), E(YIELD, None, s.span),
                E(JUMP_BACK, top, s.span), end]

    def c_Raise(self, s):
        if s.exc is None:
            if not self.handlers:
                return [E(RAISE, 0, s.span)]
            return [E(LOAD_FAST, f"$exc{self.handlers}"), E(RAISE, 1, s.span)]
        if s.cause is None:
            return [s.exc, E(RAISE, 1, s.span)]
        return [s.exc, s.cause, E(RAISE, 2, s.span)]

    def c_Assert(self, s):
        end = Label()
        msg = [s.msg] if s.msg is not None else []
        return [s.test, E(POP_JUMP_IF_TRUE, end), *msg,
                E(RAISE_ASSERT, bool(msg), s.span), end]

    def c_Import(self, s):
        out = []
        for alias in s.names:
            bind = alias.asname or alias.name.split(".")[0]
            out += [E(IMPORT, (alias.name, alias.asname is None), alias.span), _Store((A.Name(bind), "store"))]
        return out

    def c_ImportFrom(self, s):
        out = [E(IMPORT, (s.module, False), s.span)]
        for alias in s.names:
            out += [E(DUP), E(IMPORT_FROM, (s.module, alias.name), alias.span),
                    _Store((A.Name(alias.asname or alias.name), "store"))]
        return out + [E(POP)]

    def c_Try(self, s):
        if s.finalbody:
            handler = Label()
            inner = A.Try(s.body, s.handlers, s.orelse, (), span=s.span) if s.handlers else None
            body = [inner] if inner is not None else list(s.body)
            return [E(SETUP_FINALLY, handler, s.span), self._block(1), *body,
                    E(POP_BLOCK), self._block(-1), E(CONST), handler, *s.finalbody, E(END_FINALLY, None, s.span)]
        handler, end = Label(), Label()
        out = [E(SETUP_EXCEPT, handler, s.span), self._block(1), *s.body, E(POP_BLOCK),
               self._block(-1), *s.orelse, E(JUMP, end), handler]
        hidden = f"$exc{self.handlers + 1}"  # where a bare `raise` in the clause finds the exception
        for h in s.handlers:
            following = Label()
            if h.type is not None:
                out += [E(DUP), h.type, E(EXC_MATCH, None, h.type.span), E(POP_JUMP_IF_FALSE, following)]
            out += [self._handler(1), E(STORE_FAST, hidden)]
            if h.name:
                out += [E(LOAD_FAST, hidden), _Store((A.Name(h.name, span=h.span), "store"))]
            out += [*h.body, self._handler(-1), E(JUMP, end), following]
        return out + [E(RERAISE), end]

    def _handler(self, delta: int):
        def change():
            self.handlers += delta
        return change

    def c_With(self, s):
        out = []
        exits = []
        for item in s.items:
            after = Label()
            target = _Store((item.target, "store")) if item.target is not None else E(POP)
            out += [item.context, E(SETUP_WITH, after, item.span), self._block(1), target]
            exits.append(after)
        out += list(s.body)
        for after in reversed(exits):
            out += [E(WITH_EXIT), self._block(-1), after]
        return out

    def c_FunctionDef(self, s):
        out = [*s.decorators]
        out += self._make_function(s.name, s, s.params, list(s.body) + [E(CONST), E(RETURN)])
        out += [E(CALL, 1, d.span) for d in reversed(s.decorators)]
        return out + [_Store((A.Name(s.name, span=s.span), "store"))]

    def _make_function(self, name, node, params, items):
        code = self._nested(name, "function", node, params, items)
        defaults = [p.default for p in params if p.default is not None and p.kind == "positional"]
        kw = [p for p in params if p.default is not None and p.kind == "keyword_only"]
        return [*defaults, *(p.default for p in kw),
                E(MAKE_FUNCTION, (code, len(defaults), tuple(p.name for p in kw)), node.span)]

    def c_ClassDef(self, s):
        code = self._nested(s.name, "class", s, (), list(s.body) + [E(CONST), E(RETURN)])
        base = s.base if s.base is not None else E(CONST)
        out = [*s.decorators, base, E(MAKE_CLASS, (s.name, code), s.span)]
        out += [E(CALL, 1, d.span) for d in reversed(s.decorators)]
        return out + [_Store((A.Name(s.name, span=s.span), "store"))]

    # ---------------------------------------------------------------- assignment targets
    def _store(self, t, mode):
        delete = mode == "delete"
        if isinstance(t, A.Name):
            op, arg = self.scope.store(t.id, delete)
            return [E(op, arg, t.span)]
        if isinstance(t, A.Attribute):
            return [t.value, E(DELETE_ATTR if delete else STORE_ATTR, t.attr, t.span)]
        if isinstance(t, A.Subscript):
            return [t.value, t.index, E(DELETE_SUBSCR if delete else STORE_SUBSCR, None, t.span)]
        if isinstance(t, (A.Tuple, A.List)):
            if delete:
                return [_Store((e, mode)) for e in t.elts]
            star = next((i for i, e in enumerate(t.elts) if isinstance(e, A.Starred)), None)
            if star is not None:  # `a, *rest = seq`
                return [E(UNPACK_EX, (star, len(t.elts) - star - 1), t.span)] + \
                    [_Store((e.value if isinstance(e, A.Starred) else e, mode)) for e in t.elts]
            return [E(UNPACK, len(t.elts), t.span)] + [_Store((e, mode)) for e in t.elts]
        raise GradSyntaxError("cannot assign to this expression", t.span)

    # ---------------------------------------------------------------- expressions
    def c_Name(self, e):
        op, arg = self.scope.load(e.id)
        return [E(op, arg, e.span)]

    def c_Constant(self, e):
        return [E(CONST, e.value, e.span)]

    def c_FString(self, e):
        return [*e.parts, E(BUILD_STRING, len(e.parts), e.span)]

    def c_FormattedValue(self, e):
        spec = [e.format_spec] if e.format_spec is not None else []
        return [e.value, *spec, E(FORMAT, (e.conversion, bool(spec)), e.span)]

    def c_Slice(self, e):
        parts = [p if p is not None else E(CONST) for p in (e.lower, e.upper, e.step)]
        return [*parts, E(BUILD_SLICE, None, e.span)]

    def c_BinOp(self, e):
        return [e.left, e.right, E(BINOP, _BINARY[e.op], e.span)]

    def c_UnaryOp(self, e):
        return [e.operand, E(UNARY, _UNARY[e.op], e.span)]

    def c_BoolOp(self, e):
        end = Label()
        jump = JUMP_IF_FALSE_OR_POP if e.op == "and" else JUMP_IF_TRUE_OR_POP
        out = []
        for v in e.values[:-1]:
            out += [v, E(jump, end)]
        return out + [e.values[-1], end]

    def c_Compare(self, e):
        if len(e.ops) == 1:
            return [e.left, e.comparators[0], E(COMPARE, _COMPARE[e.ops[0]], e.span)]
        cleanup, end = Label(), Label()
        out = [e.left]
        for op, right in zip(e.ops[:-1], e.comparators[:-1]):
            out += [right, E(DUP_ROT3), E(COMPARE, _COMPARE[op], e.span), E(JUMP_IF_FALSE_OR_POP, cleanup)]
        out += [e.comparators[-1], E(COMPARE, _COMPARE[e.ops[-1]], e.span), E(JUMP, end),
                cleanup, E(ROT2), E(POP), end]
        return out

    def c_IfExp(self, e):
        other, end = Label(), Label()
        return [e.test, E(POP_JUMP_IF_FALSE, other), e.body, E(JUMP, end), other, e.orelse, end]

    def c_Lambda(self, e):
        return self._make_function("<lambda>", e, e.params, [e.body, E(RETURN, None, e.body.span)])

    def c_Call(self, e):
        f = e.func
        if isinstance(f, A.Name) and f.id == "super" and not e.args and not e.keywords \
                and self.scope.load("super")[0] == LOAD_GLOBAL and self.code.kind == "function":
            return [E(LOAD_SUPER, None, e.span)]
        starred = any(isinstance(a, A.Starred) for a in e.args) or any(k.arg is None for k in e.keywords)
        if not starred:
            if e.keywords:
                names = tuple(k.arg for k in e.keywords)
                return [f, *e.args, *(k.value for k in e.keywords), E(CALL_KW, (len(e.args), names), e.span)]
            return [f, *e.args, E(CALL, len(e.args), e.span)]
        out = [f, E(BUILD_LIST, 0)]
        for a in e.args:
            out += [a.value, E(LIST_EXTEND, None, a.span)] if isinstance(a, A.Starred) else [a, E(LIST_APPEND, 1)]
        out.append(E(BUILD_DICT, 0))
        for k in e.keywords:
            out += [k.value, E(DICT_UPDATE, None, k.span) if k.arg is None else E(DICT_SET, k.arg, k.span)]
        return out + [E(CALL_EX, None, e.span)]

    def c_Starred(self, e):
        raise GradSyntaxError("can't use starred expression here", e.span)

    def c_Attribute(self, e):
        return [e.value, E(LOAD_ATTR, e.attr, e.span)]

    def c_Subscript(self, e):
        return [e.value, e.index, E(SUBSCR, None, e.span)]

_FUSE = {(LOAD_FAST, LOAD_ATTR): LOAD_FAST_ATTR, (LOAD_GLOBAL, LOAD_ATTR): LOAD_GLOBAL_ATTR,
         (FOR_ITER, STORE_FAST): FOR_ITER_STORE}


def _has_yield(body) -> bool:
    """Whether a function body yields (in any block of its own, not in nested defs and classes)."""
    stack = list(body)
    while stack:
        st = stack.pop()
        if isinstance(st, A.Yield):
            return True
        if isinstance(st, (A.If, A.For, A.While, A.With, A.Try)):
            stack.extend(getattr(st, "body", ()) + getattr(st, "orelse", ()) + getattr(st, "finalbody", ()))
            stack.extend(b for h in getattr(st, "handlers", ()) for b in h.body)
    return False


def count_statements(body) -> int:
    """Statements one pass over body may run: both branches of an if, but a nested loop's body counts on
    its own iterations and a def's body on its calls."""
    n, stack = 0, list(body)
    while stack:
        st = stack.pop()
        n += 1
        if isinstance(st, A.If):
            stack.extend(st.body + st.orelse)
        elif isinstance(st, A.Try):
            stack.extend(st.body + st.orelse + st.finalbody)
            for h in st.handlers:
                stack.extend(h.body)
        elif isinstance(st, A.With):
            stack.extend(st.body)
        elif isinstance(st, (A.For, A.While)):
            stack.extend(st.orelse)  # once per pass, like the statements around the loop
    return n


def _resolve(code: Code) -> None:
    """Replace Label arguments (also inside tuples) by instruction positions. A loop's JUMP_BACK gets
    (position, statements): when its target is the loop's STMT, it charges that count itself and lands
    just past it, one dispatch less per iteration."""
    ops, args = code.ops, code.args
    for i, a in enumerate(args):
        if type(a) is Label:
            args[i] = a.pos
        elif type(a) is tuple and a and type(a[0]) is Label:
            args[i] = (a[0].pos,) + a[1:]
    for i, op in enumerate(ops):
        if op == JUMP_BACK:
            t = args[i]
            args[i] = (t + 1, args[t]) if ops[t] == STMT else (t, 0)
