"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp), forward-mode AD and torch.func.grad."""
import importlib

import pytest

from .helpers import exact, libs

# importing torch.func triggers torch's own torch.jit.script deprecation warning
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _af(m):
    return m.autograd.functional


def _x(m):
    return m.tensor([1., 2.])


@pytest.mark.parametrize("m", libs())
def test_jacobian_of_square_times_sum(m):
    assert str(_af(m).jacobian(lambda x: x ** 2 * x.sum(), _x(m))) == "tensor([[ 7.,  1.],\n        [ 4., 16.]])"


@pytest.mark.parametrize("m", libs())
def test_hessian_of_sum_of_cubes(m):
    assert str(_af(m).hessian(lambda x: (x ** 3).sum(), _x(m))) == "tensor([[ 6.,  0.],\n        [ 0., 12.]])"


@pytest.mark.parametrize("m", libs())
def test_vjp_returns_output_and_product(m):
    out, v = _af(m).vjp(lambda x: x ** 2, _x(m), m.tensor([1., 10.]))
    assert str(out) == "tensor([1., 4.])" and str(v) == "tensor([ 2., 40.])"


@pytest.mark.parametrize("m", libs())
def test_vjp_of_scalar_function_without_v(m):
    out, v = _af(m).vjp(lambda x: x.sum(), _x(m))
    assert str(out) == "tensor(3.)" and str(v) == "tensor([1., 1.])"


@pytest.mark.parametrize("m", libs(gc_xfail="vjp(f, x) with non-scalar output and v=None says 'grad can be implicitly "
                                   "created only for scalar outputs'; torch: 'The vector v can only be None if the "
                                   "user-provided function returns a single Tensor with a single element.'"))
def test_vjp_of_vector_function_needs_v(m):
    with pytest.raises(RuntimeError, match=exact("The vector v can only be None if the user-provided function returns "
                                                 "a single Tensor with a single element.")):
        _af(m).vjp(lambda x: x * 2, _x(m))


@pytest.mark.parametrize("m", libs())
def test_jvp_returns_output_and_product(m):
    out, jv = _af(m).jvp(lambda x: x ** 2, _x(m), m.tensor([1., 10.]))
    assert str(out) == "tensor([1., 4.])" and str(jv) == "tensor([ 2., 40.])"


@pytest.mark.parametrize("m", libs())
def test_hvp_and_vhp(m):
    f = lambda x: (x ** 3).sum()  # noqa: E731
    for name in ("hvp", "vhp"):
        out, hv = getattr(_af(m), name)(f, _x(m), m.tensor([1., 10.]))
        assert str(out) == "tensor(9.)" and str(hv) == "tensor([  6., 120.])", name


@pytest.mark.parametrize("m", libs())
def test_jacobian_with_two_inputs(m):
    ja, jb = _af(m).jacobian(lambda a, b: a * b, (_x(m), m.tensor([3., 4.])))
    assert ja.tolist() == [[3., 0.], [0., 4.]] and jb.tolist() == [[1., 0.], [0., 2.]]


@pytest.mark.parametrize("m", libs())
def test_hessian_with_two_inputs(m):
    h = _af(m).hessian(lambda a, b: (a * b).sum(), (_x(m), m.tensor([3., 4.])))
    assert [[t.tolist() for t in row] for row in h] == [[[[0., 0.], [0., 0.]], [[1., 0.], [0., 1.]]],
                                                         [[[1., 0.], [0., 1.]], [[0., 0.], [0., 0.]]]]


@pytest.mark.parametrize("m", libs())
def test_jacobian_with_two_outputs(m):
    je, js = _af(m).jacobian(lambda x: (x.exp(), x.sum()), _x(m))
    assert str(je) == "tensor([[2.7183, 0.0000],\n        [0.0000, 7.3891]])" and js.tolist() == [1., 1.]


@pytest.mark.parametrize("m", libs())
def test_jacobian_of_scalar_output_and_of_matmul(m):
    assert _af(m).jacobian(lambda x: x.sum(), m.tensor([1., 2., 3.])).tolist() == [1., 1., 1.]
    w = m.tensor([[1., 2.], [3., 4.]])
    assert _af(m).jacobian(lambda x: x @ w, m.tensor([1., 1.])).tolist() == [[1., 3.], [2., 4.]]


@pytest.mark.parametrize("m", libs())
def test_jacobian_leaves_inputs_and_result_without_grad(m):
    x = _x(m)
    j = _af(m).jacobian(lambda x: x * 2, x)
    assert not x.requires_grad and not j.requires_grad and x.grad is None


@pytest.mark.parametrize("m", libs())
def test_hessian_of_a_0dim_input(m):
    h = _af(m).hessian(lambda x: (x.sin() * x).sum(), m.tensor(0.5, dtype=m.float64))
    assert str(h) == "tensor(1.5155, dtype=torch.float64)"


@pytest.mark.parametrize("m", libs(gc_xfail="jacobian of a function that ignores its input raises 'element 0 of "
                                   "tensors does not require grad...'; torch returns a zero Jacobian"))
