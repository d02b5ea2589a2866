"""A 0-d tensor reduces over dim 0 (or -1), as torch allows: over nothing, with torch's node names and grads."""
import pytest

from .helpers import libs

CASES = {
    "sum": lambda m, x: x.sum(0),
    "sum_keepdim": lambda m, x: x.sum(-1, keepdim=True),
    "mean": lambda m, x: x.mean(0),
    "softmax": lambda m, x: m.softmax(x * 3, 0),
    "log_softmax": lambda m, x: m.log_softmax(x * 3, -1),
    "sum_then_mul": lambda m, x: x.sum(0) * x,
}


@pytest.mark.parametrize("m", libs())
@pytest.mark.parametrize("name", CASES)
def test_zero_dim_reduction(m, name):
    x = m.tensor(2.0, requires_grad=True)
    y = CASES[name](m, x)
    y.backward()
    expected = {"sum": (2.0, 1.0), "sum_keepdim": (2.0, 1.0), "mean": (2.0, 1.0), "softmax": (1.0, 0.0),
                "log_softmax": (0.0, 0.0), "sum_then_mul": (4.0, 4.0)}[name]
    assert (y.item(), x.grad.item()) == expected
    assert y.shape == x.shape
    names = {"sum": "SumBackward1", "sum_keepdim": "SumBackward1", "mean": "MeanBackward1",
             "softmax": "SoftmaxBackward0", "log_softmax": "LogSoftmaxBackward0", "sum_then_mul": "MulBackward0"}
    assert type(y.grad_fn).__name__ == names[name]
