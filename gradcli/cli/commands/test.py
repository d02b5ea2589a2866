"""`gradcli test [PATHS...]`: golden tests of .grad scripts and .cmd command lines (expected output beside them)."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import List, Optional

import typer

from .. import limits as L

EXAMPLES = """
Examples:

\b
  gradcli test samples/
  gradcli test samples/ -k retain_graph
  gradcli test my_tests/ -k "linear_*" --update
  gradcli --json test samples/cli

Each NAME.grad or NAME.cmd is compared with NAME.out (stdout) and NAME.err (stderr, absent = empty);
a line "# exit: N" states the expected exit code (conventions: samples/README.md).
Exit code: 0 all passed, 1 some failed, 5 no tests found.
"""

# A .cmd runs as in a clean terminal-less shell: no forced colour, 80 columns (unless it passes --width)
_ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "GITHUB_ACTIONS": None, "COLUMNS": "80", "LINES": "25",
        "TERM": "dumb"}


def invoke_cli(args: list, cwd: Path):
    """Run `gradcli ARGS` in this process with cwd as working directory: the runner of .cmd tests.

    It runs with --debug so that an internal error surfaces as an exception (a crash, never blessed)
    instead of the boundary's one-line message."""
    from typer.testing import CliRunner

    from gradcli.tools.golden import Actual, mask

    from ..app import app
    from ..options import OPTIONS

    saved, old = dataclasses.replace(OPTIONS), os.getcwd()
    try:
        os.chdir(cwd)
        r = CliRunner().invoke(app, ["--debug", *args], env=_ENV, prog_name="gradcli", catch_exceptions=True)
    finally:
        os.chdir(old)
        for f in dataclasses.fields(OPTIONS):  # the inner command's global options must not leak out
            setattr(OPTIONS, f.name, getattr(saved, f.name))
    crash = None
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        crash = f"{type(r.exception).__name__}: {r.exception}"
    return Actual(mask(r.stdout), mask(r.stderr), r.exit_code, crash)


def register(app: typer.Typer, boundary) -> None:
    @app.command(epilog=EXAMPLES)
    @boundary
    def test(
        paths: Optional[List[str]] = typer.Argument(None, help="Files or directories to search for .grad and "
                                                               ".cmd tests (default: the current directory)."),
        update: bool = typer.Option(False, "--update", help="Rewrite NAME.out/.err (and a .cmd's # exit line) "
                                                            "of the tests whose output changed; never after a "
                                                            "crash."),
        force: bool = typer.Option(False, "--force", help="With --update, also overwrite .grad goldens made "
                                                          "by torch (under a GOLDENS_FROM_TORCH file)."),
        k: Optional[str] = typer.Option(None, "-k", help="Only tests whose name contains PATTERN (a glob if "
                                                         "it has * ? or [)."),
        max_seconds: float = L.MAX_SECONDS,
        max_memory: int = L.MAX_MEMORY,
    ):
        """Run golden tests: each .grad script and .cmd command line against its NAME.out / NAME.err.

        A failing test shows a unified diff; the last line is `N passed, N failed`. Tests run in worker
        processes under the limits: one that crashes or hangs fails with the reason, the others still run.
        """
        from gradcli.lang.limits import Limits
        from gradcli.tools.golden import counts, exit_code, run_tests, summary

        from ..render import emit
        from ..renderers.test import render

        limits = Limits(max_seconds=max_seconds, max_memory=max_memory)
        results = run_tests(paths or ["."], k, cli=invoke_cli, update=update, force=force, limits=limits)
        emit("test", {"tests": results, **counts(results), "summary": summary(results)}, render)
        raise typer.Exit(exit_code(results))
