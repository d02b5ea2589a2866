"""@once_differentiable (importable from torch.autograd.function): backward runs under no_grad; under
create_graph its gradients point at an Error node that refuses a second differentiation, as in torch."""
import io
import warnings

import pytest

from .helpers import exact, libs, mask

ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


def _functions(m):
    import importlib
    once = importlib.import_module(m.__name__ + ".autograd.function").once_differentiable
    seen = {}

    class Sq(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            x, = ctx.saved_tensors
            seen["grad_mode"] = m.is_grad_enabled()
            seen["g_requires_grad"] = g.requires_grad
            return 2 * x * g

    class Two(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        @once
        def backward(ctx, g):
            return g * 2, None

    return Sq, Two, seen, once


@pytest.mark.parametrize("m", libs())
def test_backward_runs_under_no_grad(m):
    Sq, _, seen, once = _functions(m)
    x = m.tensor([1., 2.], requires_grad=True)
    g, = m.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    assert seen == {"grad_mode": False, "g_requires_grad": False}
    # the incoming gradient carries no graph: the result is a plain tensor
    assert g.tolist() == [2., 4.] and not g.requires_grad and g.grad_fn is None
    assert once.__name__ == "once_differentiable" and Sq.backward.__name__ == "backward"


@pytest.mark.parametrize("m", libs())
def test_second_differentiation_raises(m):
    Sq, _, _, _ = _functions(m)
    x = m.tensor([1., 2.], requires_grad=True)
    g, = m.autograd.grad((Sq.apply(x) ** 2).sum(), x, create_graph=True)
    assert mask(g) == "tensor([ 4., 32.], grad_fn=<Error>)"
    assert g.grad_fn.name() == "torch::autograd::Error" and not g.is_leaf
    assert [type(n).__name__ for n, _ in g.grad_fn.next_functions] == ["AccumulateGrad"]
    with pytest.raises(RuntimeError, match=exact(ONCE)):
        g.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_none_gradients_are_none_edges(m):
    _, Two, _, _ = _functions(m)
    x = m.tensor([1., 2.], requires_grad=True)
    g, = m.autograd.grad((Two.apply(x, m.ones(2)) ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [4., 8.]
    assert [n is None for n, _ in g.grad_fn.next_functions] == [False, True]
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        m.autograd.grad(g.sum(), x)  # the Error node's inputs are detached aliases, not x


@pytest.mark.parametrize("m", libs())
def test_backward_create_graph_accumulates_through_a_copy(m):
    Sq, _, _, _ = _functions(m)
    x = m.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (Sq.apply(x) ** 2).sum().backward(create_graph=True)
    assert mask(x.grad) == "tensor([ 4., 32.], grad_fn=<CopyBackwards>)"


def test_importable_in_grad_scripts():
    from gradcli.lang import run_source
    out = io.StringIO()
    run_source("from torch.autograd.function import once_differentiable\n"
               "import torch\n"
               "class Sq(torch.autograd.Function):\n"
               "    @staticmethod\n"
               "    def forward(ctx, x):\n"
               "        ctx.save_for_backward(x)\n"
               "        return x * x\n"
               "    @staticmethod\n"
               "    @once_differentiable\n"
               "    def backward(ctx, g):\n"
               "        x, = ctx.saved_tensors\n"
               "        return 2 * x * g\n"
               "x = torch.tensor([1., 2.], requires_grad=True)\n"
               "g, = torch.autograd.grad((Sq.apply(x) ** 2).sum(), x, create_graph=True)\n"
               "print(g)\n"
               "print(torch.cuda.is_available(), torch.device('cpu'))\n", stdout=out)
    assert out.getvalue() == "tensor([ 4., 32.], grad_fn=<Error>)\nFalse cpu\n"
