"""The public surface the op table declares (each entry's `api=`): the names bound as Tensor methods,
exported as gradcli functions and known to one-line expressions, plus a pass-through function for each
exposed entry that ops.py has no hand-written (overload-picking, promoting) function for."""
from . import ops
from .derivatives import TABLE

KINDS = ("method", "function", "expr")


def names(kind: str) -> list:
    """Keys of the entries exposed as `kind` (one of KINDS), in table order."""
    return [k for k, od in TABLE.items() if kind in od.api]


def _passthrough(od):
    # the plain call: tensors first, then the entry's args by position or name; torch's dtype promotion
    # and broadcasting come from ops._unary / ops._binary like every hand-written elementwise op
    n, key, arg_names = len(od.inputs), od.key, od.args
    if n not in (1, 2):
        raise TypeError(f"op {key}: a pass-through takes 1 or 2 tensors; write its function in ops.py")

    def f(*xs, **kwargs):
        if len(xs) < n:
            raise TypeError(f"{key}() missing required argument '{od.inputs[len(xs)]}'")
        rest = xs[n:]
        extra = set(kwargs) - set(arg_names[len(rest):])
        if len(rest) > len(arg_names) or extra:
            raise TypeError(f"{key}() got unexpected arguments")
        args = tuple(rest) + tuple(kwargs[a] for a in arg_names[len(rest):])
        return ops._unary(key, xs[0], args) if n == 1 else ops._binary(key, xs[0], xs[1], args, floating=True)
    f.__name__ = f.__qualname__ = key
    return f


def install() -> None:
    """Give ops.py a function for every entry exposed as a method or function that has none."""
    for key, od in TABLE.items():
        if ("method" in od.api or "function" in od.api) and not hasattr(ops, key):
            setattr(ops, key, _passthrough(od))
