"""Optimizer API: constructor validation texts, param groups, repr, and state_dict round trips (vs torch)."""
import pickle
import warnings

import numpy as np
import pytest

import gradcli as gc
from gradcli import nn, optim


def _torch():
    return pytest.importorskip("torch")


def _same_error(gcall, tcall):
    with pytest.raises(Exception) as te:
        tcall()
    with pytest.raises(Exception) as ge:
        gcall()
    assert type(ge.value).__name__ == type(te.value).__name__
    assert str(ge.value) == str(te.value)


BAD = [("SGD", dict(lr=-1)), ("SGD", dict(lr=0.1, momentum=-1)), ("SGD", dict(lr=0.1, weight_decay=-1)),
       ("SGD", dict(lr=0.1, nesterov=True)), ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
       ("Adam", dict(lr=-0.1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.9))),
       ("Adam", dict(betas=(0.9, 1.0))), ("Adam", dict(weight_decay=-1)), ("AdamW", dict(betas=(-0.1, 0.9)))]


@pytest.mark.parametrize("cls,kwargs", BAD, ids=[f"{c}{k}" for c, k in BAD])
def test_constructor_errors_match_torch(cls, kwargs):
    torch = _torch()
    _same_error(lambda: getattr(optim, cls)([nn.Parameter(gc.ones(1))], **kwargs),
                lambda: getattr(torch.optim, cls)([torch.nn.Parameter(torch.ones(1))], **kwargs))


def test_param_errors_match_torch():
    torch = _torch()
    gw, tw = nn.Parameter(gc.ones(1)), torch.nn.Parameter(torch.ones(1))
    _same_error(lambda: optim.SGD([], lr=1), lambda: torch.optim.SGD([], lr=1))
    _same_error(lambda: optim.SGD(gw, lr=1), lambda: torch.optim.SGD(tw, lr=1))
    _same_error(lambda: optim.SGD([gw], lr=1).add_param_group({"params": {nn.Parameter(gc.ones(1))}}),
                lambda: torch.optim.SGD([tw], lr=1).add_param_group({"params": {torch.nn.Parameter(torch.ones(1))}}))
    _same_error(lambda: optim.SGD([gw * 2], lr=1), lambda: torch.optim.SGD([tw * 2], lr=1))
    _same_error(lambda: optim.SGD([gw, 3], lr=1), lambda: torch.optim.SGD([tw, 3], lr=1))
    go, to = optim.SGD([gw], lr=1), torch.optim.SGD([tw], lr=1)
    _same_error(lambda: go.add_param_group({"params": [gw]}), lambda: to.add_param_group({"params": [tw]}))
    with warnings.catch_warnings(record=True) as gwarn:
        warnings.simplefilter("always")
        optim.SGD([gw, gw], lr=1)
    with warnings.catch_warnings(record=True) as twarn:
        warnings.simplefilter("always")
        torch.optim.SGD([tw, tw], lr=1)
    assert [str(w.message) for w in gwarn] == [str(w.message) for w in twarn]


@pytest.mark.parametrize("cls,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("AdamW", dict(lr=0.1)),
                                        ("Adam", dict(amsgrad=True))])
def test_repr_and_state_dict_layout_match_torch(cls, kwargs):
    torch = _torch()

    def build(lib):
        a, b = lib.nn.Parameter(lib.tensor([1.0, 2.0])), lib.nn.Parameter(lib.tensor([3.0]))
        opt = getattr(lib.optim, cls)([{"params": [a]}, {"params": [b], "lr": 0.5}], **kwargs)
        (a.sum() * b.sum()).backward()
        opt.step()
        return opt
    g, t = build(gc), build(torch)
    assert repr(g) == repr(t)
    gsd, tsd = g.state_dict(), t.state_dict()
    assert gsd["param_groups"] == tsd["param_groups"]
    assert list(gsd["state"]) == list(tsd["state"])
    for k, tstate in tsd["state"].items():
        assert list(gsd["state"][k]) == list(tstate)
        for key, tv in tstate.items():
            gv = gsd["state"][k][key]
            assert gv.dtype.name == str(tv.dtype).replace("torch.", "") and tuple(gv.shape) == tuple(tv.shape)
            np.testing.assert_allclose(gv.numpy(), tv.numpy(), rtol=1e-6)


