"""Module API vs torch: registration, names and order, state_dict / load_state_dict, reprs, modes, errors."""
import collections
import copy
import pickle

import numpy as np
import pytest

import gradcli as gc
from gradcli import nn
from nn_parity import copy_weights, need_torch


def _net(lib):
    """The same small model in gradcli or torch: own buffers, a child, a nested Sequential, a shared child."""
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(2, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)
            self.seq = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1, bias=False))
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.again = self.fc  # shared: reported once by parameters(), twice by state_dict()

        def forward(self, x):
            return self.seq(self.fc(x) + self.running) * self.scale
    return Net()


def test_names_order_and_keys_match_torch():
    torch = need_torch()
    g, t = _net(gc), _net(torch)
    assert [k for k, _ in g.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in g.named_parameters(remove_duplicate=False)] == \
        [k for k, _ in t.named_parameters(remove_duplicate=False)]
    assert list(g.state_dict()) == list(t.state_dict())
    assert [k for k, _ in g.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in g.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in g.named_children()] == [k for k, _ in t.named_children()]
    assert [type(m).__name__ for m in g.children()] == [type(m).__name__ for m in t.children()]
    assert [type(m).__name__ for m in g.modules()] == [type(m).__name__ for m in t.modules()]
    assert [k for k, _ in g.named_parameters(prefix="model", recurse=False)] == \
        [k for k, _ in t.named_parameters(prefix="model", recurse=False)]
    assert list(g.state_dict()._metadata) == list(t.state_dict()._metadata)
    assert repr(g) == repr(t)


def test_state_dict_values_are_detached_copies_of_the_storage():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    assert isinstance(sd, collections.OrderedDict)
    w = sd["weight"]
    assert not w.requires_grad and w.grad_fn is None and type(w) is gc.Tensor
    w[0, 0] = 42.0  # shares storage, like torch's detach()
    assert lin.weight[0, 0].item() == 42.0
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight


def test_load_state_dict_copies_in_place_and_round_trips():
    torch = need_torch()
    t, g = _net(torch), _net(gc)
    copy_weights(t, g)
    for (k, gp), (_, tp) in zip(g.state_dict().items(), t.state_dict().items()):
        np.testing.assert_array_equal(gp.numpy(), tp.numpy(), err_msg=k)
    w, tw = g.fc.weight, t.fc.weight
    version, tversion = w._version, tw._version
    g.load_state_dict(g.state_dict())
    t.load_state_dict(t.state_dict())
    assert g.fc.weight is w and w.requires_grad and w.is_leaf
    # copied in place under no_grad; the shared child is loaded once per name, as in torch
    assert w._version - version == tw._version - tversion == 2


def _same_error(gcall, tcall):
    with pytest.raises(Exception) as te:
        tcall()
    with pytest.raises(Exception) as ge:
        gcall()
    assert type(ge.value).__name__ == type(te.value).__name__
    assert str(ge.value) == str(te.value)


def test_load_state_dict_errors_match_torch():
    torch = need_torch()
    g, t = _net(gc), _net(torch)

    def edit(sd, lib):
        sd = collections.OrderedDict(sd)
        sd.pop("fc.bias")
        sd.pop("seq.2.weight")
        sd["foo"] = lib.ones(1)
        sd["seq.0.bar"] = lib.ones(1)
        return sd
    _same_error(lambda: g.load_state_dict(edit(g.state_dict(), gc)),
                lambda: t.load_state_dict(edit(t.state_dict(), torch)))
    gr = g.load_state_dict(edit(g.state_dict(), gc), strict=False)
    tr = t.load_state_dict(edit(t.state_dict(), torch), strict=False)
    assert gr.missing_keys == tr.missing_keys and gr.unexpected_keys == tr.unexpected_keys
    assert repr(gr) == repr(tr)
    assert repr(g.load_state_dict(g.state_dict())) == repr(t.load_state_dict(t.state_dict())) \
        == "<All keys matched successfully>"

    def bad_shape(sd, lib):
        sd = collections.OrderedDict(sd)
        sd["fc.weight"] = lib.ones(3, 3)
        return sd
    _same_error(lambda: g.load_state_dict(bad_shape(g.state_dict(), gc)),
                lambda: t.load_state_dict(bad_shape(t.state_dict(), torch)))
    _same_error(lambda: g.load_state_dict(bad_shape(g.state_dict(), gc), strict=False),
                lambda: t.load_state_dict(bad_shape(t.state_dict(), torch), strict=False))

    def not_tensor(sd, lib):
        sd = collections.OrderedDict(sd)
        sd["fc.weight"] = 5
        return sd
    _same_error(lambda: g.load_state_dict(not_tensor(g.state_dict(), gc)),
                lambda: t.load_state_dict(not_tensor(t.state_dict(), torch)))


