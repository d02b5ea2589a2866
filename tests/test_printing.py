"""Tests for gradcli.printing: its output must equal torch 2.13's repr(tensor)."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradcli.printing import format_tensor, get_printoptions, set_printoptions

nan, inf = np.nan, np.inf
DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore_printoptions():
    """Every test starts and ends with default options, ours and torch's."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_printoptions(profile="default")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_repr(torch, arr, dtype, grad):
    """repr() of the torch twin of `arr`, plus the extras our formatter needs.

    grad is None (plain tensor), "leaf" (requires_grad=True) or "mul" (a
    non-leaf produced by `* 1`, so it carries grad_fn=<MulBackward0>).
    """
    t = torch.tensor(np.asarray(arr), dtype=getattr(torch, dtype))
    if grad is None:
        return repr(t), ()
    t.requires_grad_()
    if grad == "leaf":
        return repr(t), ("requires_grad=True",)
    t = t * 1
    return repr(t), (f"grad_fn=<{type(t.grad_fn).__name__}>",)


# --------------------------------------------------------------------------
# Literal expectations, copied from torch 2.13's output: run without torch.
# --------------------------------------------------------------------------

LITERAL_CASES = [
    (np.float32(36.0), "float32", (), "tensor(36.)"),
    ([5.0], "float32", (), "tensor([5.])"),
    (np.float32(27.0), "float32", ("grad_fn=<MeanBackward0>",), "tensor(27., grad_fn=<MeanBackward0>)"),
    ([0.1881, 0.1876], "float32", (), "tensor([0.1881, 0.1876])"),
    (np.full((2, 2), 4.5), "float32", (), "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"),
    ([1001.0, 1.0], "float32", (), "tensor([1.0010e+03, 1.0000e+00])"),
    ([nan, inf, -0.0], "float32", (), "tensor([nan, inf, -0.])"),
    ([1.0, 2.0], "float64", ("requires_grad=True",),
     "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"),
    ([1.0, 2.0], "float64", ("grad_fn=<MulBackward0>",),
     "tensor([1., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)"),
    ([1, 2], "int64", (), "tensor([1, 2])"),
    ([True, False], "bool", (), "tensor([ True, False])"),
    (np.zeros((0, 3)), "float32", (), "tensor([], size=(0, 3))"),
    (np.zeros(0, dtype=np.int64), "int64", (), "tensor([], dtype=torch.int64)"),
    (np.zeros((2, 0, 3)), "float32", ("requires_grad=True",),
     "tensor([], size=(2, 0, 3), requires_grad=True)"),
    ([nan, 0.5], "float32", (), "tensor([   nan, 0.5000])"),
    ([-1.5, 2.25, -300.0], "float32", (), "tensor([  -1.5000,    2.2500, -300.0000])"),
    ([1.0, 2.0], "float16", (), "tensor([1., 2.], dtype=torch.float16)"),
    (np.int32(7), "int32", (), "tensor(7, dtype=torch.int32)"),
    ([1e-5, 1.0], "float32", (), "tensor([1.0000e-05, 1.0000e+00])"),
    ([1e9, 1.0], "float32", (), "tensor([1.0000e+09, 1.0000e+00])"),
    (np.arange(24.0).reshape(2, 3, 4), "float32", (),
     "tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n"
     "        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])"),
    (np.arange(30) * 1234567, "int64", (),
     "tensor([       0,  1234567,  2469134,  3703701,  4938268,  6172835,  7407402,\n"
     "         8641969,  9876536, 11111103, 12345670, 13580237, 14814804, 16049371,\n"
     "        17283938, 18518505, 19753072, 20987639, 22222206, 23456773, 24691340,\n"
     "        25925907, 27160474, 28395041, 29629608, 30864175, 32098742, 33333309,\n"
     "        34567876, 35802443])"),
    (np.arange(2000.0), "float32", (),
     "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"),
    (np.arange(2000.0).reshape(2, 1000), "float32", (),
     "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.9700e+02, 9.9800e+02,\n         9.9900e+02],\n"
     "        [1.0000e+03, 1.0010e+03, 1.0020e+03,  ..., 1.9970e+03, 1.9980e+03,\n         1.9990e+03]])"),
]


@pytest.mark.parametrize("arr, dtype, extras, expected", LITERAL_CASES)
def test_literal_output(arr, dtype, extras, expected):
    assert format_tensor(np.asarray(arr), dtype, extras) == expected


def test_default_printoptions():
    assert get_printoptions() == DEFAULTS


