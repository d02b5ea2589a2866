"""What the interpreter's call and compare paths must keep, however they are sped up: the sandbox checks,
the limits, each part's error position, Python's evaluation order, and the call trace through nested runs."""
import io

import pytest

from gradcli.lang import GradError, GradLimitError, GradNameError, Limits, run_source


def run(src, limits=None):
    out = io.StringIO()
    run_source(src, "c.grad", stdout=out, limits=limits)
    return out.getvalue()


def error(src, limits=None) -> GradError:
    with pytest.raises(GradError) as info:
        run(src, limits)
    return info.value


def test_calls_compute_what_python_computes():
    src = ("import torch\nt = torch.ones(2, 3)\ndef f(a, b=2, *rest):\n    return (a, b, rest)\n"
           "x = 5\nprint(f(x), f(x, 1), f(x, 1, 'r'), t.size(0), t.sum().item(), abs(-3), len('abc'))\n"
           "print(f(x if x > 1 else 0), [1, 2].index(2), t.sum().mul(2).item())\n")
    assert run(src) == "(5, 2, ()) (5, 1, ()) (5, 1, ('r',)) 2 6.0 3 3\n(5, 2, ()) 1 12.0\n"


def test_private_attribute_is_refused_through_a_call():
    e = error("import torch\nt = torch.ones(2)\nt._data.tolist()\n")
    assert isinstance(e, GradNameError) and "private" in e.message
    assert (e.span.line, e.span.col) == (3, 1)


@pytest.mark.parametrize("name", ["open", "eval", "exec", "__import__"])
def test_unavailable_builtins_are_refused_through_a_call(name):
    e = error(f"{name}('x')\n")
    assert isinstance(e, GradNameError) and "is not available in .grad scripts" in e.message


def test_dunder_on_a_callee_is_refused():
    e = error("x = 1\nx.__class__.__subclasses__()\n")
    assert isinstance(e, GradNameError)


def test_error_in_each_part_keeps_its_position():
    e = error("import torch\nt = torch.ones(2)\nt.nope(1)\n")
    assert e.kind == "AttributeError" and (e.span.line, e.span.col, e.span.end_col) == (3, 1, 7)
    e = error("def g():\n    return f(1, y)\ndef f(a, b):\n    return a\ny = 1\ndel y\ng()\n")
    assert e.kind == "NameError" and (e.span.line, e.span.col) == (2, 17)
    e = error("def g():\n    x = 1\n    return abs(x, z)\ng()\n")
    assert e.kind == "NameError" and (e.span.line, e.span.col) == (3, 19)
    e = error("def g():\n    return abs(w)\n    w = 1\ng()\n")
    assert e.kind == "UnboundLocalError" and (e.span.line, e.span.col) == (2, 16)
    e = error("abs('a')\n")  # the call itself failing: the whole call is the position
    assert e.kind == "TypeError" and (e.span.line, e.span.col, e.span.end_col) == (1, 1, 9)


def test_attribute_is_read_before_the_arguments_are_loaded():
    # Python reads `t.nope` before it looks `missing` up: the AttributeError wins
    e = error("import torch\nt = torch.ones(2)\nt.nope(missing)\n")
    assert e.kind == "AttributeError"


def test_error_inside_a_call_of_a_script_function_is_traced_from_the_call():
    e = error("def inner(t):\n    return t.nope\n\ndef outer(t):\n    return inner(t)\n\nouter(3)\n")
    assert e.format().splitlines()[-2:] == ["  in inner, called from c.grad:5:12", "  in outer, called from c.grad:7:1"]


def test_loops_of_calls_still_hit_the_limits():
    small = Limits(max_steps=5_000, max_loop_iterations=1_000_000)
    e = error("import torch\nt = torch.ones(2)\nwhile True:\n    t.dim()\n", small)
    assert isinstance(e, GradLimitError) and "more than 5,000 statements" in e.message
    e = error("import torch\nt = torch.ones(2)\nwhile True:\n    t.dim()\n", Limits(max_loop_iterations=2_000))
    assert isinstance(e, GradLimitError) and "loops ran more than 2,000 iterations" in e.message
    e = error("def f(n):\n    return f(n)\nf(0)\n", Limits(max_call_depth=50))
    assert isinstance(e, GradLimitError) and "calls nest too deeply: more than 50" in e.message


def test_results_of_calls_are_size_checked():
    e = error("x = list(range(10))\ny = x.copy()\nz = 'ab'.zfill(10 ** 9)\n", Limits(max_tensor_elements=1000))
    assert isinstance(e, GradLimitError)
    e = error("import torch\nt = torch.ones(100)\nu = t.repeat(100)\n", Limits(max_tensor_elements=1000))
    assert isinstance(e, GradLimitError) and "elements" in e.message


def test_conditional_arguments():
    src = "def f(a, b):\n    return a - b\nc = 0\nprint(f(1 if c else 2, 3))\nprint(f(c or 4, c))\n"
    assert run(src) == "-1\n4\n"


def test_script_eq_under_compare_is_traced_from_its_line():
    src = ("class A:\n    def __eq__(self, other):\n        return 1 / 0\n\na = A()\nb = 1\n"
           "ok = a == b\n")
    e = error(src)
    assert e.kind == "ZeroDivisionError" and e.format().splitlines()[-1] == "  in A.__eq__, called from c.grad:7:6"


def test_inlined_argument_binding_matches_python_at_each_arity():
    # the loop binds plain positional calls itself (1, 2, n arguments; methods add `self`); anything else
    # (defaults, keywords, *args, a wrong count) goes through runtime.bind and keeps Python's messages
    src = ("def f0():\n    return 'z'\ndef f1(a):\n    return a\ndef f2(a, b):\n    return (a, b)\n"
           "def f4(a, b, c, d):\n    return a + b + c + d\n"
           "class K:\n    def m0(self):\n        return 'm'\n    def m1(self, a):\n        return a * 2\n"
           "    def m3(self, a, b, c):\n        return [a, b, c]\n"
           "k = K()\nprint(f0(), f1(1), f2(1, 2), f4(1, 2, 3, 4), k.m0(), k.m1(3), k.m3(1, 2, 3))\n"
           "print(f2(b=1, a=2), f2(*[5, 6]))\n")
    assert run(src) == "z 1 (1, 2) 10 m 6 [1, 2, 3]\n(2, 1) (5, 6)\n"
    for call, message in [("f2(1)", "f2() missing 1 required positional argument: 'b'"),
                          ("f1(1, 2)", "f1() takes 1 positional argument but 2 were given"),
                          ("k.m1()", "K.m1() missing 1 required positional argument: 'a'"),
                          ("k.m0(1)", "K.m0() takes 1 positional argument but 2 were given")]:
        e = error(src + call + "\n")
        assert (e.kind, e.message) == ("TypeError", message)


def test_a_native_result_over_the_element_limit_is_refused_after_the_call():
    e = error("import torch\nt = torch.ones(300)\nu = t.repeat(10)\n", Limits(max_tensor_elements=1000))
    assert isinstance(e, GradLimitError) and "3,000 elements" in e.message and e.span.line == 3
