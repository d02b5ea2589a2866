"""The benchmark's workloads, each written three times: gradcli, torch (same ops, same method) and
hand-written numpy forward+backward. Every workload also has a check that runs before timing and
asserts that the implementations agree, so a fast-but-wrong engine cannot pass.

A workload builder returns a list of `Case`s. A case's `fns` map an implementation name to a
zero-argument callable (the timed unit of work); `verify()` returns printable facts and raises
AssertionError on disagreement."""
import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as TF

import gradcli as gc
from gradcli.autograd import ops as gops

F32 = np.float32


@dataclass
class Case:
    wid: str  # "W1"
    name: str  # short description of this size/variant
    unit: str  # the unit the table shows, e.g. "us/node"
    per: float  # seconds of one call -> unit: value = seconds * per
    fns: Dict[str, Callable[[], object]]
    target_ref: str  # "torch" or "numpy"
    target: float  # gradcli / ref must be <= this
    verify: Callable[[], List[str]]
    info: Dict[str, object] = field(default_factory=dict)
    info_fns: Dict[str, Callable[[], object]] = field(default_factory=dict)  # timed, not part of target
    profile_fn: Optional[Callable[[], object]] = None  # gradcli side, for --profile


def _close(name, a, b, rtol, atol):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{name}: shapes differ {a.shape} vs {b.shape}"
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    assert np.allclose(a, b, rtol=rtol, atol=atol), f"{name}: not allclose (max abs diff {diff:.3g})"
    return diff


def _gnp(t):
    return np.asarray(t._data if isinstance(t, gc.Tensor) else t)


def _tnp(t):
    return t.detach().numpy()


# ---- W1: scalar-op chain -------------------------------------------------------------------------
def _w1_gradcli(iters, use_tanh):
    x = gc.tensor(1.0, requires_grad=True)
    y = x
    if use_tanh:
        for _ in range(iters):
            y = (y * 0.5 + x).tanh()
    else:
        for _ in range(iters):
            y = y * 0.999 + x
    y.backward()
    return y, x.grad


def _w1_gradcli_fwd(iters, use_tanh):
    x = gc.tensor(1.0, requires_grad=True)
    y = x
    if use_tanh:
        for _ in range(iters):
            y = (y * 0.5 + x).tanh()
    else:
        for _ in range(iters):
            y = y * 0.999 + x
    return y, x


def _w1_torch(iters, use_tanh):
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    if use_tanh:
        for _ in range(iters):
            y = (y * 0.5 + x).tanh()
    else:
        for _ in range(iters):
            y = y * 0.999 + x
    y.backward()
    return y, x.grad


def _w1_numpy(iters, use_tanh):
    # forward keeps a tape of what the backward needs; backward walks it in reverse
    x = F32(1.0)
    y = x
    if use_tanh:
        half = F32(0.5)
        one = F32(1.0)
        tape = []
        for _ in range(iters):
            y = np.tanh(y * half + x)
            tape.append(y)
        gy = one
        gx = F32(0.0)
        for t in reversed(tape):
            gu = gy * (one - t * t)
            gx = gx + gu
            gy = gu * half
        gx = gx + gy  # the first y is x itself
    else:
        c = F32(0.999)
        for _ in range(iters):
            y = y * c + x
        # d y_n / d x = sum_k c^k plus c^n for the initial y = x, accumulated as backward would
        gy = F32(1.0)
        gx = F32(0.0)
        for _ in range(iters):
            gx = gx + gy
            gy = gy * c
        gx = gx + gy
    return y, gx


