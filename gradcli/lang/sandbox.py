"""What a script may reach: attribute reads and writes allow-listed per type, and a str.format that obeys them.

A script sees values, never Python's machinery: names starting with `_` are private (except the method
names a class definition needs, `__init__` and `__call__`, torch's public `_version` and `torch.__version__`
(a str subclass, read with str's policy: its str.format is the checked one), and on autograd nodes only the
`_saved_*` / `_raw_saved_*` debugging views torch documents); modules are
reachable only as gradcli's torch-shaped namespaces; a class shows its `__name__` (tutorials print
`type(t.grad_fn).__name__`); numpy arrays (from `.numpy()`) show a handful of
read-only attributes; objects of any type not listed here have no attributes at all.
`type(x)` and `x.__class__` (script_type) never hand over a class that makes classes: what a script may
not hold comes back as a ClassName, a name that prints, compares and works in isinstance (SECURITY.md).
"""
from __future__ import annotations

import functools
import string
import sys
import types

import numpy as np

from .errors import GradNameError

__all__ = ["get_attr", "set_attr", "del_attr", "Namespace", "safe_format", "SCRIPT_CLASS_FLAG", "script_type",
           "ClassName", "trusted_class"]

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

    def convert_field(self, value, conversion):
        if conversion in ("r", "s"):
            from .shown import shown_repr, shown_str
            return shown_repr(value) if conversion == "r" else shown_str(value)
        return super().convert_field(value, conversion)

    def get_field(self, field_name, args, kwargs):
        first, rest = _field_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = get_attr(obj, key) if is_attr else obj[key]
        return obj, first

    def format_field(self, value, format_spec):
        from .guards import check_format_spec
        check_format_spec(format_spec)
        if not format_spec and type(value) is not str:  # a class: torch's name, as print shows it
            from .shown import torch_text
            value = torch_text(value) or value
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
        if p is _PUBLIC and not issubclass(t, BaseException) and not any(
                isinstance(getattr(t, n, None), types.ModuleType) for n in dir(t)):
            OPEN_ATTRS.add(t)
    return p


def trusted_class(c: type) -> bool:
    """gradcli's own classes (not the interpreter's), and classes a script defined.

    Trust comes from identity, never from a name a class could claim: a script class carries the flag
    (only MAKE_CLASS sets it, and a script has no other way to make a class: `type` is never in reach);
    a gradcli class is the object its module holds under its name, or a node class the engine made."""
    if any(b.__dict__.get(SCRIPT_CLASS_FLAG) for b in getattr(c, "__mro__", ())):
        return True
    known = _gradcli_classes.get(c)
    if known is None:
        known = _gradcli_classes[c] = _is_gradcli_class(c)
    return known


_gradcli_classes: dict[type, bool] = {}


def _is_gradcli_class(c: type) -> bool:
    from ..autograd.graph import Node
    from ..naming import GRADCLI_PATH
    home = GRADCLI_PATH.get(c)  # where a class that carries torch's name (naming.py) really lives
    module = sys.modules.get(home.rpartition(".")[0] if home else getattr(c, "__module__", None) or "")
    name = getattr(module, "__name__", "")
    if name.startswith(("gradcli.lang", "gradcli.cli")):
        return False
    if name == "gradcli" or name.startswith("gradcli."):
        held = module
        for part in (home.rpartition(".")[2] if home else c.__qualname__).split("."):
            held = getattr(held, part, None)
        if held is c:
            return True
    # node classes made at run time (MulBackward0, a custom Function's backward) derive from Node
    return isinstance(c, type) and issubclass(c, Node) and c.__module__ != "__main__"


def _classify(t: type) -> str:
    if issubclass(t, str):  # str itself and gradcli's TorchVersion (a script cannot subclass str): the
        return _STR         # checked str.format, whatever the subclass inherits
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
    if isinstance(obj, (type, ClassName)):
        return f"class '{obj.__name__}'"
    return f"'{script_type(obj).__name__}' object"


def get_attr(obj, name: str):
    """`obj.name` as a script may read it."""
    if name[:1] == "_":
        if name == "__class__":  # the same answer as type(obj)
            return script_type(obj)
        if name in ("__name__", "__qualname__") and isinstance(obj, (type, ClassName)):
            return getattr(obj, name) if isinstance(obj, type) else obj.__name__  # read-only text
        if name == "__name__":  # a decorator printing `fn.__name__` of a script function: its name, a str
            from .interpreter import ScriptFunction
            if isinstance(obj, ScriptFunction):
                return obj.__name__
        if name.startswith(("_saved_", "_raw_saved_")) and isinstance(obj, _node_class()):
            return _saved_value(obj, name)
        if name == "__version__" and type(obj) is Namespace:  # torch.__version__: a str (policy _STR)
            return getattr(obj, name)
        if name not in _DUNDERS or (name != "_version" and not _may_call_dunder(obj)):
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
        if name in _STR_GROWERS:
            return _sized_str_method(obj, name, value)
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
    if type(value) is tuple:  # Exception(t).args is one level deeper than t
        from .guards import check_nesting
        check_nesting(value)
    return value