@pytest.mark.parametrize("cls,kwargs", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                        ("Adam", dict(lr=0.05, amsgrad=True)), ("AdamW", dict(lr=0.05))])
def test_state_dict_round_trip_resumes_identically(cls, kwargs):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(4,)).astype(np.float32)
    targets = rng.normal(size=(8, 4)).astype(np.float32)

    def step(w, opt, tgt):
        opt.zero_grad()
        ((w - gc.tensor(tgt)) ** 2).sum().backward()
        opt.step()

    w = nn.Parameter(gc.tensor(w0))
    opt = getattr(optim, cls)([w], **kwargs)
    for tgt in targets[:4]:
        step(w, opt, tgt)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))  # survives serialisation
    w_saved = w.detach().numpy().copy()
    for tgt in targets[4:]:
        step(w, opt, tgt)

    w2 = nn.Parameter(gc.tensor(w_saved))
    opt2 = getattr(optim, cls)([w2], lr=123.0)  # hyper-parameters come back from the state_dict
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"] and opt2.param_groups[0]["params"][0] is w2
    assert list(opt2.state[w2]) == list(opt.state[w])
    for tgt in targets[4:]:
        step(w2, opt2, tgt)
    np.testing.assert_array_equal(w2.detach().numpy(), w.detach().numpy())
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


def test_load_state_dict_from_torch_numbers_continues_like_torch():
    torch = _torch()
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=(3,)).astype(np.float32)
    targets = rng.normal(size=(6, 3)).astype(np.float32)
    tw = torch.nn.Parameter(torch.tensor(w0))
    topt = torch.optim.Adam([tw], lr=0.05)
    for i, tgt in enumerate(targets):
        if i == 3:  # hand torch's state over to gradcli mid-run
            sd = topt.state_dict()
            gsd = {"state": {k: {n: gc.tensor(v.numpy().copy()) for n, v in s.items()} for k, s in sd["state"].items()},
                   "param_groups": sd["param_groups"]}
            gw = nn.Parameter(gc.tensor(tw.detach().numpy().copy()))
            gopt = optim.Adam([gw])
            gopt.load_state_dict(gsd)
        topt.zero_grad()
        ((tw - torch.tensor(tgt)) ** 2).sum().backward()
        topt.step()
        if i >= 3:
            gopt.zero_grad()
            ((gw - gc.tensor(tgt)) ** 2).sum().backward()
            gopt.step()
    np.testing.assert_allclose(gw.detach().numpy(), tw.detach().numpy(), rtol=1e-6)


def test_load_state_dict_errors_match_torch():
    torch = _torch()
    g1 = optim.SGD([nn.Parameter(gc.ones(1))], lr=1)
    g2 = optim.SGD([{"params": [nn.Parameter(gc.ones(1))]}, {"params": [nn.Parameter(gc.ones(1))]}], lr=1)
    g3 = optim.SGD([nn.Parameter(gc.ones(1)), nn.Parameter(gc.ones(1))], lr=1)
    t1 = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1)
    t2 = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.ones(1))]},
                          {"params": [torch.nn.Parameter(torch.ones(1))]}], lr=1)
    t3 = torch.optim.SGD([torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))], lr=1)
    _same_error(lambda: g1.load_state_dict(g2.state_dict()), lambda: t1.load_state_dict(t2.state_dict()))
    _same_error(lambda: g1.load_state_dict(g3.state_dict()), lambda: t1.load_state_dict(t3.state_dict()))


def test_state_dict_shape_without_torch():
    w = nn.Parameter(gc.tensor([1.0, 2.0]))
    opt = optim.Adam([w], lr=0.1)
    assert opt.state_dict() == {"state": {}, "param_groups": [
        {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False, "maximize": False,
         "foreach": None, "capturable": False, "differentiable": False, "fused": None,
         "decoupled_weight_decay": False, "params": [0]}]}
    (w ** 2).sum().backward()
    opt.step()
    st = opt.state_dict()["state"][0]
    assert list(st) == ["step", "exp_avg", "exp_avg_sq"]
    assert repr(st["step"]) == "tensor(1.)"
    np.testing.assert_allclose(st["exp_avg"].numpy(), [0.2, 0.4], rtol=1e-6)
    assert repr(optim.SGD([w], lr=0.1)).splitlines() == [
        "SGD (", "Parameter Group 0", "    dampening: 0", "    differentiable: False", "    foreach: None",
        "    fused: None", "    lr: 0.1", "    maximize: False", "    momentum: 0", "    nesterov: False",
        "    weight_decay: 0", ")"]
