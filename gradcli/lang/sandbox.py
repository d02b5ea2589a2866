"""What a script may reach: attribute reads and writes allow-listed per type, and a str.format that obeys them.

A script sees values, never Python's machinery: names starting with `_` are private (except the method
names a class definition needs, `__init__` and `__call__`, and torch's public `_version`); modules are
reachable only as gradcli's torch-shaped namespaces; a class shows its `__name__` (tutorials print
`type(t.grad_fn).__name__`); numpy arrays (from `.numpy()`) show a handful of
read-only attributes; objects of any type not listed here have no attributes at all.
"""
from __future__ import annotations

import functools
import string
import types

import numpy as np

from .errors import GradNameError

__all__ = ["get_attr", "set_attr", "del_attr", "Namespace", "safe_format", "SCRIPT_CLASS_FLAG"]

_DUNDERS = frozenset({"__init__", "__call__", "_version"})
_ARRAY_ATTRS = frozenset({"shape", "dtype", "ndim", "size", "tolist", "item", "T"})
SCRIPT_CLASS_FLAG = "_gradcli_script_class"


class Namespace:
    """A module as a script sees it (`torch`, `torch.nn`, `F`, ...): a fixed set of names."""

    def __init__(self, name: str, names: dict):
        self.__dict__.update(names)
        self.__dict__["_name"] = name

    def __repr__(self) -> str:
        return f"<module '{self._name}'>"

    def __setattr__(self, name, value):
        raise AttributeError(f"module '{self._name}' is read-only in .grad scripts")

    def __getattr__(self, name):  # only reached when the name is missing
        raise AttributeError(f"module '{self._name}' has no attribute '{name}'")


class SafeFormatter(string.Formatter):
    """str.format whose `{0.attr}` and `{0[key]}` fields go through the sandbox."""

    def get_field(self, field_name, args, kwargs):
        first, rest = _field_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = get_attr(obj, key) if is_attr else obj[key]
        return obj, first

    def format_field(self, value, format_spec):
        from .guards import check_format_spec
        check_format_spec(format_spec)
        return super().format_field(value, format_spec)


def _field_split(name):
    import _string  # the parser str.format itself uses
    return _string.formatter_field_name_split(name)


_formatter = SafeFormatter()


def safe_format(template: str, *args, **kwargs) -> str:
    return _formatter.vformat(template, args, kwargs)


# ---------------------------------------------------------------- the per-type policy
_PUBLIC, _NONE, _ARRAY, _STR = "public", "none", "array", "str"
_SAFE_BUILTIN_TYPES = (int, float, bool, complex, list, tuple, dict, set, frozenset, range, slice, type(None),
                       type({}.keys()), type({}.values()), type({}.items()), BaseException, super)
_policy_cache: dict[type, str] = {}
OPEN_ATTRS: set[type] = set()  # types whose public attributes are read without further checks (fast path)


def _policy(t: type) -> str:
    p = _policy_cache.get(t)
    if p is None:
        p = _policy_cache[t] = _classify(t)
        if p is _PUBLIC and not any(
                isinstance(getattr(t, n, None), types.ModuleType) for n in dir(t)):
            OPEN_ATTRS.add(t)
    return p


def trusted_class(c: type) -> bool:
    """gradcli's own classes (not the interpreter's), and classes a script defined."""
    module = getattr(c, "__module__", "") or ""
    if c.__dict__.get(SCRIPT_CLASS_FLAG) or any(b.__dict__.get(SCRIPT_CLASS_FLAG) for b in c.__mro__):
        return True
    if module.startswith(("gradcli.lang", "gradcli.cli")):
        return False
    return module == "gradcli" or module.startswith(("gradcli.", "torch."))


def _classify(t: type) -> str:
    if t is str:
        return _STR
    if t is Namespace:
        return _PUBLIC
    if issubclass(t, (np.ndarray, np.generic)):
        return _ARRAY
    if issubclass(t, _SAFE_BUILTIN_TYPES):
        return _PUBLIC
    if issubclass(t, type):  # a class: only gradcli's and the script's own
        return "class"
    if trusted_class(t):
        return _PUBLIC
    return _NONE


def _denied(obj, name: str, why: str) -> GradNameError:
    return GradNameError(f"attribute '{name}' of {_describe(obj)} is not accessible in .grad scripts ({why})")


def _describe(obj) -> str:
    if isinstance(obj, Namespace):
        return f"module '{obj._name}'"
    if isinstance(obj, type):
        return f"class '{obj.__name__}'"
    kind = type(obj).__name__
    return f"'{'function' if kind == 'ScriptFunction' else kind}' object"


def get_attr(obj, name: str):
    """`obj.name` as a script may read it."""
    if name[0] == "_" and name not in _DUNDERS:
        if name == "__name__" and isinstance(obj, type):  # `type(t.grad_fn).__name__`, read-only text
            return obj.__name__
        if name == "__name__":  # a decorator printing `fn.__name__` of a script function: its name, a str
            from .interpreter import ScriptFunction
            if isinstance(obj, ScriptFunction):
                return obj.__name__
        if name == "__class__":  # `model.__class__.__name__`: exactly what type(obj) gives the script
            from .builtins import script_type
            return script_type(obj)
        raise _denied(obj, name, "names starting with '_' are private")
    t = type(obj)
    p = _policy_cache.get(t) or _policy(t)
    if p is _PUBLIC:
        value = getattr(obj, name)
    elif p is _STR:
        if name == "format":
            return functools.partial(safe_format, obj)
        if name == "format_map":
            raise _denied(obj, name, "use str.format")
        value = getattr(obj, name)
    elif p is _ARRAY:
        if name not in _ARRAY_ATTRS:
            raise _denied(obj, name, "numpy arrays are read-only values here; use torch.tensor(...) on them")
        value = getattr(obj, name)
    elif p == "class":
        if not trusted_class(obj):
            raise _denied(obj, name, "only gradcli's and the script's own classes expose attributes")
        value = getattr(obj, name)
    else:
        raise _denied(obj, name, "objects of this type expose no attributes")
    if type(value) is types.ModuleType:
        raise _denied(obj, name, "Python modules are not available")
    return value


def _writable(obj) -> bool:
    t = type(obj)
    if isinstance(obj, type):
        return bool(obj.__dict__.get(SCRIPT_CLASS_FLAG))
    return t is not Namespace and _policy(t) is _PUBLIC and trusted_class(t)


def set_attr(obj, name: str, value) -> None:
    """`obj.name = value` as a script may write it: public names of gradcli objects and script objects."""
    if name[0] == "_":
        raise _denied(obj, name, "names starting with '_' are private")
    if not _writable(obj):
        raise GradNameError(f"cannot set attribute '{name}' of {_describe(obj)} in .grad scripts")
    setattr(obj, name, value)


def del_attr(obj, name: str) -> None:
    if name[0] == "_" or not _writable(obj):
        raise GradNameError(f"cannot delete attribute '{name}' of {_describe(obj)} in .grad scripts")
    delattr(obj, name)
