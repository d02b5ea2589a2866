"""Each grammar rule accepts what it should, and builds the AST it should (checked via unparse)."""
import re
from pathlib import Path

import pytest

from gradcli.lang import ast as A
from gradcli.lang import GradSyntaxError, parse_expr, parse_file, unparse

# (rule, source, canonical text that unparse must print for the parsed tree)
ACCEPT = [
    # statements
    ("expr_stmt", "f(x)", "f(x)"),
    ("assign", "a = 1", "a = 1"),
    ("assign_attr_sub", "self.w = x[0] = 1", "self.w = x[0] = 1"),
    ("assign_unpack", "a, b = 1, 2", "(a, b) = (1, 2)"),
    ("assign_unpack_nested", "(a, b), [c, d] = t", "((a, b), [c, d]) = t"),
    ("assign_single_unpack", "result, = ctx.saved_tensors", "(result,) = ctx.saved_tensors"),
    ("aug_assign", "a += 1; a -= 1; a *= 2; a /= 2; a //= 2; a %= 2; a **= 2; a @= b; a &= b; a |= b; a ^= b",
     "a += 1\na -= 1\na *= 2\na /= 2\na //= 2\na %= 2\na **= 2\na @= b\na &= b\na |= b\na ^= b"),
    ("aug_assign_attr", "w.grad -= lr * w.grad", "w.grad -= lr * w.grad"),
    ("pass", "pass", "pass"),
    ("semicolons", "a = x + w; b = w + 1; y = a * b;", "a = x + w\nb = w + 1\ny = a * b"),
    ("if", "if x:\n    y", "if x:\n    y"),
    ("if_elif_else", "if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w",
     "if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w"),
    ("if_inline_suite", "if x: y = 1; z = 2", "if x:\n    y = 1\n    z = 2"),
    ("for", "for i in range(3):\n    print(i)", "for i in range(3):\n    print(i)"),
    ("for_unpack", "for i, (a, b) in enumerate(pairs):\n    pass", "for i, (a, b) in enumerate(pairs):\n    pass"),
    ("for_tuple_iter", "for x in 1, 2:\n    pass", "for x in (1, 2):\n    pass"),
    ("while", "while n > 0:\n    n -= 1", "while n > 0:\n    n -= 1"),
    ("break_continue", "while 1:\n    if a:\n        break\n    continue", "while 1:\n    if a:\n        break\n    continue"),
    ("def", "def f(x):\n    return x", "def f(x):\n    return x"),
    ("def_defaults", "def f(x, y=1, *args, z, k=2, **kwargs):\n    return", "def f(x, y=1, *args, z, k=2, **kwargs):\n    return"),
    ("def_bare_star", "def f(a, *, b):\n    pass", "def f(a, *, b):\n    pass"),
    ("def_annotations", "def forward(self, x: torch.Tensor) -> torch.Tensor:\n    return x",
     "def forward(self, x: torch.Tensor) -> torch.Tensor:\n    return x"),
    ("def_trailing_comma", "def f(\n    a,\n    b,\n):\n    pass", "def f(a, b):\n    pass"),
    ("closure", "def outer():\n    v = 0\n    def inner():\n        nonlocal v\n        v += 1\n        return v\n    return inner",
     "def outer():\n    v = 0\n    def inner():\n        nonlocal v\n        v += 1\n        return v\n    return inner"),
    ("return_tuple", "def f():\n    return a, b", "def f():\n    return (a, b)"),
    ("yield_value", "def f():\n    yield x[i], y[i]", "def f():\n    yield (x[i], y[i])"),
    ("yield_bare", "def f():\n    yield", "def f():\n    yield"),
    ("yield_from", "def f():\n    yield from g(x)", "def f():\n    yield from g(x)"),
    ("lambda_hook", "h = x.register_hook(lambda grad: grad * 2)", "h = x.register_hook(lambda grad: grad * 2)"),
    ("lambda_forms", "f = lambda: 0\ng = lambda a, b=1, *c, d, **e: a", "f = lambda: 0\ng = lambda a, b=1, *c, d, **e: a"),
    ("class", "class Foo:\n    pass", "class Foo:\n    pass"),
    ("class_empty_parens", "class Foo():\n    pass", "class Foo:\n    pass"),
    ("class_module", "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        super(Net, self).__init__()",
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        super(Net, self).__init__()"),
    ("class_function", "class MyExp(Function):\n    @staticmethod\n    def forward(ctx, i):\n        return i.exp()",
     "class MyExp(Function):\n    @staticmethod\n    def forward(ctx, i):\n        return i.exp()"),
    ("decorators", "@torch.no_grad()\n@staticmethod\ndef f():\n    pass", "@torch.no_grad()\n@staticmethod\ndef f():\n    pass"),
    ("with", "with torch.no_grad():\n    y = x * 2", "with torch.no_grad():\n    y = x * 2"),
    ("with_as", "with open(p) as f, lock:\n    pass", "with open(p) as f, lock:\n    pass"),
    ("try_except", "try:\n    w.add_(1)\nexcept RuntimeError as e:\n    print(e)",
     "try:\n    w.add_(1)\nexcept RuntimeError as e:\n    print(e)"),
    ("try_full", "try:\n    a\nexcept (ValueError, TypeError):\n    b\nexcept:\n    raise\nelse:\n    c\nfinally:\n    d",
     "try:\n    a\nexcept (ValueError, TypeError):\n    b\nexcept:\n    raise\nelse:\n    c\nfinally:\n    d"),
    ("try_finally", "try:\n    a\nfinally:\n    b", "try:\n    a\nfinally:\n    b"),
    ("raise", "raise ValueError('bad') from e", 'raise ValueError("bad") from e'),
    ("assert", "assert x.grad is not None, 'no grad'", 'assert x.grad is not None, "no grad"'),
    ("import", "import torch", "import torch"),
    ("import_as", "import torch.nn as nn, torch.nn.functional as F", "import torch.nn as nn, torch.nn.functional as F"),
    ("from_import", "from torch import nn, optim", "from torch import nn, optim"),
    ("from_import_parens", "from torch.autograd import (Function, grad,\n    gradcheck,)",
     "from torch.autograd import Function, grad, gradcheck"),
    ("global", "global a, b", "global a, b"),
    ("del", "del a, b[0], c.d", "del a, b[0], c.d"),
    # layout
    ("comments_blank_lines", "# top\n\nx = 1  # trailing\n\n# between\n   # odd indent comment\nif x:\n\n    # inside\n    y = 2\n# end",
     "x = 1\nif x:\n    y = 2"),
    ("continuation_brackets", "y = f(1,\n      2) + [3,\n 4]", "y = f(1, 2) + [3, 4]"),
    ("continuation_backslash", "y = 1 + \\\n    2", "y = 1 + 2"),
    ("tabs_only", "if x:\n\ty = 1\n\tif y:\n\t\tz = 2", "if x:\n    y = 1\n    if y:\n        z = 2"),
    ("crlf", "if x:\r\n    y = 1\r\n", "if x:\n    y = 1"),
    ("no_final_newline", "x = 1", "x = 1"),
    # expressions
    ("precedence_arith", "r = a + b * c - d / e // f % g @ h", "r = a + b * c - d / e // f % g @ h"),
    ("precedence_parens", "r = (a + b) * c", "r = (a + b) * c"),
    ("power_right_assoc", "r = a ** b ** c", "r = a ** b ** c"),
    ("power_left_group", "r = (a ** b) ** c", "r = (a ** b) ** c"),
    ("unary_vs_power", "r = -x ** 2", "r = -x ** 2"),
    ("unary_power_group", "r = (-x) ** 2", "r = (-x) ** 2"),
    ("power_unary_exponent", "r = 2 ** -x", "r = 2 ** -x"),
    ("unary_ops", "r = -a + +b - ~c", "r = -a + +b - ~c"),
    ("bitwise", "r = a | b ^ c & d", "r = a | b ^ c & d"),
    ("bool_ops", "r = not a or b and not c", "r = not a or b and not c"),
    ("chained_compare", "r = 0 < x < 1 <= y != z", "r = 0 < x < 1 <= y != z"),
    ("is_in", "r = a is b is not c in d not in e", "r = a is b is not c in d not in e"),
    ("ternary", "r = a if c else b", "r = a if c else b"),
    ("ternary_nested", "r = a if b else c if d else e", "r = a if b else c if d else e"),
    ("call_kwargs", "r = torch.randn(5, 3, requires_grad=True)", "r = torch.randn(5, 3, requires_grad=True)"),
    ("call_star", "r = f(*args, **kwargs)", "r = f(*args, **kwargs)"),
    ("call_genexp", "r = sum(p.numel() for p in m.parameters())", "r = sum((p.numel() for p in m.parameters()))"),
    ("call_chain", "r = f(x)(y)[0].z()", "r = f(x)(y)[0].z()"),
    ("slices", "r = x[1:3], x[:, 0], x[::2], x[..., None], x[[0, 1]], x[x > 0], x[:], x[1:], x[:-1]",
     "r = (x[1:3], x[:, 0], x[::2], x[..., None], x[[0, 1]], x[x > 0], x[:], x[1:], x[:-1])"),
    ("subscript_tuple_comma", "r = x[0,]", "r = x[0,]"),
    ("literals", "r = [1, 2,], (1,), (), {}, {'a': 1, 'b': [2]}, []", 'r = ([1, 2], (1,), (), {}, {"a": 1, "b": [2]}, [])'),
    ("listcomp", "r = [f(i) for i in range(3) if i]", "r = [f(i) for i in range(3) if i]"),
    ("listcomp_nested", "r = [a * b for a in x for b in y if a if b]", "r = [a * b for a in x for b in y if a if b]"),
    ("genexp_parens", "r = (x for x in y)", "r = (x for x in y)"),
    ("set_display", "r = {a, b, *c}", "r = {a, b, *c}"),
    ("set_comprehension", "r = {x * 2 for x in y if x}", "r = {x * 2 for x in y if x}"),
    ("dict_comprehension", "r = {k: v for k, v in zip(a, b)}", "r = {k: v for k, v in zip(a, b)}"),
    ("dict_unpacking", "r = {**a, 'k': 1, **b}", 'r = {**a, "k": 1, **b}'),
    ("list_tuple_unpacking", "r = [*a, b], (*a, b), *c, d", "r = ([*a, b], (*a, b), *c, d)"),
    ("starred_target", "a, *rest = x", "(a, *rest) = x"),
    ("for_else", "for i in x:\n    break\nelse:\n    y = 1", "for i in x:\n    break\nelse:\n    y = 1"),
    ("while_else", "while x:\n    pass\nelse:\n    y = 1", "while x:\n    pass\nelse:\n    y = 1"),
    ("annotated_assign", "self.w: Tensor = torch.zeros(3)", "self.w = torch.zeros(3)"),
    ("annotation_only", "class A:\n    n: int", "class A:\n    pass"),
    ("fstring_self_documenting", "r = f'{x=} {y = :.2f}'", 'r = f"x={x!r} y = {y:.2f}"'),
    ("numbers", "r = [1, 1.5, 1e-3, .5, 1_000, 0xff, 0o17, 0b101, 1., 2E+3]",
     "r = [1, 1.5, 0.001, 0.5, 1000, 255, 15, 5, 1.0, 2000.0]"),
    ("constants", "r = True, False, None, ...", "r = (True, False, None, ...)"),
    ("strings", "r = 'a', \"b\", '''c''', \"\"\"d\ne\"\"\"", 'r = ("a", "b", "c", "d\\ne")'),
    ("string_escapes", r"r = '\n\t\\\'\"\x41\u00e9\U0001F600\N{BULLET}\101\d'", 'r = "\\n\\t\\\\\'\\"Aé😀•A\\\\d"'),
    ("raw_string", r"r = r'\d+\n'", 'r = "\\\\d+\\\\n"'),
    ("implicit_concat", "r = 'a' \"b\"\\\n  'c'", 'r = "abc"'),
    ("percent_format", "r = 'Loss=%.4f' % loss", 'r = "Loss=%.4f" % loss'),
    ("format_method", "r = '{:.2f}'.format(acc)", 'r = "{:.2f}".format(acc)'),
    ("fstring", "r = f'loss={loss:.4f}'", 'r = f"loss={loss:.4f}"'),
    ("fstring_braces_conv", "r = f'{{a}} {b!r} {c!s:>10}'", 'r = f"{{a}} {b!r} {c!s:>10}"'),
    ("fstring_nested_spec", "r = f'{x:{w}.{p}f}'", 'r = f"{x:{w}.{p}f}"'),
    ("fstring_expr", "r = f\"{a + b * 2} {d['k']} {[i for i in x]}\"", "r = f'{a + b * 2} {d[\"k\"]} {[i for i in x]}'"),
    ("fstring_concat", "r = 'a' f'{b}' 'c'", 'r = f"a{b}c"'),
    ("fstring_raw", r"r = rf'\d{x}'", 'r = f"\\\\d{x}"'),
    ("fstring_triple", "r = f'''multi\n{line}'''", 'r = f"multi\\n{line}"'),
    ("unicode_names", "σ = 1\nπ2 = σ", "σ = 1\nπ2 = σ"),
]


@pytest.mark.parametrize("rule,src,expected", ACCEPT, ids=[a[0] for a in ACCEPT])
def test_accepts(rule, src, expected):
    assert unparse(parse_file(src, "t.grad")).rstrip("\n") == expected


ONE_LINERS = [
    ("y=(x+w)*(w+1)", "y = (x + w) * (w + 1)"),
    ("a=x+w; b=w+1; y=a*b", "a = x + w\nb = w + 1\ny = a * b"),
    ("(x + w) * (w + 1)", "(x + w) * (w + 1)"),
    ("  x + 1  ", "x + 1"),
    ("x;", "x"),
    ("a = 1\nb = 2", "a = 1\nb = 2"),
    ("from torch import nn; nn.Linear(2, 1)", "from torch import nn\nnn.Linear(2, 1)"),
    ("x  # comment", "x"),
]


@pytest.mark.parametrize("src,expected", ONE_LINERS)
def test_one_liners(src, expected):
    assert unparse(parse_expr(src)).rstrip("\n") == expected


def first_expr(src):
    return parse_expr(src).body[0].value


def test_precedence_shapes():
    assert A.equal_ignoring_spans(first_expr("-x**2"), first_expr("-(x**2)"))
    e = first_expr("-x**2")
    assert isinstance(e, A.UnaryOp) and isinstance(e.operand, A.BinOp) and e.operand.op == "**"
    e = first_expr("a or b and c")
    assert isinstance(e, A.BoolOp) and e.op == "or" and isinstance(e.values[1], A.BoolOp)
    e = first_expr("a and b and c")
    assert isinstance(e, A.BoolOp) and len(e.values) == 3
    e = first_expr("not a == b")
    assert isinstance(e, A.UnaryOp) and isinstance(e.operand, A.Compare)
    e = first_expr("0 < x < 1")
    assert isinstance(e, A.Compare) and e.ops == ("<", "<")
    e = first_expr("a - b - c")
    assert isinstance(e.left, A.BinOp) and e.left.op == "-" and e.right.id == "c"
    e = first_expr("a | b & c")
    assert e.op == "|" and e.right.op == "&"


def test_fstring_is_parsed_into_nodes():
    e = first_expr("f'loss={loss.item():.4f} {{x}}'")
    assert isinstance(e, A.FString)
    lit, field, tail = e.parts
    assert lit == A.Constant("loss=", span=lit.span) and tail.value == " {x}"
    assert isinstance(field, A.FormattedValue) and isinstance(field.value, A.Call)
    assert field.format_spec.parts[0].value == ".4f"


def test_spans():
    m = parse_file("x = 1\nif x:\n    y = f(a,\n          b)\n# c\nz = -x ** 2\n", "t.grad")
    assign, if_, z = m.body
    assert assign.span == A.Span(1, 1, 1, 6)
    assert if_.span == A.Span(2, 1, 4, 13)
    call = if_.body[0].value
    assert call.span == A.Span(3, 9, 4, 13) and call.args[1].span == A.Span(4, 11, 4, 12)
    neg = z.value
    assert neg.span == A.Span(6, 5, 6, 12) and neg.operand.span == A.Span(6, 6, 6, 12)


def test_fstring_field_spans_point_into_the_file():
    m = parse_file("a = 1\nprint(f'v={x + y:.2f}')\n")
    field = m.body[1].value.args[0].parts[1]
    assert field.span == A.Span(2, 11, 2, 22)
    assert field.value.span == A.Span(2, 12, 2, 17)


def test_fstring_fields_leave_the_enclosing_layout_alone():
    # A field is parsed while the enclosing file is still being parsed, with the same postlexer.
    m = parse_file("if a:\n    print(f'{b}', [\n        c])\n    d = 1\ne = 2\n")
    assert [type(s).__name__ for s in m.body] == ["If", "Assign"] and len(m.body[0].body) == 2
    with pytest.raises(GradSyntaxError) as info:
        parse_file("if a:\n    x = (f'{b}'\n")
    assert "expected ')' to close '(' opened at line 2, column 9" in info.value.message


def test_elif_is_nested_if():
    m = parse_file("if a:\n    x\nelif b:\n    y\nelse:\n    z\n")
    inner = m.body[0].orelse[0]
    assert isinstance(inner, A.If) and inner.orelse[0].value.id == "z" and inner.span.line == 3


def test_param_kinds():
    f = parse_file("def f(a, b=1, *c, d, e=2, **g):\n    pass").body[0]
    assert [(p.name, p.kind) for p in f.params] == [
        ("a", "positional"), ("b", "positional"), ("c", "var_positional"), ("d", "keyword_only"),
        ("e", "keyword_only"), ("g", "var_keyword")]


def test_empty_inputs():
    assert parse_file("") == A.Module((), span=parse_file("").span)
    assert parse_file("\n\n# only a comment\n").body == ()


# ---------------------------------------------------------------- tutorial code
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
DATA = Path(__file__).parent / "data"
FENCE = re.compile(r"^```[Pp]ython\n(.*?)^```", re.S | re.M)


def fenced_python_blocks(text):
    """```python blocks; an interactive session (>>> prompts) keeps only its input lines."""
    for block in FENCE.findall(text):
        lines = block.splitlines()
        if any(line.startswith(">>> ") for line in lines):
            lines = [line[4:] for line in lines if line.startswith((">>> ", "... "))]
        yield "\n".join(lines) + "\n"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("seed", ["001_", "003_"])  # the seeds whose code blocks survived intact
def test_tutorial_code_blocks_parse_as_extracted(seed):
    (path,) = SEEDS.glob(seed + "*.txt")
    blocks = list(fenced_python_blocks(path.read_text(encoding="utf-8")))
    assert len(blocks) >= 4
    for block in blocks:
        parse_file(block, path.name)


@pytest.mark.parametrize("path", sorted(DATA.glob("seed*.grad")), ids=lambda p: p.name)
def test_cleaned_tutorial_snippets_parse(path):
    """Snippets from the other seeds, cleaned by hand (each file's header says how)."""
    assert len(parse_file(path.read_text(encoding="utf-8"), path.name).body) > 5
