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
"""
from __future__ import annotations

from .ast import Span

__all__ = ["Reduced", "make_callbacks"]


class Reduced:
    """A rule's value on lark's stack, with the extent of the source it matched.

    The position attributes have Token's names, so a parent reads its first and last children's
    positions the same way whether they are tokens or reduced rules.
    """
    __slots__ = ("value", "line", "column", "end_line", "end_column")

    def __init__(self, value, line, column, end_line, end_column):
        self.value, self.line, self.column, self.end_line, self.end_column = value, line, column, end_line, end_column


def make_callbacks(rules, handlers) -> dict:
    """{lark Rule: callback(children) -> Reduced} for every rule; handlers maps a rule name to
    handler(span, children) -> value."""
    callbacks = {}
    for rule in rules:
        name = rule.alias or rule.origin.name
        inline = rule.origin.name.startswith("_")
        if not rule.expansion and not inline and name not in ("file", "expr"):
            raise AssertionError(f"empty rule {rule} would need lark's empty-span handling")
        if inline:
            handler = None
        elif name in handlers:
            handler = handlers[name]
        elif rule.options.expand1:  # `?exprlist: atom_expr | ...`: always one child, so never called
            handler = _no_handler(name)
        else:
            raise KeyError(f"no AST handler for rule {name!r}")
        callbacks[rule] = _compile(rule, handler)
    return callbacks


def _no_handler(name):
    def handler(span, children):
        raise KeyError(f"no AST handler for rule {name!r}")
    return handler


def _children_code(rule) -> tuple[str, bool]:
    """Python code for the filtered children list of `rule` built from the raw children `r`, and
    whether it extends r[0]'s list in place (left-recursive `_rule`s, as lark does: copying the list
    at every step would make a 20,000-term sum quadratic)."""
    empty = rule.options.empty_indices
    if empty:  # empty_indices: True where an [optional] part is missing; count the Nones before each symbol
        nones = [len(ones) for ones in "".join(str(int(b)) for b in empty).split("0")]
    else:
        nones = [0] * (len(rule.expansion) + 1)
    keep_all = rule.options.keep_all_tokens
    items: list[str] = []
    reuse = False
    pending = 0
    for i, sym in enumerate(rule.expansion):
        pending += nones[i]
        if sym.is_term and sym.filter_out and not keep_all:
            continue  # its missing-optional Nones move on to the next kept symbol, as in lark
        items.extend(["None"] * pending)
        pending = 0
        if sym.is_term:
            items.append(f"r[{i}]")
        elif sym.name.startswith("_"):
            if not items:
                reuse = True
                items.append(f"r[{i}].value")
            else:
                items.append(f"*r[{i}].value")
        else:
            items.append(f"r[{i}].value")
    items.extend(["None"] * (pending + nones[len(rule.expansion)]))
    if reuse:
        head, rest = items[0], items[1:]
        return (f"c = {head}\n    c += [{', '.join(rest)}]" if rest else f"c = {head}"), True
    return f"c = [{', '.join(items)}]", False


def _compile(rule, handler):
    """The callback of one rule, generated as straight-line code: it runs ~10,000 times per 1,000 lines."""
    children, _ = _children_code(rule)
    if not rule.expansion:  # lark gives an empty match the span 1:1-1:1 and no extent
        code = f"def cb(r):\n    {children}\n    return Reduced(handler(Span(1, 1, 1, 1), c), 1, 1, 1, 1)\n"
    else:
        lines = ["def cb(r):", "    a = r[0]", "    b = r[-1]", f"    {children}"]
        if handler is None:  # a `_rule`: its children join its parent's
            lines.append("    return Reduced(c, a.line, a.column, b.end_line, b.end_column)")
        else:
            if rule.options.expand1 and not rule.alias:
                lines += ["    if len(c) == 1:", "        return Reduced(c[0], a.line, a.column, b.end_line, b.end_column)"]
            lines += ["    return Reduced(handler(Span(a.line, a.column, b.end_line, b.end_column), c),",
                      "                   a.line, a.column, b.end_line, b.end_column)"]
        code = "\n".join(lines) + "\n"
    namespace = {"Reduced": Reduced, "Span": Span, "handler": handler}
    exec(compile(code, f"<gradlang rule {rule}>", "exec"), namespace)  # noqa: S102 - code built above from the grammar
    return namespace["cb"]