def test_set_printoptions_semantics():
    set_printoptions(precision=2, sci_mode=True)
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "sci_mode": True}
    # A call without sci_mode resets it (torch does the same); others persist.
    set_printoptions(linewidth=100)
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "linewidth": 100}
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full", precision=6)
    assert get_printoptions() == {**DEFAULTS, "precision": 6, "threshold": float("inf")}
    set_printoptions(profile="no-such-profile")
    assert get_printoptions()["precision"] == 6
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULTS


def test_printoptions_change_output_without_torch():
    set_printoptions(precision=2)
    assert format_tensor(np.array([1.12345]), "float32") == "tensor([1.12])"
    set_printoptions(threshold=5)
    assert format_tensor(np.arange(10), "int64") == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(sci_mode=False)
    assert format_tensor(np.array([1e10, 2.0]), "float32") == "tensor([10000000000.,           2.])"
    set_printoptions(edgeitems=0)
    assert format_tensor(np.zeros(4), "float32") == "tensor([0., 0., 0., 0.], size=(4,))"


def test_summarised_view_never_materialised():
    # 10**12 elements exist only as a broadcast view: formatting must only touch the edge items
    # (a full pass would hang or run out of memory, so finishing at all is the check).
    huge = np.broadcast_to(np.float32(1.5), (10**4, 10**4, 10**4))
    text = format_tensor(huge, "float32")
    assert text.count("1.5000") == 6 ** 3 and text.count("...") == 6 * 6 + 6 + 1


# --------------------------------------------------------------------------
# Differential tests against torch.
# --------------------------------------------------------------------------

_rng = np.random.default_rng(1234)

