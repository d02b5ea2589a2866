"""What the doctor says: a finding (why, which lines, candidate fixes) and the diagnosis it becomes once
gradcli has re-run the script with a fix applied."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from .edits import Edit


@dataclass
class Fix:
    """One way to fix it: `text` for people; `edits` (empty when the fix needs judgement) make it in the
    source; `why` replaces the finding's explanation when this fix is the one that works; `check` says
    what is still wrong after a re-run that ended without error (None when nothing is)."""

    text: str
    edits: tuple[Edit, ...] = ()
    why: tuple = ()  # facts (line, source, note) or sentences
    lines: tuple[int, ...] = ()
    check: Optional[Callable] = None

    @property
    def mechanical(self) -> bool:
        return bool(self.edits)


@dataclass
class Finding:
    kind: str
    line: int  # where it failed (or warned)
    why: list[str]
    lines: list[int]  # the script lines the explanation names
    fixes: list[Fix] = field(default_factory=list)


@dataclass
class Diagnosis:
    """The doctor's answer for one failed (or warned) run."""

    kind: str
    message: str  # torch's text, unchanged
    line: int
    why: list  # a headline, then (line, source, note) facts or plain sentences
    lines: list[int]
    fix: Optional[str] = None
    mechanical: bool = False
    verified: Optional[bool] = None  # True: the fixed script runs to the end; False: it still fails
    rerun: Optional[str] = None  # what the re-run showed
    fixed_source: Optional[str] = None
    changed: list = field(default_factory=list)  # (line number, before, after) of the fixed source

    def to_json(self) -> dict:
        why = [w if isinstance(w, str) else {"line": w[0], "source": w[1], "note": w[2]} for w in self.why]
        return {"kind": self.kind, "line": self.line, "why": why, "lines": self.lines, "fix": self.fix,
                "mechanical": self.mechanical, "verified": self.verified, "rerun": self.rerun,
                "changed": [{"line": n, "before": b, "after": a} for n, b, a in self.changed]}

    def render(self) -> list[str]:
        """The text block printed after torch's message."""
        width = min(40, max([len(w[1]) for w in self.why if not isinstance(w, str)] or [0]))
        out = [f"doctor: {self.why[0]}"]
        for w in self.why[1:]:
            out.append(f"  {w}" if isinstance(w, str) else f"  line {w[0]:>3}  {w[1]:<{width}}  {w[2]}")
        if self.fix:
            out.append(f"fix: {self.fix}")
            for n, before, after in self.changed:
                out.append(f"  - {n:>3} | {before}" if before is not None else f"  + {n:>3} | {after}")
        if self.verified is True:
            out.append(f"checked: {self.rerun}")
        elif self.verified is False:
            out.append(f"not confirmed: {self.rerun}")
        elif self.rerun:
            out.append(self.rerun)
        return out
