"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode — as contexts, decorators and functions."""
import threading

import pytest

from .helpers import exact, libs


@pytest.mark.parametrize("m", libs())
def test_no_grad_result_is_a_plain_leaf(m):
    w = m.ones(2, requires_grad=True)
    with m.no_grad():
        y = w * 2 + 1
    assert (y.requires_grad, y.is_leaf, y.grad_fn) == (False, True, None)
    assert w.requires_grad  # the inputs keep their flag


@pytest.mark.parametrize("m", libs())
def test_no_grad_state_is_restored(m):
    assert m.is_grad_enabled()
    with m.no_grad():
        assert not m.is_grad_enabled()
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_no_grad_restored_after_an_exception(m):
    with pytest.raises(ZeroDivisionError):
        with m.no_grad():
            1 / 0
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_enable_grad_inside_no_grad(m):
    w = m.ones(2, requires_grad=True)
    with m.no_grad():
        with m.enable_grad():
            y = w * 2
        z = w * 2
    assert type(y.grad_fn).__name__ == "MulBackward0" and z.grad_fn is None


@pytest.mark.parametrize("m", libs())
def test_nested_no_grad(m):
    with m.no_grad():
        with m.no_grad():
            pass
        assert not m.is_grad_enabled()
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_set_grad_enabled_as_context(m):
    w = m.ones(2, requires_grad=True)
    with m.set_grad_enabled(False):
        y = w * 2
    with m.set_grad_enabled(True):
        z = w * 2
    assert y.grad_fn is None and z.grad_fn is not None and m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_set_grad_enabled_as_function(m):
    try:
        m.set_grad_enabled(False)
        assert not m.is_grad_enabled()
        assert (m.ones(1, requires_grad=True) * 2).grad_fn is None
    finally:
        m.set_grad_enabled(True)
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_no_grad_decorator_with_parentheses(m):
    @m.no_grad()
    def f(x):
        return x * 2

    assert f(m.ones(1, requires_grad=True)).grad_fn is None
    assert f.__name__ == "f" and m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_enable_grad_decorator_under_no_grad(m):
    @m.enable_grad()
    def f(x):
        return x * 2

    with m.no_grad():
        y = f(m.ones(1, requires_grad=True))
    assert y.grad_fn is not None


@pytest.mark.parametrize("m", libs())
def test_set_grad_enabled_decorator(m):
    @m.set_grad_enabled(False)
    def f():
        return m.is_grad_enabled()

    assert m.is_grad_enabled()  # the decorator itself does not leave grad mode off
    assert f() is False and m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_bare_decorators(m):
    def g():
        return m.is_grad_enabled()

    assert m.no_grad(g)() is False
    assert m.enable_grad(g)() is True


@pytest.mark.parametrize("m", libs(gc_xfail="@no_grad() on a generator function: gradcli disables grad only while the "
                                   "generator object is created, so the body runs with grad enabled; torch disables it "
                                   "inside the body and restores it between yields"))
def test_no_grad_decorated_generator(m):
    @m.no_grad()
    def gen():
        yield m.is_grad_enabled()
        yield m.is_grad_enabled()

    it = gen()
    first = next(it)
    between = m.is_grad_enabled()
    second = next(it)
    assert (first, between, second) == (False, True, False)


@pytest.mark.parametrize("m", libs())
def test_no_grad_inside_a_generator_body(m):
    def gen():
        with m.no_grad():
            yield m.is_grad_enabled()
        yield m.is_grad_enabled()

    assert list(gen()) == [False, True]


@pytest.mark.parametrize("m", libs())
def test_requires_grad_leaf_can_be_made_under_no_grad(m):
    with m.no_grad():
        x = m.ones(2, requires_grad=True)
        y = x * 2
    assert x.requires_grad and not y.requires_grad


@pytest.mark.parametrize("m", libs(gc_xfail="grad mode is process-global in gradcli; torch's is thread-local (a thread "
                                   "started inside no_grad() has grad enabled)"))
def test_grad_mode_is_thread_local(m):
    seen = []
    with m.no_grad():
        th = threading.Thread(target=lambda: seen.append(m.is_grad_enabled()))
        th.start()
        th.join()
    assert seen == [True]


@pytest.mark.parametrize("m", libs())
def test_inference_mode_disables_grad(m):
    w = m.ones(2, requires_grad=True)
    with m.inference_mode():
        t = w * 2
        assert not m.is_grad_enabled()
    assert not t.requires_grad and t.grad_fn is None and m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_inference_mode_false_keeps_grad(m):
    with m.inference_mode(False):
        assert m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_inference_mode_decorator(m):
    @m.inference_mode()
    def f():
        return m.is_grad_enabled()

    assert f() is False and m.is_grad_enabled()


@pytest.mark.parametrize("m", libs())
def test_inference_tensors_are_marked(m):
    w = m.ones(2, requires_grad=True)
    with m.inference_mode():
        t = w * 2
    assert t.is_inference() and not w.is_inference()


@pytest.mark.parametrize("m", libs(gc_xfail="an inference tensor may be used in a recorded op; torch raises "
                                   "'Inference tensors cannot be saved for backward. ...'"))
def test_inference_tensor_cannot_be_saved_for_backward(m):
    with m.inference_mode():
        t = m.ones(2)
    w = m.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="^Inference tensors cannot be saved for backward. Please do not use "
                                           "Tensors created in inference mode in computation tracked by autograd."):
        t * w


@pytest.mark.parametrize("m", libs())
def test_is_inference_mode_enabled(m):
    assert m.is_inference_mode_enabled() is False
    with m.inference_mode():
        assert m.is_inference_mode_enabled() is True
        with m.inference_mode(False):
            assert m.is_inference_mode_enabled() is False and m.is_grad_enabled()
        assert m.is_inference_mode_enabled() is True
    assert m.is_inference_mode_enabled() is False


@pytest.mark.parametrize("m", libs())
def test_no_grad_does_not_affect_backward_itself(m):
    w = m.ones(2, requires_grad=True)
    y = (w * 3).sum()
    with m.no_grad():
        y.backward()
    assert w.grad.tolist() == [3., 3.]


@pytest.mark.parametrize("m", libs())
def test_backward_of_no_grad_result_explains(m):
    w = m.ones(2, requires_grad=True)
    with m.set_grad_enabled(False):
        y = (w * 3).sum()
    with pytest.raises(RuntimeError, match=exact("element 0 of tensors does not require grad and does not have a "
                                                 "grad_fn")):
        y.backward()
