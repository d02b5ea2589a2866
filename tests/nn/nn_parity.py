"""Helpers for comparing gradcli.nn against torch: conversions, weight copying, graph-chain names."""
import numpy as np
import pytest

import gradcli as gc


def need_torch():
    return pytest.importorskip("torch")


def to_np(x):
    """numpy value of a gradcli or torch tensor (detached)."""
    return np.array(x.detach().numpy() if hasattr(x, "detach") else x)


def gc_from_torch(t):
    return gc.tensor(t.detach().numpy().copy())


def torch_from_np(a, requires_grad=False):
    torch = need_torch()
    return torch.tensor(np.asarray(a), requires_grad=requires_grad)


def copy_weights(tmod, gmod):
    """Load torch module's state_dict into the gradcli module (through numpy), strictly."""
    gmod.load_state_dict({k: gc_from_torch(v) for k, v in tmod.state_dict().items()})


def assert_close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(to_np(actual), to_np(expected), rtol=rtol, atol=atol)


def chain(t, depth=8):
    """Nested (name, [children]) description of t.grad_fn for comparing graphs across libraries."""
    def walk(node, d):
        if node is None:
            return None
        name = type(node).__name__
        if d == 0 or not hasattr(node, "next_functions"):
            return name
        return (name, tuple(walk(n, d - 1) for n, _ in node.next_functions))
    return walk(t.grad_fn, depth)


def pair_inputs(shape, seed=0, low=-2.0, high=2.0, requires_grad=True):
    """The same float32 values as a gradcli tensor and a torch tensor."""
    torch = need_torch()
    a = np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)
    return gc.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)
