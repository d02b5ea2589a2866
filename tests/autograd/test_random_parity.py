"""Random streams against torch's CPU generator: same seed, same bits (float32 and float64), same printout."""
import math

import numpy as np
import pytest

import gradcli as gc

torch = pytest.importorskip("torch")

SEEDS = [0, 1, 42, 2 ** 32 + 5]
SIZES = [1, 2, 3, 15, 16, 17, 31, 100, 1000]
SHAPES = [(5, 3), (100, 2), (4, 4), (3, 5, 7)]
DTYPES = [("float32", gc.float32, torch.float32), ("float64", gc.float64, torch.float64)]


def bits(t):
    """The raw bit patterns, so equality is bitwise (and -0.0 != 0.0)."""
    a = np.ascontiguousarray(t.detach().numpy() if hasattr(t, "detach") else t.numpy())
    return a.view(f"u{a.itemsize}") if a.dtype.kind == "f" else a


def assert_same(g, t):
    assert tuple(g.shape) == tuple(t.shape)
    assert g.dtype.__repr__().split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_array_equal(bits(g), bits(t))


def both(fn):
    """Run fn(lib) once for gradcli and once for torch, and return both results."""
    return fn(gc), fn(torch)


def seeded(seed, fn):
    def run(m):
        m.manual_seed(seed)
        return fn(m)
    return both(run)


@pytest.mark.parametrize("seed", SEEDS + [2 ** 64 - 1, -1, 123456789012345])
def test_seeding_low_32_bits_of_the_seed(seed):
    g, t = seeded(seed, lambda m: m.rand(1000))
    assert_same(g, t)
    gc.manual_seed(seed)
    torch.manual_seed(seed)
    assert gc.initial_seed() == torch.initial_seed()


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
@pytest.mark.parametrize("size", SIZES + SHAPES, ids=str)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn", ["randn", "rand"])
def test_randn_rand(fn, seed, size, dt):
    shape = size if isinstance(size, tuple) else (size,)
    g, t = seeded(seed, lambda m: getattr(m, fn)(*shape, dtype=dt[1] if m is gc else dt[2]))
    assert_same(g, t)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
def test_randn_large_bitwise(dt):
    n = 10 ** 6 if dt[0] == "float32" else 10 ** 5
    g, t = seeded(3, lambda m: m.randn(n, dtype=dt[1] if m is gc else dt[2]))
    assert_same(g, t)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
@pytest.mark.parametrize("size", [1, 2, 7, 15, 16, 17, 100, 1000, (100, 2)], ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_normal_and_uniform_with_parameters(seed, size, dt):
    """mean/std and low/high go through a fused multiply-add in torch: the last bit depends on it."""
    shape = size if isinstance(size, tuple) else (size,)

    def run(m):
        w = m.empty(*shape, dtype=dt[1] if m is gc else dt[2])
        out = [m.nn.init.normal_(w, 0.3, 2.5).clone(), m.nn.init.uniform_(w, -0.4, 0.9).clone(),
               m.nn.init.normal_(w, -1.7, 0.01).clone(), m.nn.init.uniform_(w, 2.0, 2.0 + 1e-3).clone()]
        return out
    g, t = seeded(seed, run)
    for a, b in zip(g, t):
        assert_same(a, b)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
@pytest.mark.parametrize("n", [1, 5, 16, 20, 100])
def test_normal_overloads(n, dt):
    def run(m):
        d = dt[1] if m is gc else dt[2]
        mean = m.arange(n, dtype=d) * 0.37
        std = m.tensor(np.linspace(0.5, 2.0, n), dtype=d)  # not m.linspace: its rounding is not under test here
        return [m.normal(mean, 2.3), m.normal(mean, std), m.normal(1.5, std), m.normal(1.5, 2.3, (n,), dtype=d),
                m.normal(2.0, 3.0, size=(n, 2), dtype=d)]
    g, t = seeded(7, run)
    for a, b in zip(g, t):
        assert_same(a, b)


@pytest.mark.parametrize("low,high", [(0, 10), (-5, 7), (0, 2), (3, 2 ** 28 - 1), (0, 2 ** 28), (0, 2 ** 31),
                                      (-(2 ** 40), 2 ** 40)])
@pytest.mark.parametrize("seed", [0, 1])
def test_randint(seed, low, high):
    g, t = seeded(seed, lambda m: [m.randint(low, high, (50,)), m.randint(low, high, (5, 3))])
    for a, b in zip(g, t):
        assert_same(a, b)
    g, t = seeded(seed, lambda m: m.randint(10, (6,)))
    assert_same(g, t)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 15, 16, 17, 100, 1000, 5000])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_randperm(seed, n):
    g, t = seeded(seed, lambda m: m.randperm(n))
    assert_same(g, t)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