def w1(quick=False):
    cases = []
    for use_tanh in (False, True):
        ops_per_iter = 3 if use_tanh else 2
        for nodes in (1000, 10000):
            iters = nodes // ops_per_iter
            n = iters * ops_per_iter
            label = f"{'tanh ' if use_tanh else ''}chain {nodes // 1000}k nodes"

            def verify(iters=iters, use_tanh=use_tanh):
                gy, gg = _w1_gradcli(iters, use_tanh)
                ty, tg = _w1_torch(iters, use_tanh)
                ny, ng = _w1_numpy(iters, use_tanh)
                assert gy.dtype == gc.float32 and gy.shape == ()
                _close("y gradcli vs torch", _gnp(gy), _tnp(ty), 1e-4, 1e-6)
                _close("dx gradcli vs torch", _gnp(gg), _tnp(tg), 1e-4, 1e-6)
                _close("y numpy vs torch", ny, _tnp(ty), 1e-4, 1e-6)
                _close("dx numpy vs torch", ng, _tnp(tg), 1e-4, 1e-6)
                return [f"y={float(_tnp(ty)):.6g} dy/dx: gradcli {float(_gnp(gg)):.6g} torch {float(_tnp(tg)):.6g}"
                        f" numpy {float(ng):.6g}"]

            cases.append(Case(
                "W1", label, "us/node", 1e6 / n,
                {"gradcli": lambda i=iters, t=use_tanh: _w1_gradcli(i, t),
                 "torch": lambda i=iters, t=use_tanh: _w1_torch(i, t),
                 "numpy": lambda i=iters, t=use_tanh: _w1_numpy(i, t)},
                "torch", 0.5, verify, info={"nodes": n, "iters": iters},
                profile_fn=lambda i=iters, t=use_tanh: _w1_gradcli(i, t)))
    return cases


# ---- W2: MLP training step -----------------------------------------------------------------------
def _linear_init(rng, out_f, in_f):
    bound = 1 / math.sqrt(in_f)
    return (rng.uniform(-bound, bound, (out_f, in_f)).astype(F32),
            rng.uniform(-bound, bound, (out_f,)).astype(F32))


def _gc_nll(logp, target):
    # gradcli.nn may not exist yet: use the op table's nll_loss (what torch's cross_entropy runs after
    # log_softmax); fall back to picking the target entries by indexing
    if "nll_loss" in gops.T:
        return gops.apply(gops.T["nll_loss"], (logp,), (target, None, "mean", -100))
    return -logp[gc.arange(logp.shape[0]), target].mean()


def _gc_bce(p, y):
    return gops.apply(gops.T["binary_cross_entropy"], (p, y), (None, "mean"))


class _W2Data:
    def __init__(self, seed=0, n=256, d_in=784, d_h=256, d_out=10):
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((n, d_in)).astype(F32)
        self.y = rng.integers(0, d_out, n).astype(np.int64)
        w1_, b1_ = _linear_init(rng, d_h, d_in)
        w2_, b2_ = _linear_init(rng, d_out, d_h)
        self.params = [w1_, b1_, w2_, b2_]


LR = 0.01


class _W2Gradcli:
    def __init__(self, data):
        self.x = gc.tensor(data.x)
        self.y = gc.tensor(data.y)
        self.params = [gc.tensor(p.copy(), requires_grad=True) for p in data.params]

    def forward(self):
        w1_, b1_, w2_, b2_ = self.params
        h = gc.addmm(b1_, self.x, w1_.t()).relu()
        z = gc.addmm(b2_, h, w2_.t())
        return _gc_nll(gc.log_softmax(z, 1), self.y)

    def step(self):
        loss = self.forward()
        loss.backward()
        with gc.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None
        return loss


class _W2Torch:
    def __init__(self, data):
        self.x = torch.from_numpy(data.x)
        self.y = torch.from_numpy(data.y)
        self.params = [torch.tensor(p.copy(), requires_grad=True) for p in data.params]

    def forward(self):
        w1_, b1_, w2_, b2_ = self.params
        h = torch.addmm(b1_, self.x, w1_.t()).relu()
        z = torch.addmm(b2_, h, w2_.t())
        return TF.nll_loss(TF.log_softmax(z, 1), self.y)

    def step(self):
        loss = self.forward()
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None
        return loss


