"""Every command's --help: its examples stay whole at 80 and 60 columns (each is one line that can be
copied into a shell, never broken inside its quotes) and they run."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [None, "grad", "diff", "graph", "explain", "run", "check", "test", "repl", "train", "eval", "predict",
            "plot", "export"]
runner = CliRunner()


def help_text(command, columns):
    r = runner.invoke(app, ([command] if command else []) + ["--help"], env={"COLUMNS": str(columns)})
    assert r.exit_code == 0, r.output
    return r.stdout


def example_blocks(text):
    """The runs of lines after `Examples:` (or the root help's `Start here`), up to a blank line."""
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() == "Examples:" or line.strip().startswith("Start here"):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block = []
            while j < len(lines) and lines[j].strip():
                block.append(lines[j].strip())
                j += 1
            blocks.append(block)
    return blocks


def is_command(line):
    return line.startswith("gradcli ") or re.match(r"^(echo|printf) '.*' \| gradcli ", line) is not None


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("command", COMMANDS)
def test_examples_are_never_wrapped(command, columns):
    blocks = example_blocks(help_text(command, columns))
    assert blocks and all(blocks), f"no examples in gradcli {command or ''} --help"
    for block in blocks:
        for line in block:
            # a wrapped example leaves a line that is not a command (`--wrt x`, `x).backward()...`)
            assert is_command(line), f"{line!r} is not a whole example (wrapped at {columns} columns?)"
            shlex.split(line)  # balanced quotes: raises on a quote left open


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_fit_in_80_columns(command):
    for block in example_blocks(help_text(command, 80)):
        for line in block:
            assert len(line) + 4 <= 80, line  # as printed: indented by 4


# Examples that need a trained run, a script of the reader's own, or Graphviz are left to other tests.
NEEDS_MORE = ("runs/", "train.grad", "my_tests/", "--resume", "g.svg", "moons_mlp.toml --out",
              "moons_mlp.toml --set", "logistic_regression.toml")


def runnable_examples():
    seen = []
    for command in COMMANDS:
        for block in example_blocks(help_text(command, 200)):
            for line in block:
                if not any(n in line for n in NEEDS_MORE) and line not in seen:
                    seen.append(line)
    return seen


@pytest.mark.skipif(os.name != "posix", reason="the examples are POSIX shell lines")
@pytest.mark.parametrize("line", runnable_examples())
def test_every_example_runs(line, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "gradcli"
    wrapper.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m gradcli \"$@\"\n")
    wrapper.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    (work / "samples").symlink_to(ROOT / "samples")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "XDG_STATE_HOME": str(tmp_path)}
    r = subprocess.run(["sh", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == (1 if "Wrong" in line else 0), (line, r.stderr)  # SquareWrong: a failing check
    assert "Traceback" not in r.stderr
