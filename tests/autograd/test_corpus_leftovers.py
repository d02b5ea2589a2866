"""Behaviours the tutorial corpus found missing: inference tensors, float()'s warning on a tensor that
requires grad, numpy's axis= spelling on cumsum/softmax. Each case runs once per library (torch when installed)."""
import warnings

import pytest

from .helpers import libs


@pytest.mark.parametrize("lib", libs())
def test_tensors_made_in_inference_mode_are_inference_tensors(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        y = x * x
        z = lib.ones(2)
        w = y + 1
        assert lib.is_inference_mode_enabled()
    assert [t.is_inference() for t in (x, y, z, w)] == [False, True, True, True]
    assert not y.requires_grad and not lib.is_inference_mode_enabled()
    with lib.no_grad():
        assert not (x * 2).is_inference()  # no_grad is not inference mode
    with lib.inference_mode(False):
        assert not (x * 2).is_inference() and (x * 2).requires_grad


@pytest.mark.parametrize("lib", libs())
def test_float_of_a_tensor_that_requires_grad_warns_once_per_call(lib):
    t = lib.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(t) == 2.0
        int(t), t.item(), bool(t), float(t.detach())  # noqa: B018  (none of these warn)
    messages = [str(w.message).split(" (Triggered")[0] for w in caught]
    assert messages == ["Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                        "behavior.\nConsider using tensor.detach() first."]
    assert caught[0].filename == __file__  # attributed to the caller's line


@pytest.mark.parametrize("lib", libs())
def test_axis_spelling_of_cumsum_and_softmax(lib):
    a = lib.arange(6.0).reshape(2, 3)
    assert a.cumsum(axis=0).tolist() == a.cumsum(0).tolist() == [[0.0, 1.0, 2.0], [3.0, 5.0, 7.0]]
    assert lib.cumsum(a, axis=1).tolist() == [[0.0, 1.0, 3.0], [3.0, 7.0, 12.0]]
    assert a.softmax(axis=1).tolist() == a.softmax(1).tolist()
    assert a.log_softmax(axis=0).tolist() == a.log_softmax(0).tolist()
    with pytest.raises(TypeError, match='cumsum\\(\\) missing 1 required positional arguments: "dim"'):
        a.cumsum()
