"""Custom autograd.Function: ctx, saved tensors, needs_input_grad, node names, errors, and gradcheck on them."""
import warnings

import pytest

from .helpers import exact, libs, mask

FREED_PREFIX = "Trying to backward through the graph a second time"


def _fns(m):
    """The Function subclasses, defined against library m (torch or gradcli)."""
    Function = m.autograd.Function  # noqa: N806

    class MyExp(Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    class Linear(Function):  # seed 002, in today's static style
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0).squeeze(0)
            return grad_input, grad_weight, grad_bias

    class Scale(Function):  # a non-tensor argument, extra trailing Nones
        @staticmethod
        def forward(ctx, a, k):
            ctx.k = k
            ctx.seen_needs = ctx.needs_input_grad
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, None, None

    class Wrong(Function):  # d(x^2) claimed to be 3x
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x

    class Multi(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    return dict(MyExp=MyExp, Linear=Linear, Scale=Scale, Wrong=Wrong, Multi=Multi, Function=Function)


@pytest.mark.parametrize("m", libs())
def test_custom_function_value_grad_and_node_name(m):
    f = _fns(m)
    x = m.tensor([0., 1.], requires_grad=True)
    y = f["MyExp"].apply(x)
    assert str(y) == "tensor([1.0000, 2.7183], grad_fn=<MyExpBackward>)"
    assert type(y.grad_fn).__name__ == "MyExpBackward"
    assert mask(y.grad_fn.next_functions) == "((<AccumulateGrad object at 0x…>, 0),)"
    y.sum().backward()
    assert str(x.grad) == "tensor([1.0000, 2.7183])"


@pytest.mark.parametrize("m", libs())
def test_custom_node_repr(m):
    y = _fns(m)["MyExp"].apply(m.tensor([0.], requires_grad=True))
    assert mask(repr(y.grad_fn)) == "<torch.autograd.function.MyExpBackward object at 0x…>"


@pytest.mark.parametrize("m", libs())
def test_saved_tensors_freed_after_backward(m):
    y = _fns(m)["MyExp"].apply(m.tensor([0.], requires_grad=True))
    y.sum().backward()
    with pytest.raises(RuntimeError, match=FREED_PREFIX):
        y.grad_fn.saved_tensors


@pytest.mark.parametrize("m", libs())
def test_saved_tensors_kept_with_retain_graph(m):
    y = _fns(m)["MyExp"].apply(m.tensor([0.], requires_grad=True))
    y.sum().backward(retain_graph=True)
    assert [t.tolist() for t in y.grad_fn.saved_tensors] == [[1.]]


@pytest.mark.parametrize("m", libs())
def test_needs_input_grad_and_trailing_nones(m):
    f = _fns(m)
    a = m.tensor([1., 2.], requires_grad=True)
    y = f["Scale"].apply(a, 3.)
    assert y.grad_fn.seen_needs == (True, False)
    y.sum().backward()
    assert a.grad.tolist() == [3., 3.]


@pytest.mark.parametrize("m", libs())
def test_needs_input_grad_per_input(m):
    seen = []

    class Probe(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g, g

    Probe.apply(m.ones(2, requires_grad=True), m.ones(2))
    Probe.apply(m.ones(2), m.ones(2, requires_grad=True))
    assert seen == [(True, False), (False, True)]


@pytest.mark.parametrize("m", libs())
def test_seed_002_linear_gradcheck(m):
    f = _fns(m)
    m.manual_seed(0)
    inputs = (m.randn(4, 3, dtype=m.float64, requires_grad=True), m.randn(2, 3, dtype=m.float64, requires_grad=True),
              m.randn(2, dtype=m.float64, requires_grad=True))
    assert m.autograd.gradcheck(f["Linear"].apply, inputs, eps=1e-6, atol=1e-4) is True


@pytest.mark.parametrize("m", libs())
def test_seed_002_linear_without_bias(m):
    f = _fns(m)
    x = m.ones(2, 3, requires_grad=True)
    w = m.ones(4, 3, requires_grad=True)
    f["Linear"].apply(x, w).sum().backward()
    assert x.grad.tolist() == [[4.] * 3] * 2 and w.grad.tolist() == [[2.] * 3] * 4


@pytest.mark.parametrize("m", libs())
def test_legacy_instance_call_raises(m):
    f = _fns(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch also warns that Functions should not be instantiated
        with pytest.raises(RuntimeError, match=exact(
                "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                "autograd function with static forward method. (Example: "
                "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")):
            f["MyExp"]()(m.ones(1, requires_grad=True))


@pytest.mark.parametrize("m", libs())
def test_instantiating_a_function_warns(m):
    f = _fns(m)
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        f["MyExp"]()


@pytest.mark.parametrize("m", libs())
def test_wrong_number_of_gradients(m):
    class Two(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    a, b = m.ones(2, requires_grad=True), m.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(
            "function TwoBackward returned an incorrect number of gradients (expected 2, got 1)")):
        Two.apply(a, b).sum().backward()


@pytest.mark.parametrize("m", libs())
def test_gradient_of_wrong_shape(m):
    class Bad(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return m.ones(3)

    with pytest.raises(RuntimeError, match=exact(
            "Function BadBackward returned an invalid gradient at index 0 - got [3] but expected shape "
            "compatible with [2]")):
        Bad.apply(m.ones(2, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("m", libs(gc_xfail="a Function whose backward returns a tensor for a non-tensor forward "
                                            "input is accepted silently; torch raises 'function NonTensorGradBackward"
                                            " returned a gradient different than None at position 2, but the "
                                            "corresponding forward input was not a Variable'"))
def test_gradient_for_a_non_tensor_input(m):
    class NonTensorGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match=exact(
            "function NonTensorGradBackward returned a gradient different than None at position 2, but the "
            "corresponding forward input was not a Variable")):
        NonTensorGrad.apply(m.ones(2, requires_grad=True), 2.).sum().backward()


@pytest.mark.parametrize("m", libs())
def test_none_gradient_leaves_grad_unset(m):
    class First(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    a, b = m.ones(2, requires_grad=True), m.ones(2, requires_grad=True)
    First.apply(a, b).sum().backward()
    assert a.grad.tolist() == [1., 1.] and b.grad is None


@pytest.mark.parametrize("m", libs())
def test_apply_under_no_grad_records_nothing(m):
    with m.no_grad():
        r = _fns(m)["MyExp"].apply(m.ones(2, requires_grad=True))
    assert not r.requires_grad and r.grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_apply_without_grad_inputs_records_nothing(m):
    r = _fns(m)["MyExp"].apply(m.ones(2))
    assert not r.requires_grad and r.grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_multiple_outputs_share_one_node(m):
    p, q = _fns(m)["Multi"].apply(m.ones(2, requires_grad=True))
    assert type(p.grad_fn).__name__ == "MultiBackward" and p.grad_fn is q.grad_fn


@pytest.mark.parametrize("m", libs())
def test_multiple_outputs_both_used(m):
    a = m.ones(2, requires_grad=True)
    p, q = _fns(m)["Multi"].apply(a)
    (p + q).sum().backward()
    assert a.grad.tolist() == [5., 5.]


@pytest.mark.parametrize("m", libs())
def test_multiple_outputs_one_unused_gets_zeros(m):
    a = m.ones(2, requires_grad=True)
    p, q = _fns(m)["Multi"].apply(a)
    p.sum().backward()
    assert a.grad.tolist() == [2., 2.]


@pytest.mark.parametrize("m", libs())
def test_mark_non_differentiable(m):
    class ArgMax(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            idx = a.argmax()
            ctx.mark_non_differentiable(idx)
            return a.max(), idx

        @staticmethod
        def backward(ctx, gv, gi):
            return m.ones(2) * gv

    v, idx = ArgMax.apply(m.tensor([1., 3.], requires_grad=True))
    assert v.requires_grad and not idx.requires_grad and idx.dtype == m.int64


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_rebases_the_input(m):
    class Dirty(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, g):
            return g * 2

    w = m.tensor([1., 2.], requires_grad=True)
    a = w * 1
    out = Dirty.apply(a)
    assert out is a and type(a.grad_fn).__name__ == "DirtyBackward"
    out.sum().backward()
    assert w.grad.tolist() == [2., 2.]


@pytest.mark.parametrize("m", libs())
def test_setup_context_style(m):
    class Setup(m.autograd.Function):
        @staticmethod
        def forward(a, k):
            return a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    a = m.ones(2, requires_grad=True)
    Setup.apply(a, 5.).sum().backward()
    assert a.grad.tolist() == [5., 5.]


@pytest.mark.parametrize("m", libs())
def test_set_materialize_grads_false_passes_none(m):
    seen = []

    class NoMat(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append(g2)
            return g1 * 2

    a = m.ones(2, requires_grad=True)
    p, q = NoMat.apply(a)
    p.sum().backward()
    assert seen == [None] and a.grad.tolist() == [2., 2.]


@pytest.mark.parametrize("m", libs())
def test_custom_function_with_differentiable_backward(m):
    f = _fns(m)
    x = m.tensor([0.5], dtype=m.float64, requires_grad=True)
    (g,) = m.autograd.grad(f["MyExp"].apply(x), x, create_graph=True)
    (gg,) = m.autograd.grad(g, x)
    assert abs(gg.item() - 1.6487212707001282) < 1e-12
    assert m.autograd.gradgradcheck(f["MyExp"].apply, (x,))


@pytest.mark.parametrize("m", libs())
def test_custom_function_inside_a_larger_graph(m):
    f = _fns(m)
    x = m.tensor([1., 2.], requires_grad=True)
    y = (f["MyExp"].apply(x * 2) + x).sum()
    assert mask(y.grad_fn.next_functions[0][0].next_functions[0][0]).startswith("<torch.autograd.function.MyExpBack")
    y.backward()
    assert [round(v, 3) for v in x.grad.tolist()] == [round(2 * 2.718281828 ** 2 + 1, 3),
                                                       round(2 * 2.718281828 ** 4 + 1, 3)]


# ---- gradcheck itself ------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", libs())
def test_gradcheck_passes_on_a_correct_function(m):
    x = m.tensor([0.5, 1.], dtype=m.float64, requires_grad=True)
    assert m.autograd.gradcheck(_fns(m)["MyExp"].apply, (x,)) is True


@pytest.mark.parametrize("m", libs())
def test_gradcheck_reports_a_jacobian_mismatch(m):
    x = m.tensor([1., 2.], dtype=m.float64, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        m.autograd.gradcheck(_fns(m)["Wrong"].apply, (x,))
    assert type(info.value).__name__ == "GradcheckError"
    assert str(info.value) == ("Jacobian mismatch for output 0 with respect to input 0,\n"
                               "numerical:tensor([[2.0000, 0.0000],\n        [0.0000, 4.0000]], dtype=torch.float64)\n"
                               "analytical:tensor([[3., 0.],\n        [0., 6.]], dtype=torch.float64)\n")


@pytest.mark.parametrize("m", libs())
def test_gradcheck_without_raising_returns_false(m):
    x = m.tensor([1., 2.], dtype=m.float64, requires_grad=True)
    assert m.autograd.gradcheck(_fns(m)["Wrong"].apply, (x,), raise_exception=False) is False


@pytest.mark.parametrize("m", libs())
def test_gradcheck_warns_on_single_precision(m):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m.autograd.gradcheck(_fns(m)["MyExp"].apply, (m.tensor([0.5], requires_grad=True),), raise_exception=False)
    assert [str(r.message) for r in rec] == [
        "Input #0 requires gradient and is not a double precision floating point or complex. This check will "
        "likely fail if all the inputs are not of double precision floating point or complex. "]


@pytest.mark.parametrize("m", libs())
def test_gradgradcheck_catches_a_wrong_second_derivative(m):
    class BadSecond(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # correct first derivative, but detached: no second derivative

    x = m.tensor([1., 2.], dtype=m.float64, requires_grad=True)
    assert m.autograd.gradcheck(BadSecond.apply, (x,))
    assert m.autograd.gradgradcheck(BadSecond.apply, (x,), raise_exception=False) is False


# ---- mark_dirty: versions and misuse, word for word as torch ----------------------------------------------
def _inplace_fn(m, save=False):
    class Inplace(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            if save:
                ctx.save_for_backward(a)
            return a

        @staticmethod
        def backward(ctx, g):
            return g * ctx.saved_tensors[0] if save else g * 2

    return Inplace


def _modified(producer, now, expected):
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[torch.FloatTensor [2]], which is output 0 of {producer}, is at version {now}; expected version "
            f"{expected} instead. Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_bumps_the_version_after_the_inplace_op(m):
    w = m.tensor([1., 2.], requires_grad=True)
    a = w * 1
    b = a * a  # saves a at version 0
    out = _inplace_fn(m).apply(a)
    assert out is a and a._version == 2 and type(a.grad_fn).__name__ == "InplaceBackward"
    with pytest.raises(RuntimeError, match=exact(_modified("Inplace", 2, 0))):
        (b.sum() + out.sum()).backward()


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_saved_result_of_another_op(m):
    w = m.tensor([1., 2.], requires_grad=True)
    b = (w * 1).exp()
    _inplace_fn(m).apply(b)
    with pytest.raises(RuntimeError, match=exact(_modified("Exp", 2, 0))):
        b.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_chained(m):
    w = m.tensor([1., 2.], requires_grad=True)
    f = _inplace_fn(m)
    out2 = f.apply(f.apply(w * 1))
    c = out2 * out2
    f.apply(out2)
    with pytest.raises(RuntimeError, match=exact(_modified("Inplace", 6, 4))):
        c.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_and_saved(m):
    w = m.tensor([1., 2.], requires_grad=True)
    a = w * 1
    out = _inplace_fn(m, save=True).apply(a)
    assert a._version == 2
    out.sum().backward()
    assert w.grad.tolist() == [2., 4.]


@pytest.mark.parametrize("m", libs())
def test_mark_dirty_misuse(m):
    with pytest.raises(RuntimeError, match=exact("a leaf Variable that requires grad has been used in an in-place "
                                                 "operation.")):
        _inplace_fn(m).apply(m.tensor([1., 2.], requires_grad=True))

    class NotReturned(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=exact(
            "Some elements marked as dirty during the forward method were not returned as output. The inputs that "
            "are modified inplace must all be outputs of the Function.")):
        NotReturned.apply(m.tensor([1., 2.], requires_grad=True) * 1)