DIFF_ARRAYS = {
    # 0-d
    "scalar-int-valued": (np.float32(36.0), "float32"),
    "scalar-fraction": (np.float32(0.1881), "float32"),
    "scalar-negative": (np.float64(-2.5), "float64"),
    "scalar-nan": (np.float32(nan), "float32"),
    "scalar-neg-inf": (np.float32(-inf), "float32"),
    "scalar-neg-zero": (np.float32(-0.0), "float32"),
    "scalar-tiny": (np.float32(1e-7), "float32"),
    "scalar-huge": (np.float64(3e200), "float64"),
    "scalar-int64": (np.int64(-42), "int64"),
    "scalar-int32": (np.int32(5), "int32"),
    "scalar-bool": (np.bool_(True), "bool"),
    "scalar-half": (np.float16(0.1), "float16"),
    # empty
    "empty-1d": (np.zeros(0), "float32"),
    "empty-2d": (np.zeros((0, 3)), "float32"),
    "empty-3d-middle": (np.zeros((2, 0, 3)), "float64"),
    "empty-int64": (np.zeros(0, np.int64), "int64"),
    "empty-int32-2d": (np.zeros((3, 0), np.int32), "int32"),
    "empty-bool": (np.zeros(0, bool), "bool"),
    "empty-half": (np.zeros((0, 1)), "float16"),
    # 1-d floats
    "one": ([5.0], "float32"),
    "two-fractions": ([0.1881, 0.1876], "float32"),
    "int-valued": ([1.0, 2.0, 3.0], "float32"),
    "int-valued-negative": ([-1.0, 20.0, -300.0], "float32"),
    "int-valued-ratio-sci": ([1.0, 1001.0], "float32"),
    "int-valued-big-sci": ([1e9, 2e9], "float32"),
    "int-valued-at-1e8": ([1e8, 1e6], "float64"),
    "ratio-exactly-1000": ([1000.0, 1.0], "float32"),
    "ratio-just-over-1000": ([1000.5, 1.0], "float32"),
    "min-at-1e-4": ([1e-4, 1.0], "float64"),
    "min-below-1e-4": ([9e-5, 1.0], "float32"),
    "fixed-negatives": ([-1.5, 2.25, -0.125], "float32"),
    "fixed-mixed-widths": ([0.5, -12.75, 333.125], "float64"),
    "nan-inf-zero": ([nan, inf, -0.0], "float32"),
    "nan-with-fraction": ([nan, 0.5, -inf], "float32"),
    "inf-with-int-valued": ([inf, 3.0, -inf, 0.0], "float32"),
    "all-zero": ([0.0, 0.0, -0.0], "float32"),
    "tiny-and-huge": ([1e-30, 1e30], "float64"),
    "subnormal": ([5e-324, 1.0], "float64"),
    "float32-rounding": ([0.1, 1 / 3, 2 / 3], "float32"),
    "rounds-up-carry": ([9.99995, 0.5], "float64"),
    "half-values": ([0.1, 65504.0, -2.0], "float16"),
    "half-specials": ([inf, -inf, nan], "float16"),
    "long-row-wraps": (np.linspace(-1.0, 1.0, 37), "float32"),
    "long-sci-row-wraps": (np.geomspace(1e-6, 1e6, 25), "float64"),
    "long-int-valued-row": (np.arange(50.0), "float32"),
    "exactly-threshold": (np.arange(1000.0) / 7, "float32"),
    "just-over-threshold": (np.arange(1001.0) / 7, "float32"),
    "summarised-normal": (_rng.normal(size=5000), "float32"),
    "summarised-with-nan-in-middle": (np.r_[np.ones(3), [nan] * 2000, np.ones(3) * 2], "float32"),
    "summarised-huge-middle-ignored": (np.r_[np.ones(3) / 3, [1e20] * 2000, np.ones(3)], "float32"),
    # integers and bools
    "int64-row": ([1, 2], "int64"),
    "int64-negative": ([-5, 10, -100], "int64"),
    "int64-extremes": ([np.iinfo(np.int64).min, np.iinfo(np.int64).max], "int64"),
    "int32-row": ([1, -2, 3], "int32"),
    "int64-long-row": (np.arange(100) ** 3, "int64"),
    "int64-summarised": (np.arange(3000), "int64"),
    "bool-row": ([True, False], "bool"),
    "bool-all-true": ([True, True], "bool"),
    "bool-matrix": (_rng.random((3, 4)) < 0.5, "bool"),
    "bool-summarised": (np.ones(1500, bool), "bool"),
    # 2-d
    "matrix-const": (np.full((2, 2), 4.5), "float32"),
    "matrix-int-valued": (np.arange(12.0).reshape(3, 4), "float32"),
    "matrix-normal": (_rng.normal(size=(4, 5)), "float64"),
    "matrix-sci": (_rng.normal(size=(3, 3)) * 1e5, "float32"),
    "matrix-wide-wraps": (_rng.normal(size=(2, 20)), "float32"),
    "matrix-column": (np.arange(5.0).reshape(5, 1) / 4, "float32"),
    "matrix-row": (np.arange(5.0).reshape(1, 5), "float32"),
    "matrix-summarised-both": (np.arange(10000.0).reshape(100, 100), "float32"),
    "matrix-summarised-rows": (np.arange(6000.0).reshape(1000, 6) / 9, "float32"),
    "matrix-summarised-cols": (np.arange(2000.0).reshape(2, 1000), "float32"),
    "matrix-int64": (np.arange(-6, 6).reshape(3, 4), "int64"),
    "matrix-nan": (np.array([[nan, 1.5], [2.0, inf]]), "float32"),
    # 3-d and 4-d
    "cube-int-valued": (np.arange(24.0).reshape(2, 3, 4), "float32"),
    "cube-normal": (_rng.normal(size=(3, 2, 2)), "float32"),
    "cube-single": (np.ones((1, 1, 1)), "float64"),
    "cube-summarised": (np.arange(8000.0).reshape(20, 20, 20), "float32"),
    "cube-int32": (np.arange(27).reshape(3, 3, 3), "int32"),
    "cube-bool": (_rng.random((2, 2, 3)) < 0.5, "bool"),
    "hyper-small": (np.arange(16.0).reshape(2, 2, 2, 2) - 7.5, "float32"),
    "hyper-summarised": (_rng.normal(size=(4, 3, 10, 10)), "float32"),
    "hyper-sci": (_rng.normal(size=(2, 1, 2, 3)) * 1e-6, "float64"),
    "hyper-empty": (np.zeros((2, 3, 0, 1)), "float32"),
}

GRAD_ARRAYS = [
    "scalar-int-valued", "scalar-fraction", "scalar-nan", "empty-1d", "empty-3d-middle", "empty-half",
    "two-fractions", "int-valued-big-sci", "nan-inf-zero", "half-values", "long-row-wraps",
    "long-sci-row-wraps", "summarised-normal", "matrix-const", "matrix-wide-wraps",
    "matrix-summarised-both", "cube-normal", "hyper-small",
]

DIFF_CASES = [pytest.param(name, None, id=name) for name in DIFF_ARRAYS] + [
    pytest.param(name, grad, id=f"{name}-{grad}") for name in GRAD_ARRAYS for grad in ("leaf", "mul")
]


