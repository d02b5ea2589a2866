"""Layers and activations: forward values, input and parameter gradients and graph nodes vs torch."""
import math

import numpy as np
import pytest

import gradcli as gc
from gradcli import nn
from nn_parity import assert_close, chain, copy_weights, need_torch, pair_inputs

# (gradcli factory, torch factory) -- built lazily so that collection works without torch
LAYERS = {
    "linear": (lambda: nn.Linear(3, 2), lambda tnn: tnn.Linear(3, 2)),
    "linear_nobias": (lambda: nn.Linear(3, 2, bias=False), lambda tnn: tnn.Linear(3, 2, bias=False)),
    "relu": (nn.ReLU, lambda tnn: tnn.ReLU()),
    "sigmoid": (nn.Sigmoid, lambda tnn: tnn.Sigmoid()),
    "tanh": (nn.Tanh, lambda tnn: tnn.Tanh()),
    "softmax_last": (lambda: nn.Softmax(dim=-1), lambda tnn: tnn.Softmax(dim=-1)),
    "softmax_0": (lambda: nn.Softmax(dim=0), lambda tnn: tnn.Softmax(dim=0)),
    "logsoftmax": (lambda: nn.LogSoftmax(dim=-1), lambda tnn: tnn.LogSoftmax(dim=-1)),
    "leaky_relu": (nn.LeakyReLU, lambda tnn: tnn.LeakyReLU()),
    "leaky_relu_02": (lambda: nn.LeakyReLU(0.2), lambda tnn: tnn.LeakyReLU(0.2)),
    "gelu": (nn.GELU, lambda tnn: tnn.GELU()),
    "gelu_tanh": (lambda: nn.GELU("tanh"), lambda tnn: tnn.GELU("tanh")),
    "flatten": (nn.Flatten, lambda tnn: tnn.Flatten()),
    "flatten_0": (lambda: nn.Flatten(0), lambda tnn: tnn.Flatten(0)),
    "identity": (nn.Identity, lambda tnn: tnn.Identity()),
    "dropout_eval": (lambda: nn.Dropout(0.3).eval(), lambda tnn: tnn.Dropout(0.3).eval()),
    "mlp": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.LogSoftmax(-1)),
            lambda tnn: tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh(), tnn.Linear(4, 2), tnn.LogSoftmax(-1))),
}
SHAPES = [(4, 3), (3,), (2, 5, 3)]


def _pair(name):
    torch = need_torch()
    gmake, tmake = LAYERS[name]
    tmod, gmod = tmake(torch.nn), gmake()
    copy_weights(tmod, gmod)
    return torch, tmod, gmod


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_forward_backward_matches_torch(name, shape):
    torch, tmod, gmod = _pair(name)
    if name == "flatten" and len(shape) == 1:
        pytest.skip("Flatten(start_dim=1) of a 1-D input is an error in torch too")
    gx, tx = pair_inputs(shape, seed=len(shape))
    gy, ty = gmod(gx), tmod(tx)
    assert gy.shape == tuple(ty.shape)
    assert_close(gy, ty)
    up = np.random.default_rng(7).standard_normal(tuple(ty.shape)).astype(np.float32)
    gy.backward(gc.tensor(up))
    ty.backward(torch.tensor(up))
    assert_close(gx.grad, tx.grad, atol=1e-5)
    for (gname, gp), (tname, tp) in zip(gmod.named_parameters(), tmod.named_parameters()):
        assert gname == tname
        assert_close(gp.grad, tp.grad, atol=1e-5)
    if ty.grad_fn is not None and gx is not gy:
        assert type(gy.grad_fn).__name__ == type(ty.grad_fn).__name__


@pytest.mark.parametrize("case", ["2d", "1d", "1d_grad", "3d", "nobias_2d", "nobias_1d", "nobias_3d",
                                  "noncontig_3d"])
def test_linear_graph_matches_torch(case):
    torch = need_torch()
    bias = not case.startswith("nobias")
    tl = torch.nn.Linear(3, 2, bias=bias)
    gl = nn.Linear(3, 2, bias=bias)
    copy_weights(tl, gl)
    shape = {"2d": (4, 3), "1d": (3,), "1d_grad": (3,), "3d": (4, 5, 3), "nobias_2d": (4, 3),
             "nobias_1d": (3,), "nobias_3d": (4, 5, 3), "noncontig_3d": (4, 3, 5)}[case]
    gx, tx = pair_inputs(shape, requires_grad=case == "1d_grad")
    if case == "noncontig_3d":
        gx, tx = gx.transpose(1, 2), tx.transpose(1, 2)
    gy, ty = gl(gx), tl(tx)
    assert chain(gy) == chain(ty)
    assert_close(gy, ty)


