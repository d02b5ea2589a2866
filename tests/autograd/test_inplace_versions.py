"""In-place ops: leaf errors, version counters and their error text, grad_fn rebasing, no_grad, shared storage."""
import pytest

from .helpers import exact, libs, output_of

LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."
HINT = (" Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def modified(which, version, expected, shape="[2]", legacy="FloatTensor"):
    """torch's text for a saved tensor changed by an in-place op (`which` = ', which is output 0 of Exp,')."""
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[torch.{legacy} {shape}]{which} is at version {version}; expected version {expected} instead." + HINT)


def _leaf(m, values=(1., 2.)):
    return m.tensor(list(values), requires_grad=True)


# ---- leaves --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("op", ["add_", "mul_", "iadd", "isub", "imul", "zero_", "fill_", "exp_", "copy_"])
def test_in_place_on_leaf_requiring_grad(m, op):
    w = _leaf(m)
    actions = {"add_": lambda: w.add_(1), "mul_": lambda: w.mul_(2), "zero_": lambda: w.zero_(),
               "fill_": lambda: w.fill_(3.), "exp_": lambda: w.exp_(), "copy_": lambda: w.copy_(m.ones(2)),
               "iadd": lambda: w.__iadd__(1), "isub": lambda: w.__isub__(1), "imul": lambda: w.__imul__(2)}
    with pytest.raises(RuntimeError, match=exact(LEAF)):
        actions[op]()
    assert w.tolist() == [1., 2.] and w._version == 0


@pytest.mark.parametrize("m", libs())
def test_seed_001_leaf_add_(m):
    w = m.tensor([1.], requires_grad=True)
    x = m.tensor([2.], requires_grad=True)
    y = m.mul(m.add(w, x), m.add(w, 1))
    with pytest.raises(RuntimeError, match=exact(LEAF)):
        w.add_(1)
    y.backward()
    assert w.grad.tolist() == [5.]


@pytest.mark.parametrize("m", libs())
def test_setitem_on_leaf_requiring_grad(m):
    w = _leaf(m)
    with pytest.raises(RuntimeError, match=exact(VIEW_LEAF)):
        w[0] = 5


@pytest.mark.parametrize("m", libs())
def test_in_place_on_row_view_of_leaf(m):
    w = m.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(VIEW_LEAF)):
        w[0].add_(1)


@pytest.mark.parametrize("m", libs())
def test_in_place_on_element_view_of_leaf(m):
    w = _leaf(m)
    with pytest.raises(RuntimeError, match=exact(VIEW_LEAF)):
        w[0].add_(1)


@pytest.mark.parametrize("m", libs())
def test_in_place_on_leaf_allowed_under_no_grad(m):
    w = _leaf(m)
    with m.no_grad():
        w.add_(1)
        w[0] = 10.
        w.mul_(2)
    assert w.tolist() == [20., 6.]
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w._version == 3


@pytest.mark.parametrize("m", libs())
def test_sgd_style_update_under_no_grad(m):
    w = _leaf(m)
    (w * w).sum().backward()
    with m.no_grad():
        w -= 0.1 * w.grad
    assert [round(v, 6) for v in w.tolist()] == [0.8, 1.6]
    assert w.is_leaf and w.grad_fn is None


# ---- version counters ----------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_version_bumps_on_every_in_place_op(m):
    x = m.tensor([1., 2.])
    assert x._version == 0
    x += 1
    x[0] = 3
    x.mul_(2)
    x.zero_()
    assert x._version == 4


@pytest.mark.parametrize("m", libs())
def test_out_of_place_ops_do_not_bump(m):
    x = m.tensor([1., 2.])
    x + 1
    x.exp()
    x[0]
    assert x._version == 0