def test_reprs_match_torch():
    torch = need_torch()

    def build(lib):
        n = lib.nn
        return [
            n.Linear(2, 1), n.Linear(2, 1, bias=False), n.ReLU(), n.Sigmoid(), n.Tanh(), n.Softmax(dim=1),
            n.Softmax(), n.LogSoftmax(1), n.LeakyReLU(), n.LeakyReLU(0.2, inplace=True), n.GELU(),
            n.GELU("tanh"), n.Flatten(), n.Flatten(0, 2), n.Identity(), n.Dropout(), n.Dropout(0.2),
            n.MSELoss(), n.BCELoss(), n.BCEWithLogitsLoss(), n.CrossEntropyLoss(), n.NLLLoss(), n.Sequential(),
            n.Sequential(n.Linear(2, 3), n.ReLU(), n.Sequential(n.Tanh(), n.Dropout(0.2)), n.Linear(3, 1)),
            n.Sequential(collections.OrderedDict([("fc", n.Linear(1, 1)), ("act", n.ReLU())])),
            n.Sequential(n.Linear(1, 1), n.ReLU(), n.Tanh())[1:],
        ]
    for g, t in zip(build(gc), build(torch)):
        assert repr(g) == repr(t)
        assert str(g) == str(t)
    lin_g, lin_t = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    lin_g.bias = None
    lin_t.bias = None
    assert repr(lin_g) == repr(lin_t)
    assert list(lin_g.state_dict()) == list(lin_t.state_dict()) == ["weight"]


