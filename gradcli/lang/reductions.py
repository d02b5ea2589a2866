"""Builds the AST while lark parses: one LALR reduction callback per grammar rule, no parse tree.

lark's own callbacks build a `Tree` per reduction, and `propagate_positions` then gives each tree a
span; the AST was built from that tree afterwards. Both passes cost more than the parsing itself, so
the callbacks here hand each rule's children straight to the AST handler of `builder.py`, with the
span lark would have given it. The LALR parser keeps its own stack, so this is no more recursive than
the parse: 20,000-term sums and 5,000 nested parentheses reduce in a loop.

What lark does, and these callbacks reproduce (the AST must not change):
- a rule's span runs from the start of its first matched symbol to the end of its last, filtered-out
  tokens (keywords, brackets, new lines) included, as `propagate_positions` computes it;
- children are filtered as in lark's `ChildFilterLALR`: anonymous tokens dropped unless the rule is
  `!`, `_rule`s spliced into their parent, and None put where a `[optional]` part is missing;
- a `?rule` left with one child is that child (its node keeps its own span; the parent sees the wider
  extent of the `?rule`, e.g. `(x)` with its parentheses).

On lark's value stack a token stays a Token, and a reduced rule is a tuple (value, line, column,
end_line, end_column): its value and the extent of the source it matched. Each callback is generated
as straight-line code from its rule, since whether a symbol is a token or a rule is known in advance:
a 1,000-line script makes ~10,000 reductions.
"""
from __future__ import annotations

from .ast import Span

__all__ = ["make_callbacks"]


def make_callbacks(rules, handlers) -> dict:
    """{lark Rule: callback(raw children) -> (value, line, column, end_line, end_column)} for every rule.

    handlers maps a rule's name (or alias) to handler(span, children) -> value; `_rule`s need none.
    """
    callbacks = {}
    for rule in rules:
        name = rule.alias or rule.origin.name
        if not rule.expansion and name not in ("file", "expr"):
            raise AssertionError(f"empty rule {rule}: only a start rule may match nothing")
        if rule.origin.name.startswith("_"):
            handler = None
        elif name in handlers:
            handler = handlers[name]
        elif rule.options.expand1:  # `?exprlist: atom_expr | ...`: each alternative has one child
            handler = _no_handler(name)
        else:
            raise KeyError(f"no AST handler for rule {name!r}")
        callbacks[rule] = _compile(rule, handler)
    return callbacks


def _no_handler(name):
    def handler(span, children):
        raise KeyError(f"no AST handler for rule {name!r}")
    return handler


def _children(rule) -> tuple[list[str], bool, int | None]:
    """The filtered children of `rule` as Python expressions over the raw children `r`.

    Also: whether the first one is a `_rule` whose list can be extended in place (lark does so for
    left recursion; copying it at every step would make a 20,000-term sum quadratic), and how many
    children there are (None if a spliced `_rule` makes that vary).
    """
    empty = rule.options.empty_indices
    if empty:  # True where an [optional] part is missing: count the Nones due before each symbol
        nones = [len(ones) for ones in "".join(str(int(b)) for b in empty).split("0")]
    else:
        nones = [0] * (len(rule.expansion) + 1)
    keep_all = rule.options.keep_all_tokens
    items: list[str] = []
    reuse, fixed = False, True
    pending = 0
    for i, sym in enumerate(rule.expansion):
        pending += nones[i]
        if sym.is_term and sym.filter_out and not keep_all:
            continue  # its Nones go before the next kept symbol, as in lark
        items += ["None"] * pending
        pending = 0
        if sym.is_term:
            items.append(f"r[{i}]")
        elif sym.name.startswith("_"):
            fixed = False
            reuse = reuse or not items
            items.append(f"r[{i}][0]" if not items else f"*r[{i}][0]")
        else:
            items.append(f"r[{i}][0]")
    items += ["None"] * (pending + nones[len(rule.expansion)])
    return items, reuse, len(items) if fixed else None


def _compile(rule, handler):
    items, reuse, count = _children(rule)
    if reuse:
        build = [f"c = {items[0]}"] + ([f"c += [{', '.join(items[1:])}]"] if len(items) > 1 else [])
    else:
        build = [f"c = [{', '.join(items)}]"]
    expansion = rule.expansion
    expand1 = rule.options.expand1 and not rule.alias
    if not expansion:  # lark gives an empty match the span 1:1-1:1
        body = build + ["return (handler(Span(1, 1, 1, 1), c), 1, 1, 1, 1)"]
    elif expand1 and expansion == [expansion[0]] and not expansion[0].is_term and count == 1:
        body = ["return r[0]"]  # `?test: atom_expr`: the child, with the same extent
    else:
        first = "r[0].line, r[0].column" if expansion[0].is_term else "r[0][1], r[0][2]"
        last = "r[-1].end_line, r[-1].end_column" if expansion[-1].is_term else "r[-1][3], r[-1][4]"
        body = [f"line, column = {first}", f"end_line, end_column = {last}"]
        extent = "line, column, end_line, end_column"
        if expand1 and count == 1:
            if not items[0].endswith("][0]"):  # lark would put a bare token or None on the stack
                raise AssertionError(f"{rule}: a ?rule must keep one rule, not a token or an optional")
            body += [f"return ({items[0]}, {extent})"]
        elif handler is None:  # a `_rule`: its children join its parent's
            body += build + [f"return (c, {extent})"]
        else:
            body += build
            if expand1 and count is None:
                body += ["if len(c) == 1:", f"    return (c[0], {extent})"]
            body += [f"return (handler(Span({extent}), c), {extent})"]
    # Rules of the same shape share their code: compiled once (a few dozen shapes for ~360 rules; compiling
    # each rule on its own was ~70 ms of every cold start), then closed over each rule's handler.
    code = "def make(handler):\n    def callback(r):\n" + "".join(f"        {line}\n" for line in body) + \
        "    return callback\n"
    make = _FACTORIES.get(code)
    if make is None:
        namespace = {"Span": Span}
        exec(compile(code, f"<gradlang rule {rule}>", "exec"), namespace)  # code generated above from the grammar
        make = _FACTORIES[code] = namespace["make"]
    return make(handler)


_FACTORIES: dict = {}  # generated source -> make(handler) -> callback