def test_like_functions(dt):
    def run(m):
        x = m.zeros(3, 7, dtype=dt[1] if m is gc else dt[2])
        return [m.randn_like(x), m.rand_like(x), m.randn_like(x, dtype=m.float64)]
    g, t = seeded(5, run)
    for a, b in zip(g, t):
        assert_same(a, b)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_stream_shared_by_a_sequence_of_calls(seed):
    """Calls draw from one stream, and the scalar normal's cached second Box-Muller value carries over
    between calls (through the 16-wide path too) until manual_seed clears it."""
    def run(m):
        out = [m.randn(3), m.rand(5), m.normal(m.zeros(2), 1.0), m.randn(1), m.randn(20)]
        lin = m.nn.Linear(2, 1)
        out += [lin.weight, lin.bias, m.randn(1), m.randint(0, 5, (4,)), m.randperm(6), m.randn(1, dtype=m.float64),
                m.randn(17, dtype=m.float64), m.randn(1), m.rand(3, dtype=m.float64)]
        lin = m.nn.Linear(30, 20)
        out += [lin.weight, lin.bias, m.randn(2, 2)]
        m.manual_seed(seed)
        out += [m.randn(1), m.randn(1)]
        return out
    g, t = seeded(seed, run)
    for a, b in zip(g, t):
        assert_same(a, b)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
@pytest.mark.parametrize("shape", [(1, 2), (5, 7), (64, 3), (20, 30), (4, 3, 2, 2)], ids=str)
def test_nn_init(shape, dt):
    def run(m):
        w = m.empty(*shape, dtype=dt[1] if m is gc else dt[2])
        init = m.nn.init
        return [init.kaiming_uniform_(w, a=math.sqrt(5)).clone(), init.kaiming_normal_(w).clone(),
                init.xavier_uniform_(w).clone(), init.xavier_normal_(w, gain=0.5).clone(),
                init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu").clone(),
                init.uniform_(w).clone(), init.normal_(w).clone()]
    g, t = seeded(11, run)
    for a, b in zip(g, t):
        assert_same(a, b)


@pytest.mark.parametrize("features", [(2, 1), (1, 1), (4, 3), (30, 20), (784, 10)], ids=str)
def test_linear_default_init(features):
    g, t = seeded(1, lambda m: m.nn.Linear(*features))
    assert_same(g.weight, t.weight)
    assert_same(g.bias, t.bias)


def test_generator_objects():
    gg, tg = gc.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    gc.manual_seed(0)
    torch.manual_seed(0)
    assert_same(gc.randn(20, generator=gg), torch.randn(20, generator=tg))
    assert_same(gc.rand(3, generator=gg), torch.rand(3, generator=tg))
    assert_same(gc.randperm(8, generator=gg), torch.randperm(8, generator=tg))
    assert_same(gc.randn(4), torch.randn(4))  # the default stream was left alone


def test_tutorial_prints_what_torch_prints():
    def run(m):
        m.manual_seed(1)
        x = m.randn(3, 4)
        lin = m.nn.Linear(2, 1)
        lines = [x, m.rand(2, 3), m.normal(m.arange(4, dtype=m.float32), 0.5), m.randint(0, 10, (6,)),
                 m.randperm(7), lin.weight, lin.bias, m.randn(2, dtype=m.float64)]
        return "\n".join(str(v) for v in lines)
    g, t = both(run)
    assert g == t


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d[0])
@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.9, 1.0])
def test_dropout_mask(p, dt):
    def run(m):
        x = m.randn(40, 7, dtype=dt[1] if m is gc else dt[2])
        return [m.nn.functional.dropout(x, p), m.nn.functional.dropout(x[:3], p), m.randn(5)]
    g, t = seeded(4, run)
    for a, b in zip(g, t):
        assert_same(a, b)


def test_errors_and_empty_sizes():
    for m in (gc, torch):
        with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got from=5 >= to=5"):
            m.randint(5, 5, (3,))
        with pytest.raises(RuntimeError, match="negative dimension -1"):
            m.randperm(-1)
    g, t = seeded(0, lambda m: [m.randn(0), m.rand(0, 3), m.randint(5, 6, (3,)), m.randn(2)])
    for a, b in zip(g, t):
        assert_same(a, b)
