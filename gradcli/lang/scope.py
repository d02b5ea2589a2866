"""Python's compile-time scoping for the compiler: which names a function, class or module body binds, and
so whether a name is read as a local, from an enclosing function (a closure), or as a global/builtin."""
from __future__ import annotations

from . import ast as A
from .opcodes import (DELETE_DEREF, DELETE_FAST, DELETE_GLOBAL, LOAD_DEREF, LOAD_FAST, LOAD_GLOBAL, LOAD_NAME,
                           STORE_DEREF, STORE_FAST, STORE_GLOBAL)

__all__ = ["Scope"]


class Scope:
    """What the compiler knows about one scope: which names are local, global, nonlocal."""

    def __init__(self, kind: str, parent: Scope | None, body=(), params=()):
        self.kind, self.parent = kind, parent
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.locals: set[str] = {p.name for p in params}
        _collect(self, body)
        self.locals -= self.globals | self.nonlocals

    def load(self, name: str):
        """(op, arg) that reads name in this scope."""
        if self.kind == "module" or name in self.globals:
            return LOAD_GLOBAL, name
        if self.kind == "class":
            return LOAD_NAME, (name, self._free_depth(name))
        if name in self.locals:
            return LOAD_FAST, name
        depth = self._free_depth(name)
        return (LOAD_DEREF, (depth, name)) if depth else (LOAD_GLOBAL, name)

    def store(self, name: str, delete: bool = False):
        if name in self.globals:
            return (DELETE_GLOBAL if delete else STORE_GLOBAL), name
        if name in self.nonlocals:
            return (DELETE_DEREF if delete else STORE_DEREF), (self._free_depth(name), name)
        return (DELETE_FAST if delete else STORE_FAST), name

    def _free_depth(self, name: str) -> int:
        """How many function scopes out the name lives (0: not in an enclosing function)."""
        depth, scope = 0, self.parent
        while scope is not None:
            if scope.kind == "function":
                depth += 1
                if name in scope.locals or name in scope.nonlocals:
                    return depth if name in scope.locals else depth + scope._free_depth(name)
                if name in scope.globals:
                    return 0
            elif scope.kind == "module":
                return 0
            scope = scope.parent
        return 0


def _collect(scope: Scope, body) -> None:
    """Names bound by the statements of one scope (not descending into nested defs and classes)."""
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, (A.FunctionDef, A.ClassDef)):
            scope.locals.add(s.name)
        elif isinstance(s, A.Global):
            scope.globals.update(s.names)
        elif isinstance(s, A.Nonlocal):
            scope.nonlocals.update(s.names)
        elif isinstance(s, (A.Assign, A.AugAssign, A.For, A.Delete)):
            targets = s.targets if isinstance(s, (A.Assign, A.Delete)) else (s.target,)
            _target_names(scope.locals, targets)
            if isinstance(s, A.For):
                stack.extend(s.body + s.orelse)
        elif isinstance(s, (A.Import, A.ImportFrom)):
            for alias in s.names:
                scope.locals.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(s, A.With):
            _target_names(scope.locals, [i.target for i in s.items if i.target is not None])
            stack.extend(s.body)
        elif isinstance(s, A.If):
            stack.extend(s.body + s.orelse)
        elif isinstance(s, A.While):
            stack.extend(s.body + s.orelse)
        elif isinstance(s, A.Try):
            stack.extend(s.body + s.orelse + s.finalbody)
            for h in s.handlers:
                if h.name:
                    scope.locals.add(h.name)
                stack.extend(h.body)


def _target_names(out: set, targets) -> None:
    stack = list(targets)
    while stack:
        t = stack.pop()
        if isinstance(t, A.Name):
            out.add(t.id)
        elif isinstance(t, (A.Tuple, A.List)):
            stack.extend(t.elts)
        elif isinstance(t, A.Starred):
            stack.append(t.value)