@pytest.mark.parametrize("m", libs())
def test_saved_output_modified_names_its_producer(m):
    b = _leaf(m) * 1
    c = b.exp()
    c.add_(1)
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Exp,", 1, 0))):
        c.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_saved_input_modified_names_the_in_place_op(m):
    b = _leaf(m) * 1
    c = b * b
    b.add_(1)
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Add,", 1, 0))):
        c.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_saved_leaf_modified_under_no_grad(m):
    w = _leaf(m)
    y = w * w
    with m.no_grad():
        w[0] = 5.
    with pytest.raises(RuntimeError, match=exact(modified("", 1, 0))):
        y.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_version_error_shape_and_dtype_in_text(m):
    b = m.ones(2, 3, dtype=m.float64, requires_grad=True) * 1
    c = b.sigmoid()
    c.mul_(2)
    c.mul_(2)
    # torch names the node that saved the tensor (Sigmoid), not the last in-place op
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Sigmoid,", 2, 0, "[2, 3]",
                                                          "DoubleTensor"))):
        c.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_modified_between_two_backwards(m):
    a = _leaf(m) * 1
    y = (a * a).sum()
    y.backward(retain_graph=True)
    a.add_(1)
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Add,", 1, 0))):
        y.backward()


@pytest.mark.parametrize("m", libs())
def test_modifying_a_tensor_not_needed_by_backward_is_fine(m):
    w = _leaf(m)
    b = w * 1
    c = b + 1  # AddBackward0 saves nothing
    b.add_(1)
    c.sum().backward()
    assert w.grad.tolist() == [1., 1.]


@pytest.mark.parametrize("m", libs())
def test_modifying_after_backward_is_fine(m):
    w = _leaf(m)
    c = w.exp()
    c.sum().backward()
    c.add_(1)
    assert c._version == 1


@pytest.mark.parametrize("m", libs())
def test_in_place_result_saved_then_modified_again(m):
    a = _leaf(m) * 1
    a.sigmoid_()
    a.sigmoid_()
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Sigmoid,", 2, 1))):
        a.sum().backward()


# ---- storage sharing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_detach_shares_storage_and_version_counter(m):
    w = _leaf(m)
    y = w * 2
    h = y.detach()
    h.add_(1)
    assert y.tolist() == [3., 5.]
    assert y._version == 1 and h._version == 1


@pytest.mark.parametrize("m", libs())
def test_detached_change_is_caught_by_the_version_check(m):
    w = _leaf(m)
    c = w.exp()
    c.detach().zero_()
    with pytest.raises(RuntimeError, match=exact(modified(", which is output 0 of Exp,", 1, 0))):
        c.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_data_shares_storage_but_not_the_version_counter(m):
    x = m.tensor([1., 2.])
    x.data.add_(1)
    assert x.tolist() == [2., 3.] and x._version == 0


@pytest.mark.parametrize("m", libs())
def test_change_through_data_is_not_caught(m):
    w = _leaf(m)
    c = w.exp()
    c.data.zero_()
    c.sum().backward()
    assert w.grad.tolist() == [0., 0.]  # the saved result was zeroed behind autograd's back


@pytest.mark.parametrize("m", libs())
def test_row_view_writes_through_and_shares_version(m):
    a = m.tensor([[1., 2.], [3., 4.]])
    v = a[0]
    v.add_(5)
    assert a.tolist() == [[6., 7.], [3., 4.]]
    assert a._version == 1 and v._version == 1


@pytest.mark.parametrize("m", libs())
def test_element_view_writes_through(m):
    a = m.tensor([1., 2.])
    v = a[0]
    v.add_(5)
    assert a.tolist() == [6., 2.]
    assert a._version == 1 and v._version == 1


@pytest.mark.parametrize("m", libs())
def test_reshape_view_shares_storage(m):
    a = m.zeros(2, 2)
    a.view(4)[1] = 7.
    assert a.tolist() == [[0., 7.], [0., 0.]]


# ---- in-place on non-leaves: the history is rebased ----------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_in_place_on_non_leaf_rebases_grad_fn(m):
    def snippet(m, print):
        w = m.tensor([1.], requires_grad=True)
        a = w + 1
        a.mul_(2)
        print(a, a._version, a.is_leaf)
        print(a.grad_fn.next_functions)
        a.backward()
        print(w.grad)
    assert output_of(snippet, m) == ("tensor([4.], grad_fn=<MulBackward0>) 1 False\n"
                                     "((<AddBackward0 object at 0x…>, 0), (None, 0))\ntensor([2.])")


@pytest.mark.parametrize("m", libs())
def test_in_place_with_tensor_argument(m):
    w = _leaf(m)
    v = m.tensor([3., 4.], requires_grad=True)
    a = w + 1
    a.mul_(v)
    a.sum().backward()
    assert w.grad.tolist() == [3., 4.] and v.grad.tolist() == [2., 3.]


