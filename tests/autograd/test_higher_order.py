"""Higher-order derivatives: create_graph, n-th derivatives, grad of lists of outputs (seed 004), retain rules."""
import math
import warnings

import pytest

from .helpers import exact, libs, output_of

FREED_PREFIX = "Trying to backward through the graph a second time"
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak.")


@pytest.mark.parametrize("m", libs())
def test_seed_004_second_derivative_of_square(m):
    def snippet(m, print):
        x = m.tensor([3.], requires_grad=True)
        y = m.pow(x, 2)
        grad_1 = m.autograd.grad(y, x, create_graph=True)
        print(grad_1)
        grad_2 = m.autograd.grad(grad_1[0], x)
        print(grad_2)
    assert output_of(snippet, m) == "(tensor([6.], grad_fn=<MulBackward0>),)\n(tensor([2.]),)"


@pytest.mark.parametrize("m", libs())
def test_seed_004_grad_of_one_output_many_inputs(m):
    def snippet(m, print):
        x1 = m.tensor(1.0, requires_grad=True)
        x2 = m.tensor(2.0, requires_grad=True)
        y1 = x1 * x2
        y2 = x1 + x2
        dy1_dx1, dy1_dx2 = m.autograd.grad(outputs=y1, inputs=[x1, x2], retain_graph=True)
        print(dy1_dx1, dy1_dx2)
        dy12_dx1, dy12_dx2 = m.autograd.grad(outputs=[y1, y2], inputs=[x1, x2])
        print(dy12_dx1, dy12_dx2)
    assert output_of(snippet, m) == "tensor(2.) tensor(1.)\ntensor(3.) tensor(2.)"


@pytest.mark.parametrize("m", libs())
def test_cube_chain_reprs_and_graph(m):
    def snippet(m, print):
        x = m.tensor([3.], requires_grad=True)
        y = x ** 3
        (g1,) = m.autograd.grad(y, x, create_graph=True)
        print(g1)
        print(g1.grad_fn.next_functions)
        (g2,) = m.autograd.grad(g1, x, create_graph=True)
        print(g2)
        (g3,) = m.autograd.grad(g2, x)
        print(g3)
    assert output_of(snippet, m) == """tensor([27.], grad_fn=<MulBackward0>)
((None, 0), (<MulBackward1 object at 0x…>, 0))
tensor([18.], grad_fn=<MulBackward0>)
tensor([6.])"""


@pytest.mark.parametrize("m", libs())
def test_shared_subexpression_first_derivative_keeps_graph(m):
    x = m.tensor([2.], requires_grad=True)
    (g,) = m.autograd.grad((x + x) * (x + 1), x, create_graph=True)
    assert str(g) == "tensor([10.], grad_fn=<AddBackward0>)"
    (gg,) = m.autograd.grad(g, x)
    assert gg.tolist() == [4.]


@pytest.mark.parametrize("m", libs())
def test_fifth_power_derivatives_down_to_zero(m):
    x = m.tensor(2., requires_grad=True)
    y = x ** 5
    values = []
    for _ in range(5):
        (y,) = m.autograd.grad(y, x, create_graph=True)
        values.append(y.item())
    assert values == [80., 160., 240., 240., 120.]  # 5x^4, 20x^3, 60x^2, 120x, 120


@pytest.mark.parametrize("m", libs())
def test_sixth_derivative_of_fifth_power_is_unused_or_zero(m):
    x = m.tensor(2., requires_grad=True)
    y = x ** 5
    for _ in range(5):
        (y,) = m.autograd.grad(y, x, create_graph=True)
    (g6,) = m.autograd.grad(y, x, allow_unused=True, materialize_grads=True)
    assert g6.item() == 0.


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("fn,derivs", [
    ("sin", [math.cos, lambda v: -math.sin(v), lambda v: -math.cos(v), math.sin]),
    ("exp", [math.exp] * 4),
    ("tanh", [lambda v: 1 - math.tanh(v) ** 2,
              lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2),
              lambda v: (1 - math.tanh(v) ** 2) * (6 * math.tanh(v) ** 2 - 2)]),
    pytest.param("sigmoid", [lambda v: (s := 1 / (1 + math.exp(-v))) * (1 - s),
                             lambda v: (s := 1 / (1 + math.exp(-v))) * (1 - s) * (1 - 2 * s)], id="sigmoid"),
    ("log", [lambda v: 1 / v, lambda v: -1 / v ** 2, lambda v: 2 / v ** 3]),
    ("sqrt", [lambda v: 0.5 * v ** -0.5, lambda v: -0.25 * v ** -1.5]),
])
def test_nth_derivatives_of_elementwise_functions(m, fn, derivs):
    v = 0.7
    x = m.tensor([v], dtype=m.float64, requires_grad=True)  # 0-dim inputs are covered by the op-table cases
    y = getattr(x, fn)()
    for k, d in enumerate(derivs):
        (y,) = m.autograd.grad(y.sum(), x, create_graph=True)
        assert math.isclose(y.item(), d(v), rel_tol=1e-9), f"derivative {k + 1}"


@pytest.mark.parametrize("m", libs())
def test_mixed_partials_are_symmetric(m):
    x = m.tensor(1.5, dtype=m.float64, requires_grad=True)
    y = m.tensor(-0.5, dtype=m.float64, requires_grad=True)
    f = (x * y).sin() + x ** 2 * y.exp()
    gx, gy = m.autograd.grad(f, [x, y], create_graph=True)
    (gxy,) = m.autograd.grad(gx, y, retain_graph=True)
    (gyx,) = m.autograd.grad(gy, x)
    assert math.isclose(gxy.item(), gyx.item(), rel_tol=1e-12)


