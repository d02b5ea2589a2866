"""A fuzz of the sandbox: random compositions of builtins, operators, format fields and attribute chains.

Whatever a composition does, the run ends in a value or a GradError (never another exception), and the
value it leaves is nothing of Python's machinery: no module, code object, frame, traceback, metaclass,
interpreter internals or file-writing method. Run in-process with small limits (the watchdog included).
"""
from __future__ import annotations

import io
import types

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.lang import GradError, Limits, Session

PRELUDE = """import torch
import torch.nn as nn
class A:
    def __init__(self):
        self.v = 1
    def m(self):
        return self.v
def f(*a, **k):
    return a
x = torch.ones(2, requires_grad=True)
y = (x * 2).sum()
e = Exception('boom')
"""
ATOMS = ["1", "2.5", "'ab'", "[1, 2]", "(1, (2,))", "{'k': 1}", "None", "x", "y", "y.grad_fn", "x.numpy()",
         "print", "len", "type", "iter", "sum", "zip", "torch", "nn", "nn.Linear(2, 2)", "object", "e", "A",
         "A()", "A().m", "f", "lambda a: a", "range(3)", "super", "property", "torch.autograd.Function",
         "torch.float32", "torch.Tensor", "Exception", "'{0}'", "iter([1])", "v0", "v1", "v2", "v3"]
ATTRS = ["__class__", "__name__", "__init__", "__call__", "__dict__", "__globals__", "__code__", "__mro__",
         "__bases__", "__subclasses__", "__self__", "__func__", "__closure__", "__reduce__", "__reduce_ex__",
         "__wrapped__", "__module__", "__qualname__", "__getattribute__", "__instancecheck__", "_cls", "_fn",
         "_data", "_name", "gi_frame", "f_globals", "tb_frame", "mro", "grad_fn", "next_functions", "data",
         "base", "ctypes", "tofile", "register_hook", "apply", "forward", "args", "format", "join", "fget",
         "keys", "items", "tolist", "vm", "globals", "env", "code", "owner", "with_traceback", "numpy", "T",
         "modules", "functional", "nn", "autograd", "save", "load", "weight", "variable", "name"]
CALLS = ["type", "iter", "repr", "str", "format", "sum", "list", "tuple", "sorted", "min", "max", "zip",
         "enumerate", "hash", "id", "callable", "isinstance", "len", "bool", "reversed", "set", "dict"]


def _exprs():
    atom = st.sampled_from(ATOMS)

    def extend(inner):
        unary = st.tuples(st.sampled_from(CALLS), inner).map(lambda t: f"{t[0]}({t[1]})")
        return st.one_of(
            unary, unary, unary,  # one-argument chains such as type(type(x)) are where escapes hide
            st.tuples(inner, st.sampled_from(ATTRS)).map(lambda t: f"({t[0]}).{t[1]}"),
            st.tuples(st.sampled_from(CALLS), st.lists(inner, max_size=2)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(inner, st.lists(inner, max_size=2)).map(lambda t: f"({t[0]})({', '.join(t[1])})"),
            st.tuples(inner, st.sampled_from(ATTRS)).map(lambda t: f"getattr({t[0]}, {t[1]!r})"),
            st.tuples(st.sampled_from(ATTRS), st.sampled_from(ATTRS), inner).map(
                lambda t: f"'{{0.{t[0]}.{t[1]}}}'.format({t[2]})"),
            st.tuples(inner, st.sampled_from(["+", "*", "%", "==", "@", "-"]), inner).map(
                lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
            st.tuples(inner, inner).map(lambda t: f"isinstance({t[0]}, {t[1]})"),
        )
    return st.recursive(atom, extend, max_leaves=3)


def _forbidden(value) -> str | None:
    """Why value must never reach a script, or None."""
    if isinstance(value, (types.ModuleType, types.CodeType, types.FrameType, types.TracebackType)):
        return type(value).__name__
    if isinstance(value, type) and issubclass(value, type):
        return f"metaclass {value.__name__}"
    t = type(value)
    module = getattr(t, "__module__", "") or ""
    if module.startswith(("gradcli.lang", "gradcli.cli")) and t.__name__ not in (
            "ScriptFunction", "Builtin", "ClassName", "Namespace") and not issubclass(t, BaseException):
        return f"interpreter object {t.__name__}"
    name = getattr(value, "__name__", "")
    own = (getattr(value, "__module__", None) or "").startswith("gradcli.")  # Module.eval is not eval
    if callable(value) and not own and name in ("tofile", "dump", "save", "load", "eval", "exec", "open", "compile",
                                    "__import__", "globals", "vars", "setattr", "delattr"):
        return f"function {name}"
    if isinstance(value, types.MethodType) and type(value.__self__).__module__.startswith("gradcli.lang"):
        return "method of an interpreter object"
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_exprs(), min_size=1, max_size=5))
def test_random_compositions_end_cleanly_and_reach_nothing_of_python(steps):
    """Each step `v{i} = expr` (an expr may use the values of the steps before it) runs as a REPL input."""
    out, err = io.StringIO(), io.StringIO()
    limits = Limits(max_seconds=2.0, max_tensor_elements=100_000, max_loop_iterations=100_000, max_steps=100_000)
    session = Session("fuzz.grad", stdout=out, stderr=err, limits=limits)
    try:
        session.run(PRELUDE)
        for i, expr in enumerate(steps):
            try:
                session.run(f"v{i} = {expr}")
            except GradError as e:
                text = e.format()
                assert "Traceback" not in text and "gradcli/" not in text, text
                continue
            value = session.globals[f"v{i}"]
            for v in [value, *(value if type(value) in (list, tuple) else ())]:
                why = _forbidden(v)
                assert why is None, f"{expr} reached {why}"
    finally:
        session.close()
    assert "Traceback" not in out.getvalue() + err.getvalue()