@pytest.mark.parametrize("m", libs())
def test_augmented_assignment_on_non_leaf(m):
    def snippet(m, print):
        w = m.tensor([3.], requires_grad=True)
        a = w * 1
        a += w
        print(a.grad_fn.next_functions)
        a.backward()
        print(w.grad)
    assert output_of(snippet, m) == ("((<MulBackward0 object at 0x…>, 0), (<AccumulateGrad object at 0x…>, 0))\n"
                                     "tensor([2.])")


@pytest.mark.parametrize("m", libs())
def test_in_place_exp_on_non_leaf(m):
    w = _leaf(m)
    a = w * 1
    a.exp_()
    assert type(a.grad_fn).__name__ == "ExpBackward0" and a._version == 1
    a.sum().backward()
    assert [round(g, 4) for g in w.grad.tolist()] == [2.7183, 7.3891]


@pytest.mark.parametrize("m", libs())
def test_in_place_on_plain_tensor_with_grad_argument(m):
    w = _leaf(m)
    z = m.zeros(2)
    z.add_(w)
    assert type(z.grad_fn).__name__ == "AddBackward0"
    assert z.requires_grad and not z.is_leaf
    (z * 3).sum().backward()
    assert w.grad.tolist() == [3., 3.]


@pytest.mark.parametrize("m", libs())
def test_zero_on_non_leaf_cuts_the_gradient(m):
    w = _leaf(m)
    a = w * 5
    a.zero_()
    assert type(a.grad_fn).__name__ == "ZeroBackward0"
    (a + w).sum().backward()
    assert w.grad.tolist() == [1., 1.]


@pytest.mark.parametrize("m", libs())
def test_setitem_on_non_leaf(m):
    def snippet(m, print):
        w = m.tensor([1., 2., 3.], requires_grad=True)
        v = m.tensor(10., requires_grad=True)
        a = w * 2
        a[1] = v
        print(a)
        print(a.grad_fn.next_functions)
        (a * m.tensor([1., 2., 3.])).sum().backward()
        print(w.grad, v.grad)
    assert output_of(snippet, m) == ("tensor([ 2., 10.,  6.], grad_fn=<CopySlices>)\n"
                                     "((<MulBackward0 object at 0x…>, 0), (<AccumulateGrad object at 0x…>, 0))\n"
                                     "tensor([2., 0., 6.]) tensor(2.)")


@pytest.mark.parametrize("m", libs())
def test_setitem_with_mask_on_non_leaf(m):
    w = m.tensor([-1., 2., -3.], requires_grad=True)
    a = w * 1
    a[a < 0] = 0.
    a.sum().backward()
    assert w.grad.tolist() == [0., 1., 0.]


@pytest.mark.parametrize("m", libs(gc_xfail="in-place op on a view of a non-leaf (y[0].mul_(2)) raises 'gradcli does "
                                   "not support in-place operations on a view...'; torch rebases the base: "
                                   "y.grad_fn=CopySlices, w.grad=[[2,2],[1,1]]"))
def test_in_place_on_view_of_non_leaf_rebases_the_base(m):
    w = m.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = w * 1
    y[0].mul_(2)
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.tolist() == [[2., 4.], [3., 4.]]
    y.sum().backward()
    assert w.grad.tolist() == [[2., 2.], [1., 1.]]


@pytest.mark.parametrize("m", libs(gc_xfail="in-place op on a slice view of a non-leaf raises in gradcli; torch gives "
                                   "the view AsStridedBackward0, the base CopySlices, w.grad=[1,3]"))
def test_in_place_on_slice_of_non_leaf(m):
    w = _leaf(m)
    y = w * 1
    v = y[1:]
    v.mul_(3)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    y.sum().backward()
    assert w.grad.tolist() == [1., 3.]


@pytest.mark.parametrize("m", libs())
def test_in_place_result_type_must_fit(m):
    with pytest.raises(RuntimeError, match=exact("result type Float can't be cast to the desired output type Long")):
        m.tensor([1, 2]).add_(0.5)


@pytest.mark.parametrize("m", libs())
def test_in_place_keeps_the_tensor_identity(m):
    a = _leaf(m) * 1
    assert a.mul_(2) is a
    x = m.ones(2)
    x += 1
    assert x.tolist() == [2., 2.]