@pytest.mark.parametrize("m", libs())
def test_hessian_vector_product_by_double_backward(m):
    x = m.tensor([1., 2.], requires_grad=True)
    v = m.tensor([1., 10.])
    (g,) = m.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (hv,) = m.autograd.grad(g, x, grad_outputs=v)
    assert hv.tolist() == [6., 120.]


@pytest.mark.parametrize("m", libs())
def test_grad_outputs_weight_the_vector_jacobian_product(m):
    x = m.tensor([1., 2.], requires_grad=True)
    assert str(m.autograd.grad(x ** 2, x, grad_outputs=m.tensor([1., 10.]))) == "(tensor([ 2., 40.]),)"


@pytest.mark.parametrize("m", libs())
def test_without_create_graph_the_result_is_constant(m):
    x = m.tensor([3.], requires_grad=True)
    (g,) = m.autograd.grad(x ** 2, x)
    assert not g.requires_grad and g.grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_retain_graph_defaults_to_create_graph(m):
    x = m.tensor([3.], requires_grad=True)
    y = x ** 3
    m.autograd.grad(y, x, create_graph=True)
    y.backward()  # the graph was retained because create_graph=True
    assert x.grad.tolist() == [27.]


@pytest.mark.parametrize("m", libs())
def test_graph_freed_after_grad_without_create_graph(m):
    x = m.tensor([3.], requires_grad=True)
    y = x ** 3
    m.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=FREED_PREFIX):
        m.autograd.grad(y, x)


@pytest.mark.parametrize("m", libs())
def test_backward_create_graph_warns_and_grad_has_copy_backwards(m):
    x = m.tensor([3.], requires_grad=True)
    y = x ** 3
    with pytest.warns(UserWarning) as rec:
        y.backward(create_graph=True)
    assert len(rec) == 1
    assert str(rec[0].message).startswith(CREATE_GRAPH_WARNING)  # torch appends "(Triggered internally at …)"
    assert str(x.grad) == "tensor([27.], grad_fn=<CopyBackwards>)"
    (gg,) = m.autograd.grad(x.grad, x)
    assert gg.tolist() == [18.]


@pytest.mark.parametrize("m", libs())
def test_backward_create_graph_then_accumulate(m):
    x = m.tensor([3.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x ** 2).backward(create_graph=True)
        (x ** 2).backward(create_graph=True)
    assert x.grad.tolist() == [12.] and x.grad.requires_grad


@pytest.mark.parametrize("m", libs())
def test_gradient_penalty_style_double_backward(m):
    w = m.tensor([1., -2.], requires_grad=True)
    x = m.tensor([0.5, 1.5], requires_grad=True)
    out = ((w * x).sum()).tanh()
    (gx,) = m.autograd.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    ref = [round(v, 5) for v in w.grad.tolist()]
    t = math.tanh(0.5 - 3.0)
    s = 1 - t * t
    # d/dw of s^2 * |w|^2 = 2 s^2 w + |w|^2 * 2 s * (-2 t s) * x
    expected = [2 * s * s * wi + 5 * 2 * s * (-2 * t * s) * xi for wi, xi in ((1., .5), (-2., 1.5))]
    assert ref == [round(v, 5) for v in expected]


@pytest.mark.parametrize("m", libs())
def test_relu_second_derivative_is_zero(m):
    x = m.tensor([-1., 2.], requires_grad=True)
    (g,) = m.autograd.grad(x.relu().sum(), x, create_graph=True)
    assert g.tolist() == [0., 1.] and g.requires_grad
    (gg,) = m.autograd.grad(g.sum(), x, allow_unused=True)
    assert gg.tolist() == [0., 0.]


@pytest.mark.parametrize("m", libs())
def test_abs_first_derivative_stays_in_the_graph(m):
    x = m.tensor([-1., 2.], requires_grad=True)
    (g,) = m.autograd.grad(x.abs().sum(), x, create_graph=True)
    assert g.tolist() == [-1., 1.] and g.requires_grad


@pytest.mark.parametrize("m", libs())
def test_third_derivative_through_a_matmul_graph(m):
    x = m.tensor([[0.5, -1.0]], dtype=m.float64, requires_grad=True)
    w = m.tensor([[1.0], [2.0]], dtype=m.float64)
    y = (x @ w).exp().sum()
    (g,) = m.autograd.grad(y, x, create_graph=True)
    (gg,) = m.autograd.grad(g.sum(), x, create_graph=True)
    (ggg,) = m.autograd.grad(gg.sum(), x)
    e = math.exp(-1.5)  # y = exp(x@w); each derivative multiplies by w, each .sum() by w1 + w2 = 3
    assert [round(v, 10) for v in ggg.reshape(-1).tolist()] == [round(e * 9, 10), round(e * 18, 10)]


@pytest.mark.parametrize("m", libs())
def test_create_graph_grad_of_a_leaf_itself(m):
    x = m.tensor([2.], requires_grad=True)
    (g,) = m.autograd.grad(x * 1, x, create_graph=True)
    assert g.tolist() == [1.]


@pytest.mark.parametrize("m", libs())
def test_grad_with_only_inputs_false_is_not_needed(m):
    """grad() does not touch .grad of other leaves even when they are in the graph."""
    a = m.tensor([1.], requires_grad=True)
    b = m.tensor([2.], requires_grad=True)
    m.autograd.grad((a * b).sum(), a)
    assert a.grad is None and b.grad is None


@pytest.mark.parametrize("m", libs())
def test_second_order_error_when_first_grad_is_constant(m):
    x = m.tensor([3.], requires_grad=True)
    (g,) = m.autograd.grad(x * 2, x, create_graph=True)
    with pytest.raises(RuntimeError, match=exact("element 0 of tensors does not require grad and does not have a "
                                                 "grad_fn")):
        m.autograd.grad(g, x)
