"""`gradcli repl`: the .grad language line by line, with history (readline) on a terminal."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from .. import limits as L

EXAMPLES = """
Examples:

\b
  gradcli repl
  printf 'x = torch.ones(2)\\nprint(x * 3)\\n' | gradcli repl
"""

BANNER = ("gradcli {version} — the .grad language, line by line. torch, nn and F are predefined.\n"
          "A blank line ends a block; Ctrl-C cancels the input; Ctrl-D exits.")


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def repl(
        max_steps: int = L.MAX_STEPS,
        max_loop_iterations: int = L.MAX_LOOP_ITERATIONS,
        max_call_depth: int = L.MAX_CALL_DEPTH,
        max_tensor_elements: int = L.MAX_TENSOR_ELEMENTS,
        max_graph_nodes: int = L.MAX_GRAPH_NODES,
        max_seconds: float = L.MAX_SECONDS,
        max_memory: int = L.MAX_MEMORY,
        no_doctor: bool = typer.Option(False, "--no-doctor",
                                       help="On an autograd error, print only torch's message (no explanation, "
                                            "no fix, no re-runs of the session's inputs)."),
    ):
        """Read-eval-print loop: run .grad statements as you type them; a bare expression shows its value.

        The limits apply to each input on its own.

        On a terminal: prompts `>>> ` and `... `, line editing and history (saved in
        $XDG_STATE_HOME/gradcli/history, or ~/.local/state/gradcli/history).

        A pasted interactive session (lines starting with `>>> `) runs as a transcript: the prompts are
        stripped, a bare `...` is a blank line, the lines without a prompt are its output and are skipped;
        an empty line ends it.

        When backward fails, gradcli's autograd doctor explains it after torch's message and checks its fix by
        re-running the inputs so far (line numbers then count over the whole session).

        With standard input piped in, no prompts or banner are printed (stdout holds only what the input
        prints), the lines run as typed, and the exit code is 1 if any input failed (0 otherwise).
        """
        from gradcli.tools.repl import Repl, run_loop

        interactive = sys.stdin.isatty()
        from gradcli.lang.process_limits import supervise

        limits = L.limits(max_steps, max_loop_iterations, max_call_depth, max_tensor_elements, max_graph_nodes,
                          max_seconds=max_seconds, max_memory=max_memory)
        supervise(limits, wall_clock=False)  # each input has its own time budget; the memory one is the session's
        session = Repl(sys.stdout, sys.stderr, limits, doctor=not no_doctor)
        if not interactive:
            run_loop(session, _piped_reader(sys.stdin.buffer), show_prompts=False)
            raise typer.Exit(1 if session.failures else 0)
        from gradcli import __version__
        sys.stderr.write(BANNER.format(version=__version__) + "\n")
        history = _History()
        try:
            run_loop(session, input)
        finally:
            history.save()
        sys.stdout.write("\n")  # after ^D the shell prompt starts on a line of its own


def _piped_reader(stream):
    """Lines of a byte stream, decoded strictly (a bad line is reported, not guessed at)."""
    def read(prompt: str) -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line.decode("utf-8")
    return read


def history_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "gradcli" / "history"


class _History:
    """readline's history, loaded from and saved to history_path(); without readline, or with an
    unwritable home, the REPL works the same minus history."""

    def __init__(self):
        try:
            import readline
        except ImportError:  # Windows, or a Python built without it
            self.readline = None
            return
        self.readline = readline
        readline.set_history_length(1000)
        try:
            readline.read_history_file(history_path())
        except (OSError, ValueError):  # no history yet, or unreadable: start empty
            pass

    def save(self) -> None:
        if self.readline is None:
            return
        try:
            path = history_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(path)
        except (OSError, ValueError):  # a read-only home must not turn an exit into a crash
            pass
