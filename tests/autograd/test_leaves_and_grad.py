"""Leaves, requires_grad propagation, .grad on leaves only, retain_grad, accumulation and zero_ (seeds 000-004)."""
import warnings

import pytest

from .helpers import libs, output_of

NONLEAF_GRAD_PREFIX = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at ")


def _quiet_grad(t):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.grad


def _seed_graph(m):
    """seed 001/004: y = (x + w) * (w + 1) with w = 1, x = 2."""
    w = m.tensor([1.], requires_grad=True)
    x = m.tensor([2.], requires_grad=True)
    a = m.add(w, x)
    b = m.add(w, 1)
    y = m.mul(a, b)
    return w, x, a, b, y


# ---- seed 001 / 004 ------------------------------------------------------------------------------------
def _seed_001(m, print):
    w, x, a, b, y = _seed_graph(m)
    y.backward()
    print("is_leaf:\n", w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
    print("gradient:\n", w.grad, x.grad, *[_quiet_grad(t) for t in (a, b, y)])
    print("grad_fn:\n", w.grad_fn, x.grad_fn, a.grad_fn, b.grad_fn, y.grad_fn)


SEED_001 = """is_leaf:
 True True False False False
gradient:
 tensor([5.]) tensor([2.]) None None None
grad_fn:
 None None <AddBackward0 object at 0x…> <AddBackward0 object at 0x…> <MulBackward0 object at 0x…>"""


@pytest.mark.parametrize("m", libs())
def test_seed_001_leaves_grads_and_grad_fns(m):
    assert output_of(_seed_001, m) == SEED_001


@pytest.mark.parametrize("m", libs())
def test_seed_001_next_functions(m):
    def snippet(m, print):
        w, x, a, b, y = _seed_graph(m)
        print(y.grad_fn.next_functions)
        print(a.grad_fn.next_functions)
        print(b.grad_fn.next_functions)
    assert output_of(snippet, m) == (
        "((<AddBackward0 object at 0x…>, 0), (<AddBackward0 object at 0x…>, 0))\n"
        "((<AccumulateGrad object at 0x…>, 0), (<AccumulateGrad object at 0x…>, 0))\n"
        "((<AccumulateGrad object at 0x…>, 0), (None, 0))")


@pytest.mark.parametrize("m", libs())
def test_nonleaf_grad_access_warns_once_per_access_and_is_none(m):
    w, x, a, b, y = _seed_graph(m)
    y.backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = [a.grad, b.grad, y.grad]
    assert values == [None, None, None]
    assert len(caught) == 3
    for wr in caught:
        assert wr.category is UserWarning
        assert str(wr.message).startswith(NONLEAF_GRAD_PREFIX)


@pytest.mark.parametrize("m", libs())
def test_leaf_grad_access_does_not_warn(m):
    w, x, a, b, y = _seed_graph(m)
    y.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert w.grad is not None and x.grad is not None


@pytest.mark.parametrize("m", libs())
def test_retain_graph_then_second_backward_accumulates_5_then_10(m):
    def snippet(m, print):
        w, x, a, b, y = _seed_graph(m)
        y.backward(retain_graph=True)
        print(w.grad)
        y.backward()
        print(w.grad)
    assert output_of(snippet, m) == "tensor([5.])\ntensor([10.])"


@pytest.mark.parametrize("m", libs())
def test_loop_of_four_fresh_graphs_accumulates(m):
    def snippet(m, print):
        w = m.tensor([1.], requires_grad=True)
        x = m.tensor([2.], requires_grad=True)
        for _ in range(4):
            y = m.mul(m.add(w, x), m.add(w, 1))
            y.backward()
            print(w.grad)
    assert output_of(snippet, m) == "tensor([5.])\ntensor([10.])\ntensor([15.])\ntensor([20.])"


@pytest.mark.parametrize("m", libs())
def test_loop_with_grad_zero_gives_5_each_time(m):
    def snippet(m, print):
        w = m.tensor([1.], requires_grad=True)
        x = m.tensor([2.], requires_grad=True)
        for _ in range(4):
            y = m.mul(m.add(w, x), m.add(w, 1))
            y.backward()
            print(w.grad)
            w.grad.zero_()
    assert output_of(snippet, m) == "tensor([5.])\ntensor([5.])\ntensor([5.])\ntensor([5.])"


@pytest.mark.parametrize("m", libs())
def test_retain_grad_keeps_an_interior_gradient(m):
    def snippet(m, print):
        w = m.tensor([1.], requires_grad=True)
        x = m.tensor([2.], requires_grad=True)
        a = m.add(w, x)
        a.retain_grad()
        b = m.add(w, 1)
        y = m.mul(a, b)
        y.backward()
        print("gradient:\n", w.grad, x.grad, a.grad, _quiet_grad(b), _quiet_grad(y))
        print(a.retains_grad, b.retains_grad, w.retains_grad)
    assert output_of(snippet, m) == "gradient:\n tensor([5.]) tensor([2.]) tensor([2.]) None None\nTrue False False"


@pytest.mark.parametrize("m", libs())
def test_retain_grad_accumulates_across_backwards(m):
    w = m.tensor([1., 2.], requires_grad=True)
    a = w * 3
    a.retain_grad()
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad.tolist() == [12., 24.]
    assert w.grad.tolist() == [36., 72.]


@pytest.mark.parametrize("m", libs())
def test_retain_grad_on_leaf_is_a_no_op(m):
    w = m.tensor([1.], requires_grad=True)
    w.retain_grad()
    assert w.retains_grad is False
    (w * 2).backward()
    assert w.grad.tolist() == [2.]


@pytest.mark.parametrize("m", libs())
def test_requires_grad_propagation(m):
    def snippet(m, print):
        w, x, a, b, y = _seed_graph(m)
        print(a.requires_grad, b.requires_grad, y.requires_grad)
        print(a.is_leaf, b.is_leaf, y.is_leaf)
        c = m.ones(2) * 3
        print(c.requires_grad, c.is_leaf, c.grad_fn)
        c.requires_grad_()
        print(c.requires_grad, c.is_leaf, c.grad_fn)
        k = w > 1
        print(k.dtype, k.requires_grad, k.grad_fn)
        mixed = m.ones(1) + w
        print(mixed.requires_grad, mixed.is_leaf)
    assert output_of(snippet, m) == ("True True True\nFalse False False\nFalse True None\nTrue True None\n"
                                     "torch.bool False None\nTrue False")


@pytest.mark.parametrize("m", libs())
def test_grad_is_none_until_first_backward(m):
    w = m.tensor([1., 2.], requires_grad=True)
    y = (w * w).sum()
    assert w.grad is None
    y.backward()
    assert w.grad.tolist() == [2., 4.]


@pytest.mark.parametrize("m", libs())
def test_accumulation_is_in_place_into_the_same_grad_tensor(m):
    w = m.tensor([1.], requires_grad=True)
    (w * 2).backward()
    g = w.grad
    (w * 2).backward()
    assert g is w.grad
    assert g.tolist() == [4.]


@pytest.mark.parametrize("m", libs())
def test_grad_can_be_reset_to_none(m):
    w = m.tensor([1.], requires_grad=True)
    (w * 2).backward()
    w.grad = None
    (w * 3).backward()
    assert w.grad.tolist() == [3.]


@pytest.mark.parametrize("m", libs())
def test_grad_can_be_assigned(m):
    w = m.tensor([1., 2.], requires_grad=True)
    w.grad = m.tensor([10., 10.])
    (w * 2).sum().backward()
    assert w.grad.tolist() == [12., 12.]


@pytest.mark.parametrize("m", libs())
def test_leaf_backward_gives_ones(m):
    w = m.tensor(3., requires_grad=True)
    w.backward()
    assert w.grad.item() == 1.
    v = m.tensor([3.], requires_grad=True)
    v.backward()
    assert v.grad.tolist() == [1.]


@pytest.mark.parametrize("m", libs())
def test_detach_shares_storage_seed_001(m):
    def snippet(m, print):
        w, x, a, b, y = _seed_graph(m)
        y.backward()
        w_detach = w.detach()
        w_detach.data[0] = 999
        print(w)
        print(w_detach.requires_grad, w_detach.is_leaf, w_detach.grad_fn)
    assert output_of(snippet, m) == "tensor([999.], requires_grad=True)\nFalse True None"


@pytest.mark.parametrize("m", libs())
def test_detach_of_non_leaf_is_a_new_leaf(m):
    w = m.tensor([1., 2.], requires_grad=True)
    z = w * 2
    d = z.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert (d * 3).grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_data_shares_storage_without_history(m):
    w = m.tensor([1., 2.], requires_grad=True)
    d = w.data
    assert not d.requires_grad
    d[0] = 5.
    assert w.tolist() == [5., 2.]


@pytest.mark.parametrize("m", libs())
def test_data_assignment_replaces_values_keeps_leaf(m):
    w = m.tensor([1., 2.], requires_grad=True)
    w.data = m.tensor([7., 8.])
    assert w.tolist() == [7., 8.] and w.requires_grad and w.is_leaf


@pytest.mark.parametrize("m", libs())
def test_cat_with_gradient_argument(m):
    def snippet(m, print):
        w = m.tensor([1.], requires_grad=True)
        x = m.tensor([2.], requires_grad=True)
        a = m.add(w, x)
        b = m.add(w, 1)
        y0 = m.mul(a, b)
        y1 = m.add(a, b)
        loss = m.cat([y0, y1], dim=0)
        print(loss)
        loss.backward(gradient=m.tensor([1., 2.]))
        print(w.grad)
    assert output_of(snippet, m) == "tensor([6., 5.], grad_fn=<CatBackward0>)\ntensor([9.])"


@pytest.mark.parametrize("m", libs())
def test_seed_000_first_example(m):
    def snippet(m, print):
        a = m.tensor(2., requires_grad=True)
        b = m.tensor(6., requires_grad=True)
        O = 3 * a ** 3  # noqa: E741,N806 - the seed's names
        P = b ** 2  # noqa: N806
        Q = O - P  # noqa: N806
        Q.backward(gradient=m.tensor(1.))
        print(a.grad)
        print(b.grad)
        print(Q.grad_fn.next_functions)
        print(O.grad_fn.next_functions)
        print(P.grad_fn.next_functions)
        print(a.grad_fn)
        print(b.grad_fn)
        print(Q, a)
    assert output_of(snippet, m) == """tensor(36.)
tensor(-12.)
((<MulBackward0 object at 0x…>, 0), (<PowBackward0 object at 0x…>, 0))
((<PowBackward0 object at 0x…>, 0), (None, 0))
((<AccumulateGrad object at 0x…>, 0),)
None
None
tensor(-12., grad_fn=<SubBackward0>) tensor(2., requires_grad=True)"""


@pytest.mark.parametrize("m", libs())
def test_seed_000_autograd_grad(m):
    def snippet(m, print):
        a = m.tensor(2., requires_grad=True)
        b = m.tensor(6., requires_grad=True)
        Q = 3 * a ** 3 - b ** 2  # noqa: N806
        grads = m.autograd.grad(Q, [a, b])
        print(grads[0])
        print(grads[1])
        print(grads)
        print(a.grad, b.grad)
    assert output_of(snippet, m) == "tensor(36.)\ntensor(-12.)\n(tensor(36.), tensor(-12.))\nNone None"


@pytest.mark.parametrize("m", libs())
def test_seed_000_second_example_graph(m):
    def snippet(m, print):
        x = m.ones(5)
        w = m.ones(5, 3, requires_grad=True)
        b = m.ones(3, requires_grad=True)
        z = m.matmul(x, w) + b
        print("Gradient function for z =", z.grad_fn)
        print(z.grad_fn.next_functions)
        print(z.grad_fn.next_functions[0][0].next_functions)
        print(z.requires_grad)
        with m.no_grad():
            z2 = m.matmul(x, w) + b
        print(z2.requires_grad)
        print(z.detach().requires_grad)
    assert output_of(snippet, m) == """Gradient function for z = <AddBackward0 object at 0x…>
((<SqueezeBackward4 object at 0x…>, 0), (<AccumulateGrad object at 0x…>, 0))
((<MmBackward0 object at 0x…>, 0),)
True
False
False"""


@pytest.mark.parametrize("m", libs())
def test_seed_000_second_example_loss(m):
    def snippet(m, print):
        x = m.ones(5)
        y = m.zeros(3)
        w = m.tensor([[0.5, -1.0, 2.0]] * 5, requires_grad=True)
        b = m.tensor([0.1, 0.2, -0.3], requires_grad=True)
        z = m.matmul(x, w) + b
        loss = m.nn.functional.binary_cross_entropy_with_logits(z, y)
        print("Gradient function for loss =", loss.grad_fn)
        print(loss.grad_fn.next_functions)
        loss.backward()
        print(b.grad)
        print(all(row == b.grad.tolist() for row in w.grad.tolist()))
    assert output_of(snippet, m) == (
        "Gradient function for loss = <BinaryCrossEntropyWithLogitsBackward0 object at 0x…>\n" """\
((<AddBackward0 object at 0x…>, 0), (None, 0))
tensor([0.3103, 0.0027, 0.3333])
True""")


@pytest.mark.parametrize("m", libs())
def test_seed_003_mean_of_ones(m):
    def snippet(m, print):
        x = m.ones(2, 2, requires_grad=True)
        y = x + 2
        print(y)
        z = y * y * 3
        print(z)
        o = z.mean()
        print(o)
        o.backward()
        print(x.grad)
    assert output_of(snippet, m) == """tensor([[3., 3.],
        [3., 3.]], grad_fn=<AddBackward0>)
tensor([[27., 27.],
        [27., 27.]], grad_fn=<MulBackward0>)
tensor(27., grad_fn=<MeanBackward0>)
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])"""


@pytest.mark.parametrize("m", libs())
def test_seed_003_zeros_plus_one(m):
    x = m.zeros(1, requires_grad=True)
    assert str(x + 1) == "tensor([1.], grad_fn=<AddBackward0>)"


@pytest.mark.parametrize("m", libs())
def test_backward_inputs_fills_only_the_named_leaves(m):
    a = m.tensor([1., 2.], requires_grad=True)
    b = m.tensor([3., 4.], requires_grad=True)
    y = (a * b).sum()
    y.backward(inputs=[a])
    assert a.grad.tolist() == [3., 4.]
    assert b.grad is None


@pytest.mark.parametrize("m", libs())
def test_backward_inputs_can_name_an_interior_tensor(m):
    a = m.tensor([1., 2.], requires_grad=True)
    h = a * 2
    y = (h * h).sum()
    y.backward(inputs=[h])
    assert _quiet_grad(h).tolist() == [4., 8.]
    assert a.grad is None


@pytest.mark.parametrize("m", libs())
def test_accumulate_grad_node_identity_and_name(m):
    w = m.tensor([1.], requires_grad=True)
    y1, y2 = w * 2, w * 3
    acc = y1.grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is w
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert y2.grad_fn.next_functions[0][0] is acc  # one AccumulateGrad per leaf while a graph holds it
    assert y1.grad_fn.name() == "MulBackward0"


@pytest.mark.parametrize("m", libs())
def test_interior_grads_freed_leaf_grads_kept(m):
    w = m.tensor([1., 2.], requires_grad=True)
    h = w.exp()
    h.sum().backward()
    assert _quiet_grad(h) is None
    assert w.grad is not None


@pytest.mark.parametrize("m", libs())
def test_shared_subexpression_gradients_add_up(m):
    x = m.tensor([2.], requires_grad=True)
    y = (x + x) * (x + 1)
    y.backward()
    assert x.grad.tolist() == [10.]  # d/dx 2x(x+1) = 4x + 2


@pytest.mark.parametrize("m", libs())
def test_tensor_used_by_two_backward_roots(m):
    x = m.tensor([1., 2.], requires_grad=True)
    y1, y2 = (x * 2).sum(), (x * x).sum()
    m.autograd.backward([y1, y2])
    assert x.grad.tolist() == [4., 6.]


@pytest.mark.parametrize("m", libs())
def test_populated_nonleaf_grad_does_not_warn(m):
    a = m.tensor([1., 2.], requires_grad=True)
    h = a * 2
    (h * h).sum().backward(inputs=[h])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert h.grad.tolist() == [4., 8.]