class _W2Numpy:
    def __init__(self, data):
        self.x, self.y = data.x, data.y
        self.params = [p.copy() for p in data.params]
        self.n = data.x.shape[0]
        self.rows = np.arange(self.n)

    def grads(self):
        w1_, b1_, w2_, b2_ = self.params
        x, y, n = self.x, self.y, self.n
        hp = x @ w1_.T + b1_
        h = np.maximum(hp, 0)
        z = h @ w2_.T + b2_
        s = z - z.max(axis=1, keepdims=True)
        e = np.exp(s)
        se = e.sum(axis=1, keepdims=True)
        logp = s - np.log(se)
        loss = -logp[self.rows, y].mean()
        dz = e / se
        dz[self.rows, y] -= 1
        dz *= F32(1.0 / n)
        dw2 = dz.T @ h
        db2 = dz.sum(axis=0)
        dh = dz @ w2_
        dh[hp <= 0] = 0
        dw1 = dh.T @ x
        db1 = dh.sum(axis=0)
        return loss, [dw1, db1, dw2, db2]

    def step(self):
        loss, grads = self.grads()
        for p, g in zip(self.params, grads):
            p -= F32(LR) * g
        return loss


def w2(quick=False):
    data = _W2Data()
    g_model, t_model, n_model = _W2Gradcli(data), _W2Torch(data), _W2Numpy(data)

    def verify():
        g, t, n = _W2Gradcli(data), _W2Torch(data), _W2Numpy(data)
        gl, tl = g.forward(), t.forward()
        gl.backward()
        tl.backward()
        nl, ngrads = n.grads()
        out = [f"loss step 0: gradcli {float(_gnp(gl)):.6f} torch {float(_tnp(tl)):.6f} numpy {float(nl):.6f}"]
        _close("loss gradcli vs torch", _gnp(gl), _tnp(tl), 1e-5, 1e-6)
        _close("loss numpy vs torch", nl, _tnp(tl), 1e-5, 1e-6)
        names = ("W1", "b1", "W2", "b2")
        worst = 0.0
        for nm, gp, tp, ng in zip(names, g.params, t.params, ngrads):
            worst = max(worst, _close(f"grad {nm} gradcli vs torch", _gnp(gp.grad), _tnp(tp.grad), 1e-4, 1e-6))
            _close(f"grad {nm} numpy vs torch", ng, _tnp(tp.grad), 1e-4, 1e-6)
        # then a few full steps (update included) must still agree
        for p in g.params + t.params:
            p.grad = None
        for _ in range(3):
            gl, tl, nl = g.step(), t.step(), n.step()
        for nm, gp, tp, npp in zip(names, g.params, t.params, n.params):
            _close(f"param {nm} after 3 steps gradcli vs torch", _gnp(gp), _tnp(tp), 1e-4, 1e-6)
            _close(f"param {nm} after 3 steps numpy vs torch", npp, _tnp(tp), 1e-4, 1e-6)
        out.append(f"grads agree (max |gradcli-torch| {worst:.2g}); params agree after 3 SGD steps")
        return out

    return [Case("W2", "MLP step b256 784-256-10", "ms/step", 1e3,
                 {"gradcli": g_model.step, "torch": t_model.step, "numpy": n_model.step},
                 "torch", 1.05, verify, profile_fn=g_model.step)]


# ---- W3: the seed's logistic regression ----------------------------------------------------------
MOM = 0.9


class _W3Data:
    """Two Gaussian blobs of 100 points, 2 features, means +-1.7 around bias 1, std 1 (the seed's)."""

    def __init__(self, seed=1):
        rng = np.random.default_rng(seed)
        n, mean, bias = 100, 1.7, 1.0
        x0 = rng.normal(mean, 1.0, (n, 2)) + bias
        x1 = rng.normal(-mean, 1.0, (n, 2)) + bias
        self.x = np.concatenate([x0, x1]).astype(F32)
        self.y = np.concatenate([np.zeros(n), np.ones(n)]).astype(F32)
        bound = 1 / math.sqrt(2)  # nn.Linear(2, 1)'s default init range
        self.w = rng.uniform(-bound, bound, (1, 2)).astype(F32)
        self.b = rng.uniform(-bound, bound, (1,)).astype(F32)


