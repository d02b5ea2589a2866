"""Indentation with tabs and spaces as CPython reads it: tabs to the next multiple of 8, and a TabError
where the meaning would depend on the tab width. Compared with CPython's own compiler."""
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.lang import GradError, GradSyntaxError, parse_file, run_source

CASES = {
    "tabs_block": "if 1:\n\tx = 1\n\ty = 2\nprint(x, y)\n",
    "tab_then_spaces_in_one_line": "if 1:\n\t x = 1\n\t y = 2\nprint(x)\n",
    "spaces_in_one_block_tabs_in_another": "if 1:\n    a = 1\nif 1:\n\tw = 2\nprint(a, w)\n",
    "tab_block_with_nested_spaces": "if 1:\n\tif 1:\n\t        x = 1\nprint(x)\n",
    "two_tabs": "def f():\n\tif 1:\n\t\treturn 3\nprint(f())\n",
    "form_feed_restarts_the_count": "if 1:\n\f\tx = 1\nprint(x)\n",
    "tab_vs_eight_spaces": "if 1:\n\tx = 1\n        y = 2\nprint(y)\n",
    "tab_dedent_to_four_spaces": "if 1:\n    if 1:\n\tx = 1\nprint(x)\n",
    "space_tab_vs_tab": "if 1:\n  \tx = 1\n\ty = 2\nprint(y)\n",
    "eight_spaces_then_tab_four": "if 1:\n        if 1:\n\t    x = 1\nprint(x)\n",
    "two_tabs_vs_tab_eight_spaces": "if 1:\n\tif 1:\n\t\tx = 1\n\t        y = 2\nprint(y)\n",
    "unindent_mismatch": "if 1:\n\tif 1:\n\t\tx = 1\n\t    y = 2\nprint(y)\n",
}


def cpython(src):
    """'ok' and the output, or the class and message of CPython's error."""
    out = io.StringIO()
    try:
        code = compile(src, "prog.py", "exec")
    except SyntaxError as e:
        return type(e).__name__, e.msg, e.lineno
    exec(code, {"print": lambda *a: print(*a, file=out)})
    return "ok", out.getvalue(), None


def ours(src):
    out = io.StringIO()
    try:
        run_source(src, "prog.grad", stdout=out)
    except GradSyntaxError as e:
        return e.message, e.span.line
    return "ok", out.getvalue()


@pytest.mark.parametrize("name", CASES)
def test_indentation_as_cpython(name):
    kind, text, line = cpython(CASES[name])
    got = ours(CASES[name])
    if kind == "ok":
        assert got == ("ok", text)
    else:  # TabError / IndentationError: the same message at the same line
        assert got == (text, line)


_INDENTS = st.text(alphabet=" \t", max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_INDENTS, st.booleans()), min_size=1, max_size=6))
def test_random_indentation_is_accepted_or_refused_as_by_cpython(lines):
    """Lines of random tab/space indentation, each opening a block or not: we accept what CPython
    accepts, and where CPython says TabError or 'unindent does not match', we say the same."""
    src = "".join(f"{ind}{'if 1:' if opens else 'pass'}\n" for ind, opens in lines) + "pass\n"
    try:
        compile(src, "prog.py", "exec")
        expected = None
    except SyntaxError as e:
        expected = e
    try:
        parse_file(src, "prog.grad")
        got = None
    except GradError as e:
        got = e
    if expected is None:
        assert got is None, got
        return
    assert got is not None, f"CPython refuses {src!r}: {expected.msg}"
    if type(expected) is TabError or "unindent does not match" in expected.msg:
        assert (got.message, got.span.line) == (expected.msg, expected.lineno)
