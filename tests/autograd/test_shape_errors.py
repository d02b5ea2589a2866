"""Shape-mismatch and unsupported-dtype errors read as torch 2.13's (not numpy's), for every op family."""
import pytest

from .helpers import exact, libs

A3_B4 = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"

BINARY = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b, "pow": lambda m, a, b: a ** b, "rsub": lambda m, a, b: m.rsub(b, a),
    "maximum": lambda m, a, b: m.maximum(a, b), "minimum": lambda m, a, b: m.minimum(a, b),
    "eq": lambda m, a, b: a == b, "lt": lambda m, a, b: a < b, "ge": lambda m, a, b: a >= b,
    "add-alpha": lambda m, a, b: m.add(a, b, alpha=2), "where": lambda m, a, b: m.where(a > 0, a, b),
    "copy_": lambda m, a, b: a.clone().copy_(b), "add_": lambda m, a, b: a.clone().add_(b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("m", libs())
def test_binary_broadcast_mismatch(m, name):
    with pytest.raises(RuntimeError, match=exact(A3_B4)):
        BINARY[name](m, m.ones(3), m.ones(4))


@pytest.mark.parametrize("m", libs())
def test_mismatch_with_grad_and_mixed_dtypes(m):
    with pytest.raises(RuntimeError, match=exact(A3_B4)):
        m.ones(3, requires_grad=True) * m.ones(4)
    with pytest.raises(RuntimeError, match=exact(A3_B4)):
        m.ones(3) + m.ones(4, dtype=m.int64)
    with pytest.raises(RuntimeError, match=exact(A3_B4)):
        m.ones(3) + m.ones(4, dtype=m.float64)


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("sa,sb,text", [
    ((2, 3), (3, 2), "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
    ((2, 3, 4), (5, 4), "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1"),
])
def test_dimension_is_counted_in_the_broadcast_result(m, sa, sb, text):
    with pytest.raises(RuntimeError, match=exact(text)):
        m.ones(*sa) + m.ones(*sb)


@pytest.mark.parametrize("m", libs())
def test_where_names_the_condition_first(m):
    with pytest.raises(RuntimeError, match=exact(A3_B4.replace("(3)", "(5)", 1).replace("(4)", "(3)"))):
        m.where(m.ones(5) > 0, m.ones(3), m.ones(3))


@pytest.mark.parametrize("m", libs())
def test_inplace_result_must_keep_its_shape(m):
    text = "output with shape [3] doesn't match the broadcast shape [2, 3]"
    for f in (lambda x: x.add_(m.ones(2, 3)), lambda x: x.mul_(m.ones(2, 3)),
              lambda x: x.copy_(m.ones(2, 3)), lambda x: x.add_(m.ones(2, 3), alpha=2)):
        with pytest.raises(RuntimeError, match=exact(text)):
            f(m.ones(3))
    with pytest.raises(RuntimeError, match=exact(text)):
        (m.ones(3, requires_grad=True) * 1).mul_(m.ones(2, 3))


@pytest.mark.parametrize("m", libs())
def test_setitem_value_must_expand(m):
    x = m.ones(3)
    with pytest.raises(RuntimeError, match=exact(
            "The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 0.  "
            "Target sizes: [3].  Tensor sizes: [4]")):
        x[:] = m.ones(4)


MATMUL = [
    ((2, 3), (4, 5), "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    ((3,), (4, 5), "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
    ((2, 3), (4,), "size mismatch, got input (2), mat (2x3), vec (4)"),
    ((3,), (4,), "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, "
                 "but got 3 and 4 elements respectively"),
    ((2, 2, 3), (4, 5), "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)"),
    ((2, 2, 3), (4,), "size mismatch, got input (4), mat (4x3), vec (4)"),
    ((3,), (2, 4, 5), "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."),
    ((2, 2, 3), (2, 4, 5), "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."),
    ((2, 1, 2, 3), (3, 4, 5), "Expected size for first two dimensions of batch2 tensor to be: [6, 3] but got: [6, 4]."),
    ((2, 2, 3), (3, 3, 5), "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
]


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("sa,sb,text", MATMUL, ids=[f"{a}@{b}" for a, b, _ in MATMUL])
def test_matmul_shape_mismatch(m, sa, sb, text):
    with pytest.raises(RuntimeError, match=exact(text)):
        m.ones(*sa) @ m.ones(*sb)


@pytest.mark.parametrize("m", libs())
def test_bmm_mm_stack_cat_mismatch(m):
    with pytest.raises(RuntimeError, match=exact(
            "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].")):
        m.bmm(m.ones(2, 2, 3), m.ones(2, 4, 5))
    with pytest.raises(RuntimeError, match=exact("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")):
        m.mm(m.ones(2, 3), m.ones(4, 5))
    with pytest.raises(RuntimeError, match=exact(
            "stack expects each tensor to be equal size, but got [3] at entry 0 and [4] at entry 1")):
        m.stack([m.ones(3), m.ones(4)])
    with pytest.raises(RuntimeError, match=exact(
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 "
            "in the list.")):
        m.cat([m.ones(2, 3), m.ones(2, 4)])


# ---- bitwise operators exist only for integer and bool tensors ----------------------------------------
BITWISE = [
    (lambda m: m.ones(3) ^ 2, "bitwise_xor", "Float"),
    (lambda m: 2 ^ m.ones(3), "bitwise_xor", "Float"),
    (lambda m: m.ones(3, dtype=m.float64) ^ 2, "bitwise_xor", "Double"),
    (lambda m: m.ones(3, dtype=m.float16) ^ 1, "bitwise_xor", "Half"),
    (lambda m: m.ones(3, dtype=m.int64) ^ 2.5, "bitwise_xor", "Float"),
    (lambda m: m.ones(3, dtype=m.int64) ^ m.ones(3), "bitwise_xor", "Float"),
    (lambda m: m.ones(3) & True, "bitwise_and", "Float"),
    (lambda m: m.ones(3) | m.ones(3), "bitwise_or", "Float"),
]


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("k", range(len(BITWISE)))
def test_bitwise_on_floats(m, k):
    f, kernel, ctype = BITWISE[k]
    with pytest.raises(NotImplementedError, match=exact(f'"{kernel}_cpu" not implemented for \'{ctype}\'')):
        f(m)


@pytest.mark.parametrize("m", libs())
def test_bitwise_that_works(m):
    assert (m.ones(3, dtype=m.bool) ^ True).tolist() == [False] * 3
    assert (m.tensor([1, 2, 3]) ^ 2).tolist() == [3, 0, 1]
    assert (m.tensor([6]) & m.tensor([3])).tolist() == [2]
    with pytest.raises(TypeError, match=exact("~ (operator.invert) is only implemented on integer and Boolean-type "
                                              "tensors")):
        ~m.ones(3)
    with pytest.raises(RuntimeError, match=exact(A3_B4)):
        m.ones(3, dtype=m.int64) & m.ones(4, dtype=m.int64)


JOIN_ERRORS = [  # (call, exception, torch 2.13's text)
    (lambda m: m.stack([[1.0, 2.0], [3.0, 4.0]]), TypeError, "expected Tensor as element 0 in argument 0, but got list"),
    (lambda m: m.cat([m.ones(2), [1.0, 2.0]]), TypeError, "expected Tensor as element 1 in argument 0, but got list"),
    (lambda m: m.stack([m.ones(2), 3.0]), TypeError, "expected Tensor as element 1 in argument 0, but got float"),
    (lambda m: m.stack([m.ones(2), m.ones(2).numpy()]), TypeError,
     "expected Tensor as element 1 in argument 0, but got numpy.ndarray"),
    (lambda m: m.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda m: m.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    (lambda m: m.stack(m.ones(2, 2)), TypeError,
     "stack(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
    (lambda m: m.cat(x for x in [m.ones(2)]), TypeError,
     "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not generator"),
]


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("case", range(len(JOIN_ERRORS)))
def test_stack_and_cat_refuse_what_is_not_a_list_of_tensors(m, case):
    call, kind, text = JOIN_ERRORS[case]
    with pytest.raises(kind, match=exact(text)):
        call(m)
