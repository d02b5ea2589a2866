"""The engine's public recording hook (gradcli.autograd.observer) and the rule that tools use only it."""
import ast
import pathlib
import re

import numpy as np
import pytest

import gradcli
from gradcli.autograd.observer import OBSERVERS, Accumulated, BackwardStep, Recorded, observe

ROOT = pathlib.Path(gradcli.__file__).parent


def test_recorded_reports_every_node_with_operands_args_and_output():
    x = gradcli.tensor(2.0, requires_grad=True)
    w = gradcli.tensor(1.0, requires_grad=True)
    events = []
    with observe(events.append):
        y = (x + w) * (w + 1)
    recs = [e for e in events if type(e) is Recorded]
    assert [e.node.name() for e in recs] == ["AddBackward0", "AddBackward0", "MulBackward0"]
    assert recs[-1].node is y.grad_fn and recs[-1].output is y
    assert recs[0].inputs[0] is x and recs[0].inputs[1] is w
    assert recs[1].inputs[1] == 1 and recs[1].args == {"alpha": 1}
    assert recs[2].input_names == ("self", "other")
    assert OBSERVERS == []  # the block removed its observer


def test_backward_step_reports_sent_and_received_after_unbroadcasting():
    x = gradcli.ones(3, 2, requires_grad=True)
    b = gradcli.ones(2, requires_grad=True)
    y = (x * b).sum()
    steps = []
    with observe(steps.append):
        y.backward()
    steps = [e for e in steps if type(e) is BackwardStep]
    assert [s.node.name() for s in steps] == ["SumBackward0", "MulBackward0"]
    mul = steps[1]
    assert mul.grads[0].shape == (3, 2)
    assert tuple(mul.sent[1].shape) == (3, 2) and tuple(mul.received[1].shape) == (2,)
    np.testing.assert_allclose(mul.received[1].numpy(), b.grad.numpy())
    assert mul.received[0] is mul.sent[0]  # nothing to reduce: the same tensor


def test_accumulated_marks_the_engines_sum_of_paths():
    x = gradcli.tensor(3.0, requires_grad=True)
    y = x * x + x
    events = []
    with observe(events.append):
        (g,) = gradcli.autograd.grad(y, [x], create_graph=True)
    acc = [e for e in events if type(e) is Accumulated]
    assert acc and acc[-1].output.grad_fn is not None
    assert g.item() == 7.0


def test_observers_nest_and_an_error_leaves_none_behind():
    a, b = [], []
    x = gradcli.tensor(1.0, requires_grad=True)
    with pytest.raises(ZeroDivisionError):
        with observe(a.append):
            with observe(b.append):
                x * 2
            1 / 0
    assert len(a) == 1 and len(b) == 1 and OBSERVERS == []


def test_no_profiling_or_frame_tricks_in_the_package():
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in ROOT.rglob("*.py")
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if re.search(r"setprofile|settrace|_getframe", line)]
    assert hits == []


# a node's private slots; outside the engine only name(), next_functions, apply() and hooks are used
NODE_PRIVATE = {"_next", "_nrs", "_seq", "_in", "_versions", "_saved_tensors", "_sequence_nr"}


def test_no_module_outside_the_engine_reads_a_nodes_private_attributes():
    hits = []
    for p in ROOT.rglob("*.py"):
        if p.parent.name == "autograd":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in NODE_PRIVATE:
                hits.append(f"{p.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert hits == []


NODE_NAME = re.compile(r"[A-Za-z0-9]*Backward[A-Za-z0-9]*")  # a node's name, not a dotted class path


def test_no_table_outside_the_op_table_is_keyed_by_node_names():
    # a dict display whose keys are "...Backward..." strings restates per-op knowledge the op table owns
    hits = []
    for p in ROOT.rglob("*.py"):
        if p.parent.name == "autograd":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                  and NODE_NAME.fullmatch(k.value) for k in node.keys):
                hits.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert hits == [], "per-op tables outside gradcli/autograd"
