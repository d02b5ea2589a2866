"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp — built on engine.grad."""
from .engine import grad
from .grad_mode import enable_grad
from .tensor import Tensor


def _prep(inputs, create_graph):
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    xs = tuple(x.detach().requires_grad_(True) if not (create_graph and x.requires_grad) else x for x in xs)
    return single, xs


def _output(out, create_graph):
    """The function's own value: detached, unless create_graph asks to keep differentiating through it."""
    if create_graph:
        return out
    return out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)


def _tup(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        gs = grad(_tup(out), xs, None if v is None else _tup(v), create_graph=create_graph, allow_unused=True,
                  materialize_grads=True)
    return _output(out, create_graph), (gs[0] if single else gs)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    # forward-mode product through two reverse passes: d/du <J^T u, v> = J v
    from .creation import zeros_like
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        outs = _tup(out)
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        gs = grad(outs, xs, us, create_graph=True, allow_unused=True, materialize_grads=True)
        vs = (v,) if isinstance(v, Tensor) else tuple(v) if v is not None else tuple(x.new_ones(*x.shape) for x in xs)
        res = grad(gs, us, vs, create_graph=create_graph, allow_unused=True, materialize_grads=True)
    return _output(out, create_graph), (res[0] if isinstance(out, Tensor) else res)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    from .creation import zeros
    from .shapes import stack
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        outs = _tup(out)
        table = []
        for o in outs:
            rows = [[] for _ in xs]
            flat = o.reshape(-1)
            for k in range(flat.numel()):
                gs = grad((flat[k],), xs, retain_graph=True, create_graph=create_graph, allow_unused=True,
                          materialize_grads=True)
                for r, g in zip(rows, gs):
                    r.append(g)
            per_in = []
            for x, r in zip(xs, rows):
                j = stack(r, 0) if r else zeros(0, *x.shape)
                per_in.append(j.reshape(tuple(o.shape) + tuple(x.shape)))
            table.append(per_in[0] if single else tuple(per_in))
    return table[0] if isinstance(out, Tensor) else tuple(table)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    single = isinstance(inputs, Tensor)

    def gradient(*xs):
        out = func(*xs)
        gs = grad((out,), xs, create_graph=True, allow_unused=True, materialize_grads=True)
        return gs[0] if single else gs

    return jacobian(gradient, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        gs = grad((out,), xs, create_graph=True, allow_unused=True, materialize_grads=True)
        res = grad(gs, xs, _tup(v), create_graph=create_graph, allow_unused=True, materialize_grads=True)
    return _output(out, create_graph), (res[0] if single else res)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    # the Hessian of a scalar function is symmetric, so vHp == Hvp
    return vhp(func, inputs, v, create_graph, strict)
