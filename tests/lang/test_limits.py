"""Limits: deep and long inputs parse without RecursionError; oversized input and anything at all ends
in an AST or a GradError, never another exception."""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.lang import DEFAULT_MAX_BYTES, GradError, GradLimitError, GradSyntaxError, parse_expr, parse_file, unparse
from gradcli.lang import ast as A
from gradcli.lang.parser import MAX_NESTING

from .test_roundtrip import EXAMPLES


def value(src):
    return parse_expr(src).body[0].value


def test_flat_sum_of_20000_terms():
    tree = value("+".join(["x"] * 20000))
    depth = 0
    while isinstance(tree, A.BinOp):  # left-deep chain, built without recursion
        tree, depth = tree.left, depth + 1
    assert depth == 19999


def test_deep_trees_are_compared_printed_and_unparsed_without_recursion():
    src = "+".join(["x"] * 20000)
    a, b = parse_expr(src), parse_expr(src)
    assert a == b and A.equal_ignoring_spans(a, b)
    assert len(repr(a)) > 20000 and len(list(A.walk(a))) == 2 + 2 * 20000 - 1
    assert unparse(a).strip() == " + ".join(["x"] * 20000)


def test_5000_nested_parentheses():
    assert value("(" * 5000 + "x" + ")" * 5000) == A.Name("x", span=A.Span(1, 5001, 1, 5002))


DEEP = {
    "negations": "-(" * 5000 + "x" + ")" * 5000,
    "calls": "f(" * 3000 + ")" * 3000,
    "lists": "[" * 5000 + "]" * 5000,
    "attributes": "x" + ".a" * 20000,
    "nots": "not " * 20000 + "x",
    "powers": "**".join(["x"] * 5000),
    "subscripts": "x" + "[0]" * 5000,
    "or_chain": " or ".join(["x"] * 20000),
    "compare_chain": " < ".join(["x"] * 20000),
    "lambdas": "lambda: " * 2000 + "x",
    "conditionals": "a if b else " * 2000 + "c",
}


@pytest.mark.parametrize("src", DEEP.values(), ids=DEEP.keys())
def test_deep_expressions(src):
    tree = parse_expr(src)
    assert A.equal_ignoring_spans(parse_expr(unparse(tree)), tree)


def test_deeply_nested_blocks():
    src = "".join("    " * i + f"if x{i}:\n" for i in range(100)) + "    " * 100 + "pass\n"
    tree = parse_file(src)
    assert A.equal_ignoring_spans(parse_file(unparse(tree)), tree)


def test_recursion_limit_is_not_touched():
    limit = sys.getrecursionlimit()
    parse_expr("(" * 5000 + "x" + ")" * 5000)
    assert sys.getrecursionlimit() == limit


def test_bracket_nesting_limit():
    with pytest.raises(GradLimitError) as info:
        parse_expr("(" * (MAX_NESTING + 1))
    assert f"limit {MAX_NESTING}" in info.value.message and info.value.span is not None


def test_source_size_limit():
    parse_file("x = 1\n", max_bytes=6)
    with pytest.raises(GradLimitError) as info:
        parse_file("x = 1\n", max_bytes=5)
    assert info.value.message == "source is too large: 6 bytes (limit 5)"
    with pytest.raises(GradLimitError):
        parse_file("é" * 3, max_bytes=5)  # bytes, not characters
    with pytest.raises(GradLimitError):
        parse_file(b"x" * 10, max_bytes=5)
    with pytest.raises(GradLimitError):
        parse_expr("1" * (DEFAULT_MAX_BYTES + 1))


def test_bytes_input():
    assert parse_file(b"\xef\xbb\xbfx = '\xc3\xa9'\n").body[0].value.value == "é"
    with pytest.raises(GradSyntaxError) as info:
        parse_file(b"x = 1\ny = '\xff'\n", "b.grad")
    assert "not valid UTF-8" in info.value.message and info.value.span.line == 2


def test_integer_literal_size_limit():
    digits = sys.get_int_max_str_digits()
    assert value("9" * min(digits, 4000)) .value > 0
    with pytest.raises(GradLimitError) as info:
        parse_expr("1" * (digits + 1))
    assert "integer literal is too large" in info.value.message


def test_nul_anywhere_is_rejected():
    for src in ["x = 1\0", "x = '\0'", "# \0\nx", "\0"]:
        with pytest.raises(GradSyntaxError) as info:
            parse_file(src)
        assert "NUL" in info.value.message


def test_parsing_is_thread_safe():
    sources = [f"y{i} = (x + {i}) * (w + 1)\nif y{i}:\n    z = f'{{y{i}:.2f}}'\n" for i in range(40)]
    expected = [parse_file(s) for s in sources]
    barrier = threading.Barrier(4)

    def work(i):
        if i < 4:
            barrier.wait()
        return parse_file(sources[i])

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(40)))
    assert results == expected


# ---------------------------------------------------------------- anything in, AST or GradError out
def parses_or_grad_error(text):
    for parse in (parse_file, parse_expr):
        try:
            tree = parse(text)
        except GradError as e:
            assert e.format()  # formatting never fails either
            assert e.span is None or e.span.line >= 1
        else:
            assert isinstance(tree, A.Module)
            unparse(tree)


PIECES = list("()[]{}:;,.=+-*/%<>!@~&|^\n\t \\'\"#fxyi0123456789_\r") + [
    "if ", "else", "for ", " in ", "def ", "lambda", "not ", " is ", "    ", "\n    ", "f'", "{x}", "return",
    "class ", "try:", "except", "**", "//", "'''"]
PYTHONISH = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_random_text(text):
    parses_or_grad_error(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=80))
def test_random_bytes(data):
    parses_or_grad_error(data.decode("utf-8", errors="replace"))
    try:
        parse_file(data)
    except GradError:
        pass


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PYTHONISH)
def test_random_python_like_text(text):
    parses_or_grad_error(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_programs(src, data):
    pos = data.draw(st.integers(0, len(src)))
    op = data.draw(st.sampled_from(["delete", "insert", "replace"]))
    ch = data.draw(st.sampled_from(list("()[]{}:,'\"\\\n \t=+#f{}") + ["if", "not", "lambda"]))
    if op == "delete":
        text = src[:pos] + src[pos + 1:]
    elif op == "insert":
        text = src[:pos] + ch + src[pos:]
    else:
        text = src[:pos] + ch + src[pos + 1:]
    parses_or_grad_error(text)