def test_linear_errors_match_torch():
    torch = need_torch()
    tl, gl = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    cases = [((4, 4), None), ((5,), None), ((), None)]
    for shape, _ in cases:
        with pytest.raises(RuntimeError) as te:
            tl(torch.ones(shape))
        with pytest.raises(RuntimeError) as ge:
            gl(gc.ones(shape))
        assert str(ge.value) == str(te.value)
    tn, gn = torch.nn.Linear(3, 2, bias=False), nn.Linear(3, 2, bias=False)
    for t_mod, g_mod in ((tl, gl), (tn, gn)):
        with pytest.raises(RuntimeError) as te:
            t_mod(torch.ones(2, 3, dtype=torch.float64))
        with pytest.raises(RuntimeError) as ge:
            g_mod(gc.ones(2, 3, dtype=gc.float64))
        assert str(ge.value) == str(te.value)


def test_linear_init_is_kaiming_uniform_and_seeded():
    gc.manual_seed(123)
    a = nn.Linear(16, 8)
    gc.manual_seed(123)
    b = nn.Linear(16, 8)
    assert np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    assert np.array_equal(a.bias.detach().numpy(), b.bias.detach().numpy())
    bound = 1 / math.sqrt(16)
    for p in (a.weight, a.bias):
        v = p.detach().numpy()
        assert v.dtype == np.float32
        assert np.all(np.abs(v) <= bound) and np.abs(v).max() > bound / 2
    assert a.weight.shape == (8, 16) and a.bias.shape == (8,)
    assert a.weight.requires_grad and a.weight.is_leaf and a.weight.grad is None


def test_linear_double_dtype():
    lin = nn.Linear(2, 3, dtype=gc.float64)
    assert lin.weight.dtype is gc.float64
    assert lin(gc.ones(4, 2, dtype=gc.float64)).dtype is gc.float64


def test_dropout_train_statistics_and_gradient():
    gc.manual_seed(0)
    d = nn.Dropout(0.25)
    x = gc.ones(200, 50, requires_grad=True)
    y = d(x)
    v = y.detach().numpy()
    zero_frac = (v == 0).mean()
    assert abs(zero_frac - 0.25) < 0.02
    assert np.allclose(v[v != 0], 1 / 0.75)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad", None]
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), v)  # grad of x*mask is the mask


def test_dropout_modes_and_edges():
    x = gc.randn(3, 4, requires_grad=True)
    d = nn.Dropout(0.5)
    d.eval()
    assert d(x) is x
    assert nn.Dropout(0.0)(x) is x  # torch returns the input itself for p=0
    z = nn.Dropout(1.0)(x)
    assert np.all(z.detach().numpy() == 0)
    with pytest.raises(ValueError, match=r"dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match=r"but got -0.1"):
        nn.functional.dropout(x, -0.1)


def test_dropout_is_seeded():
    x = gc.ones(10, 10)
    gc.manual_seed(5)
    a = nn.Dropout()(x).numpy()
    gc.manual_seed(5)
    b = nn.Dropout()(x).numpy()
    assert np.array_equal(a, b)


def test_dropout_float64_keeps_dtype():
    assert nn.Dropout(0.5)(gc.ones(4, dtype=gc.float64)).dtype is gc.float64


def test_softmax_module_without_dim_warns_like_torch():
    torch = need_torch()
    gx, tx = pair_inputs((2, 3), requires_grad=False)
    with pytest.warns(UserWarning) as gw:
        gy = nn.Softmax()(gx)
    with pytest.warns(UserWarning) as tw:
        ty = torch.nn.Softmax()(tx)
    assert str(gw[0].message) == str(tw[0].message)
    assert_close(gy, ty)


def test_sequential_forward_equals_manual_composition():
    gc.manual_seed(1)
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = gc.randn(5, 2)
    manual = seq[2](seq[1](seq[0](x)))
    assert np.array_equal(seq(x).detach().numpy(), manual.detach().numpy())
