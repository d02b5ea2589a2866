"""Printed reprs: tensors with grad_fn / requires_grad / dtype, node objects (addresses masked), next_functions."""
import pytest

from .helpers import libs, mask

REPRS = [
    (lambda m: m.tensor(36.), "tensor(36.)"),
    (lambda m: m.tensor([5.]), "tensor([5.])"),
    (lambda m: m.tensor(2., requires_grad=True), "tensor(2., requires_grad=True)"),
    (lambda m: m.tensor([1., 2.], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    (lambda m: m.tensor(2., requires_grad=True) - 14, "tensor(-12., grad_fn=<SubBackward0>)"),
    (lambda m: m.tensor([1.5, 2.]), "tensor([1.5000, 2.0000])"),
    (lambda m: m.tensor([999.5, 1.]), "tensor([999.5000,   1.0000])"),
    (lambda m: m.tensor([1001., 1.]), "tensor([1.0010e+03, 1.0000e+00])"),
    (lambda m: m.tensor([1000., 1.]), "tensor([1000.,    1.])"),
    (lambda m: m.tensor([float("nan"), float("inf"), -0.]), "tensor([nan, inf, -0.])"),
    (lambda m: m.tensor([1.], dtype=m.float64), "tensor([1.], dtype=torch.float64)"),
    (lambda m: m.tensor([1.], dtype=m.float64, requires_grad=True),
     "tensor([1.], dtype=torch.float64, requires_grad=True)"),
    (lambda m: m.tensor([1.], dtype=m.float64, requires_grad=True).exp(),
     "tensor([2.7183], dtype=torch.float64, grad_fn=<ExpBackward0>)"),
    (lambda m: m.tensor([1, 2]), "tensor([1, 2])"),
    (lambda m: m.tensor([1, 2], dtype=m.int32), "tensor([1, 2], dtype=torch.int32)"),
    (lambda m: m.tensor([True, False]), "tensor([ True, False])"),
    (lambda m: m.tensor([1., 2.], requires_grad=True) > 1, "tensor([False,  True])"),
    (lambda m: m.ones(2, 2, requires_grad=True) + 2,
     "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"),
    (lambda m: m.ones(2, 3, requires_grad=True).sum(0), "tensor([2., 2., 2.], grad_fn=<SumBackward1>)"),
    (lambda m: m.ones(2, 3, requires_grad=True).mean(), "tensor(1., grad_fn=<MeanBackward0>)"),
    (lambda m: m.ones(3, requires_grad=True)[0], "tensor(1., grad_fn=<SelectBackward0>)"),
    (lambda m: m.ones(3, requires_grad=True).detach(), "tensor([1., 1., 1.])"),
    (lambda m: 1 - m.ones(1, requires_grad=True), "tensor([0.], grad_fn=<RsubBackward1>)"),
    (lambda m: 2 / m.ones(1, requires_grad=True), "tensor([2.], grad_fn=<MulBackward0>)"),
    (lambda m: m.cat([m.ones(1, requires_grad=True), m.zeros(1)]), "tensor([1., 0.], grad_fn=<CatBackward0>)"),
    (lambda m: m.ones(1, requires_grad=True).double(), "tensor([1.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)"),
    (lambda m: m.zeros(0), "tensor([])"),
    (lambda m: m.zeros(0, requires_grad=True), "tensor([], requires_grad=True)"),
    (lambda m: m.tensor([0.0001, 1.]), "tensor([1.0000e-04, 1.0000e+00])"),
    (lambda m: m.tensor([1e-5]), "tensor([1.0000e-05])"),
    (lambda m: m.tensor(-12.25, requires_grad=True), "tensor(-12.2500, requires_grad=True)"),
]


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("make,expected", REPRS, ids=[e for _, e in REPRS])
def test_tensor_repr(m, make, expected):
    t = make(m)
    assert repr(t) == expected
    assert str(t) == expected


@pytest.mark.parametrize("m", libs())
def test_long_tensor_is_summarised(m):
    assert str(m.arange(2000.)) == ("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
                                    "        1.9990e+03])")
    assert str(m.arange(1500.) * 0 + 1) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"


@pytest.mark.parametrize("m", libs())
def test_line_width_wraps_long_rows(m):
    assert str(m.arange(20.) + 0.5) == (
        "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
        "         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000,\n"
        "        16.5000, 17.5000, 18.5000, 19.5000])")


@pytest.mark.parametrize("m", libs())
def test_node_repr_and_name(m):
    y = m.tensor([1.], requires_grad=True) * 2
    assert mask(repr(y.grad_fn)) == "<MulBackward0 object at 0x…>"
    assert mask(str(y.grad_fn)) == "<MulBackward0 object at 0x…>"
    assert y.grad_fn.name() == "MulBackward0"


@pytest.mark.parametrize("m", libs())
def test_accumulate_grad_repr(m):
    y = m.tensor([1.], requires_grad=True) * 2
    acc = y.grad_fn.next_functions[0][0]
    assert mask(repr(acc)) == "<AccumulateGrad object at 0x…>"


@pytest.mark.parametrize("m", libs())
def test_next_functions_print(m):
    a = m.tensor(2., requires_grad=True)
    b = m.tensor(6., requires_grad=True)
    q = 3 * a ** 3 - b ** 2
    assert mask(q.grad_fn.next_functions) == ("((<MulBackward0 object at 0x…>, 0), "
                                              "(<PowBackward0 object at 0x…>, 0))")
    assert mask((b ** 2).grad_fn.next_functions) == "((<AccumulateGrad object at 0x…>, 0),)"


@pytest.mark.parametrize("m", libs())
def test_next_functions_is_a_tuple_of_pairs(m):
    y = m.tensor([1.], requires_grad=True) + 1
    nf = y.grad_fn.next_functions
    assert isinstance(nf, tuple) and all(isinstance(e, tuple) and len(e) == 2 for e in nf)
    assert nf[1] == (None, 0)


@pytest.mark.parametrize("m", libs())
def test_leaf_grad_fn_prints_none(m):
    assert str(m.tensor([1.], requires_grad=True).grad_fn) == "None"


@pytest.mark.parametrize("m", libs())
def test_format_spec_on_a_0dim_tensor(m):
    t = m.tensor(2.5, requires_grad=True) * 2
    assert f"{t:.2f}" == "5.00"


@pytest.mark.parametrize("m", libs())
def test_empty_format_of_a_0dim_tensor(m):
    t = m.tensor(2.5, requires_grad=True) * 2
    assert f"{t}" == "5.0"
    assert f"{m.ones(2)}" == "tensor([1., 1.])"


@pytest.mark.parametrize("m", libs())
def test_size_repr(m):
    assert repr(m.ones(2, 3).shape) == "torch.Size([2, 3])"
    assert repr(m.ones(2, 3).size()) == "torch.Size([2, 3])"
    assert repr(m.tensor(1.).shape) == "torch.Size([])"


@pytest.mark.parametrize("m", libs())
def test_dtype_repr(m):
    assert [repr(d) for d in (m.float32, m.float64, m.int64, m.bool)] == [
        "torch.float32", "torch.float64", "torch.int64", "torch.bool"]


@pytest.mark.parametrize("m", libs())
def test_max_dim_result_repr(m):
    r = m.tensor([[1., 5.], [3., 2.]], requires_grad=True).max(1)
    assert repr(r) == ("torch.return_types.max(\nvalues=tensor([5., 3.], grad_fn=<MaxBackward0>),\n"
                       "indices=tensor([1, 0]))")


@pytest.mark.parametrize("m", libs())
def test_grad_repr_after_backward(m):
    x = m.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert repr(x.grad) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"


@pytest.mark.parametrize("m", libs())
def test_tensor_type_string(m):
    assert m.ones(1).type() == "torch.FloatTensor"
    assert m.ones(1, dtype=m.float64).type() == "torch.DoubleTensor"
    assert m.tensor([1]).type() == "torch.LongTensor"
