"""Error reports: exact goldens for typical mistakes, and the formatter's caret rules."""
import difflib
import os
import pickle
from pathlib import Path

import pytest

from gradcli.lang import (GradError, GradImportError, GradLimitError, GradNameError, GradRuntimeError,
                          GradSyntaxError, GradTypeError, GradValueError, parse_file)
from gradcli.lang.ast import Span

GOLDEN = Path(__file__).parent / "data" / "errors.golden"
UPDATE = os.environ.get("GRADCLI_UPDATE_GOLDENS") == "1"


def read_goldens(path=GOLDEN):
    """[(name, source, expected)] from blocks `#### name` / source / `---- error` / expected."""
    cases = []
    for block in path.read_text(encoding="utf-8").split("\n#### ")[1:]:
        name, rest = block.split("\n", 1)
        source, expected = rest.split("---- error\n", 1)
        cases.append((name, source, expected.rstrip("\n")))
    return cases


def write_goldens(cases, path=GOLDEN):
    head = path.read_text(encoding="utf-8").split("\n#### ")[0]
    body = "".join(f"\n#### {name}\n{source}---- error\n{expected}\n" for name, source, expected in cases)
    path.write_text(head + body, encoding="utf-8")


def report(source):
    with pytest.raises(GradError) as info:
        parse_file(source, "script.grad")
    return info.value.format()


CASES = read_goldens()


@pytest.mark.parametrize("name,source,expected", CASES, ids=[c[0] for c in CASES])
def test_golden_error_messages(name, source, expected):
    actual = report(source)
    if UPDATE:
        return
    if actual != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual",
                                              lineterm=""))
        pytest.fail(f"error report for {name!r} changed:\n{diff}")


def test_update_goldens():
    """With GRADCLI_UPDATE_GOLDENS=1, rewrite the golden file from the current messages."""
    if not UPDATE:
        pytest.skip("set GRADCLI_UPDATE_GOLDENS=1 to regenerate")
    write_goldens([(n, s, report(s)) for n, s, _ in read_goldens()])


# ---------------------------------------------------------------- the formatter
def test_caret_under_a_span_on_one_line():
    err = GradSyntaxError("bad", Span(1, 5, 1, 8), "x = foo(1)", "f.grad")
    assert err.format() == "f.grad:1:5: error: bad\nx = foo(1)\n    ^~~"


def test_single_caret_for_multiline_span_and_empty_span():
    src = "a = (1 +\n 2)"
    assert GradSyntaxError("m", Span(1, 5, 2, 3), src, "f").format().endswith("a = (1 +\n    ^")
    assert GradSyntaxError("m", Span(1, 3, 1, 3), src, "f").format().endswith("a = (1 +\n  ^")


def test_no_span_no_source():
    assert GradSyntaxError("whole file", filename="f.grad").format() == "f.grad: error: whole file"
    assert GradSyntaxError("m", Span(2, 1, 2, 2)).format() == "<input>:2:1: error: m"
    assert str(GradSyntaxError("m", Span(2, 1, 2, 2))) == "<input>:2:1: error: m"


def test_span_past_the_last_line_quotes_nothing():
    assert GradSyntaxError("m", Span(9, 1, 9, 2), "x\n", "f").format() == "f:9:1: error: m"


def test_tabs_are_copied_to_the_caret_line():
    err = GradSyntaxError("m", Span(1, 3, 1, 4), "\t\tx", "f")
    assert err.format().splitlines()[-1] == "\t\t^"


def test_wide_characters_shift_the_caret():
    err = GradSyntaxError("m", Span(1, 4, 1, 5), "张量 $", "f")
    assert err.format().splitlines()[-1] == "     ^"


def test_control_characters_are_shown_as_question_marks():
    err = GradSyntaxError("m", Span(1, 2, 1, 3), "x\x1b[31m", "f")
    assert err.format().splitlines()[1] == "x?[31m"


def test_long_lines_are_windowed():
    src = "x = " + "a + " * 100 + "$ + " + "b + " * 100
    col = src.index("$") + 1
    lines = GradSyntaxError("m", Span(1, col, 1, col + 1), src, "f").format().splitlines()
    assert lines[1].startswith("...") and lines[1].endswith("...") and len(lines[1]) < 140
    assert lines[1][len(lines[2]) - 1] == "$"


def test_runtime_error_uses_its_torch_kind():
    err = GradRuntimeError("a leaf Variable that requires grad is being used in an in-place operation.",
                           Span(8, 1, 8, 10), "\n" * 7 + "w.add_(1)", "script.grad")
    assert err.format() == ("script.grad:8:1: RuntimeError: a leaf Variable that requires grad is being used "
                            "in an in-place operation.\nw.add_(1)\n^~~~~~~~~")
    assert GradRuntimeError("x", kind="IndexError").format() == "<input>: IndexError: x"


@pytest.mark.parametrize("cls", [GradSyntaxError, GradNameError, GradTypeError, GradValueError, GradLimitError,
                                 GradImportError, GradRuntimeError])
def test_every_error_is_a_grad_error_and_pickles(cls):
    err = cls("msg", Span(1, 2, 1, 3), "abc", "f.grad")
    assert isinstance(err, GradError) and isinstance(err, Exception)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and back.format() == err.format() and back.span == err.span


def test_attach_fills_only_what_is_missing():
    err = GradNameError("name 'x' is not defined", Span(1, 1, 1, 2))
    assert err.attach("x + 1", "a.grad") is err and err.filename == "a.grad"
    err.attach("other", "b.grad")
    assert (err.source, err.filename) == ("x + 1", "a.grad")


def test_parse_errors_quote_the_normalised_source():
    with pytest.raises(GradSyntaxError) as info:
        parse_file("x = 1\r\ny = (\r\n", "crlf.grad")
    assert info.value.format() == ("crlf.grad:2:6: error: expected ')' to close '(' opened at line 2, column 5\n"
                                   "y = (\n     ^")
