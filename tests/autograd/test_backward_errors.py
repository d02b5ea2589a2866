"""Engine error and warning texts, word for word as torch 2.13 prints them (PYTORCH_BEHAVIOUR 2.3)."""
import warnings

import pytest

from .helpers import exact, libs

NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
INT_CREATE = "Only Tensors of floating point and complex dtype can require gradients"
INT_SET = "only Tensors of floating point dtype can require gradients"
NONLEAF_FLAG = ("you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
                "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
UNUSED = ("The differentiated Tensor at index 1 appears to not have been used in the graph. "
          "Set allow_unused=True if this is the desired behavior.")
COPY_WARNING = ("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")


def _vec(m, requires_grad=True):
    return m.tensor([1., 2.], requires_grad=requires_grad)


# ---- the root of backward ------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_non_scalar_root_without_gradient(m):
    with pytest.raises(RuntimeError, match=exact(NOT_SCALAR)):
        (_vec(m) * 2).backward()


@pytest.mark.parametrize("m", libs())
def test_non_scalar_output_in_autograd_grad(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(NOT_SCALAR)):
        m.autograd.grad(x * 2, x)


@pytest.mark.parametrize("m", libs())
def test_one_element_root_of_any_shape_is_fine(m):
    x = m.tensor([[3.]], requires_grad=True)
    (x * 2).backward()
    assert x.grad.tolist() == [[2.]]


@pytest.mark.parametrize("m", libs())
def test_wrong_gradient_shape_in_backward(m):
    with pytest.raises(RuntimeError, match=exact(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of "
            "torch.Size([2]).")):
        (_vec(m) * 2).backward(m.ones(3))


@pytest.mark.parametrize("m", libs())
def test_wrong_gradient_shape_in_autograd_grad(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([2, 1]) and output[0] has a shape of "
            "torch.Size([2]).")):
        m.autograd.grad(x * 2, x, m.ones(2, 1))


@pytest.mark.parametrize("m", libs())
def test_gradient_argument_with_the_right_shape_is_used(m):
    x = _vec(m)
    (x * 2).backward(m.tensor([1., 10.]))
    assert x.grad.tolist() == [2., 20.]


@pytest.mark.parametrize("m", libs())
def test_grad_outputs_must_be_tensors(m):
    x = _vec(m)
    with pytest.raises(TypeError, match=exact("gradients can be either Tensors or None, but got int")):
        m.autograd.grad(x ** 2, x, grad_outputs=[1, 10])


# ---- no grad_fn ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_backward_on_plain_tensor(m):
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        m.ones(2).sum().backward()


@pytest.mark.parametrize("m", libs())
def test_backward_after_detach(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        (x * 2).sum().detach().backward()


@pytest.mark.parametrize("m", libs())
def test_backward_on_result_built_under_no_grad(m):
    x = _vec(m)
    with m.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        y.backward()


@pytest.mark.parametrize("m", libs())
def test_no_grad_fn_names_the_offending_root(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN.replace("element 0", "element 1"))):
        m.autograd.backward([(x * 2).sum(), m.ones(1)])


@pytest.mark.parametrize("m", libs())
def test_autograd_grad_of_output_without_grad_fn(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        m.autograd.grad(m.ones(1).sum(), x)


# ---- autograd.grad inputs ------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_unused_input_without_allow_unused(m):
    x, z = _vec(m), _vec(m)
    with pytest.raises(RuntimeError, match=exact(UNUSED)):
        m.autograd.grad((x * 2).sum(), [x, z])


@pytest.mark.parametrize("m", libs())
def test_unused_input_with_allow_unused_is_none(m):
    x, z = _vec(m), _vec(m)
    gx, gz = m.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gx.tolist() == [2., 2.] and gz is None


@pytest.mark.parametrize("m", libs())
def test_unused_input_materialized_as_zeros(m):
    x, z = _vec(m), _vec(m)
    gx, gz = m.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert gz.tolist() == [0., 0.]


@pytest.mark.parametrize("m", libs())
def test_input_that_does_not_require_grad(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact("One of the differentiated Tensors does not require grad")):
        m.autograd.grad((x * 2).sum(), [x, m.ones(2)])


@pytest.mark.parametrize("m", libs())
def test_autograd_grad_leaves_dot_grad_alone(m):
    x = _vec(m)
    (g,) = m.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2., 4.] and x.grad is None


@pytest.mark.parametrize("m", libs())
def test_backward_with_empty_inputs(m):
    with pytest.raises(RuntimeError, match=exact("`inputs` argument to `backward()` cannot be empty.")):
        (_vec(m) * 2).sum().backward(inputs=[])


# ---- integer tensors and requires_grad flags ------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_int_tensor_created_with_requires_grad(m):
    with pytest.raises(RuntimeError, match=exact(INT_CREATE)):
        m.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("m", libs())
def test_int_zeros_created_with_requires_grad(m):
    with pytest.raises(RuntimeError, match=exact(INT_CREATE)):
        m.zeros(2, dtype=m.int64, requires_grad=True)


