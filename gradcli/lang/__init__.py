"""gradlang, the language of .grad scripts: parse text into a positioned AST, and print it back.

    from gradcli.lang import parse_file, parse_expr, unparse
    module = parse_file(text, "train.grad")     # ast.Module, or raises a GradError
    parse_expr("a=x+w; b=w+1; y=a*b")           # a one-liner
    unparse(module)                             # Python-like source text
    run_file("train.grad")                      # run a script: prints what torch would print
    run_source("x=torch.tensor(2.); x*x", expr=True).value

Imports lark, never typer or rich.
"""
from . import ast
from .errors import (GradError, GradImportError, GradLimitError, GradNameError, GradRuntimeError,
                     GradSyntaxError, GradTypeError, GradValueError)
from .parser import DEFAULT_MAX_BYTES, parse_expr, parse_file
from .runner import Limits, RunResult, Session, run_file, run_source
from .unparse import unparse

__all__ = ["ast", "parse_file", "parse_expr", "unparse", "run_file", "run_source", "RunResult", "Session", "Limits", "DEFAULT_MAX_BYTES", "GradError", "GradSyntaxError",
           "GradNameError", "GradTypeError", "GradValueError", "GradRuntimeError", "GradLimitError",
           "GradImportError"]
