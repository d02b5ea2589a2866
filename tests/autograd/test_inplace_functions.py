"""torch's top-level in-place functions (torch.exp_(x) ...): same values, version bumps, leaf errors and
graphs as the Tensor methods, checked against torch."""
import numpy as np
import pytest

import gradcli as gc

from .helpers import exact, libs, torch

LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
ARGS = {"clamp_": (-0.5, 0.5), "clip_": (-0.5, 0.5), "clamp_min_": (0.1,), "clamp_max_": (0.1,), "fill_": (2.5,)}
POSITIVE = {"log_", "sqrt_", "rsqrt_", "log1p_", "reciprocal_", "log2_", "log10_"}
NAMES = sorted(n for n in dir(gc) if n.endswith("_") and not n.startswith("_"))


def test_names_are_torchs():
    if torch is None:
        pytest.skip("torch not installed")
    theirs = {n for n in dir(torch) if n.endswith("_") and not n.startswith("_")}
    assert set(NAMES) <= theirs
    # every torch in-place function whose method gradcli has is exported at the top level too
    assert {n for n in theirs if hasattr(gc.Tensor, n)} <= set(NAMES)


def _data(name):
    x = np.array([0.3, -0.7, 1.2])
    return np.abs(x) + 0.2 if name in POSITIVE else x


@pytest.mark.parametrize("name", [n for n in NAMES if n != "detach_"])
@pytest.mark.parametrize("m", libs())
def test_function_matches_method(m, name):
    args = ARGS.get(name, ())
    x, y = m.tensor(_data(name)), m.tensor(_data(name))
    out = getattr(m, name)(x, *args)
    getattr(y, name)(*args)
    assert out is x and x._version == 1 and y._version == 1
    np.testing.assert_allclose(x.numpy(), y.numpy())
    if torch is not None and m is gc:
        ref = torch.tensor(_data(name))
        getattr(torch, name)(ref, *args)
        np.testing.assert_allclose(x.numpy(), ref.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "detach_"])
@pytest.mark.parametrize("m", libs())
def test_function_on_a_leaf_that_requires_grad(m, name):
    x = m.tensor(_data(name), requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(LEAF)):
        getattr(m, name)(x, *ARGS.get(name, ()))


@pytest.mark.parametrize("m", libs())
def test_function_records_the_inplace_graph(m):
    x = m.tensor([0.5, -0.25], requires_grad=True)
    y = x * 2
    m.exp_(y)
    assert type(y.grad_fn).__name__ == "ExpBackward0" and y._version == 1
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.exp([1.0, -0.5]), rtol=1e-6)


@pytest.mark.parametrize("m", libs())
def test_function_modifying_a_saved_result(m):
    x = m.tensor([0.5, -0.25], requires_grad=True)
    y = x * 2
    m.exp_(y)  # ExpBackward0 saves its result, which sigmoid_ then overwrites
    m.sigmoid_(y)
    with pytest.raises(RuntimeError, match=exact(
            "one of the variables needed for gradient computation has been modified by an inplace operation: "
            "[torch.FloatTensor [2]], which is output 0 of Exp, is at version 2; expected version 1 "
            "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True, check_nan=False).")):
        y.sum().backward()


@pytest.mark.parametrize("m", libs())
def test_detach_function(m):
    y = m.ones(2, requires_grad=True) * 2
    assert m.detach_(y) is y and y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("method", ["add_", "sub_"])
@pytest.mark.parametrize("alpha", [-0.01, 0.9, 3, 1])
def test_alpha_update_in_place_keeps_the_out_of_place_bits_and_bumps_the_version(method, alpha):
    # the optimizers' `p.add_(g, alpha=-lr)` writes straight into storage (issue 13): the same bits as the
    # out-of-place op it replaces, torch's values, one version bump
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal(300).astype(np.float32), rng.standard_normal(300).astype(np.float32)
    p = gc.tensor(a.copy())
    v = p._version
    with gc.no_grad():
        assert getattr(p, method)(gc.tensor(b), alpha=alpha) is p
        ref = getattr(gc.tensor(a), method[:-1])(gc.tensor(b), alpha=alpha)
    assert p.numpy().tobytes() == ref.numpy().tobytes()
    assert p._version == v + 1
    if torch is not None:
        tp = torch.tensor(a.copy())
        with torch.no_grad():
            getattr(tp, method)(torch.tensor(b), alpha=alpha)
        np.testing.assert_allclose(p.numpy(), tp.numpy(), rtol=1e-6, atol=1e-7)
