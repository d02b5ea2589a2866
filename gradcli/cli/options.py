"""The global options (`--json`, `--width`, `--color`, `--debug`), set once by the root callback."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Options:
    json: bool = False
    width: int | None = None
    color: str = "auto"  # auto | always | never
    debug: bool = False


OPTIONS = Options()
