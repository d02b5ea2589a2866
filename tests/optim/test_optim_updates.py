"""Optimizer update rules: torch-recorded literal sequences (no torch needed) and step-by-step torch parity."""
import numpy as np
import pytest

import gradcli as gc
from gradcli import nn, optim

TARGET = [1.0, -2.0]


def _run(cls, kwargs, steps=4, lib=gc):
    """Minimise sum((w - TARGET)^2) from w = [0.5, 0.5]; returns w after each step."""
    w = lib.nn.Parameter(lib.tensor([0.5, 0.5]))
    opt = getattr(lib.optim, cls)([w], **kwargs)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        ((w - lib.tensor(TARGET)) ** 2).sum().backward()
        opt.step()
        out.append(w.tolist())
    return out


# recorded with torch 2.13 (float32)
LITERALS = [
    ("SGD", dict(lr=0.1), [[0.6000000238418579, -7.450580596923828e-09], [0.6800000071525574, -0.4000000059604645],
                           [0.7440000176429749, -0.7200000286102295], [0.795199990272522, -0.9760000109672546]]),
    ("SGD", dict(lr=0.1, momentum=0.9),
     [[0.6000000238418579, -7.450580596923828e-09], [0.7700000405311584, -0.8500000238418579],
      [0.9690000414848328, -1.8450000286102295], [1.1542999744415283, -2.7714998722076416]]),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True),
     [[0.6899999976158142, -0.45000001788139343], [0.8887999653816223, -1.444000005722046],
      [1.0541759729385376, -2.2708799839019775], [1.1624114513397217, -2.8120574951171875]]),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1),
     [[0.5950000286102295, -0.005000026430934668], [0.7180250287055969, -0.6589750647544861],
      [0.8533548712730408, -1.3783602714538574], [0.9855495095252991, -2.0810790061950684]]),
    ("SGD", dict(lr=0.1, maximize=True),
     [[0.4000000059604645, 1.0], [0.2800000011920929, 1.600000023841858], [0.13599999248981476, 2.319999933242798],
      [-0.03680001571774483, 3.18399977684021]]),
    ("Adam", dict(lr=0.1),
     [[0.5999999642372131, 0.4000000059604645], [0.6988125443458557, 0.30012720823287964],
      [0.7951287031173706, 0.20047396421432495], [0.8870845437049866, 0.10113844275474548]]),
    ("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1),
     [[0.6000000238418579, 0.4000000059604645], [0.6985938549041748, 0.30013322830200195],
      [0.7941485643386841, 0.20049674808979034], [0.8842707872390747, 0.1011941134929657]]),
    ("AdamW", dict(lr=0.1),
     [[0.5995000004768372, 0.3995000123977661], [0.6977229714393616, 0.2992284595966339],
      [0.7933787107467651, 0.1992778778076172], [0.8846379518508911, 0.09974638372659683]]),
    ("Adam", dict(lr=0.1, maximize=True),
     [[0.4000000059604645, 0.6000000238418579], [0.2999386787414551, 0.7000830173492432],
      [0.19970521330833435, 0.8003007769584656], [0.09918136894702911, 0.9007024765014648]]),
]


@pytest.mark.parametrize("cls,kwargs,expected", LITERALS, ids=[f"{c}{k}" for c, k, _ in LITERALS])
def test_update_sequences_match_recorded_torch(cls, kwargs, expected):
    np.testing.assert_allclose(_run(cls, kwargs), expected, rtol=1e-6, atol=1e-7)


def test_documented_scalar_sequences():
    # PYTORCH_BEHAVIOUR.md: w^2 from w0 = 1
    for cls, kwargs, expected in (("SGD", dict(lr=0.1, momentum=0.9), [0.8, 0.46, 0.062]),
                                  ("Adam", dict(lr=0.1), [0.9, 0.80041, 0.70159])):
        w = nn.Parameter(gc.tensor(1.0))
        opt = getattr(optim, cls)([w], **kwargs)
        seq = []
        for _ in range(3):
            opt.zero_grad()
            (w ** 2).backward()
            opt.step()
            seq.append(round(w.item(), 5))
        assert seq == expected


GRID = [("SGD", dict(lr=0.05, momentum=m, dampening=d, weight_decay=wd, nesterov=n, maximize=mx))
        for m, d, n in ((0, 0, False), (0.9, 0, False), (0.9, 0.2, False), (0.9, 0, True))
        for wd in (0, 0.05) for mx in (False, True)]
GRID += [(cls, dict(lr=0.05, betas=b, eps=e, weight_decay=wd, amsgrad=a, maximize=mx))
         for cls in ("Adam", "AdamW") for b in ((0.9, 0.999), (0.3, 0.5)) for e in (1e-8, 1e-3)
         for wd in (0, 0.1) for a in (False, True) for mx in (False,)]


@pytest.mark.parametrize("cls,kwargs", GRID, ids=[f"{c}-{i}" for i, (c, _) in enumerate(GRID)])
def test_every_option_matches_torch_step_by_step(cls, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 2)).astype(np.float32)
    targets = rng.normal(size=(6, 3, 2)).astype(np.float32)

    def run(lib):
        w = lib.nn.Parameter(lib.tensor(w0.copy()))
        opt = getattr(lib.optim, cls)([w], **kwargs)
        out = []
        for tgt in targets:
            opt.zero_grad()
            (((w - lib.tensor(tgt)) ** 2) * lib.tensor(tgt).abs()).sum().backward()
            opt.step()
            out.append(w.detach().numpy().copy())
        return out, opt.state_dict()["state"]
    (g, gs), (t, ts) = run(gc), run(torch)
    np.testing.assert_allclose(g, t, rtol=1e-6, atol=1e-6)
    assert list(gs) == list(ts)
    for k in ts:
        assert list(gs[k]) == list(ts[k])
        for key in ts[k]:
            np.testing.assert_allclose(gs[k][key].numpy(), ts[k][key].numpy(), rtol=1e-5, atol=1e-7)


def test_param_groups_with_own_hyperparameters_and_skipped_params():
    a = nn.Parameter(gc.tensor([1.0]))
    b = nn.Parameter(gc.tensor([1.0]))
    frozen = nn.Parameter(gc.tensor([1.0]))
    opt = optim.SGD([{"params": [a]}, {"params": [b, frozen], "lr": 0.5}], lr=0.1)
    (a * 1 + b * 1).sum().backward()  # frozen gets no grad and must not move
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5) and frozen.item() == 1.0
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0  # defaults filled in


def test_step_runs_closure_with_grad_enabled():
    w = nn.Parameter(gc.tensor([2.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss
    with gc.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


def test_updates_bump_version_and_keep_leaf():
    w = nn.Parameter(gc.tensor([1.0, 2.0]))
    opt = optim.Adam([w])
    (w * w).sum().backward()
    v = w._version
    opt.step()
    assert w._version > v and w.is_leaf and w.requires_grad and w.grad_fn is None


def test_zero_grad_modes():
    w = nn.Parameter(gc.tensor([1.0]))
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and w.grad.tolist() == [0.0]
    opt.zero_grad()
    assert w.grad is None
