"""Each grammar rule rejects what it should, with a GradSyntaxError that says why."""
import pytest

from gradcli.lang import GradError, GradLimitError, GradSyntaxError, parse_expr, parse_file

# (rule, source, words the message must contain)
REJECT = [
    ("assign_to_call", "f() = 1", "cannot assign to a function call"),
    ("assign_to_literal", "1 = x", "cannot assign to a literal"),
    ("assign_to_operator", "a + b = 1", "cannot assign to an expression"),
    ("assign_to_compare", "a < b = 1", "cannot assign to a comparison"),
    ("assign_to_lambda", "lambda: 1 = x", "cannot assign to a lambda"),
    ("assign_in_tuple", "a, f() = t", "cannot assign to a function call"),
    ("aug_assign_tuple", "a, b += 1", "illegal target for augmented assignment"),
    ("aug_assign_call", "f() += 1", "cannot assign to a function call"),
    ("assign_missing_value", "x =", "expected an expression"),
    ("pass_with_value", "pass 1", "invalid syntax"),
    ("if_missing_colon", "if x\n    y", "expected ':' after the if condition"),
    ("elif_missing_colon", "if x:\n    y\nelif z\n    w", "expected ':' after the elif condition"),
    ("else_missing_colon", "if x:\n    y\nelse\n    w", "expected ':' after 'else'"),
    ("if_missing_block", "if x:\ny", "expected an indented block after 'if' statement on line 1"),
    ("orphan_else", "else:\n    pass", "'else' without a matching 'if' or 'try'"),
    ("orphan_elif", "x = 1\nelif x:\n    pass", "'elif' without a matching 'if'"),
    ("for_missing_in", "for i range(3):\n    pass", "invalid syntax"),
    ("for_missing_colon", "for i in range(3)\n    pass", "expected ':' after the for clause"),
    ("for_bad_target", "for f() in x:\n    pass", "cannot assign to a function call"),
    ("while_missing_colon", "while x\n    pass", "expected ':' after the while condition"),
    ("while_missing_block", "while x:\npass", "expected an indented block after 'while' statement on line 1"),
    ("break_outside_loop", "break", "'break' outside loop"),
    ("continue_outside_loop", "def f():\n    continue", "'continue' not properly in loop"),
    ("return_outside_function", "return 1", "'return' outside function"),
    ("nonlocal_at_module", "nonlocal x", "nonlocal declaration not allowed at module level"),
    ("def_missing_colon", "def f(x)\n    pass", "expected ':' after the function signature"),
    ("def_missing_block", "def f():\nreturn 1", "expected an indented block after function definition on line 1"),
    ("def_default_order", "def f(a=1, b):\n    pass", "non-default argument follows default argument"),
    ("def_duplicate_param", "def f(a, a):\n    pass", "duplicate argument 'a' in function definition"),
    ("def_bare_star_alone", "def f(a, *):\n    pass", "named arguments must follow bare *"),
    ("def_two_stars", "def f(*a, *b):\n    pass", "* may appear only once"),
    ("def_after_kwargs", "def f(**k, a):\n    pass", "no parameter may follow **k"),
    ("def_missing_name", "def (x):\n    pass", "expected a name"),
    ("lambda_default_order", "f = lambda a=1, b: 0", "non-default argument follows default argument"),
    ("lambda_duplicate", "f = lambda a, a: 0", "duplicate argument 'a' in lambda"),
    ("class_two_bases", "class A(B, C):\n    pass", "a class can have at most one base class"),
    ("class_keywords", "class A(metaclass=M):\n    pass", "class keyword arguments are not supported"),
    ("class_missing_colon", "class A\n    pass", "expected ':' after the class name"),
    ("class_missing_block", "class A:\nx = 1", "expected an indented block after class definition on line 1"),
    ("decorator_without_def", "@dec\nx = 1", "expected '@', 'class' or 'def'"),
    ("with_missing_colon", "with a as b\n    pass", "expected ':' after the with items"),
    ("with_bad_target", "with a as f():\n    pass", "cannot assign to a function call"),
    ("try_without_handler", "try:\n    pass\nx = 1", "expected 'except' or 'finally'"),
    ("try_bare_except_not_last", "try:\n    a\nexcept:\n    b\nexcept E:\n    c", "default 'except:' must be last"),
    ("except_missing_colon", "try:\n    a\nexcept E\n    b", "expected ':' after the except clause"),
    ("raise_from_nothing", "raise from e", "expected an expression"),
    ("assert_empty", "assert", "expected an expression"),
    ("import_nothing", "import", "expected a name"),
    ("from_import_nothing", "from torch import", "expected a name"),
    ("from_import_star", "from torch import *", "invalid syntax"),
    ("relative_import", "from . import x", "expected a name"),
    ("global_nothing", "global", "expected a name"),
    ("del_call", "del f()", "cannot delete a function call"),
    ("del_literal", "del 1", "cannot delete a literal"),
    ("yield_outside_function", "yield 1", "'yield' outside function"),
    ("yield_in_class_body", "class A:\n    yield 1", "'yield' outside function"),
    ("yield_as_expression", "def f():\n    x = yield 1", "'yield' is supported as a statement only"),
    ("yield_in_call", "def f():\n    print((yield))", "'yield' is supported as a statement only"),
    ("yield_from_nothing", "def f():\n    yield from", "expected an expression"),
    ("unsupported_keyword_async", "async def f():\n    pass", "'async' is not supported"),
    ("keyword_as_name", "if = 1", "expected an expression"),
    ("keyword_as_operand", "x = 1 + for", "expected an expression"),
    # expressions
    ("binary_missing_operand", "x = a +", "expected an expression"),
    ("double_operator", "x = a * / b", "expected an expression"),
    ("not_after_operator", "x = a + not b", "'not' cannot follow '+' without parentheses"),
    ("not_after_compare", "x = a == not b", "'not' cannot follow '==' without parentheses"),
    ("missing_comma", "f(a b)", "perhaps you forgot a comma?"),
    ("missing_comma_list", "x = [1 2]", "perhaps you forgot a comma?"),
    ("assign_in_condition", "if x = 1:\n    pass", "did you mean '=='?"),
    ("keyword_arg_expression", "f(a.b=1)", "did you mean '=='?"),
    ("positional_after_keyword", "f(a=1, b)", "positional argument follows keyword argument"),
    ("positional_after_kwargs", "f(**k, b)", "positional argument follows keyword argument unpacking"),
    ("repeated_keyword", "f(a=1, a=2)", "keyword argument repeated: a"),
    ("genexp_not_alone", "f(x for x in y, 1)", "generator expression must be parenthesized"),
    ("unclosed_paren", "x = f(1, 2", "expected ')' to close '(' opened at line 1, column 6"),
    ("unclosed_bracket_multiline", "x = [1,\n     2,\n", "expected ']' to close '[' opened at line 1, column 5"),
    ("mismatched_bracket", "x = (1, 2]", "closing ']' does not match '(' opened at line 1, column 5"),
    ("unmatched_close", "x = 1)", "unmatched ')'"),
    ("slice_outside_subscript", "x = a:b", "invalid syntax"),
    ("too_many_slice_parts", "x[1:2:3:4]", "expected ']' to close '['"),
    ("empty_subscript", "x[]", "expected an expression"),
    ("dict_then_set_item", "x = {1: 2, 3, 4}", "':' expected after dictionary key"),
    ("annotate_call", "f(): int = 1", "cannot annotate a function call"),
    ("two_starred_targets", "a, *b, *c = x", "multiple starred expressions in assignment"),
    ("dict_missing_value", "x = {1: }", "expected an expression"),
    ("ternary_missing_else", "x = a if b", "invalid syntax"),
    ("lambda_missing_colon", "f = lambda x x", "invalid syntax"),
    ("walrus", "if (n := 1):\n    pass", "expected ')' to close '('"),
    ("attribute_number", "x.1", "expected a name"),
    ("bytes_literal", "x = b'abc'", "bytes literals are not supported"),
    ("number_then_name", "x = 2x", "invalid number literal"),
    ("leading_zeros", "x = 0777", "leading zeros in decimal integer literals are not permitted"),
    ("print_statement", "print 'hello'", "missing parentheses in call to 'print'"),
    # strings
    ("unterminated_string", "x = 'abc", "unterminated string literal"),
    ("unterminated_triple", "x = '''abc\n\ndef", "unterminated triple-quoted string literal"),
    ("string_newline", "x = 'ab\ncd'", "unterminated string literal"),
    ("bad_hex_escape", r"x = '\x4'", "truncated \\x escape"),
    ("bad_unicode_name", r"x = '\N{NOT A CHARACTER NAME}'", "unknown Unicode character name"),
    ("fstring_empty_field", "x = f'{}'", "f-string: empty expression not allowed"),
    ("fstring_single_brace", "x = f'a } b'", "f-string: single '}' is not allowed"),
    ("fstring_unclosed_field", "x = f'{a'", "f-string: expecting '}'"),
    ("fstring_bad_conversion", "x = f'{a!x}'", "f-string: invalid conversion character"),
    ("fstring_bad_expression", "x = f'{a +}'", "f-string: expected an expression"),
    ("fstring_statement", "x = f'{a = 1}'", "f-string:"),
    ("fstring_comment", "x = f'{a # no}'", "f-string: expression part cannot include '#'"),
    ("fstring_too_deep_spec", "x = f'{a:{b:{c:{d}}}}'", "f-string: expressions nested too deeply"),
    # layout and characters
    ("unexpected_indent", "x = 1\n    y = 2", "unexpected indent"),
    ("unexpected_indent_first_line", "  x = 1", "unexpected indent"),
    ("bad_dedent", "if x:\n        y\n    z", "unindent does not match any outer indentation level"),
    ("tab_equals_eight_spaces_only_by_width", "if x:\n\ty\n        z", "inconsistent use of tabs and spaces"),
    ("tab_dedent_to_spaces", "if x:\n    if y:\n\tz", "inconsistent use of tabs and spaces"),
    ("space_tab_vs_tab", "if x:\n  \ty\n\tz", "inconsistent use of tabs and spaces"),
    ("invalid_character", "x = $", "invalid character '$' (U+0024)"),
    ("invalid_unicode_character", "x = a \u20ac b", "invalid character '\u20ac' (U+20AC)"),
    ("non_printable", "x = \u200b", "invalid non-printable character U+200B"),
    ("nul", "x = 1\0", "source cannot contain NUL characters"),
    ("backslash_not_at_end", "x = 1 \\ + 2", "unexpected character after line continuation character"),
    ("unexpected_end", "x = (", "expected ')' to close '(' opened at line 1, column 5"),
]


