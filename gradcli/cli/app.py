"""The Typer root: global options and command registration."""
import typer

from gradcli import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="gradcli: see how a gradient is computed, and check derivatives from a shell or CI.")


def _version(value: bool):
    if value:
        typer.echo(f"gradcli {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    """gradcli: see how a gradient is computed, and check derivatives from a shell or CI."""


@app.command()
def version():
    """Print the version."""
    typer.echo(f"gradcli {__version__}")


from .commands import run as _run  # noqa: E402

_run.register(app)


def main():
    try:
        app()
    except KeyboardInterrupt:
        import sys
        sys.stderr.write("interrupted\n")
        raise SystemExit(130)