def _w3_gradcli(data, iters):
    x, y = gc.tensor(data.x), gc.tensor(data.y)
    w = gc.tensor(data.w.copy(), requires_grad=True)
    b = gc.tensor(data.b.copy(), requires_grad=True)
    params, bufs = [w, b], [None, None]
    loss = None
    for _ in range(iters):
        p = gc.addmm(b, x, w.t()).sigmoid().squeeze()
        loss = _gc_bce(p, y)
        loss.backward()
        with gc.no_grad():
            for i, q in enumerate(params):
                g = q.grad
                if bufs[i] is None:
                    bufs[i] = g.clone()
                else:
                    bufs[i].mul_(MOM).add_(g)
                q -= LR * bufs[i]
                q.grad = None
    return loss, w, b


def _w3_torch(data, iters):
    x, y = torch.from_numpy(data.x), torch.from_numpy(data.y)
    w = torch.tensor(data.w.copy(), requires_grad=True)
    b = torch.tensor(data.b.copy(), requires_grad=True)
    params, bufs = [w, b], [None, None]
    loss = None
    for _ in range(iters):
        p = torch.addmm(b, x, w.t()).sigmoid().squeeze()
        loss = TF.binary_cross_entropy(p, y)
        loss.backward()
        with torch.no_grad():
            for i, q in enumerate(params):
                g = q.grad
                if bufs[i] is None:
                    bufs[i] = g.clone()
                else:
                    bufs[i].mul_(MOM).add_(g)
                q -= LR * bufs[i]
                q.grad = None
    return loss, w, b