@pytest.mark.parametrize("rule,src,words", REJECT, ids=[r[0] for r in REJECT])
def test_rejects(rule, src, words):
    with pytest.raises(GradSyntaxError) as info:
        parse_file(src, "bad.grad")
    err = info.value
    assert words in err.message
    assert err.span is not None and err.span.line >= 1 and err.span.col >= 1
    assert err.filename == "bad.grad" and err.source is not None
    assert err.format().startswith(f"bad.grad:{err.span.line}:{err.span.col}: error: ")


@pytest.mark.parametrize("src,words", [
    ("if x: y", "expected an expression"),
    ("a = 1;;", "expected an expression"),
    ("", "expected an expression"),
    ("x\n  y", "unexpected indent"),
    ("return x", "'return' outside function"),
])
def test_one_liner_rejects(src, words):
    with pytest.raises(GradSyntaxError) as info:
        parse_expr(src)
    assert words in info.value.message
    assert info.value.filename == "<expr>"


@pytest.mark.parametrize("src,words", [
    ("f() = 1\nx = (", "expected ')' to close '(' opened at line 2, column 5"),
    ("x = f'{a +}'\ny = )", "expected an expression"),
    ("def f(a, a):\n    pass\nif x\n    pass", "expected ':' after the if condition"),
])
def test_a_syntax_error_anywhere_comes_before_ast_checks(src, words):
    # The AST is built as lark parses, yet the first lines' AST errors must not hide later syntax errors.
    with pytest.raises(GradSyntaxError) as info:
        parse_file(src)
    assert words in info.value.message


def test_errors_are_grad_errors_not_lark_errors():
    import lark
    for src in ["(", ")", "x = [", "'", "if", "\t\tx", "1 2 3", "@", "f(,)"]:
        with pytest.raises(GradError) as info:
            parse_file(src)
        assert not isinstance(info.value, lark.exceptions.LarkError)
        assert info.value.__cause__ is None and info.value.__suppress_context__


def test_size_limit_is_a_limit_error():
    with pytest.raises(GradLimitError):
        parse_file("x = 1\n" * 10, max_bytes=20)
