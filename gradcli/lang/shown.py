"""How a script sees classes printed: torch's names for gradcli's classes, in one place.

gradcli's classes carry torch's module and name (gradcli/naming.py renames them at import), so print,
repr(), str() and a container's repr show `<class 'torch.nn.modules.linear.Linear'>` and a backward
node `<class 'MulBackward0'>`; an object with Python's default repr reads
`<torch.utils.data.dataloader.DataLoader object at 0x...>`. print, repr(), f-strings, str.format, the REPL's
echo and ClassName's repr go through `shown_str` / `shown_repr` (`tests/lang/test_shown.py` checks the
table against torch's classes).
"""
from __future__ import annotations

from gradcli.naming import GRADCLI_PATH, TORCH_CLASSES  # noqa: F401  (re-exported)

__all__ = ["TORCH_CLASSES", "torch_class_path", "torch_text", "shown_str", "shown_repr"]



def torch_class_path(c) -> str | None:
    """torch's dotted name for a gradcli class, or the bare name of a backward node (torch's C++ nodes
    have no module); None for any other class (builtins, a script's own, numpy's)."""
    if c in GRADCLI_PATH:  # renamed when gradcli was imported (gradcli/naming.py)
        return f"{c.__module__}.{c.__qualname__}"
    from ..autograd.graph import Node
    if isinstance(c, type) and issubclass(c, Node) and c.__module__ == "builtins":
        return c.__name__
    return None


def torch_text(value) -> str | None:
    """torch's text for a class, a class name or a gradcli object with Python's default repr; else None."""
    from .sandbox import ClassName
    if isinstance(value, type):
        path = torch_class_path(value)
        return None if path is None else f"<class '{path}'>"
    if type(value) is ClassName:
        return repr(value)
    if type(value).__repr__ is object.__repr__:
        path = torch_class_path(type(value))
        if path is not None:
            return f"<{path} object at 0x{id(value):x}>"
    return None


def shown_str(value) -> str:
    """str(value) as print and f-strings show it."""
    if type(value) is str:
        return value
    text = torch_text(value)
    return str(value) if text is None else text


def shown_repr(value) -> str:
    """repr(value) as repr() and the REPL show it."""
    text = torch_text(value)
    return repr(value) if text is None else text
