"""Limits of a run: each exceeded limit is a clear GradLimitError, raised before the damage (no hang, no
MemoryError, no RecursionError); deep and long programs run without touching Python's stack."""
import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.lang import GradError, GradLimitError, Limits, run_source, unparse

from .strategies import modules

SMALL = Limits(max_steps=100_000, max_loop_iterations=20_000, max_call_depth=60, max_tensor_elements=100_000,
               max_graph_nodes=20_000, max_source_bytes=50_000)


def run(src, limits=SMALL):
    out = io.StringIO()
    r = run_source(src, "l.grad", stdout=out, limits=limits)
    return out.getvalue(), r


def limit_error(src, limits=SMALL):
    start = time.perf_counter()
    with pytest.raises(GradLimitError) as info:
        run(src, limits)
    assert time.perf_counter() - start < 20, "a limit must stop the run early"
    assert info.value.span is not None or "source" in info.value.message
    return info.value


@pytest.mark.parametrize("src, words", [
    ("while True:\n    pass\n", "loops ran more than 20,000 iterations"),
    ("for i in range(10):\n    for j in range(10 ** 6):\n        pass\n", "range of 1,000,000 numbers"),
    ("x = [i for i in range(10 ** 4) for j in range(10 ** 4)]", "loops ran more than"),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", "calls nest too deeply: more than 60"),
    ("x = 0\nwhile x < 10 ** 9:\n    x += 1\n    x -= 0\n", "more than"),
    ("x = [0] * 10 ** 9", "1,000,000,000 elements"),
    ("x = 'ab' * 10 ** 10", "20,000,000,000 elements"),
    ("x = [1]\nx *= 10 ** 9", "elements"),
    ("import torch\nx = torch.zeros(10 ** 5, 10 ** 5)", "torch.zeros would make a tensor of 10,000,000,000"),
    ("import torch\nx = torch.randn((10 ** 6, 10 ** 6))", "1,000,000,000,000 elements"),
    ("import torch\nx = torch.arange(0, 10 ** 12)", "elements"),
    ("import torch\nx = torch.ones(10 ** 4, 1) * torch.ones(1, 10 ** 5)", "1,000,000,000 elements"),
    ("import torch\nx = torch.ones(10 ** 4, 1) @ torch.ones(1, 10 ** 5)", "1,000,000,000 elements"),
    ("import torch\nx = torch.ones(10 ** 4, 1) < torch.ones(1, 10 ** 5)", "1,000,000,000 elements"),
    ("x = 2 ** 10 ** 10", "more than 1,000,000 bits"),
    ("x = pow(3, 10 ** 9)", "bits"),
    ("x = sum(range(10 ** 12))", "range of"),
    ("x = list(range(10 ** 9))", "range of"),
    ("x = f'{1:999999999}'", "format width"),
    ("x = '%999999999d' % 1", "format width"),
    ("x = '{:999999999}'.format(1)", "format width"),
])
def test_limits_stop_early_with_a_clear_message(src, words):
    e = limit_error(src)
    assert words in e.message


def test_step_limit():
    # statements are charged per body and per loop iteration: 2 per pass of this loop (its header and body)
    e = limit_error("x = 0\nfor i in range(100):\n    x = x + 1\n", Limits(max_steps=50))
    assert "more than 50 statements" in e.message and e.span.line == 2
    run("x = 0\nfor i in range(23):\n    x = x + 1\n", Limits(max_steps=50))  # 2 + 24 * 2 = 50 (the last pass finds the end): allowed


def test_statements_charged_per_loop_pass_whatever_way_the_pass_starts():
    # a pass is charged once whether it starts from the loop's head, its JUMP_BACK or a `continue`
    def steps(src):
        return run_source(src, "s.grad", stdout=io.StringIO()).steps
    assert steps("i = 0\nwhile i < 10:\n    i = i + 1\n") == 2 + 11 * 2  # 10 passes and the failing test
    # for + if + continue + assignment = 4 per pass, 10 passes and the one that finds the end
    assert steps("t = 0\nfor i in range(10):\n    if i % 2:\n        continue\n    t = t + i\n") == 2 + 11 * 4
    assert steps("for i in range(3):\n    for j in range(2):\n        pass\n") == 1 + 4 * 2 + 3 * (3 * 2)  # outer passes; each inner loop: 3 passes


def test_graph_node_limit():
    src = "import torch\nx = torch.ones(1, requires_grad=True)\nfor i in range(5000):\n    x = x * 1.0\n"
    e = limit_error(src, Limits(max_graph_nodes=2000))
    assert "more than 2,000 autograd graph nodes" in e.message


def test_call_depth_through_native_module_calls():
    # a forward hook forces every call through nn.Module.__call__ (native code calling back in)
    src = ("import torch\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return self(x)\n"
           "m = M()\nm.register_forward_hook(lambda *a: None)\nm(1)\n")
    e = limit_error(src, Limits(max_call_depth=150))
    assert "calls nest too deeply" in e.message


def test_limit_errors_are_not_caught_by_the_script():
    src = "try:\n    while True:\n        pass\nexcept Exception:\n    print('caught')\n"
    limit_error(src)


def test_source_size_limit():
    with pytest.raises(GradLimitError, match="source is too large"):
        run("x = 1\n" * 10_000)


def test_20000_term_expression_evaluates():
    out, _ = run("x = 1\nprint(" + "+".join(["x"] * 20_000) + ")\n", Limits())
    assert out == "20000\n"


def test_5000_nested_parentheses_and_negations_evaluate():
    out, _ = run("print(" + "(" * 5000 + "2" + ")" * 5000 + ", " + "-(" * 5000 + "1" + ")" * 5000 + ")\n", Limits())
    assert out == "2 1\n"


def test_deep_tensor_expression_and_backward():
    src = ("import torch\nx = torch.tensor(1.5, requires_grad=True)\ny = " + "+".join(["x * x"] * 3000)
           + "\ny.backward()\nprint(x.grad)\n")
    out, _ = run(src, Limits())
    assert out == "tensor(9000.)\n"


def test_a_100000_node_graph_backward_in_a_script_loop():
    src = ("import torch\nx = torch.tensor(1., requires_grad=True)\ny = x\nfor i in range(100000):\n"
           "    y = y * 1.0\ny.backward()\nprint(x.grad)\n")
    out, r = run(src, Limits())
    assert out == "tensor(1.)\n" and r.iterations == 100_000


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(modules())
def test_random_programs_end_in_a_result_or_a_grad_error(module):
    src = unparse(module)
    try:
        run(src)
    except GradError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_random_bytes_end_in_a_result_or_a_grad_error(data):
    try:
        run(data)
    except GradError:
        pass