@pytest.mark.parametrize("m", libs())
def test_int_tensor_requires_grad_method(m):
    with pytest.raises(RuntimeError, match=exact(INT_SET)):
        m.tensor([1, 2]).requires_grad_()


@pytest.mark.parametrize("m", libs())
def test_int_tensor_requires_grad_attribute(m):
    # a third wording: the attribute setter says "floating point and complex", lower-case
    t = m.tensor([1, 2])
    with pytest.raises(RuntimeError, match=exact("only Tensors of floating point and complex dtype can require "
                                                 "gradients")):
        t.requires_grad = True


@pytest.mark.parametrize("m", libs())
def test_int_tensor_requires_grad_false_is_fine(m):
    t = m.tensor([1, 2])
    t.requires_grad_(False)
    assert t.requires_grad is False


@pytest.mark.parametrize("m", libs())
def test_nonleaf_requires_grad_false(m):
    y = _vec(m) * 2
    with pytest.raises(RuntimeError, match=exact(NONLEAF_FLAG)):
        y.requires_grad = False


@pytest.mark.parametrize("m", libs())
def test_nonleaf_requires_grad_true(m):
    y = _vec(m) * 2
    with pytest.raises(RuntimeError, match=exact("you can only change requires_grad flags of leaf variables.")):
        y.requires_grad = True


@pytest.mark.parametrize("m", libs())
def test_nonleaf_requires_grad_method(m):
    y = _vec(m) * 2
    with pytest.raises(RuntimeError, match=exact(NONLEAF_FLAG)):
        y.requires_grad_(False)


@pytest.mark.parametrize("m", libs())
def test_leaf_requires_grad_can_be_switched_off(m):
    x = _vec(m)
    x.requires_grad = False
    assert x.requires_grad is False and (x * 2).grad_fn is None


# ---- conversions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_numpy_on_requires_grad_tensor(m):
    with pytest.raises(RuntimeError, match=exact(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")):
        _vec(m).numpy()


@pytest.mark.parametrize("m", libs())
def test_numpy_after_detach_works(m):
    assert _vec(m).detach().numpy().tolist() == [1., 2.]


@pytest.mark.parametrize("m", libs())
def test_item_on_two_elements(m):
    with pytest.raises(RuntimeError, match=exact("a Tensor with 2 elements cannot be converted to Scalar")):
        _vec(m).item()


@pytest.mark.parametrize("m", libs())
def test_item_on_zero_elements(m):
    with pytest.raises(RuntimeError, match=exact("a Tensor with 0 elements cannot be converted to Scalar")):
        m.zeros(0).item()


@pytest.mark.parametrize("m", libs())
def test_item_on_requires_grad_scalar_is_fine(m):
    assert (m.tensor([2.], requires_grad=True) * 3).item() == 6.


@pytest.mark.parametrize("m", libs())
def test_bool_of_many_elements(m):
    with pytest.raises(RuntimeError, match=exact("Boolean value of Tensor with more than one value is ambiguous")):
        bool(m.ones(2))


@pytest.mark.parametrize("m", libs())
def test_retain_grad_on_tensor_without_grad(m):
    with pytest.raises(RuntimeError, match=exact("can't retain_grad on Tensor that has requires_grad=False")):
        m.ones(2).retain_grad()


@pytest.mark.parametrize("m", libs())
def test_hook_on_tensor_without_grad(m):
    with pytest.raises(RuntimeError, match=exact("cannot register a hook on a tensor that doesn't require gradient")):
        m.ones(2).register_hook(lambda g: g)


@pytest.mark.parametrize("m", libs())
def test_tensor_of_tensor_warns(m):
    with pytest.warns(UserWarning) as rec:
        t = m.tensor(_vec(m))
    assert str(rec[0].message) == COPY_WARNING
    assert not t.requires_grad


# ---- assigning .grad -----------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_assign_grad_of_wrong_size(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match=exact(
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please ensure that the "
            "gradient and the tensor are the same size")):
        x.grad = m.zeros(3)


@pytest.mark.parametrize("m", libs())
def test_assign_grad_of_wrong_dtype(m):
    x = _vec(m)
    with pytest.raises(RuntimeError, match="^attempting to assign a gradient with dtype 'double' to a tensor with "
                                           "grad_dtype 'Float'"):
        x.grad = m.zeros(2, dtype=m.float64)


@pytest.mark.parametrize("m", libs())
def test_assign_grad_of_wrong_size_raises_some_runtime_error(m):
    """Literal-free version of the check above: the assignment is refused and .grad is unchanged."""
    x = _vec(m)
    with pytest.raises(RuntimeError):
        x.grad = m.zeros(3)
    assert x.grad is None


def test_warnings_module_untouched():
    """The suite relies on the default filters: nothing above left 'error' installed."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("default")
        warnings.warn("probe", UserWarning)
    assert len(rec) == 1
