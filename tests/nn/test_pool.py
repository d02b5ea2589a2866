"""F.max_pool2d / nn.MaxPool2d against torch: values, indices, shapes for every argument, reprs, errors,
ties and NaN; gradients and graphs are checked by the op-table test."""
import itertools
import re

import numpy as np
import pytest

import gradcli as gc

ADDR = re.compile(r"0x[0-9a-f]+")


def _snippet(m, p):
    F = m.nn.functional
    m.manual_seed(0)
    x = m.randn(1, 2, 5, 5, requires_grad=True)
    y, idx = F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    p(y, idx)
    p(m.nn.MaxPool2d(2), m.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True),
      m.nn.MaxPool2d((2, 3), (1, 2), ceil_mode=True))
    p(m.nn.MaxPool2d(2)(x))
    p(F.max_pool2d(m.tensor([[[[1., 1.], [1., 1.]]]]), 2, return_indices=True))  # ties: the first wins
    p(F.max_pool2d(m.tensor([[[[1., float("nan")], [3., 2.]]]]), 2, return_indices=True))
    net = m.nn.Sequential(m.nn.Conv2d(2, 3, 3, padding=1), m.nn.ReLU(), m.nn.MaxPool2d(2), m.nn.Flatten())
    out = net(x).sum()
    out.backward()
    p(net, x.grad)
    for bad in (lambda: F.max_pool2d(x, 2, padding=2), lambda: F.max_pool2d(m.ones(5, 5), 2)):
        try:
            bad()
        except RuntimeError as e:
            p("RuntimeError", e)


def _out(m):
    lines = []
    _snippet(m, lambda *a: lines.append(" ".join(str(v) for v in a)))
    return ADDR.sub("0x…", "\n".join(lines))


def test_max_pool_matches_torch():
    torch = pytest.importorskip("torch")
    assert _out(gc) == _out(torch)


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil", list(itertools.product(
    (2, (3, 2)), (None, 1, (2, 3)), (0, 1), (1, 2), (False, True))))
def test_shapes_values_indices_against_torch(kernel, stride, padding, dilation, ceil):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    if any(padding > (dilation * (kk - 1) + 1) // 2 for kk in k):
        pytest.skip("padding over half the effective kernel (an error in both, tested above)")
    args = (kernel, stride, padding, dilation, ceil, True)
    v, i = gc.nn.functional.max_pool2d(gc.tensor(a), *args)
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(a), *args)
    assert tuple(v.shape) == tuple(tv.shape)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