def test_parameter_is_a_leaf_tensor_with_torch_repr():
    torch = need_torch()
    p = nn.Parameter(gc.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp) and str(p) == str(tp)
    q = nn.Parameter(gc.ones(2), requires_grad=False)
    assert repr(q) == repr(torch.nn.Parameter(torch.ones(2), requires_grad=False))
    assert isinstance(p, gc.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    y = (p * 2 + 1).sum()
    assert repr(y) == "tensor(8., grad_fn=<SumBackward0>)"
    assert type(p * 2) is gc.Tensor and type(p.detach()) is gc.Tensor
    y.backward()
    assert p.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        p.add_(1)
    with gc.no_grad():
        p.add_(1)
    assert p.tolist() == [2.0, 3.0]


def test_parameter_shares_storage_and_copies_keep_type():
    base = gc.tensor([1.0, 2.0])
    p = nn.Parameter(base)
    base[0] = 5.0
    assert p[0].item() == 5.0
    d = copy.deepcopy(p)
    assert type(d) is nn.Parameter and d.requires_grad and d is not p
    base[1] = 7.0
    assert d.tolist() == [5.0, 2.0]
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is nn.Parameter and r.tolist() == [5.0, 7.0]
    m = nn.Sequential(nn.Linear(2, 2))
    m2 = copy.deepcopy(m)
    assert type(m2[0].weight) is nn.Parameter and m2[0].weight is not m[0].weight
    np.testing.assert_array_equal(m2[0].weight.detach().numpy(), m[0].weight.detach().numpy())
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(gc.tensor([1, 2]))


def test_setattr_registration_and_errors_match_torch():
    torch = need_torch()
    for lib in (gc, torch):
        lin = lib.nn.Linear(2, 1)
        lin.extra = lib.nn.Parameter(lib.ones(1))
        lin.sub = lib.nn.ReLU()
        lin.plain = lib.ones(1)  # a plain tensor attribute is not registered
        assert [k for k, _ in lin.named_parameters()] == ["weight", "bias", "extra"]
        assert [k for k, _ in lin.named_children()] == ["sub"]
        del lin.extra
        assert [k for k, _ in lin.named_parameters()] == ["weight", "bias"]
    g, t = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    _same_error(lambda: setattr(g, "weight", gc.ones(1, 2)), lambda: setattr(t, "weight", torch.ones(1, 2)))
    _same_error(lambda: g.foo, lambda: t.foo)
    _same_error(lambda: g.register_buffer("b", 5), lambda: t.register_buffer("b", 5))
    _same_error(lambda: g.register_parameter("q", gc.ones(1)), lambda: t.register_parameter("q", torch.ones(1)))
    _same_error(lambda: g.add_module("m", 5), lambda: t.add_module("m", 5))
    _same_error(lambda: g.add_module("a.b", nn.ReLU()), lambda: t.add_module("a.b", torch.nn.ReLU()))
    _same_error(lambda: g.train("yes"), lambda: t.train("yes"))

    class GNoForward(nn.Module):
        pass

    class TNoForward(torch.nn.Module):
        pass
    GNoForward.__name__ = TNoForward.__name__ = "E"
    _same_error(lambda: GNoForward()(1), lambda: TNoForward()(1))

    class GEarly(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(gc.ones(1))

    class TEarly(torch.nn.Module):
        def __init__(self):
            self.w = torch.nn.Parameter(torch.ones(1))
    _same_error(GEarly, TEarly)


def test_train_eval_apply_requires_grad_zero_grad():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout(), nn.Sequential(nn.Linear(2, 1)))
    assert all(x.training for x in m.modules())
    assert m.eval() is m and not any(x.training for x in m.modules())
    m.train()
    assert m[2][0].training
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "Dropout", "Linear", "Sequential", "Sequential"]  # children first, like torch
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(gc.ones(3, 2)).sum().backward()
    grads = [p.grad for p in m.parameters()]
    assert all(g is not None for g in grads)
    m.zero_grad(set_to_none=False)
    assert all(p.grad is g and not p.grad.numpy().any() for p, g in zip(m.parameters(), grads))
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_sequential_container_protocol():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    assert list(s[1:]._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]
    s[1] = nn.Sigmoid()
    assert type(s[1]).__name__ == "Sigmoid"
    del s[0]
    assert list(s._modules) == ["0", "1"] and s[1] is c
    s.append(nn.Identity())
    s.add_module("extra", nn.ReLU())
    assert list(s._modules) == ["0", "1", "2", "extra"]


def test_buffers_follow_state_dict_and_assignment():
    m = nn.Module()
    m.register_buffer("mean", gc.zeros(2))
    m.register_buffer("tmp", gc.ones(1), persistent=False)
    m.register_buffer("none", None)
    assert list(m.state_dict()) == ["mean"]
    m.mean = gc.ones(2)
    assert m.mean.tolist() == [1.0, 1.0] and [k for k, _ in m.named_buffers()] == ["mean", "tmp"]
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'mean'"):
        m.mean = 3
    res = m.load_state_dict({"mean": gc.tensor([3.0, 4.0])})
    assert m.mean.tolist() == [3.0, 4.0] and not res.missing_keys


def test_forward_hooks_and_submodule_lookup():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    calls = []
    h = m[0].register_forward_hook(lambda mod, inp, out: calls.append(tuple(out.shape)))
    pre = m.register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    out = m(gc.ones(3, 2))
    assert calls == [(3, 2)]
    np.testing.assert_allclose(out.detach().numpy(), np.maximum(m[0].bias.detach().numpy(), 0)[None].repeat(3, 0))
    h.remove()
    pre.remove()
    m(gc.ones(1, 2))
    assert calls == [(3, 2)]
    assert m.get_submodule("1.0") is m[1][0]
    assert m.get_parameter("0.bias") is m[0].bias
