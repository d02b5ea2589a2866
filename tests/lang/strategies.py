"""Hypothesis strategies for gradlang ASTs in the parser's normal form (what parse_file can return).

Normal form: number constants are non-negative, FString parts never hold two constants in a row or an
empty one, Slices appear only as subscript indices, Starred only as call arguments and list or set
elements, a Dict key is None only for a `**mapping` item, sets are never empty, bodies are never
empty, return/yield/break/continue/nonlocal only where they are legal.
"""
from functools import lru_cache

from hypothesis import strategies as st

from gradcli.lang import ast as A

NAMES = st.sampled_from(["x", "y", "w", "grad", "torch", "nn", "F", "loss", "t0", "_h", "élan", "Σ"])
ATTRS = st.sampled_from(["grad", "data", "shape", "backward", "sum", "T", "real", "next_functions"])
SPEC_TEXT = st.text(alphabet="<>^=+-#0123456789.,%_bcdefgnosxX ", min_size=1, max_size=6)


def _name():
    return NAMES.map(A.Name)


def _constants():
    return st.one_of(
        st.integers(min_value=0, max_value=10 ** 30).map(A.Constant),
        st.floats(min_value=0, allow_nan=False, allow_infinity=True).map(A.Constant),
        st.text(max_size=12).map(A.Constant),
        st.sampled_from([True, False, None, Ellipsis]).map(A.Constant),
    )


def _fstring(inner):
    """FString whose fields hold `inner` expressions; literal parts never adjacent or empty."""
    literal = st.text(min_size=1, max_size=8).map(A.Constant)
    spec = st.lists(st.one_of(SPEC_TEXT.map(A.Constant), inner.map(A.FormattedValue)), max_size=2).map(
        lambda parts: A.FString(_normal(parts)) if _normal(parts) else None)
    field = st.builds(A.FormattedValue, inner, st.sampled_from([None, "r", "s", "a"]), spec)
    return st.lists(st.one_of(literal, field), max_size=4).map(lambda parts: A.FString(_normal(parts)))


def _normal(parts):
    out = []
    for p in parts:
        if isinstance(p, A.Constant) and out and isinstance(out[-1], A.Constant):
            out[-1] = A.Constant(out[-1].value + p.value)
        else:
            out.append(p)
    return tuple(out)


def _params(default_expr, annotations):
    """A valid parameter list: positional (defaults on a suffix), *args or bare *, keyword-only, **kw."""
    @st.composite
    def build(draw):
        names = iter(draw(st.lists(st.sampled_from("abcdefghij"), min_size=8, max_size=8, unique=True)))
        ann = (lambda: draw(st.none() | default_expr)) if annotations else (lambda: None)
        params = []
        n_pos = draw(st.integers(0, 3))
        n_def = draw(st.integers(0, n_pos))
        for i in range(n_pos):
            default = draw(default_expr) if i >= n_pos - n_def else None
            params.append(A.Param(next(names), "positional", default, ann()))
        star = draw(st.sampled_from(["none", "args", "bare"]))
        if star == "args":
            params.append(A.Param(next(names), "var_positional", None, ann()))
        if star != "none":
            for _ in range(draw(st.integers(1 if star == "bare" else 0, 2))):
                params.append(A.Param(next(names), "keyword_only", draw(st.none() | default_expr), ann()))
        if draw(st.booleans()):
            params.append(A.Param(next(names), "var_keyword", None, ann()))
        return tuple(params)
    return build()


