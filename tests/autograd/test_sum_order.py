"""Full float sums in torch's order (its cascade over 8 float32 / 4 float64 lanes), so x.sum() and x.mean()
give torch's last bits: checked bit for bit against torch over sizes and both float dtypes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradcli as gc


def test_literal_order():
    # with 1e8 and 3e7 in the mix, float32 addition order shows in the result: torch gets 17.5 and 7.0 where
    # numpy's pairwise sum gets 16.25 and 5.5 (exact sums: 15.75 and 7.5)
    a = np.array([1e8, 1.0, -1e8, 1.0, 3.0, 0.5, 7.0, -2.0, 1.0, 4.0, -1e8, 1e8, 0.25], np.float32)
    b = np.array([3e7, 1.0, 1.0, 1.0, -3e7, 1, 1, 1, 1, 0.5], np.float32)
    assert (gc.tensor(a).sum().item(), gc.tensor(b).sum().item()) == (17.5, 7.0)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_bitwise_equal_to_torch(data):
    torch = pytest.importorskip("torch")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    n = data.draw(st.one_of(st.integers(1, 80), st.integers(80, 5000), st.sampled_from([32767, 40000])))
    scale = data.draw(st.sampled_from([1e-3, 1.0, 1e4]))
    a = (np.random.default_rng(n).standard_normal(n) * scale).astype(dtype)
    shape = data.draw(st.sampled_from([(n,), (1, n)] + ([(2, n // 2)] if n % 2 == 0 else [])))
    a = a.reshape(shape)
    if n <= 32767:  # above that torch splits the sum across threads: the order depends on the thread count
        assert gc.tensor(a).sum().item() == torch.tensor(a).sum().item()
        assert gc.tensor(a).mean().item() == torch.tensor(a).mean().item()
    np.testing.assert_allclose(gc.tensor(a).sum().item(), torch.tensor(a).sum().item(), rtol=1e-5, atol=1e-3)


def test_non_contiguous_and_integer_sums_unchanged():
    x = gc.arange(12.).reshape(3, 4).t()
    assert x.sum().item() == 66.0 and gc.arange(10).sum().item() == 45
    assert gc.tensor(2.5).sum().item() == 2.5
