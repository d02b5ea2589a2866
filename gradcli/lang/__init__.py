"""gradlang, the language of .grad scripts: parse text into a positioned AST, and print it back.

    from gradcli.lang import parse_file, parse_expr, unparse
    module = parse_file(text, "train.grad")     # ast.Module, or raises a GradError
    parse_expr("a=x+w; b=w+1; y=a*b")           # a one-liner
    unparse(module)                             # Python-like source text
    run_file("train.grad")                      # run a script: prints what torch would print
    run_source("x=torch.tensor(2.); x*x", expr=True).value

Imports lark, never typer or rich.
"""
# The names below load on first use (PEP 562): `from gradcli.lang.limits import Limits` or
# `gradcli.lang.errors` must not pull in lark and the interpreter (the command line's cold start).
_EXPORTS = {
    "ast": ".ast", "unparse": ".unparse", "DEFAULT_MAX_BYTES": ".parser", "parse_expr": ".parser",
    "parse_file": ".parser", "Limits": ".limits", "RunResult": ".runner", "Session": ".runner",
    "run_file": ".runner", "run_source": ".runner",
    **{name: ".errors" for name in ("GradError", "GradSyntaxError", "GradNameError", "GradTypeError",
                                    "GradValueError", "GradRuntimeError", "GradLimitError", "GradImportError")},
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    import importlib
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gradcli.lang' has no attribute '{name}'")
    module = importlib.import_module(_EXPORTS[name], __name__)
    value = module if name == "ast" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
