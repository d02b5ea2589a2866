"""The Typer root: global options, the error boundary, and the registration of every command."""
from __future__ import annotations

import functools
import sys

import typer
from typer.core import TyperGroup

from gradcli import __version__

from .options import OPTIONS


class _Group(TyperGroup):
    """Usage errors (a bad option value, a missing argument) in the house format: `error: ...` first, as
    every other error, then the usage line and where help is; exit 2 as click does."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except typer.TyperException as e:  # typer's (vendored) click exceptions all derive from it
            if type(e).__name__ == "NoArgsIsHelpError" or not hasattr(e, "format_message"):
                e.show()  # `gradcli` alone: the help, as before
                sys.exit(getattr(e, "exit_code", 2))
            sys.stdout.flush()
            lines = [f"error: {e.format_message()}"]
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                lines += [ctx.get_usage(), f"Try '{ctx.command_path} -h' for help."]
            sys.stderr.write("\n".join(lines) + "\n")
            sys.exit(e.exit_code)
        except typer.Abort:
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        # without standalone mode click returns the exit code of typer.Exit, or the command's value (None)
        sys.exit(rv if isinstance(rv, int) else 0)


_EXAMPLES = """Start here (the seed example y=(x+w)*(w+1) at x=2, w=1):

  gradcli grad "y=(x+w)*(w+1)" --at x=2 --at w=1 --formula

  gradcli graph "y=(x+w)*(w+1)" --at x=2 --at w=1

  gradcli explain "y=(x+w)*(w+1)" --at x=2 --at w=1

Each command's --help has more examples (gradcli COMMAND --help)."""

app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="gradcli: see how a gradient is computed, and check derivatives from a shell or CI.",
                  epilog=_EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool):
    if value:
        typer.echo(f"gradcli {__version__}")
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
    if color not in ("auto", "always", "never"):
        raise typer.BadParameter("expected auto, always or never", param_hint="--color")
    OPTIONS.json, OPTIONS.width, OPTIONS.color, OPTIONS.debug = json_, width, color, debug


def boundary(fn):
    """The one place errors become messages: GradError -> its report (exit 1, or 2 for a bad option value);
    anything else is a bug: one line, and the traceback only with --debug."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from gradcli.lang.errors import GradError
        from gradcli.tools.errors import OptionError
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except GradError as e:
            sys.stdout.flush()
            typer.echo(e.format() if e.span else f"error: {e.message}", err=True)
            raise typer.Exit(2 if isinstance(e, OptionError) else 1)
        except Exception as e:  # a bug in gradcli, not in the user's input
            if OPTIONS.debug:
                raise
            sys.stdout.flush()
            typer.echo(f"internal error: {type(e).__name__}: {e}\nThis is a bug in gradcli; run again with --debug "
                       "for the traceback.", err=True)
            raise typer.Exit(1)
    return wrapper


@app.command()
def version():
    """Print the version."""
    typer.echo(f"gradcli {__version__}")


def _register() -> None:
    from .commands import check, diff, evaluate, explain, grad, graph, plot, repl, run, test, train
    for module in (grad, diff, explain, graph, check, test, run, repl, train, evaluate, plot):
        module.register(app, boundary)


_register()


def main():
    from gradcli.lang.process_limits import enable
    enable()  # run/repl may fork a supervised child (SECURITY.md); never when the app is invoked in-process
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130)
