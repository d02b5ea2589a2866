"""Pasted `>>> ` sessions: the prompted lines run, output lines are dropped, bare expressions echo as in
Python's interactive mode (checked against CPython running each input in 'single' mode), and errors
point at the pasted text's own lines and columns."""
import contextlib
import io
import textwrap

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.lang import GradError, GradSyntaxError, parse_file, run_source
from gradcli.lang.transcript import is_transcript, strip_prompts

from .test_interpreter import mask, torch_is_gradcli  # noqa: F401  (fixture)

SESSIONS = {
    "seed003_tracking": """
        >>> import torch
        >>> x = torch.zeros(1, requires_grad=True)
        >>> y = x + 1
        >>> y
        tensor([1.], grad_fn=<AddBackward0>)
        >>> o = (y * y * 3).mean()
        >>> print(o)
        tensor(3., grad_fn=<MeanBackward0>)
        >>> o.backward()
        >>> x.grad
        tensor([6.])
    """,
    "blocks_and_echo_rules": """
        >>> for i in range(3):
        ...     i * 10
        ...
        0
        10
        20
        >>> def f(a):
        ...     a + 1
        ...     return a * 2
        ...
        >>> f(3)
        6
        >>> None
        >>> 'text'
        'text'
        >>> _
        'text'
        >>> if f(1):
        ...     [f(2),
        ...      None]
        ...
        [4, None]
        >>> print(f(0))
        0
    """,
}


def cpython_session(text):
    """What CPython's interactive mode prints for the session: each `>>> ` input compiled in 'single' mode."""
    inputs, current = [], None
    for line in text.split("\n"):
        if line.startswith(">>>"):
            current = [line[4:]]
            inputs.append(current)
        elif line.startswith("...") and current is not None:
            current.append(line[4:])
    out, env = io.StringIO(), {"__name__": "__main__"}
    with contextlib.redirect_stdout(out):
        for lines in inputs:
            exec(compile("\n".join(lines) + "\n", "<stdin>", "single"), env)
    return out.getvalue()


@pytest.mark.parametrize("name", SESSIONS)
def test_session_prints_what_cpython_interactive_mode_prints(name, torch_is_gradcli):
    text = textwrap.dedent(SESSIONS[name]).strip() + "\n"
    out = io.StringIO()
    run_source(text, "session.txt", stdout=out)
    assert mask(out.getvalue()) == mask(cpython_session(text))


def test_the_output_lines_of_the_transcript_are_what_it_prints(torch_is_gradcli):
    # a faithful transcript's own output lines are its expected output
    text = textwrap.dedent(SESSIONS["blocks_and_echo_rules"]).strip() + "\n"
    shown = [line for line in text.split("\n") if line and not line.startswith((">>>", "..."))]
    out = io.StringIO()
    run_source(text, "session.txt", stdout=out)
    assert out.getvalue().split("\n")[:-1] == shown


def test_prompts_keep_lines_and_columns():
    text = "\n>>> x = [1,\n...      2]\nout\n>>>\n"
    assert is_transcript(text) and not is_transcript("x = 1\n>>> y\n") and not is_transcript(">>>x\n")
    assert strip_prompts(text) == "\n    x = [1,\n         2]\n\n\n"


def test_runtime_error_points_into_the_transcript():
    text = ">>> import torch\n>>> t = torch.ones(2)\n>>> t\ntensor([1., 1.])\n>>> t.nope\n"
    with pytest.raises(GradError) as info:
        run_source(text, "session.txt", stdout=io.StringIO())
    assert info.value.format() == (
        "session.txt:5:5: AttributeError: 'Tensor' object has no attribute 'nope'\n>>> t.nope\n    ^~~~~~")


def test_syntax_error_points_into_the_transcript():
    text = ">>> a = 1\n>>> if a:\n...     b = a +\n...\n"
    with pytest.raises(GradSyntaxError) as info:
        parse_file(text, "session.txt")
    e = info.value
    assert (e.span.line, e.span.col, e.message) == (3, 16, "expected an expression")
    assert e.format().splitlines()[1] == "...     b = a +"


def test_indentation_inside_a_transcript_is_checked():
    with pytest.raises(GradSyntaxError) as info:
        parse_file(">>> if 1:\n...     a = 1\n...   b = 2\n", "session.txt")
    assert (info.value.message, info.value.span.line) == ("unindent does not match any outer indentation level", 3)


def test_gradcli_run_reads_a_transcript_from_standard_input():
    r = CliRunner().invoke(app, ["run", "-"], input=">>> x = 2\n>>> x * 21\n42\n>>> print(x)\n2\n")
    assert (r.exit_code, r.stdout) == (0, "42\n2\n")
