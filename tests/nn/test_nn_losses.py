"""Losses vs torch: values, input (and target) gradients, grad_fn nodes, every reduction, error texts."""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcli as gc
from gradcli import nn
from gradcli.nn import functional as F
from nn_parity import assert_close, chain, need_torch

REDUCTIONS = ["mean", "sum", "none"]


def _run(gfn, tfn, g_args, t_args, grad_inputs=(0,), rtol=1e-5, atol=1e-6, same_graph=True):
    """Compare value and the gradients of the given positional inputs; returns the two results."""
    torch = need_torch()
    gy, ty = gfn(*g_args), tfn(*t_args)
    assert tuple(gy.shape) == tuple(ty.shape)
    assert_close(gy, ty, rtol, atol)
    up = np.random.default_rng(3).uniform(0.5, 1.5, tuple(ty.shape)).astype(np.float32)
    gy.backward(gc.tensor(up))
    ty.backward(torch.tensor(up))
    for i in grad_inputs:
        assert_close(g_args[i].grad, t_args[i].grad, rtol, max(atol, 1e-5))
    if same_graph:
        assert chain(gy, 3) == chain(ty, 3)
    return gy, ty


def _pair(a, requires_grad=False, dtype=None):
    torch = need_torch()
    a = np.asarray(a) if dtype is None else np.asarray(a, dtype)
    g = gc.tensor(a, requires_grad=requires_grad)
    t = torch.tensor(a, requires_grad=requires_grad)
    return g, t


def _rand(shape, seed, low=-2.0, high=2.0, requires_grad=True):
    return _pair(np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32), requires_grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,), ()], ids=str)
def test_mse_loss(reduction, shape):
    torch = need_torch()
    gx, tx = _rand(shape, 0)
    gt, tt = _rand(shape, 1)
    _run(nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), (gx, gt), (tx, tt), (0, 1))


