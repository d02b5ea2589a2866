"""Pasted interactive sessions: a source whose first non-blank line starts with `>>> ` is a transcript.

Its `>>> ` and `... ` lines are the program (the prompts become four spaces, so every line and column
keeps its place: errors point into the pasted text, and quote it), the other lines are the output the
session printed, dropped. The program is then run as Python's interactive mode runs it: a bare expression
statement outside functions and classes prints the repr() of its value unless it is None, and keeps the
value as `_` (the compiler's `echo` mode emits PRINT_EXPR for it; handlers.py runs it). Imports nothing
of the interpreter: the parser uses it.
"""
from __future__ import annotations

import re

__all__ = ["is_transcript", "strip_prompts", "PROMPT_WIDTH"]

PROMPT_WIDTH = 4  # the program's text starts at this column of every kept line, so its base indentation
_FIRST = re.compile(r"(?:[ \t\f]*\n)*>>>(?: |$)", re.M)


def is_transcript(text: str) -> bool:
    """Does the first non-blank line start with the `>>> ` prompt (or is it a bare `>>>`)?"""
    return _FIRST.match(text) is not None


def strip_prompts(text: str) -> str:
    """The program of a transcript, line for line: prompts blanked, output lines emptied."""
    out = []
    for line in text.split("\n"):
        if line.startswith((">>> ", "... ")):
            out.append(" " * PROMPT_WIDTH + line[PROMPT_WIDTH:])
        else:  # `>>>` or `...` alone (an empty input line), or output
            out.append("")
    return "\n".join(out)