@lru_cache(maxsize=None)  # build each strategy once: hypothesis is much faster with shared strategies
def expressions(max_leaves=12, fstrings=True):
    leaves = st.one_of(_name(), _constants())

    def extend(children):
        subscript_item = st.one_of(children, st.builds(A.Slice, st.none() | children, st.none() | children,
                                                       st.none() | children))
        index = st.one_of(children, subscript_item,
                          st.lists(subscript_item, max_size=3).map(lambda xs: A.Tuple(tuple(xs))))
        # (no unique_by: a filtered draw makes hypothesis build the repr of this huge strategy)
        keywords = st.tuples(
            st.lists(st.sampled_from(["a", "b", "dim", "keepdim"]), unique=True, max_size=3),
            st.lists(children, min_size=3, max_size=3), st.lists(children, max_size=1)).map(
            lambda t: tuple(A.Keyword(k, v) for k, v in zip(t[0], t[1])) + tuple(A.Keyword(None, v) for v in t[2]))
        args = st.lists(st.one_of(children, children.map(A.Starred)), max_size=3).map(tuple)
        comprehension = st.builds(
            A.Comprehension,
            st.one_of(_name(), st.lists(_name(), min_size=1, max_size=2).map(lambda xs: A.Tuple(tuple(xs)))),
            children, st.lists(children, max_size=2).map(tuple))
        gens = st.lists(comprehension, min_size=1, max_size=2).map(tuple)
        options = [
            st.builds(A.BinOp, children, st.sampled_from(["+", "-", "*", "/", "//", "%", "@", "**", "|", "^", "&"]),
                      children),
            st.builds(A.UnaryOp, st.sampled_from(["-", "+", "~", "not"]), children),
            st.builds(A.BoolOp, st.sampled_from(["and", "or"]), st.lists(children, min_size=2, max_size=3).map(tuple)),
            st.integers(1, 3).flatmap(lambda n: st.builds(
                A.Compare, children,
                st.lists(st.sampled_from(["<", ">", "==", ">=", "<=", "!=", "in", "not in", "is", "is not"]),
                         min_size=n, max_size=n).map(tuple),
                st.lists(children, min_size=n, max_size=n).map(tuple))),
            st.builds(A.IfExp, children, children, children),
            st.builds(A.Call, children, args, keywords),
            st.builds(A.Attribute, children, ATTRS),
            st.builds(A.Subscript, children, index),
            st.lists(children, max_size=3).map(lambda xs: A.Tuple(tuple(xs))),
            st.lists(children, max_size=3).map(lambda xs: A.List(tuple(xs))),
            st.lists(st.one_of(children, children.map(A.Starred)), max_size=3).map(lambda xs: A.List(tuple(xs))),
            st.lists(st.one_of(children, children.map(A.Starred)), min_size=1, max_size=3).map(
                lambda xs: A.Set(tuple(xs))),
            st.lists(st.tuples(st.none() | children, children), max_size=2).map(
                lambda kv: A.Dict(tuple(k for k, _ in kv), tuple(v for _, v in kv))),
            st.builds(A.ListComp, children, gens),
            st.builds(A.SetComp, children, gens),
            st.builds(A.DictComp, children, children, gens),
            st.builds(A.GeneratorExp, children, gens),
            st.builds(A.Lambda, _params(children, annotations=False), children),
        ]
        if fstrings:
            options.append(_fstring(expressions(max_leaves=4, fstrings=False)))
        return st.one_of(options)

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@lru_cache(maxsize=None)
def _targets():
    simple = st.one_of(_name(), st.builds(A.Attribute, _name(), ATTRS),
                       st.builds(A.Subscript, _name(), expressions(max_leaves=3, fstrings=False)))
    return st.one_of(simple, st.lists(simple, max_size=3).map(lambda xs: A.Tuple(tuple(xs))),
                     st.lists(simple, min_size=1, max_size=2).map(lambda xs: A.List(tuple(xs))))


@lru_cache(maxsize=None)
def statements(depth=2, in_func=False, in_loop=False):
    expr = expressions(max_leaves=4)
    simple = [
        st.builds(A.ExprStmt, expr),
        st.builds(A.Assign, st.lists(_targets(), min_size=1, max_size=2).map(tuple), expr),
        st.builds(A.AugAssign, st.one_of(_name(), st.builds(A.Attribute, _name(), ATTRS)),
                  st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^"]), expr),
        st.just(A.Pass()),
        st.builds(A.Raise, st.none() | expr, st.none()),
        st.builds(A.Assert, expr, st.none() | expr),
        st.builds(A.Delete, st.lists(_targets(), min_size=1, max_size=2).map(tuple)),
        st.builds(A.Global, st.lists(NAMES, min_size=1, max_size=2).map(tuple)),
        st.lists(st.builds(A.Alias, st.sampled_from(["torch", "torch.nn", "torch.nn.functional", "math"]),
                           st.none() | NAMES), min_size=1, max_size=2).map(lambda a: A.Import(tuple(a))),
        st.lists(st.builds(A.Alias, NAMES, st.none() | NAMES), min_size=1, max_size=2).map(
            lambda a: A.ImportFrom("torch.autograd", tuple(a))),
    ]
    if in_func:
        simple += [st.builds(A.Return, st.none() | expr), st.builds(A.Nonlocal, st.lists(NAMES, min_size=1).map(tuple)),
                   st.builds(A.Yield, st.none() | expr), st.builds(A.Yield, expr, st.just(True))]
    if in_loop:
        simple += [st.just(A.Break()), st.just(A.Continue())]
    if depth <= 0:
        return st.one_of(simple)

    def body(func=in_func, loop=in_loop):
        return st.lists(statements(depth - 1, func, loop), min_size=1, max_size=3).map(tuple)

    handler = st.builds(A.ExceptHandler, expr, st.none() | NAMES, body())
    compound = [
        st.builds(A.If, expr, body(), st.one_of(st.just(()), body())),
        st.builds(A.While, expr, body(loop=True), st.just(()) | body()),
        st.builds(A.For, _targets(), expr, body(loop=True), st.just(()) | body()),
        st.builds(A.FunctionDef, NAMES, _params(expressions(max_leaves=3), annotations=True), body(True, False),
                  st.lists(expressions(max_leaves=3), max_size=2).map(tuple), st.none() | expr),
        st.builds(A.ClassDef, NAMES, st.none() | expr, body(False, False),
                  st.lists(expressions(max_leaves=3), max_size=1).map(tuple)),
        st.builds(A.With, st.lists(st.builds(A.WithItem, expr, st.none() | _name()), min_size=1, max_size=2)
                  .map(tuple), body()),
        st.builds(lambda b, hs, bare, orelse, final: A.Try(
            b, tuple(hs) + ((A.ExceptHandler(None, None, bare),) if bare else ()),
            orelse if (hs or bare) else (), final if (hs or bare) else (final or (A.Pass(),))),
            body(), st.lists(handler, max_size=2), st.none() | body(), st.just(()) | body(), st.just(()) | body()),
    ]
    return st.one_of(simple + compound)


def modules():
    return st.lists(statements(), max_size=4).map(lambda body: A.Module(tuple(body)))