@pytest.mark.parametrize("name, grad", DIFF_CASES)
def test_matches_torch(torch, name, grad):
    arr, dtype = DIFF_ARRAYS[name]
    arr = np.asarray(arr, dtype=dtype)
    expected, extras = torch_repr(torch, arr, dtype, grad)
    assert format_tensor(arr, dtype, extras) == expected


def test_data_is_rounded_to_the_named_dtype(torch):
    arr = np.array([0.1, 1 / 3, 1e-30, 3.4e39])
    assert format_tensor(arr, "float32") == repr(torch.tensor(arr, dtype=torch.float32))


def test_long_grad_fn_wraps_like_torch(torch):
    t = torch.tensor(np.linspace(0, 1, 12), requires_grad=True).as_strided((12,), (1,))
    expected = repr(t)
    assert "\n       grad_fn=" in expected
    assert format_tensor(np.linspace(0, 1, 12), "float64", (f"grad_fn=<{type(t.grad_fn).__name__}>",)) == expected


def test_huge_broadcast_view_matches_torch(torch):
    huge = np.broadcast_to(np.float32(1.5), (10**4, 10**4, 10**4))
    assert format_tensor(huge, "float32") == repr(torch.tensor(1.5).expand(10**4, 10**4, 10**4))


# --------------------------------------------------------------------------
# Print options against torch.
# --------------------------------------------------------------------------

OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": False},
    {"sci_mode": True},
    {"threshold": 5},
    {"threshold": 20, "edgeitems": 1},
    {"threshold": 0},
    {"edgeitems": 0},
    {"linewidth": 30},
    {"linewidth": 5},
    {"linewidth": 200, "precision": 6},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "sci_mode": True, "linewidth": 50},
]

OPTION_ARRAYS = [
    "scalar-fraction", "scalar-nan", "empty-2d", "two-fractions", "int-valued-ratio-sci", "min-below-1e-4",
    "nan-inf-zero", "all-zero", "tiny-and-huge", "long-row-wraps", "summarised-normal", "int64-long-row",
    "bool-summarised", "matrix-normal", "matrix-summarised-rows", "cube-int-valued", "hyper-summarised",
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("name", OPTION_ARRAYS)
def test_printoptions_match_torch(torch, options, name):
    arr, dtype = DIFF_ARRAYS[name]
    arr = np.asarray(arr, dtype=dtype)
    torch.set_printoptions(**options)
    set_printoptions(**options)
    grad = "leaf" if dtype.startswith("float") else None
    expected, extras = torch_repr(torch, arr, dtype, grad)
    assert format_tensor(arr, dtype, extras) == expected


def test_get_printoptions_tracks_torch(torch):
    from torch._tensor_str import get_printoptions as torch_get

    assert get_printoptions() == torch_get()
    for options in OPTION_SETS + [{"profile": "bogus"}, {"profile": "default"}]:
        torch.set_printoptions(**options)
        set_printoptions(**options)
        assert get_printoptions() == torch_get()


# --------------------------------------------------------------------------
# Property test: random float arrays.
# --------------------------------------------------------------------------

_shapes = st.one_of(
    hnp.array_shapes(min_dims=0, max_dims=1, min_side=0, max_side=50),
    hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=4),
)


def _elements(dtype):
    width = 32 if dtype == "float32" else 64
    return st.one_of(
        st.floats(width=width),  # anything: nan, inf, subnormals, extremes
        st.floats(-10, 10, width=width),
        st.integers(-2000, 2000).map(float),
        st.sampled_from([0.0, -0.0, nan, inf, -inf, 1e-5, 1e8, 1.0000001e8, 1000.0]),
    )


@st.composite
def _float_arrays(draw):
    dtype = draw(st.sampled_from(["float32", "float64"]))
    arr = draw(hnp.arrays(dtype, _shapes, elements=_elements(dtype)))
    scale = draw(st.sampled_from([1.0, 1e-6, 1e6, 1e-30, 1e30]))
    with np.errstate(over="ignore"):
        return (arr * arr.dtype.type(scale)).astype(dtype), dtype


@settings(max_examples=300, deadline=None)
@given(case=_float_arrays(), grad=st.sampled_from([None, "leaf", "mul"]))
def test_random_float_arrays_match_torch(case, grad):
    torch = pytest.importorskip("torch")
    arr, dtype = case
    expected, extras = torch_repr(torch, arr, dtype, grad)
    assert format_tensor(arr, dtype, extras) == expected
