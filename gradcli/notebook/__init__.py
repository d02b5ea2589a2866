"""gradcli in Jupyter: `%load_ext gradcli` adds the `%grad` / `%%grad` magics, `gradcli.show(y)` steps through
a backward pass inline, and tensors with a graph draw it (their `_repr_svg_` / `_repr_html_`).

IPython is an optional extra (`pip install "gradcli[notebook]"`): only `load_ipython_extension` and `show`'s
display call import it, and the command line never imports this package.
"""
from __future__ import annotations

from .display import Page, draw_svg, graph_svg, show  # noqa: F401

__all__ = ["load_ipython_extension", "unload_ipython_extension", "show", "graph_svg", "draw_svg", "Page"]

_MAGICS: dict[int, object] = {}  # id(shell) -> its GradMagics: one .grad session per kernel


def load_ipython_extension(ipython) -> None:
    """Register `%grad` (line) and `%%grad` (cell) on this shell; loading again keeps the session."""
    from .magics import GradMagics
    magics = _MAGICS.get(id(ipython))
    if magics is None:
        magics = _MAGICS[id(ipython)] = GradMagics(ipython)
    ipython.register_magic_function(magics.grad, magic_kind="line_cell", magic_name="grad")


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext gradcli`: the session's names go, and the settings its cells changed are put back."""
    magics = _MAGICS.pop(id(ipython), None)
    if magics is not None:
        magics.reset()