def _node_class():
    from ..autograd.graph import Node
    return Node


def _saved_value(node, name: str):
    """`grad_fn._saved_self` / `._raw_saved_self`, torch's debugging view of what a node saved: the one
    private-looking family a script may read, on autograd nodes only. What comes back is a value the
    graph already held for the script (an input, the output, an argument it passed, a shape or dtype) or
    a SavedTensor handle (public: register_hooks, unpack); a name the node did not save is missing."""
    value = getattr(node, name)
    if type(value) is types.ModuleType:
        raise _denied(node, name, "Python modules are not available")
    return value


def _may_call_dunder(obj) -> bool:
    """`__init__`/`__call__` are for class code: `nn.Module.__init__(self)`, `super().__init__()`, a script
    object's own; not a bound method of gradcli's internals (`y.grad_fn.__init__`)."""
    return isinstance(obj, (type, super)) or bool(getattr(type(obj), SCRIPT_CLASS_FLAG, False))


_STR_GROWERS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join"})
_MAX_STR = 100_000_000  # characters a str method may be asked to make (the element limit applies after)


def _sized_str_method(s: str, name: str, method):
    """str methods whose result can be far larger than their inputs, refused before they allocate it."""
    def call(*args, **kwargs):
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            count = s.count(args[0]) if args[0] else len(s) + 1
            n = len(s) + count * (len(args[1]) - len(args[0]))
        elif name == "join":
            parts = args[0] if args and type(args[0]) in (list, tuple) else ()
            n = len(s) * max(len(parts) - 1, 0) + sum(len(p) for p in parts if type(p) is str)
        else:
            n = max((a for a in (*args, *kwargs.values()) if type(a) is int), default=0) * \
                (max(len(s), 1) if name == "expandtabs" else 1)
        if n > _MAX_STR:
            from .errors import GradLimitError
            raise GradLimitError(f"str.{name} would make a string of {n:,} characters")
        return method(*args, **kwargs)
    return call


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


# ---------------------------------------------------------------- type(x) as a script sees it
# The classes `type(x)` may hand over as themselves: the builtins a script names anyway, and (below)
# gradcli's and the script's own. Every other class (a metaclass above all: `type`, FunctionMeta, whose
# instances are classes) comes back as a ClassName, which can be printed, compared and used in
# isinstance, but not called, subclassed or looked into.
_PLAIN_CLASSES = frozenset({int, float, bool, complex, str, list, tuple, dict, set, frozenset, range, slice,
                            object, property, staticmethod, classmethod, super})
_SHOWN_AS = {"ScriptFunction": "function", "MethodType": "method"}


class ClassName:
    """A class a script may know by name only (what `type(print)` or `type(type(1))` gives)."""

    __slots__ = ("_cls", "__name__")

    def __init__(self, cls: type):
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "__name__", _SHOWN_AS.get(cls.__name__, cls.__name__))

    def __repr__(self) -> str:
        from .shown import torch_class_path
        path = torch_class_path(self._cls)
        if path is not None:
            return f"<class '{path}'>"
        module = getattr(self._cls, "__module__", "builtins")
        if module in ("builtins", "gradcli.lang.interpreter") or module.startswith("gradcli."):
            return f"<class '{self.__name__}'>"
        return f"<class '{module}.{self.__name__}'>"

    def __eq__(self, other):
        return isinstance(other, ClassName) and other._cls is self._cls

    def __hash__(self):
        return hash(self._cls)

    def __instancecheck__(self, obj) -> bool:
        return isinstance(obj, self._cls)

    def __subclasscheck__(self, cls) -> bool:
        return isinstance(cls, type) and issubclass(cls, self._cls)

    def __setattr__(self, name, value):
        raise GradNameError(f"cannot set attribute '{name}' of class '{self.__name__}' in .grad scripts")

    def __call__(self, *args, **kwargs):
        from .errors import GradTypeError
        raise GradTypeError(f"cannot create '{self.__name__}' objects in .grad scripts")

    def __reduce__(self):  # no pickling path back to the class
        raise TypeError("cannot pickle a class name")


_names: dict[type, ClassName] = {}


def script_type(obj):
    """`type(obj)` (and `obj.__class__`) in a script: the class itself if the script may hold it, else its name."""
    t = type(obj)
    if _visible(t):
        return t
    if t.__name__ == "Builtin" and t.__module__ == "gradcli.lang.builtins":
        # print is a builtin like len, though gradcli implements it; `type` is the class it stands for
        t = type if obj.__name__ == "type" else types.BuiltinFunctionType
    name = _names.get(t)
    if name is None:
        name = _names[t] = ClassName(t)
    return name


def _visible(t: type) -> bool:
    if issubclass(t, type):  # a metaclass makes classes: never
        return False
    if t in _PLAIN_CLASSES:
        return True
    if issubclass(t, BaseException):
        return t.__module__ == "builtins" or trusted_class(t)
    return trusted_class(t)
