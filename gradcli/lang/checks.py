"""What the grammar accepts but Python rejects: assignment targets, parameter lists, misplaced statements.

The builder's handlers call `check_target` and `check_params` as they build; the parser calls
`check_context` on the finished module. All raise GradSyntaxError with the offending span, and none
recurses (the tree can be as deep as the input).
"""
from __future__ import annotations


from . import ast as A
from .errors import GradSyntaxError

__all__ = ["BareStar", "check_target", "check_params", "check_context"]


class BareStar:
    """The `*` that starts keyword-only parameters."""
    def __init__(self, span):
        self.span = span


_TARGET_WORDS = {
    A.Call: "a function call", A.Constant: "a literal", A.FString: "an f-string", A.Lambda: "a lambda",
    A.IfExp: "a conditional expression", A.ListComp: "a comprehension", A.SetComp: "a comprehension",
    A.DictComp: "a comprehension", A.Set: "a set display",
    A.GeneratorExp: "a generator expression", A.Dict: "a dict literal", A.Compare: "a comparison",
    A.BoolOp: "an expression", A.BinOp: "an expression", A.UnaryOp: "an expression",
    A.Starred: "a starred expression", A.Slice: "a slice",
}


def check_target(node, verb: str = "assign to", nested: bool = True):
    """Raise unless node is Name/Attribute/Subscript (or, if nested, Tuple/List of targets)."""
    if isinstance(node, A.Starred):
        raise GradSyntaxError("starred assignment target must be in a list or tuple", node.span)
    stack = [node]
    while stack:
        t = stack.pop()
        if isinstance(t, (A.Name, A.Attribute, A.Subscript)):
            continue
        if nested and isinstance(t, (A.Tuple, A.List)):
            starred = [e for e in t.elts if isinstance(e, A.Starred)]
            if len(starred) > 1:
                raise GradSyntaxError("multiple starred expressions in assignment", starred[1].span)
            stack.extend(e.value if isinstance(e, A.Starred) else e for e in t.elts)
            continue
        if not nested and isinstance(t, (A.Tuple, A.List)):
            raise GradSyntaxError("illegal target for augmented assignment", t.span)
        raise GradSyntaxError(f"cannot {verb} {_TARGET_WORDS.get(type(t), 'this expression')}", t.span)


def check_params(items, lambda_: bool) -> tuple[A.Param, ...]:
    """Order rules of a parameter list; gives keyword-only parameters their kind."""
    params, seen = [], set()
    after_star = after_kw = saw_default = False
    bare_star = None
    for item in items:
        if after_kw:
            raise GradSyntaxError("no parameter may follow **" + params[-1].name, item.span)
        if isinstance(item, BareStar) or item.kind == "var_positional":
            if after_star:
                raise GradSyntaxError("* may appear only once in a parameter list", item.span)
            after_star = True
            if isinstance(item, BareStar):
                bare_star = item
                continue
        elif item.kind == "var_keyword":
            after_kw = True
        elif after_star:
            item = A.replace(item, kind="keyword_only")
            bare_star = None
        elif item.default is not None:
            saw_default = True
        elif saw_default:
            raise GradSyntaxError("non-default argument follows default argument", item.span)
        if item.name in seen:
            where = "lambda" if lambda_ else "function definition"
            raise GradSyntaxError(f"duplicate argument '{item.name}' in {where}", item.span)
        seen.add(item.name)
        params.append(item)
    if bare_star is not None:
        raise GradSyntaxError("named arguments must follow bare *", bare_star.span)
    return tuple(params)


def check_context(module: A.Module) -> None:
    """What Python checks at compile time: return/yield/break/continue/nonlocal only where they mean something."""
    stack = [(s, False, False) for s in module.body]  # (statement, in a function, in a loop)
    while stack:
        s, in_func, in_loop = stack.pop()
        if isinstance(s, A.Return) and not in_func:
            raise GradSyntaxError("'return' outside function", s.span)
        if isinstance(s, A.Yield) and not in_func:
            raise GradSyntaxError("'yield' outside function", s.span)
        if isinstance(s, A.Break) and not in_loop:
            raise GradSyntaxError("'break' outside loop", s.span)
        if isinstance(s, A.Continue) and not in_loop:
            raise GradSyntaxError("'continue' not properly in loop", s.span)
        if isinstance(s, A.Nonlocal) and not in_func:
            raise GradSyntaxError("nonlocal declaration not allowed at module level", s.span)
        if isinstance(s, A.FunctionDef):
            stack.extend((b, True, False) for b in s.body)
        elif isinstance(s, A.ClassDef):
            stack.extend((b, False, False) for b in s.body)
        elif isinstance(s, (A.For, A.While)):
            stack.extend((b, in_func, True) for b in s.body)
            stack.extend((b, in_func, in_loop) for b in s.orelse)  # a break there leaves an outer loop
        elif isinstance(s, A.Try):
            blocks = [s.body, s.orelse, s.finalbody, *(h.body for h in s.handlers)]
            stack.extend((b, in_func, in_loop) for block in blocks for b in block)
        elif isinstance(s, (A.If, A.With)):
            blocks = [s.body, s.orelse] if isinstance(s, A.If) else [s.body]
            stack.extend((b, in_func, in_loop) for block in blocks for b in block)
