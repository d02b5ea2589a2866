"""The read-eval-print loop of `gradcli repl`: gathers lines into complete inputs as Python's REPL does, runs
each in one lang.Session (names live on from input to input) and echoes the value of a bare expression.

    repl = Repl(sys.stdout, sys.stderr)
    repl.feed("x = torch.tensor(2., requires_grad=True)")   # False: the input was complete and ran
    repl.feed("if x > 1:")                                  # True: more lines wanted (prompt `... `)

A pasted interactive session (lines starting with `>>> `) is read as a transcript, as `gradcli run` reads
one (lang/transcript.py): from a `>>> ` line on, the prompts are stripped, a bare `...` is a blank line,
and the lines without a prompt are the output the session printed, skipped; an empty line with no input
open ends the transcript, and the next unprompted line is code again.

Terminal matters (readline, history, prompts on a tty) belong to the command, gradcli/cli/commands/repl.py.
"""
from __future__ import annotations

from typing import Callable, TextIO

from gradcli.lang import ast as A
from gradcli.lang.errors import GradError, GradSyntaxError
from gradcli.lang.parser import parse_file
from gradcli.lang.runner import Limits, Session
from gradcli.lang.shown import shown_repr

__all__ = ["PS1", "PS2", "FILENAME", "needs_more", "Repl", "run_loop"]

PS1, PS2 = ">>> ", "... "
FILENAME = "<stdin>"
_COMPOUND = (A.If, A.While, A.For, A.FunctionDef, A.ClassDef, A.With, A.Try)


def needs_more(text: str) -> bool:
    """Is `text` (the lines typed so far) an unfinished input? Python's rules: the parser stopped at the end
    (open bracket, a header without its block, an open triple quote), a trailing backslash, or a compound
    statement, which only a blank line ends (an `else:` may follow). A blank line does not end a bracket."""
    last = text.rsplit("\n", 1)[-1]
    if last.rstrip().endswith("\\"):
        return True
    try:
        module = parse_file(text, FILENAME)
    except GradSyntaxError as e:
        if not e.at_end:
            return False
        if last.strip() or "\n" not in text:
            return True
        return e.message.startswith(("expected ')'", "expected ']'", "expected '}'", "unterminated triple"))
    except GradError:  # too large, not UTF-8, ...: report it now
        return False
    return bool(module.body) and isinstance(module.body[-1], _COMPOUND) and bool(last.strip())


class Repl:
    """Lines in, output and positioned errors out; `failures` counts the inputs that raised."""

    def __init__(self, out: TextIO, err: TextIO, limits: Limits | None = None, doctor: bool = False):
        self.out, self.err = out, err
        self.limits, self.doctor = limits, doctor
        self.history: list[str] = []  # the inputs that ran: what the doctor re-runs
        self.session = Session(FILENAME, stdout=out, stderr=err, limits=limits)
        self.pending: list[str] = []
        self.failures = 0
        self.transcript = False  # inside a pasted session: unprompted lines are its output

    @property
    def prompt(self) -> str:
        return PS2 if self.pending else PS1

    def feed(self, line: str) -> bool:
        """Add one line; runs the input once it is complete. True when more lines are wanted."""
        line = line.rstrip("\r\n")
        if "\n" in line:  # a bracketed paste can hand over several lines as one
            more = False
            for part in line.split("\n"):
                more = self.feed(part)
            return more
        if line.startswith(PS1) or line.rstrip() == PS1.rstrip():
            self.transcript = True
            self.flush()  # a new prompt: any input still open had ended (its blank `...` line was not pasted)
            return self._add(line[len(PS1):])
        if self.transcript:
            if line.startswith(PS2) or line.rstrip() == PS2.rstrip():
                return self._add(line[len(PS2):])
            if not line.strip() and not self.pending:
                self.transcript = False
                return False
            self.flush()  # output of the pasted session: skipped; it shows the input above had ended
            return False
        return self._add(line)

    def _add(self, line: str) -> bool:
        self.pending.append(line)
        text = "\n".join(self.pending)
        if needs_more(text):
            return True
        self.pending = []
        if text.strip():
            self.execute(text)
        return False

    def flush(self) -> None:
        """End of input: run what is pending, as if a blank line had been typed."""
        if self.pending:
            text, self.pending = "\n".join(self.pending), []
            if text.strip():
                self.execute(text)

    def cancel(self) -> None:
        """Ctrl-C at a prompt: forget the lines typed so far."""
        self.pending = []
        self.transcript = False

    def error(self, message: str) -> None:
        """An input the loop itself rejects (e.g. not UTF-8), reported like the interpreter's errors."""
        self.failures += 1
        self.out.flush()
        self.err.write(message + "\n")
        self.err.flush()

    def execute(self, text: str) -> None:
        try:
            value = self.session.run(text, keep_last=True)
        except GradError as e:
            if self.doctor:
                self._diagnose(e, text)
            self.error(e.format())
            return
        except KeyboardInterrupt:  # Ctrl-C while running: stop this input, keep the session
            self.error("KeyboardInterrupt")
            return
        self.history.append(text)
        if value is not None:  # Python's REPL echoes repr() of a bare expression and keeps it as `_`
            self.session.globals["_"] = value
            self.out.write(shown_repr(value) + "\n")  # torch's class names, as print shows them
        self.out.flush()

    def _diagnose(self, error: GradError, text: str) -> None:
        from gradcli.tools import doctor
        doctor.attach_session(error, self.history + [text], FILENAME, "this session's inputs", limits=self.limits)

    def close(self) -> None:
        self.session.close()


def run_loop(repl: Repl, read: Callable[[str], str], show_prompts: bool = True) -> None:
    """Read lines with `read(prompt)` until it raises EOFError; Ctrl-C (KeyboardInterrupt from `read`)
    cancels the input being typed. Lines `read` cannot decode arrive as UnicodeDecodeError."""
    try:
        while True:
            try:
                line = read(repl.prompt if show_prompts else "")
            except EOFError:
                repl.flush()
                return
            except KeyboardInterrupt:
                repl.cancel()
                repl.err.write("\nKeyboardInterrupt\n")
                continue
            except UnicodeDecodeError as e:
                where = len(repl.pending) + 1
                repl.cancel()
                repl.error(f"{FILENAME}:{where}:{e.start + 1}: error: the line is not valid UTF-8 "
                           f"(byte 0x{e.object[e.start]:02x}); the input was skipped")
                continue
            repl.feed(line)
    finally:
        repl.close()