def test_jacobian_of_constant_function_is_zero(m):
    assert _af(m).jacobian(lambda x: m.ones(2), _x(m)).tolist() == [[0., 0.], [0., 0.]]


@pytest.mark.parametrize("m", libs(gc_xfail="jacobian(strict=True) of a constant function says 'element 0 of tensors "
                                   "does not require grad...'; torch: 'Output 0 of the user-provided function does not "
                                   "require gradients. The outputs must be computed in a differentiable manner from "
                                   "the input when running in strict mode.'"))
def test_jacobian_strict_mode_error(m):
    with pytest.raises(RuntimeError, match=exact(
            "Output 0 of the user-provided function does not require gradients. The outputs must be computed in a "
            "differentiable manner from the input when running in strict mode.")):
        _af(m).jacobian(lambda x: m.ones(2), _x(m), strict=True)


@pytest.mark.parametrize("m", libs(gc_xfail="torch.func is missing (gradcli has no `func` module)"))
def test_func_grad_of_grad(m):
    assert m.func.grad(m.func.grad(lambda x: x ** 3))(m.tensor(2.)).item() == 12.


@pytest.mark.parametrize("m", libs(gc_xfail="torch.func is missing (gradcli has no `func` module)"))
def test_func_grad_needs_scalar_output(m):
    with pytest.raises(RuntimeError, match=exact(
            "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with 1 dims. Maybe "
            "you wanted to use the vjp or jacrev APIs instead?")):
        m.func.grad(lambda x: x ** 2)(m.tensor([2.]))


@pytest.mark.parametrize("m", libs(gc_xfail="forward-mode AD (autograd.forward_ad: dual_level, make_dual, unpack_dual) "
                                   "is missing"))
def test_forward_ad_dual_numbers(m):
    fwAD = importlib.import_module(m.__name__ + ".autograd.forward_ad")  # noqa: N806
    with fwAD.dual_level():
        d = fwAD.make_dual(m.tensor([1., 2.]), m.tensor([1., 0.]))
        u = fwAD.unpack_dual((d ** 2).sin())
        assert str(u.primal) == "tensor([ 0.8415, -0.7568])"
        assert str(u.tangent) == "tensor([1.0806, -0.0000])"


@pytest.mark.parametrize("m", libs())
def test_jacobian_agrees_with_rowwise_autograd_grad(m):
    x = m.tensor([0.3, -0.7, 1.1], dtype=m.float64)
    f = lambda v: (v.sin() * v.sum()).tanh()  # noqa: E731
    j = _af(m).jacobian(f, x)
    xr = x.clone().requires_grad_()
    y = f(xr)
    for i in range(3):
        (row,) = m.autograd.grad(y[i], xr, retain_graph=True)
        assert all(abs(a - b) < 1e-12 for a, b in zip(j[i].tolist(), row.tolist()))


# ---- create_graph=True: the outputs keep their graph (torch keeps the function value's grad_fn too) ------
def _create_graph_snippet(m, p):
    af = _af(m)
    f = lambda x: (x ** 3).sum()  # noqa: E731
    g = lambda x: x ** 2  # noqa: E731
    h = lambda x, y: (x * y, x + y)  # noqa: E731
    x = m.tensor([1., 2.], requires_grad=True)
    y = m.tensor([3., 4.], requires_grad=True)
    v = m.ones(2)
    p("vjp", af.vjp(g, x, v, create_graph=True), af.vjp(g, x, v))
    p("jvp", af.jvp(g, x, v, create_graph=True), af.jvp(g, x, v))
    p("vhp", af.vhp(f, x, v, create_graph=True), af.vhp(f, x, v))
    p("hvp", af.hvp(f, x, v, create_graph=True), af.hvp(f, x, v))
    p("vjp2", af.vjp(h, (x, y), (v, v), create_graph=True))
    p("jvp2", af.jvp(h, (x, y), (v, v), create_graph=True))
    p("const", af.vjp(g, m.tensor([1., 2.]), v, create_graph=True), af.vhp(f, m.tensor([1., 2.]), v,
                                                                          create_graph=True))
    p("jac", af.jacobian(g, x, create_graph=True), af.jacobian(g, x))
    p("hes", af.hessian(f, x, create_graph=True), af.hessian(f, x))
    p("jac2", af.jacobian(h, (x, y), create_graph=True))
    out, prod = af.vhp(f, x, v, create_graph=True)
    (out + prod.sum()).backward()  # through the kept value and the product, to the inputs
    p("grad", x.grad)


def test_create_graph_outputs_match_torch():
    torch = pytest.importorskip("torch")
    from .helpers import output_of
    assert output_of(_create_graph_snippet, importlib.import_module("gradcli")) == output_of(
        _create_graph_snippet, torch)


@pytest.mark.parametrize("m", libs())
def test_create_graph_value_is_differentiable(m):
    x = m.tensor([1., 2.], requires_grad=True)
    out, prod = _af(m).jvp(lambda t: t ** 2, x, m.ones(2), create_graph=True)
    assert out.grad_fn is not None and prod.grad_fn is not None
    out.sum().backward()
    assert x.grad.tolist() == [2., 4.]
