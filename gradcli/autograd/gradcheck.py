"""gradcheck / gradgradcheck: analytical Jacobians from the engine against float64 central differences."""
import warnings

import numpy as np

from .tensor import Tensor, storage


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor))


def _numerical(func, inputs, i, out_index, eps):
    """d out / d inputs[i] as an (input numel, output numel) matrix, by central differences."""
    x = inputs[i]
    flat = storage(x).reshape(-1)  # a view: perturbing it perturbs the input
    # func runs with grad mode as the caller has it: gradgradcheck's func itself calls autograd.grad
    out0 = _outputs(func, inputs)[out_index]
    jac = np.zeros((flat.size, out0._data.size), np.float64)
    for k in range(flat.size):
        orig = flat[k].item()
        flat[k] = orig + eps
        plus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[k] = orig - eps
        minus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1)
        flat[k] = orig
        jac[k] = (plus - minus) / (2 * eps)
    return jac


def _analytical(func, inputs, i, out_index):
    from .engine import grad
    out = _outputs(func, inputs)[out_index]
    x = inputs[i]
    jac = np.zeros((x._data.size, out._data.size), np.float64)
    for j in range(out._data.size):
        go = np.zeros(out._data.size, out._data.dtype)
        go[j] = 1
        g = grad((out,), (x,), (Tensor._make(go.reshape(out._data.shape)),), retain_graph=True,
                 allow_unused=True)[0]
        if g is not None:
            jac[:, j] = g._data.astype(np.float64).reshape(-1)
    return jac


def _fmt(a):
    from ..printing import format_tensor
    return format_tensor(a, "float64", ())


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    inputs = _as_tuple(inputs)
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != "float64":
            warnings.warn(f"Input #{k} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    outs = _outputs(func, inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for oi, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for ii, x in enumerate(inputs):
            if not (isinstance(x, Tensor) and x.requires_grad):
                continue
            num = _numerical(func, inputs, ii, oi, eps)
            ana = _analytical(func, inputs, ii, oi)
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {oi} with respect to input {ii},\n"
                                     f"numerical:{_fmt(num)}\nanalytical:{_fmt(ana)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001, gen_non_contig_grad_outputs=False,
                  raise_exception=True, **kwargs):
    """gradcheck of the function (inputs, grad_outputs) -> autograd.grad(func(inputs), inputs, grad_outputs)."""
    from .engine import grad
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
                             for o in outs)
        for g in grad_outputs:
            g.requires_grad_(True)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_order(*args):
        xs, gos = args[:n], args[n:]
        ys = _outputs(func, xs)
        gs = grad(ys, [xs[i] for i in diff], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
