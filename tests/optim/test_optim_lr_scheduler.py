"""StepLR and CosineAnnealingLR: learning-rate sequences recorded from torch, and live parity when present."""
import math
import warnings

import numpy as np
import pytest

import gradcli as gc
from gradcli import nn, optim


def _lrs(lib, make, steps):
    opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0)
    sched = make(lib.optim.lr_scheduler, opt)
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out, opt


def test_steplr_literal():
    lrs, opt = _lrs(gc, lambda m, o: m.StepLR(o, 3, 0.5), 8)
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert opt.param_groups[0]["lr"] == 0.25 and opt.param_groups[0]["initial_lr"] == 1.0


def test_cosine_literal():
    lrs, _ = _lrs(gc, lambda m, o: m.CosineAnnealingLR(o, 4, 0.1), 10)
    expected = [0.8681980515339464, 0.55, 0.23180194846605368, 0.1, 0.2318019484660536, 0.55, 0.8681980515339467,
                1.0000000000000004, 0.8681980515339468, 0.5500000000000004]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


@pytest.mark.parametrize("make", [lambda m, o: m.StepLR(o, 2), lambda m, o: m.StepLR(o, 1, gamma=0.9),
                                  lambda m, o: m.CosineAnnealingLR(o, 5), lambda m, o: m.CosineAnnealingLR(o, 3, 0.01)])
def test_schedules_match_torch(make):
    torch = pytest.importorskip("torch")
    g, _ = _lrs(gc, make, 15)
    t, _ = _lrs(torch, make, 15)
    np.testing.assert_allclose(g, t, rtol=1e-12)


def test_scheduler_state_dict_and_epoch_argument():
    opt = optim.SGD([nn.Parameter(gc.ones(1))], lr=1.0)
    s = optim.lr_scheduler.StepLR(opt, 2, 0.5)
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 0 and sd["base_lrs"] == [1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.step(5)  # closed form: 1.0 * 0.5 ** (5 // 2)
    assert opt.param_groups[0]["lr"] == 0.25
    cos_opt = optim.SGD([nn.Parameter(gc.ones(1))], lr=2.0)
    c = optim.lr_scheduler.CosineAnnealingLR(cos_opt, 10)
    cos_opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        c.step(5)
    assert cos_opt.param_groups[0]["lr"] == pytest.approx(2.0 * (1 + math.cos(math.pi / 2)) / 2)


def test_stepping_scheduler_before_optimizer_warns():
    opt = optim.SGD([nn.Parameter(gc.ones(1))], lr=1.0)
    s = optim.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        s.step()
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        optim.lr_scheduler.StepLR(3, 1)
