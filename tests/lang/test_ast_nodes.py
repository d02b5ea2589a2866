"""AST nodes behave as the frozen, slotted dataclasses they replaced: fields, defaults, equality, errors, copies."""
import copy
import dataclasses
import pickle

import pytest
from hypothesis import given, settings

from gradcli.lang import ast as A
from gradcli.lang import parse_file

from .strategies import modules


def _tree():
    return parse_file("def f(a, *b, c=1):\n    return [x**2 for x in b if x] + {'k': a}\ny = f(1, 2, c=3)\n")


def test_fields_are_positional_with_defaults_and_span_keyword_only():
    s = A.Span(1, 1, 1, 4)
    call = A.Call(A.Name("f", span=s), span=s)
    assert (call.args, call.keywords, call.span) == ((), (), s)
    assert A.node_fields(A.Call) == ("func", "args", "keywords") == A.Call.__match_args__
    assert A.Name("x").span is A.NO_SPAN
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'id'"):
        A.Name()
    with pytest.raises(TypeError):
        A.Name("x", A.NO_SPAN)  # span only by keyword


def test_nodes_are_frozen_and_slotted():
    node = A.BinOp(A.Name("x"), "+", A.Constant(1))
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'op'"):
        node.op = "-"
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'op'"):
        del node.op
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.extra = 1
    assert not hasattr(node, "__dict__")


def test_match_statement_reads_fields_positionally():
    match A.BinOp(A.Name("x"), "+", A.Constant(1)):
        case A.BinOp(A.Name(name), op, A.Constant(value)):
            assert (name, op, value) == ("x", "+", 1)
        case _:
            pytest.fail("no match")


def test_replace_changes_fields_and_span_only():
    node = A.Param("a", "positional", None)
    changed = A.replace(node, kind="keyword_only", span=A.Span(2, 3, 2, 4))
    assert (changed.name, changed.kind, changed.span) == ("a", "keyword_only", A.Span(2, 3, 2, 4))
    assert node.kind == "positional"
    with pytest.raises(TypeError, match="no field 'nope'"):
        A.replace(node, nope=1)


def test_copy_and_pickle_keep_shape_and_spans():
    tree = _tree()
    for other in (copy.copy(tree), copy.deepcopy(tree), pickle.loads(pickle.dumps(tree))):
        assert other == tree and A.dump(other, spans=True) == A.dump(tree, spans=True)


def test_equality_and_hash_follow_spans():
    a, b = A.Name("x", span=A.Span(1, 1, 1, 2)), A.Name("x", span=A.Span(2, 1, 2, 2))
    assert a != b and A.equal_ignoring_spans(a, b)
    assert a == A.Name("x", span=A.Span(1, 1, 1, 2)) and hash(a) == hash(A.Name("x", span=A.Span(1, 1, 1, 2)))


@settings(max_examples=60, deadline=None)
@given(modules())
def test_generated_trees_survive_pickle_and_replace(tree):
    assert pickle.loads(pickle.dumps(tree)) == tree
    for node in A.walk(tree):
        assert A.replace(node) == node
