"""Anomaly detection: the enabling warning, NaN in backward pointing at the forward line, and NaN by masking."""
import warnings

import pytest

from .helpers import exact, libs

ENABLED = ("Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for "
           "debugging.")


def _sqrt_at_zero(m):
    x = m.tensor([0., 1.], requires_grad=True)
    y = (x.sqrt() * 0).sum()  # FORWARD-LINE: 0 * (1 / (2 * sqrt(0))) = 0 * inf = nan
    return x, y


def _messages(rec):
    return [str(r.message) for r in rec]


@pytest.mark.parametrize("m", libs())
def test_entering_detect_anomaly_warns(m):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            pass
    assert _messages(rec) == [ENABLED]
    assert rec[0].category is UserWarning


@pytest.mark.parametrize("m", libs())
def test_nan_in_backward_raises_and_names_the_node(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            x, y = _sqrt_at_zero(m)
            with pytest.raises(RuntimeError, match=exact("Function 'SqrtBackward0' returned nan values in its 0th "
                                                         "output.")):
                y.backward()


@pytest.mark.parametrize("m", libs())
def test_nan_warning_points_at_the_forward_call(m):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            x, y = _sqrt_at_zero(m)
            with pytest.raises(RuntimeError):
                y.backward()
    msgs = _messages(rec)
    assert msgs[0] == ENABLED
    trace = msgs[1]
    assert trace.startswith("Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n")
    assert __file__ in trace and "in _sqrt_at_zero" in trace
    assert "y = (x.sqrt() * 0).sum()  # FORWARD-LINE" in trace


@pytest.mark.parametrize("m", libs())
def test_nan_in_second_output_is_numbered(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            x = m.tensor([0.], requires_grad=True)
            y = (x / x).sum()
            with pytest.raises(RuntimeError, match=exact("Function 'DivBackward0' returned nan values in its 1th "
                                                         "output.")):
                y.backward()


@pytest.mark.parametrize("m", libs())
def test_without_anomaly_mode_nan_flows_silently(m):
    x, y = _sqrt_at_zero(m)
    y.backward()
    assert str(x.grad) == "tensor([nan, 0.])"


@pytest.mark.parametrize("m", libs())
def test_check_nan_false_does_not_raise(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly(check_nan=False):
            x, y = _sqrt_at_zero(m)
            y.backward()
    assert str(x.grad) == "tensor([nan, 0.])"


@pytest.mark.parametrize("m", libs())
def test_set_detect_anomaly_as_context(m):
    with m.autograd.set_detect_anomaly(True):
        x, y = _sqrt_at_zero(m)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError, match="^Function 'SqrtBackward0' returned nan values"):
                y.backward()
    x, y = _sqrt_at_zero(m)
    y.backward()  # restored: off again


@pytest.mark.parametrize("m", libs())
def test_is_anomaly_enabled(m):
    assert m.is_anomaly_enabled() is False
    m.autograd.set_detect_anomaly(True)
    try:
        assert m.is_anomaly_enabled() is True
    finally:
        m.autograd.set_detect_anomaly(False)
    assert m.is_anomaly_enabled() is False


@pytest.mark.parametrize("m", libs())
def test_anomaly_mode_is_restored_after_an_error(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError):
            with m.autograd.detect_anomaly():
                x, y = _sqrt_at_zero(m)
                y.backward()
    x, y = _sqrt_at_zero(m)
    y.backward()
    assert str(x.grad) == "tensor([nan, 0.])"


@pytest.mark.parametrize("m", libs())
def test_any_backward_error_is_traced_in_anomaly_mode(m):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            x = m.tensor([1.], requires_grad=True)
            y = x * 2
            y.backward()
            with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
                y.backward()
    assert any(msg.startswith("Error detected in MulBackward0.") for msg in _messages(rec))


@pytest.mark.parametrize("m", libs())
def test_log_of_negative_is_not_a_backward_nan(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            x = m.tensor([-1.], requires_grad=True)
            x.log().backward()  # the forward is nan, the gradient 1/x is finite
    assert x.grad.tolist() == [-1.]


@pytest.mark.parametrize("m", libs())
def test_nan_by_masking_in_where(m):
    """where(a<=0, exp(a), 1+a) at a=100: value 101, but exp(100)=inf times a zero mask gives a nan gradient."""
    a = m.tensor([100.], requires_grad=True)
    y = m.where(a <= 0, m.exp(a), 1 + a)
    y.backward()
    assert str(y) == "tensor([101.], grad_fn=<WhereBackward0>)"
    assert str(a.grad) == "tensor([nan])"


@pytest.mark.parametrize("m", libs())
def test_nan_by_masking_is_caught_by_anomaly_mode(m):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with m.autograd.detect_anomaly():
            a = m.tensor([100.], requires_grad=True)
            y = m.where(a <= 0, m.exp(a), 1 + a)
            with pytest.raises(RuntimeError, match=exact("Function 'ExpBackward0' returned nan values in its 0th "
                                                         "output.")):
                y.backward()
