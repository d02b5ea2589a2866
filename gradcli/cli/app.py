"""The Typer root: global options, the error boundary, and the registration of every command."""
from __future__ import annotations

import functools
import sys

import typer
from typer.core import TyperGroup

from gradcli import RELEASE

from . import render
from .options import OPTIONS
from .render import error_document


class _Group(TyperGroup):
    """Usage errors (a bad option value, a missing argument) in the house format: `error: ...` first, as
    every other error, then the usage line and where help is; exit 2 as click does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the global options are accepted after the command too (`gradcli grad EXPR --json`), as people type
        shared = [p for p in self.params if p.name in GLOBAL_OPTIONS]
        for name, command in self.commands.items():
            if name != "version" and not any(p.name in GLOBAL_OPTIONS for p in command.params):
                command.params.extend(_after_command(p) for p in shared)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        render.reset()
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except typer.TyperException as e:  # typer's (vendored) click exceptions all derive from it
            if type(e).__name__ == "NoArgsIsHelpError" or not hasattr(e, "format_message"):
                e.show()  # `gradcli` alone: the help, as before
                sys.exit(getattr(e, "exit_code", 2))
            sys.stdout.flush()
            ctx = getattr(e, "ctx", None)
            if OPTIONS.json or _json_requested(argv):  # parsing may stop before --json is seen
                command = ctx.info_name if ctx is not None and ctx.parent is not None else None
                error_document(command, "UsageError", e.format_message(), None, e.exit_code)
            lines = [f"error: {e.format_message()}"]
            if ctx is not None:
                lines += [ctx.get_usage(), f"Try '{ctx.command_path} -h' for help."]
            sys.stderr.write("\n".join(lines) + "\n")
            sys.exit(e.exit_code)
        except typer.Abort:
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        # without standalone mode click returns the exit code of typer.Exit, or the command's value (None)
        sys.exit(rv if isinstance(rv, int) else 0)


GLOBAL_OPTIONS = ("json_", "width", "color", "debug")


def _json_requested(argv: list) -> bool:
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


def _after_command(option):
    """A copy of a root option for a command's own options: it sets OPTIONS only when given, so
    `gradcli --json grad ...` and `gradcli grad ... --json` mean the same."""
    import copy

    clone = copy.copy(option)
    clone.expose_value = False
    clone.default = False if option.name in ("json_", "debug") else None

    def given(ctx, param, value):
        if value is None or value is False:
            return value
        if option.name == "color":
            _check_color(value)
        setattr(OPTIONS, option.name.rstrip("_"), value)
        return value

    clone.callback = given
    return clone


def _check_color(value: str) -> None:
    if value not in ("auto", "always", "never"):
        raise typer.BadParameter("expected auto, always or never", param_hint="--color")


_EXAMPLES = """Start here (the seed example y=(x+w)*(w+1) at x=2, w=1):

\b
  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1 --formula
  gradcli graph "y=(x+w)*(w+1)" --at x=2 --at w=1
  gradcli explain "y=(x+w)*(w+1)" --at x=2 --at w=1

Each command's --help has more examples (gradcli COMMAND --help)."""

