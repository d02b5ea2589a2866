"""The one place a rich Console is made: markup off for data, width and colour from the options/terminal."""
from __future__ import annotations

import os
import sys

from .options import OPTIONS


def make_console(stderr: bool = False):
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