def _w3_torch_seed(data, iters):
    """The seed's own code: nn.Sequential(Linear, Sigmoid), BCELoss, optim.SGD(momentum=0.9)."""
    x, y = torch.from_numpy(data.x), torch.from_numpy(data.y)
    net = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(data.w))
        net[0].bias.copy_(torch.from_numpy(data.b))
    loss_fn = torch.nn.BCELoss()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOM)
    loss = None
    for _ in range(iters):
        loss = loss_fn(net(x).squeeze(), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss, net[0].weight, net[0].bias


def _w3_gradcli_seed(data, iters):
    """The seed's own code on gradcli: nn.Sequential(Linear, Sigmoid), BCELoss, optim.SGD(momentum=0.9)."""
    x, y = gc.tensor(data.x), gc.tensor(data.y)
    net = gc.nn.Sequential(gc.nn.Linear(2, 1), gc.nn.Sigmoid())
    with gc.no_grad():
        net[0].weight.copy_(gc.tensor(data.w))
        net[0].bias.copy_(gc.tensor(data.b))
    loss_fn = gc.nn.BCELoss()
    opt = gc.optim.SGD(net.parameters(), lr=LR, momentum=MOM)
    loss = None
    for _ in range(iters):
        loss = loss_fn(net(x).squeeze(), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss, net[0].weight, net[0].bias


def _w3_numpy(data, iters):
    x, y = data.x, data.y
    w, b = data.w.copy(), data.b.copy()
    vw = vb = None
    n = x.shape[0]
    lr, mom = F32(LR), F32(MOM)
    loss = None
    for _ in range(iters):
        z = (x @ w.T + b)[:, 0]
        p = 1 / (1 + np.exp(-z))
        loss = -np.mean(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
        dz = (p - y) * F32(1.0 / n)  # d BCE(sigmoid(z)) / dz, mean reduction
        gw = (dz @ x)[None, :]
        gb = np.array([dz.sum()], F32)
        if vw is None:
            vw, vb = gw.copy(), gb.copy()
        else:
            vw = vw * mom + gw
            vb = vb * mom + gb
        w -= lr * vw
        b -= lr * vb
    return loss, w, b


def w3(quick=False):
    data = _W3Data()
    iters = 1000

    def verify():
        gl, gw, gb = _w3_gradcli(data, iters)
        tl, tw, tb = _w3_torch(data, iters)
        sl, sw, sb = _w3_torch_seed(data, iters)
        hl, hw, hb = _w3_gradcli_seed(data, iters)
        nl, nw, nb = _w3_numpy(data, iters)
        _close("final loss gradcli(nn+optim) vs torch(nn+optim)", float(_gnp(hl)), float(_tnp(sl)), 1e-4, 1e-6)
        gl_, tl_, sl_, nl_ = float(_gnp(gl)), float(_tnp(tl)), float(_tnp(sl)), float(nl)
        _close("final loss gradcli vs torch", gl_, tl_, 1e-4, 1e-6)
        _close("final loss torch(nn+optim) vs torch", sl_, tl_, 1e-4, 1e-6)
        _close("final loss numpy vs torch", nl_, tl_, 1e-4, 1e-6)
        _close("final w gradcli vs torch", _gnp(gw), _tnp(tw), 1e-4, 1e-5)
        _close("final b gradcli vs torch", _gnp(gb), _tnp(tb), 1e-4, 1e-5)
        _close("final w numpy vs torch", nw, _tnp(tw), 1e-4, 1e-5)
        # the two blobs are separable: the model has to have learnt something
        z = (data.x @ _tnp(tw).T + _tnp(tb))[:, 0]
        acc = float(((z > 0) == (data.y > 0.5)).mean())
        return [f"final loss after {iters} iters: gradcli {gl_:.7f}  torch {tl_:.7f}  "
                f"torch(nn+optim) {sl_:.7f}  numpy {nl_:.7f}  (|gradcli-torch| {abs(gl_ - tl_):.2g}); "
                f"train accuracy {acc:.3f}"]

    # two cases: the seed's own program (nn + optim) in both libraries, and the same model as a
    # hand-written loop (raw ops, manual momentum) in both; numpy is the hand-derived reference
    return [Case("W3", "seed program (nn+optim) 1000 it", "ms/run", 1e3,
                 {"gradcli": lambda: _w3_gradcli_seed(data, iters), "torch": lambda: _w3_torch_seed(data, iters),
                  "numpy": lambda: _w3_numpy(data, iters)},
                 "torch", 0.5, verify, profile_fn=lambda: _w3_gradcli_seed(data, iters)),
            Case("W3", "hand-written loop 1000 it", "ms/run", 1e3,
                 {"gradcli": lambda: _w3_gradcli(data, iters), "torch": lambda: _w3_torch(data, iters),
                  "numpy": lambda: _w3_numpy(data, iters)},
                 "torch", 0.5, lambda: [], profile_fn=lambda: _w3_gradcli(data, iters))]


# ---- W4: Hessian by double backward --------------------------------------------------------------
class _W4Data:
    def __init__(self, seed=4, n=100):
        rng = np.random.default_rng(seed)
        self.a = (rng.standard_normal((n, n)) / math.sqrt(n)).astype(F32)
        self.x = rng.standard_normal(n).astype(F32)
        self.n = n


def _w4_gradcli(data):
    a = gc.tensor(data.a)
    x = gc.tensor(data.x, requires_grad=True)
    f = (gc.matmul(a, x).tanh() ** 2).sum()
    g = gc.autograd.grad(f, x, create_graph=True)[0]
    rows = [gc.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(data.n)]
    return gc.stack(rows)


def _w4_torch(data):
    a = torch.from_numpy(data.a)
    x = torch.tensor(data.x, requires_grad=True)
    f = (torch.matmul(a, x).tanh() ** 2).sum()
    g = torch.autograd.grad(f, x, create_graph=True)[0]
    rows = [torch.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(data.n)]
    return torch.stack(rows)


def _w4_numpy(data):
    # f = sum(tanh(u)^2), u = A x:  f''(u) = 2 (1 - t^2)(1 - 3 t^2),  H = A^T diag(f''(u)) A
    a = data.a
    t = np.tanh(a @ data.x)
    t2 = t * t
    d2 = 2 * (1 - t2) * (1 - 3 * t2)
    return (a.T * d2) @ a


def w4(quick=False):
    data = _W4Data()

    def verify():
        hg, ht, hn = _gnp(_w4_gradcli(data)), _tnp(_w4_torch(data)), _w4_numpy(data)
        d1 = _close("Hessian gradcli vs torch", hg, ht, 1e-4, 1e-5)
        d2 = _close("Hessian numpy vs torch", hn, ht, 1e-4, 1e-5)
        d3 = float(np.max(np.abs(hg - hg.T)))
        assert d3 < 1e-5, f"gradcli Hessian not symmetric ({d3:.3g})"
        return [f"Hessian max |gradcli-torch| {d1:.3g}, max |numpy-torch| {d2:.3g}, "
                f"gradcli asymmetry {d3:.3g}, max |H| {float(np.max(np.abs(ht))):.3g}"]

    return [Case("W4", "Hessian 100x100 double bwd", "ms/hessian", 1e3,
                 {"gradcli": lambda: _w4_gradcli(data), "torch": lambda: _w4_torch(data),
                  "numpy": lambda: _w4_numpy(data)},
                 "torch", 0.75, verify, profile_fn=lambda: _w4_gradcli(data))]


# ---- W5: big elementwise fwd+bwd -----------------------------------------------------------------
def w5(quick=False):
    cases = []
    for n in (10**6, 10**7):
        rng = np.random.default_rng(5)
        xd = rng.standard_normal(n).astype(F32)
        gx = gc.tensor(xd, requires_grad=True)
        tx = torch.tensor(xd, requires_grad=True)

        def g_run(gx=gx):
            gx.grad = None
            f = (gx.sigmoid() * gx).sum()
            f.backward()
            return f, gx.grad

        def t_run(tx=tx):
            tx.grad = None
            f = (tx.sigmoid() * tx).sum()
            f.backward()
            return f, tx.grad

        def n_run(xd=xd):
            s = 1 / (1 + np.exp(-xd))
            f = (s * xd).sum()
            grad = s + xd * s * (1 - s)
            return f, grad

        def verify(g_run=g_run, t_run=t_run, n_run=n_run):
            gf, gg = g_run()
            tf, tg = t_run()
            nf, ng = n_run()
            _close("f gradcli vs torch", _gnp(gf), _tnp(tf), 1e-4, 1e-3)
            _close("f numpy vs torch", nf, _tnp(tf), 1e-4, 1e-3)
            d = _close("grad gradcli vs torch", _gnp(gg), _tnp(tg), 1e-5, 1e-6)
            _close("grad numpy vs torch", ng, _tnp(tg), 1e-5, 1e-6)
            assert _gnp(gg).dtype == np.float32, "gradcli grad is not float32"
            return [f"f: gradcli {float(_gnp(gf)):.7g} torch {float(_tnp(tf)):.7g} numpy {float(nf):.7g}; "
                    f"grad max |gradcli-torch| {d:.2g}"]

        info = {}
        if n == 10**7:  # peak memory over the input's size, traced (numpy reports its buffers to tracemalloc)
            info["peak/input gradcli"] = round(_peak(g_run) / xd.nbytes, 2)
            info["peak/input numpy"] = round(_peak(n_run) / xd.nbytes, 2)
            info["peak target"] = "gradcli <= 1.3x numpy's"
        cases.append(Case("W5", f"sum(sigmoid(x)*x) 1e{int(math.log10(n))}", "ms/call", 1e3,
                          {"gradcli": g_run, "torch": t_run, "numpy": n_run},
                          "numpy", 1.2 if n == 10**6 else 1.1, verify, info=info, profile_fn=g_run))
    return cases


def _peak(fn):
    import gc as pygc
    import tracemalloc
    pygc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


# ---- W6: the 10^6-node chain (what a long training loop or an unrolled recurrence builds) ------------
def w6(quick=False):
    iters = 500_000  # y = y * c + x: two nodes per iteration

    def verify():
        gy, gg = _w1_gradcli(iters, False)
        ty, tg = _w1_torch(iters, False)
        _close("y gradcli vs torch", _gnp(gy), _tnp(ty), 1e-4, 1e-6)
        _close("dx gradcli vs torch", _gnp(gg), _tnp(tg), 1e-3, 1e-4)
        return [f"dy/dx: gradcli {float(_gnp(gg)):.6g} torch {float(_tnp(tg)):.6g}"]

    return [Case("W6", "chain 1e6 nodes fwd+bwd", "s/run", 1.0,
                 {"gradcli": lambda: _w1_gradcli(iters, False), "torch": lambda: _w1_torch(iters, False)},
                 "torch", 1.0, verify, info={"nodes": 2 * iters}, profile_fn=lambda: _w1_gradcli(iters, False))]


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}