def test_mse_loss_broadcast_warns_and_expands_like_torch():
    torch = need_torch()
    gx, tx = _rand((3, 1), 0)
    gt, tt = _rand((3,), 1, requires_grad=False)
    with pytest.warns(UserWarning) as gw:
        gy = F.mse_loss(gx, gt)
    with pytest.warns(UserWarning) as tw:
        ty = torch.nn.functional.mse_loss(tx, tt)
    assert str(gw[0].message) == str(tw[0].message)
    assert_close(gy, ty)
    assert chain(gy) == chain(ty)  # MseLossBackward0 -> ExpandBackward0 -> AccumulateGrad
    gy.backward()
    ty.backward()
    assert_close(gx.grad, tx.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_weighted(reduction):
    torch = need_torch()
    gx, tx = _rand((4, 3), 0)
    gt, tt = _rand((4, 3), 1, requires_grad=False)
    gw, tw = _rand((4, 3), 2, 0.1, 1.0, requires_grad=False)
    _run(lambda a, b: F.mse_loss(a, b, reduction=reduction, weight=gw),
         lambda a, b: torch.nn.functional.mse_loss(a, b, reduction=reduction, weight=tw), (gx, gt), (tx, tt),
         same_graph=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_loss(reduction, weighted):
    torch = need_torch()
    gp, tp = _rand((4, 3), 0, 0.02, 0.98)
    gt, tt = _rand((4, 3), 1, 0.0, 1.0)
    gw, tw = _rand((3,), 2, 0.5, 2.0, requires_grad=False) if weighted else (None, None)
    _run(nn.BCELoss(weight=gw, reduction=reduction), torch.nn.BCELoss(weight=tw, reduction=reduction),
         (gp, gt), (tp, tt), (0, 1), rtol=1e-4)


def test_bce_clamps_log_at_minus_100_like_torch():
    torch = need_torch()
    gp, tp = _pair([0.0, 1.0, 0.5], requires_grad=True, dtype=np.float32)
    gt, tt = _pair([1.0, 0.0, 1.0], dtype=np.float32)
    gy, ty = _run(lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
                  lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, reduction="none"),
                  (gp, gt), (tp, tt), rtol=1e-6)
    assert gy.tolist()[:2] == [100.0, 100.0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction, kind):
    torch = need_torch()
    gx, tx = _rand((4, 3), 0, -5, 5)
    gt, tt = _rand((4, 3), 1, 0.0, 1.0)
    gw, tw = _rand((4, 1), 2, 0.5, 2.0, requires_grad=False) if kind in ("weight", "both") else (None, None)
    gpw, tpw = _rand((3,), 3, 0.5, 3.0, requires_grad=False) if kind in ("pos_weight", "both") else (None, None)
    _run(nn.BCEWithLogitsLoss(weight=gw, reduction=reduction, pos_weight=gpw),
         torch.nn.BCEWithLogitsLoss(weight=tw, reduction=reduction, pos_weight=tpw), (gx, gt), (tx, tt), (0, 1),
         rtol=1e-4)


def test_bce_with_logits_is_stable_for_large_logits():
    torch = need_torch()
    gx, tx = _pair([-200.0, 200.0, 0.0], requires_grad=True, dtype=np.float32)
    gt, tt = _pair([1.0, 0.0, 1.0], dtype=np.float32)
    gy, _ = _run(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
                 lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(a, b, reduction="none"),
                 (gx, gt), (tx, tt))
    assert gy.tolist()[:2] == [200.0, 200.0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["plain", "weight", "ignore", "weight_ignore", "1d", "kdim"])
def test_cross_entropy_and_nll_class_targets(reduction, kind):
    torch = need_torch()
    shape = {"1d": (5,), "kdim": (3, 5, 4)}.get(kind, (6, 5))
    gx, tx = _rand(shape, 0, -3, 3)
    rng = np.random.default_rng(1)
    if kind == "1d":
        target = np.int64(2)
    elif kind == "kdim":
        target = rng.integers(0, 5, (3, 4))
    else:
        target = rng.integers(0, 5, (6,))
    if "ignore" in kind:
        target[[1, 4]] = 3 if kind == "ignore" else -100
    ignore = 3 if kind == "ignore" else -100
    gt, tt = _pair(target)
    gw, tw = _rand((5,), 2, 0.5, 2.0, requires_grad=False) if "weight" in kind else (None, None)
    same = kind != "kdim"  # torch names the K-dim node NllLoss2dBackward0
    _run(nn.CrossEntropyLoss(weight=gw, ignore_index=ignore, reduction=reduction),
         torch.nn.CrossEntropyLoss(weight=tw, ignore_index=ignore, reduction=reduction), (gx, gt), (tx, tt),
         same_graph=same)
    gx2, tx2 = _rand(shape, 4, -3, 0)
    _run(nn.NLLLoss(weight=gw, ignore_index=ignore, reduction=reduction),
         torch.nn.NLLLoss(weight=tw, ignore_index=ignore, reduction=reduction), (gx2, gt), (tx2, tt),
         same_graph=same)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_probability_targets(reduction, weighted, smoothing):
    torch = need_torch()
    gx, tx = _rand((4, 3), 0, -3, 3)
    probs = np.random.default_rng(1).dirichlet(np.ones(3), 4).astype(np.float32)
    gt, tt = _pair(probs)
    gw, tw = _rand((3,), 2, 0.5, 2.0, requires_grad=False) if weighted else (None, None)
    _run(lambda a, b: F.cross_entropy(a, b, gw, reduction=reduction, label_smoothing=smoothing),
         lambda a, b: torch.nn.functional.cross_entropy(a, b, tw, reduction=reduction, label_smoothing=smoothing),
         (gx, gt), (tx, tt), same_graph=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["plain", "weight", "ignore"])
def test_cross_entropy_label_smoothing(reduction, kind):
    torch = need_torch()
    gx, tx = _rand((6, 4), 0, -3, 3)
    target = np.random.default_rng(1).integers(0, 4, (6,))
    if kind == "ignore":
        target[2] = -100
    gt, tt = _pair(target)
    gw, tw = _rand((4,), 2, 0.5, 2.0, requires_grad=False) if kind == "weight" else (None, None)
    _run(lambda a, b: F.cross_entropy(a, b, gw, reduction=reduction, label_smoothing=0.2),
         lambda a, b: torch.nn.functional.cross_entropy(a, b, tw, reduction=reduction, label_smoothing=0.2),
         (gx, gt), (tx, tt), same_graph=False)


def test_cross_entropy_graph_is_nll_over_log_softmax():
    torch = need_torch()
    gx, tx = _rand((4, 3), 0)
    gt, tt = _pair(np.array([0, 2, 1, 1]))
    gy, ty = F.cross_entropy(gx, gt), torch.nn.functional.cross_entropy(tx, tt)
    assert chain(gy) == chain(ty) == ("NllLossBackward0", (("LogSoftmaxBackward0", (("AccumulateGrad", ()),)),))


def test_nll_all_ignored_mean_is_nan_like_torch():
    torch = need_torch()
    gx, tx = _rand((3, 2), 0)
    gt, tt = _pair(np.array([-100, -100, -100]))
    assert np.isnan(F.nll_loss(gx, gt).item()) and np.isnan(torch.nn.functional.nll_loss(tx, tt).item())
    assert F.nll_loss(gx, gt, reduction="sum").item() == 0.0


def _same_error(gcall, tcall, exc=Exception):
    with pytest.raises(exc) as te:
        tcall()
    with pytest.raises(exc) as ge:
        gcall()
    assert type(ge.value) is type(te.value)
    assert str(ge.value) == str(te.value)


def test_loss_error_texts_match_torch():
    torch = need_torch()
    tF = torch.nn.functional
    g = gc.tensor
    t = torch.tensor
    _same_error(lambda: F.binary_cross_entropy(g([0.5, 0.5, 0.5]), g([1.0, 0, 1, 0])),
                lambda: tF.binary_cross_entropy(t([0.5, 0.5, 0.5]), t([1.0, 0, 1, 0])))
    _same_error(lambda: F.binary_cross_entropy(g([[0.5], [0.5]]), g([1.0, 0])),
                lambda: tF.binary_cross_entropy(t([[0.5], [0.5]]), t([1.0, 0])))
    _same_error(lambda: F.binary_cross_entropy(g([1.5]), g([1.0])),
                lambda: tF.binary_cross_entropy(t([1.5]), t([1.0])))
    _same_error(lambda: F.binary_cross_entropy(g([0.5]), g([1.5])),
                lambda: tF.binary_cross_entropy(t([0.5]), t([1.5])))
    _same_error(lambda: F.binary_cross_entropy_with_logits(g([0.5, 1]), g([1.0])),
                lambda: tF.binary_cross_entropy_with_logits(t([0.5, 1]), t([1.0])))
    _same_error(lambda: F.nll_loss(g([[0.1, 0.2]] * 3), g([0, 1])),
                lambda: tF.nll_loss(t([[0.1, 0.2]] * 3), t([0, 1])))
    _same_error(lambda: F.cross_entropy(g([[0.1, 0.2]] * 3), g([0, 1, 5])),
                lambda: tF.cross_entropy(t([[0.1, 0.2]] * 3), t([0, 1, 5])))
    _same_error(lambda: F.cross_entropy(g([[0.1, 0.2]] * 3), g([0, 1, 0]), label_smoothing=1.5),
                lambda: tF.cross_entropy(t([[0.1, 0.2]] * 3), t([0, 1, 0]), label_smoothing=1.5))
    _same_error(lambda: F.nll_loss(g([[0.1, 0.2]] * 3), g([0, 1, 0]), weight=g([1.0, 2, 3])),
                lambda: tF.nll_loss(t([[0.1, 0.2]] * 3), t([0, 1, 0]), weight=t([1.0, 2, 3])))
    _same_error(lambda: nn.MSELoss(reduction="foo")(g([1.0]), g([1.0])),
                lambda: torch.nn.MSELoss(reduction="foo")(t([1.0]), t([1.0])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both first warn about the size mismatch, then fail to broadcast
        _same_error(lambda: F.mse_loss(g([1.0, 2, 3]), g([1.0, 2])),
                    lambda: tF.mse_loss(t([1.0, 2, 3]), t([1.0, 2])))


def test_legacy_size_average_reduce_map_like_torch():
    torch = need_torch()
    gx, tx = _rand((3,), 0)
    gt, tt = _rand((3,), 1, requires_grad=False)
    for kw in ({"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_close(F.mse_loss(gx, gt, **kw), torch.nn.functional.mse_loss(tx, tt, **kw))


# ---- property: random shapes and values agree with torch -------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 5), c=st.integers(2, 5), seed=st.integers(0, 2 ** 31 - 1),
       reduction=st.sampled_from(REDUCTIONS),
       loss=st.sampled_from(["mse", "bce", "bce_logits", "cross_entropy", "nll"]))
def test_losses_match_torch_on_random_inputs(n, c, seed, reduction, loss):
    torch = need_torch()
    tF = torch.nn.functional
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, (n, c)).astype(np.float32)
    if loss in ("mse", "bce_logits"):
        y = rng.uniform(0, 1, (n, c)).astype(np.float32)
    elif loss == "bce":
        x = rng.uniform(0.001, 0.999, (n, c)).astype(np.float32)
        y = rng.uniform(0, 1, (n, c)).astype(np.float32)
    else:
        y = rng.integers(0, c, (n,))
    gfn, tfn = {"mse": (F.mse_loss, tF.mse_loss), "bce": (F.binary_cross_entropy, tF.binary_cross_entropy),
                "bce_logits": (F.binary_cross_entropy_with_logits, tF.binary_cross_entropy_with_logits),
                "cross_entropy": (F.cross_entropy, tF.cross_entropy), "nll": (F.nll_loss, tF.nll_loss)}[loss]
    gx, tx = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gy, ty = gfn(gx, gc.tensor(y), reduction=reduction), tfn(tx, torch.tensor(y), reduction=reduction)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    gy.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert type(gy.grad_fn).__name__ == type(ty.grad_fn).__name__


def test_mse_with_integer_target_stays_float32():
    """The 60-minute blitz compares a float32 output with torch.arange(1, 11): the loss is float32."""
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((1, 10)).astype(np.float32)
    for m in (gc, torch):
        out = m.tensor(a, requires_grad=True)
        loss = m.nn.MSELoss()(out, m.arange(1, 11).view(1, -1))
        assert loss.dtype == m.float32 and "dtype" not in repr(loss)
        loss.backward()
        assert out.grad.dtype == m.float32
    g = gc.nn.functional.mse_loss(gc.tensor(a), gc.arange(1, 11).view(1, -1)).item()
    t = torch.nn.functional.mse_loss(torch.tensor(a), torch.arange(1, 11).view(1, -1)).item()
    assert g == pytest.approx(t, rel=1e-6)
