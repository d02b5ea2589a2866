"""Repeated autograd.grad on one retained graph from new roots (a Hessian or Jacobian row by row) reuses the
walk of the graph kept on the node under the roots (issue 13). The results must be those of a fresh walk,
for every mix of targets, and the kept walk must not keep the graph alive."""
import gc as pygc
import weakref

import numpy as np
import pytest

import gradcli as gc
from gradcli.autograd import engine

torch = pytest.importorskip("torch")


def _hessian(lib, a, x0):
    A = lib.tensor(a)
    x = lib.tensor(x0, requires_grad=True)
    f = (lib.tanh(A @ x) ** 2).sum()
    g = lib.autograd.grad(f, x, create_graph=True)[0]
    return np.stack([lib.autograd.grad(g[i], x, retain_graph=True)[0].detach().numpy() for i in range(len(x0))])


def test_hessian_rows_match_torch_and_walk_once(monkeypatch):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((12, 12)) / 3).astype(np.float32)
    x0 = rng.standard_normal(12).astype(np.float32)
    walks = []
    real = engine._collect
    monkeypatch.setattr(engine, "_collect", lambda roots: walks.append(1) or real(roots))
    ours = _hessian(gc, a, x0)
    np.testing.assert_allclose(ours, _hessian(torch, a, x0), rtol=1e-5, atol=1e-6)
    # the create_graph call walks f's graph twice (once in full, once under its root); the 12 rows walk g's once
    assert len(walks) <= 3


def test_each_target_set_gets_its_own_answer():
    x = gc.tensor([1.0, 2.0], requires_grad=True)
    w = gc.tensor([3.0, -1.0], requires_grad=True)
    u = gc.tensor([0.5, 0.5], requires_grad=True)
    tx, tw, tu = (torch.tensor(t.detach().numpy(), requires_grad=True) for t in (x, w, u))
    h, th = x * w + x.exp(), tx * tw + tx.exp()
    unused_ours = (u * 2).sum()  # u is in no path from h
    for i in range(2):
        for inputs, tinputs in (((x,), (tx,)), ((w,), (tw,)), ((x, w), (tx, tw)), ((w, x), (tw, tx))):
            ours = gc.autograd.grad(h[i], inputs, retain_graph=True)
            ref = torch.autograd.grad(th[i], tinputs, retain_graph=True)
            for o, r in zip(ours, ref):
                np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-6)
        got = gc.autograd.grad(h[i], (x, u), retain_graph=True, allow_unused=True)
        assert got[1] is None
        np.testing.assert_allclose(got[0].numpy(), torch.autograd.grad(th[i], tx, retain_graph=True)[0].numpy())
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            gc.autograd.grad(h[i], u, retain_graph=True)
    assert unused_ours.requires_grad


def test_node_under_the_roots_may_be_a_target():
    x = gc.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 3  # the root's child is y's node; asking for y's gradient targets that node itself
    for i in range(3):
        g = gc.autograd.grad(y[i], y, retain_graph=True)[0]
        np.testing.assert_array_equal(g.numpy(), np.eye(3, dtype=np.float32)[i])
        gx = gc.autograd.grad(y[i], x, retain_graph=True)[0]
        np.testing.assert_array_equal(gx.numpy(), 3 * np.eye(3, dtype=np.float32)[i])


def test_backward_with_retained_graph_accumulates_like_torch():
    x = gc.tensor([1.0, -2.0], requires_grad=True)
    tx = torch.tensor([1.0, -2.0], requires_grad=True)
    y, ty = (x.sin() * x).sum() * 2, (tx.sin() * tx).sum() * 2
    for _ in range(3):
        y.backward(retain_graph=True)
        ty.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


def test_kept_walk_does_not_keep_the_graph_alive():
    was = pygc.isenabled()
    pygc.disable()  # reference counting alone must free it: the kept walk makes no cycle
    try:
        x = gc.tensor(np.ones(5, dtype=np.float32), requires_grad=True)
        y = (x.sin() * x).cumsum(0)
        node = weakref.ref(y.grad_fn)
        below = weakref.ref(y.grad_fn.next_functions[0][0])
        for i in range(5):
            gc.autograd.grad(y[i], x, retain_graph=True)
        assert "plan" in (y.grad_fn._x or {})  # the walk was kept on the node under the roots
        del y
        assert node() is None and below() is None
    finally:
        if was:
            pygc.enable()


def _rows(x, y, n):
    return [gc.autograd.grad(y[i], x, retain_graph=True)[0].numpy().copy() for i in range(n)]


def test_rows_after_the_first_follow_its_order_and_give_the_same_numbers(monkeypatch):
    # the first row records the order it ran the nodes in; later rows follow it without the heap
    rng = np.random.default_rng(1)
    a, x0 = rng.standard_normal((6, 6)).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    x = gc.tensor(x0, requires_grad=True)
    g = gc.autograd.grad((gc.tanh(gc.tensor(a) @ x) ** 2).sum(), x, create_graph=True)[0]
    pops = []
    real_pop = engine.heapq.heappop
    monkeypatch.setattr(engine.heapq, "heappop", lambda h: pops.append(1) or real_pop(h))
    first = gc.autograd.grad(g[0], x, retain_graph=True)[0].numpy().copy()
    used_heap = len(pops)
    again = [gc.autograd.grad(g[0], x, retain_graph=True)[0].numpy() for _ in range(3)]
    assert used_heap > 2 and len(pops) == used_heap  # the repeats never touched the heap
    for r in again:
        np.testing.assert_array_equal(r, first)
    tx = torch.tensor(x0, requires_grad=True)
    tg = torch.autograd.grad((torch.tanh(torch.tensor(a) @ tx) ** 2).sum(), tx, create_graph=True)[0]
    ours = _rows(x, g, 6)
    for i in range(6):
        np.testing.assert_allclose(ours[i], torch.autograd.grad(tg[i], tx, retain_graph=True)[0].numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_hooks_added_between_rows_run_on_the_followed_order():
    x = gc.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    y = h * 3
    _rows(x, y, 3)  # the order is known from here on
    seen = []
    h.register_hook(lambda grad: seen.append(grad.numpy().copy()) or grad * 10)
    got = gc.autograd.grad(y[1], x, retain_graph=True)[0]
    np.testing.assert_array_equal(got.numpy(), [0.0, 120.0, 0.0])  # 3 * 10 * 2x at x=2
    np.testing.assert_array_equal(seen[0], [0.0, 3.0, 0.0])


def test_a_failed_first_row_keeps_no_order():
    x = gc.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = h * 2
    handle = h.register_hook(lambda grad: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        gc.autograd.grad(y[0], x, retain_graph=True)
    handle.remove()
    plan = (y.grad_fn._x or {}).get("plan")  # kept on y's node, the one under each row's root
    assert plan is not None and all(entry[1] is None for entry in plan[1].values())
    for i in range(2):
        np.testing.assert_allclose(gc.autograd.grad(y[i], x, retain_graph=True)[0].numpy(),
                                   2 * np.exp([1.0, 2.0]) * np.eye(2)[i], rtol=1e-6)


def test_observers_see_the_same_steps_on_a_followed_order():
    from gradcli.autograd.observer import BackwardStep, observe
    x = gc.tensor([0.5, -1.0], requires_grad=True)
    y = (x.sin() * x).exp()
    runs = []
    for i in (0, 1, 0):
        events = []
        with observe(events.append):
            gc.autograd.grad(y[i], x, retain_graph=True)
        runs.append([e.node.name() for e in events if isinstance(e, BackwardStep)])
    assert runs[0] == runs[1] == runs[2] and runs[0][0] == "SelectBackward0"
