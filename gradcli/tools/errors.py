"""OptionError, in a module of its own so the command line's error boundary can name it without loading the
language or the expression tools."""
from __future__ import annotations

from gradcli.lang.errors import GradValueError

__all__ = ["OptionError"]


class OptionError(GradValueError):
    """A bad option value (`--at x`, `--wrt q`): the command line's usage error (exit 2)."""