app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="gradcli: see how a gradient is computed, and check derivatives from a shell or CI.",
                  epilog=_EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool):
    if value:
        typer.echo(f"gradcli {RELEASE}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    json_: bool = typer.Option(False, "--json", help="Print one strict JSON document instead of text."),
    width: int = typer.Option(None, "--width", min=20, max=1000, help="Output width in columns (default: the "
                                                                     "terminal's, or 80)."),
    color: str = typer.Option("auto", "--color", help="auto, always or never (auto honours NO_COLOR and "
                                                      "TERM=dumb)."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks of internal errors."),
):
    """gradcli: see how a gradient is computed, and check derivatives from a shell or CI."""
    _check_color(color)
    OPTIONS.json, OPTIONS.width, OPTIONS.color, OPTIONS.debug = json_, width, color, debug


def boundary(fn):
    """The one place errors become messages: GradError -> its report (exit 1, or 2 for a bad option value);
    anything else is a bug: one line, and the traceback only with --debug. Under --json, stdout gets one
    error document as well."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from gradcli.errors import GradError, OptionError
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:  # Ctrl-C: one word, exit 130 (the shell's code for SIGINT)
            sys.stdout.flush()
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except GradError as e:
            code = 2 if isinstance(e, OptionError) else 1
            _fail(fn, error_kind(e), e.message, e, code, e.format() if e.span else f"error: {e.message}")
        except OSError as e:  # the machine's, not a bug: a full disk under `> file`, an unreadable path
            if OPTIONS.debug:
                raise
            message = f"{e.strerror or type(e).__name__}" + (f": {e.filename}" if e.filename else "")
            _fail(fn, "OSError", message, None, 1, f"error: {message}")
        except Exception as e:  # a bug in gradcli, not in the user's input
            if OPTIONS.debug:
                raise
            message = f"{type(e).__name__}: {e}"
            _fail(fn, "InternalError", message, None, 1,
                  f"internal error: {message}\nThis is a bug in gradcli; run again with --debug for the traceback.")
    return wrapper


def _fail(fn, kind: str, message: str, error, code: int, text: str):
    """Report an error and exit with code: the output so far flushed, the JSON error document under --json,
    the text on stderr. A stdout that cannot be written (a full disk) does not hide the report on stderr."""
    try:
        sys.stdout.flush()
        if OPTIONS.json:
            error_document(fn.__name__.rstrip("_"), kind, message, error, code)
    except OSError:
        pass
    typer.echo(text, err=True)
    raise typer.Exit(code)


def error_kind(e) -> str:
    """`SyntaxError`, `NameError`, `RuntimeError`, `LimitError`, `OptionError`, ... for the JSON document."""
    if e.kind:
        return e.kind
    name = type(e).__name__
    return name[len("Grad"):] if name.startswith("Grad") and name != "GradError" else \
        ("Error" if name == "GradError" else name)


@app.command()
def version():
    """Print the version."""
    typer.echo(f"gradcli {RELEASE}")


def _register() -> None:
    from .commands import check, diff, evaluate, explain, export, grad, graph, plot, repl, run, test, train
    for module in (grad, diff, explain, graph, check, test, run, repl, train, evaluate, plot, export):
        module.register(app, boundary)


_register()


def _die_quietly_on_closed_pipe() -> None:
    """`gradcli ... | head -1`: when the reader goes away, end as `cat` does -- killed by SIGPIPE, no message
    (status 141 in a shell) -- instead of Python's default of ignoring the signal and raising BrokenPipeError
    at the next write, which a .grad script's print, the REPL or a progress bar would report as an error."""
    import signal
    if hasattr(signal, "SIGPIPE"):  # not on Windows
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def main():
    _die_quietly_on_closed_pipe()
    from gradcli.lang.process_limits import enable
    enable()  # run/repl may fork a supervised child (SECURITY.md); never when the app is invoked in-process
    try:
        app()
        code = 0
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    _exit(code)


def _exit(code) -> None:
    """End the command line's process without the interpreter's teardown: freeing numpy's and every module's
    objects one by one is ~30 ms of each command (a tenth of a cold start), and the OS frees them anyway.
    What teardown would do that matters still happens: exit handlers run (temporary directories, readline
    history), the standard streams are flushed (a failed write is reported, not lost), and commands close
    their own files (with/finally). A non-daemon thread still running gets the normal exit, which waits."""
    import atexit
    import os
    import threading
    if any(t.is_alive() and not t.daemon and t is not threading.main_thread() for t in threading.enumerate()):
        raise SystemExit(code)
    atexit._run_exitfuncs()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF if code >= 0 else code % 256
    else:  # sys.exit("message"): the message on stderr, status 1, as Python does
        sys.stderr.write(f"{code}\n")
        status = 1
    try:
        sys.stdout.flush()
    except OSError as e:  # e.g. a full disk under `gradcli ... > file`
        status = status or 1
        sys.stderr.write(f"error: could not write the output: {e.strerror or e}\n")
    try:
        sys.stderr.flush()
    except OSError:
        status = status or 1
    os._exit(status)
