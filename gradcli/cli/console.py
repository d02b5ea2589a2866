"""The one place a rich Console is made: markup off for data, width and colour from the options/terminal.

`make_console()` returns a TextConsole: plain strings, which is most of what renderers print, go straight
to the stream, and rich is imported (~20-40 ms of a cold start) only when something else is printed (a
Table, a Tree, a style) or another Console attribute is used. Strings are written as they are: data lines
are not re-wrapped at the console width (a terminal wraps them itself; a copied tensor stays intact).
"""
from __future__ import annotations

import os
import sys

from .options import OPTIONS


class TextConsole:
    """print(str, ...) without rich; everything else delegates to the rich Console made on first need."""

    def __init__(self, stderr: bool = False):
        self.file = sys.stderr if stderr else sys.stdout
        self._stderr = stderr
        self._rich = None

    def print(self, *objects, **kwargs) -> None:
        if not kwargs and all(type(o) is str for o in objects):
            self.file.write(" ".join(objects) + "\n")
        else:
            self.rich.print(*objects, **kwargs)

    @property
    def rich(self):
        if self._rich is None:
            self._rich = make_rich_console(self._stderr)
        return self._rich

    def __getattr__(self, name):
        return getattr(self.rich, name)


def make_console(stderr: bool = False) -> TextConsole:
    return TextConsole(stderr)


def make_rich_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    color = OPTIONS.color
    if color == "auto":
        no_color = "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"
        force = None if no_color else (stream.isatty() or None)
        return Console(file=stream, markup=False, emoji=False, highlight=False, width=OPTIONS.width,
                       force_terminal=force, no_color=no_color, soft_wrap=False)
    return Console(file=stream, markup=False, emoji=False, highlight=False, width=OPTIONS.width,
                   force_terminal=(color == "always"), no_color=(color == "never"), soft_wrap=False,
                   color_system="standard" if color == "always" else None)
