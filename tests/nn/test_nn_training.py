"""Training runs vs torch from identical weights: losses and parameters agree at every one of 20 steps."""
import numpy as np
import pytest

import gradcli as gc
from nn_parity import copy_weights, need_torch

STEPS = 20


def blobs(n_per=20, centers=((-2.0, -2.0), (2.0, 2.0)), seed=0):
    """Gaussian blobs made with numpy: features float32 [N, 2], labels int64 [N]."""
    rng = np.random.default_rng(seed)
    xs = [rng.normal(c, 1.0, (n_per, 2)) for c in centers]
    ys = [np.full(n_per, i) for i in range(len(centers))]
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def mlp(lib):
    n = lib.nn
    return n.Sequential(n.Linear(2, 8), n.ReLU(), n.Linear(8, 3))


def _train(lib, model, opt, loss_fn, x, y, squeeze=False):
    losses, params = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(out.squeeze() if squeeze else out, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        params.append([p.detach().numpy().copy() for p in model.parameters()])
    return losses, params


def _compare(g_run, t_run, rtol=1e-5, atol=2e-6):  # observed: agreement to ~1 float32 ulp
    (gl, gp), (tl, tp) = g_run, t_run
    np.testing.assert_allclose(gl, tl, rtol=rtol, atol=atol)
    for step, (gs, ts) in enumerate(zip(gp, tp)):
        for g, t in zip(gs, ts):
            np.testing.assert_allclose(g, t, rtol=rtol, atol=atol, err_msg=f"step {step}")


OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd_nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd_wd_dampening": ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    "sgd_nesterov_wd": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05)),
    "adam": ("Adam", dict(lr=0.01)),
    "adam_wd_amsgrad": ("Adam", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.01, amsgrad=True)),
    "adamw": ("AdamW", dict(lr=0.01)),
    "adamw_amsgrad": ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_mlp_cross_entropy_training_matches_torch(name):
    torch = need_torch()
    cls, kwargs = OPTIMIZERS[name]
    x, y = blobs(centers=((-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)))
    tm, gm = mlp(torch), mlp(gc)
    copy_weights(tm, gm)
    t_run = _train(torch, tm, getattr(torch.optim, cls)(tm.parameters(), **kwargs), torch.nn.CrossEntropyLoss(),
                   torch.tensor(x), torch.tensor(y))
    g_run = _train(gc, gm, getattr(gc.optim, cls)(gm.parameters(), **kwargs), gc.nn.CrossEntropyLoss(),
                   gc.tensor(x), gc.tensor(y))
    _compare(g_run, t_run)
    assert g_run[0][-1] < g_run[0][0]  # it learns


def logreg(lib):
    """The seed's logistic regression: Linear(2, 1) then Sigmoid."""
    class LogisticRegression(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = lib.nn.Linear(2, 1)
            self.sigmoid = lib.nn.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.linear(x))
    return LogisticRegression()


def test_seed_logistic_regression_training_matches_torch():
    torch = need_torch()
    x, y = blobs(n_per=50)
    y = y.astype(np.float32)
    tm, gm = logreg(torch), logreg(gc)
    copy_weights(tm, gm)
    t_run = _train(torch, tm, torch.optim.SGD(tm.parameters(), lr=0.01, momentum=0.9), torch.nn.BCELoss(),
                   torch.tensor(x), torch.tensor(y), squeeze=True)
    g_run = _train(gc, gm, gc.optim.SGD(gm.parameters(), lr=0.01, momentum=0.9), gc.nn.BCELoss(),
                   gc.tensor(x), gc.tensor(y), squeeze=True)
    _compare(g_run, t_run)
    assert g_run[0][-1] < g_run[0][0]


def test_seed_logistic_regression_graph_matches_torch():
    torch = need_torch()
    x, y = blobs(n_per=5)
    y = y.astype(np.float32)
    gm, tm = logreg(gc), logreg(torch)
    gl = gc.nn.BCELoss()(gm(gc.tensor(x)).squeeze(), gc.tensor(y))
    tl = torch.nn.BCELoss()(tm(torch.tensor(x)).squeeze(), torch.tensor(y))
    from nn_parity import chain
    assert chain(gl) == chain(tl)


def test_seed_logistic_regression_graph_literal():
    # what torch 2.13 shows for loss_fn(model(x).squeeze(), y); checked without torch
    gc.manual_seed(0)
    model = logreg(gc)
    x, y = blobs(n_per=5)
    loss = gc.nn.BCELoss()(model(gc.tensor(x)).squeeze(), gc.tensor(y.astype(np.float32)))
    node = loss.grad_fn
    names = []
    while node is not None:
        names.append(type(node).__name__)
        nxt = node.next_functions
        if type(node).__name__ == "AddmmBackward0":
            assert [type(n).__name__ if n else None for n, _ in nxt] == ["AccumulateGrad", None, "TBackward0"]
            assert nxt[0][0].variable is model.linear.bias
            assert nxt[2][0].next_functions[0][0].variable is model.linear.weight
            break
        if type(node).__name__ == "BinaryCrossEntropyBackward0":
            assert nxt[1] == (None, 0)  # the target needs no gradient
        node = nxt[0][0]
    assert names == ["BinaryCrossEntropyBackward0", "SqueezeBackward0", "SigmoidBackward0", "AddmmBackward0"]
