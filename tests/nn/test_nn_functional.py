"""nn.functional and nn.init vs torch: activations, linear, one_hot, dropout, initialiser bounds and gains."""
import math
import warnings

import numpy as np
import pytest

import gradcli as gc
import gradcli.nn.functional as F  # the module is importable under its full dotted name
from gradcli import nn
from nn_parity import assert_close, chain, need_torch, pair_inputs

ACTIVATIONS = [
    ("relu", {}), ("sigmoid", {}), ("tanh", {}), ("softmax", {"dim": 1}), ("softmax", {"dim": 0}),
    ("log_softmax", {"dim": -1}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}{k}" for n, k in ACTIVATIONS])
def test_activation_matches_torch(name, kwargs):
    torch = need_torch()
    gx, tx = pair_inputs((3, 4), seed=2, low=-3, high=3)
    gy, ty = getattr(F, name)(gx, **kwargs), getattr(torch.nn.functional, name)(tx, **kwargs)
    assert_close(gy, ty)
    assert chain(gy) == chain(ty)
    up = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    gy.backward(gc.tensor(up))
    ty.backward(torch.tensor(up))
    assert_close(gx.grad, tx.grad, atol=1e-5)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4)], ids=str)
def test_implicit_softmax_dim_warns_and_picks_torchs_dim(name, shape):
    torch = need_torch()
    gx, tx = pair_inputs(shape, requires_grad=False)
    with warnings.catch_warnings(record=True) as gw:
        warnings.simplefilter("always")
        gy = getattr(F, name)(gx)
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        ty = getattr(torch.nn.functional, name)(tx)
    assert [str(w.message) for w in gw] == [str(w.message) for w in tw]
    assert_close(gy, ty)


def test_softmax_dtype_argument():
    torch = need_torch()
    gx, tx = pair_inputs((2, 3), requires_grad=False)
    gy = F.softmax(gx, 1, dtype=gc.float64)
    ty = torch.nn.functional.softmax(tx, 1, dtype=torch.float64)
    assert gy.dtype is gc.float64 and ty.dtype == torch.float64
    assert_close(gy, ty)


def test_relu_inplace():
    x = gc.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 4, 3)], ids=str)
def test_linear_function_matches_torch(shape, bias):
    torch = need_torch()
    gx, tx = pair_inputs(shape, seed=1)
    gw, tw = pair_inputs((2, 3), seed=2)
    gb, tb = pair_inputs((2,), seed=3) if bias else (None, None)
    gy, ty = F.linear(gx, gw, gb), torch.nn.functional.linear(tx, tw, tb)
    assert chain(gy) == chain(ty)
    assert_close(gy, ty)
    gy.sum().backward()
    ty.sum().backward()
    for g, t in ((gx, tx), (gw, tw), (gb, tb)):
        if g is not None:
            assert_close(g.grad, t.grad, atol=1e-5)


def test_one_hot_matches_torch():
    torch = need_torch()
    for args in (([0, 2, 1],), ([[1, 0], [2, 2]], 4), ([3],)):
        g = F.one_hot(gc.tensor(args[0]), *args[1:])
        t = torch.nn.functional.one_hot(torch.tensor(args[0]), *args[1:])
        assert g.dtype is gc.int64 and g.tolist() == t.tolist()
    for bad in (([0, 3], 3), ([0, -1],), ([0.0, 1.0],)):
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.one_hot(torch.tensor(bad[0]), *bad[1:])
        with pytest.raises(RuntimeError) as ge:
            F.one_hot(gc.tensor(bad[0]), *bad[1:])
        assert str(ge.value) == str(te.value)


def test_functional_dropout_eval_returns_input():
    x = gc.ones(3)
    assert F.dropout(x, 0.5, training=False) is x
    y = F.dropout(gc.ones(1000), 0.5)
    assert set(np.unique(y.numpy()).tolist()) <= {0.0, 2.0}


def test_dropout_inplace_writes_into_input():
    gc.manual_seed(3)
    x = gc.ones(50)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.numpy()).tolist()) == {0.0, 2.0}


# ---- nn.init --------------------------------------------------------------------------------------
def test_init_gains_match_torch():
    torch = need_torch()
    for args in (("linear",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2),
                 ("selu",), ("conv2d",)):
        assert nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")


def test_init_fans_match_torch():
    torch = need_torch()
    from gradcli.nn.init import _calculate_fan_in_and_fan_out as gfan
    from torch.nn.init import _calculate_fan_in_and_fan_out as tfan
    for shape in ((3, 5), (4, 2, 3, 3), (7, 1)):
        assert gfan(gc.empty(*shape)) == tfan(torch.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        gfan(gc.empty(3))


def test_init_functions_fill_in_place_under_no_grad():
    gc.manual_seed(0)
    w = nn.Parameter(gc.empty(200, 100))
    v0 = w._version
    assert nn.init.uniform_(w, -0.5, 0.5) is w
    assert w._version == v0 + 1 and w.requires_grad and w.is_leaf
    a = w.detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 0.5 and abs(a.mean()) < 0.01
    nn.init.normal_(w, 1.0, 0.1)
    a = w.detach().numpy()
    assert abs(a.mean() - 1.0) < 0.01 and abs(a.std() - 0.1) < 0.01
    nn.init.constant_(w, 0.25)
    assert np.all(w.detach().numpy() == 0.25)
    nn.init.zeros_(w)
    assert not w.detach().numpy().any()
    nn.init.ones_(w)
    assert np.all(w.detach().numpy() == 1)
    nn.init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6.0 / 300)
    a = w.detach().numpy()
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 100)
    a = w.detach().numpy()
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound
    nn.init.kaiming_normal_(w, mode="fan_out")
    assert abs(w.detach().numpy().std() - math.sqrt(2.0 / (1 + 0.01 ** 2)) / math.sqrt(200)) < 0.005
    nn.init.xavier_normal_(w)
    assert abs(w.detach().numpy().std() - math.sqrt(2.0 / 300)) < 0.005
    assert w.dtype is gc.float32
    with pytest.raises(ValueError, match="Mode fan_foo not supported"):
        nn.init.kaiming_uniform_(w, mode="fan_foo")
