"""torch.multinomial, Tensor.exponential_, torch.distributions (Categorical, Multinomial) and the keepdims
alias: the same draws as torch for the same seed, the same prints (the d2l dice chapter runs unchanged)."""
import io
import re

import numpy as np
import pytest

import gradcli as gc

from .helpers import exact, libs

ADDR = re.compile(r"0x[0-9a-f]+")


def _snippet(m, p):
    import importlib
    D = importlib.import_module(m.__name__ + ".distributions")
    multinomial = D.multinomial
    fair = m.ones(6) / 6
    d = multinomial.Multinomial(10, fair)
    p(d, D.Categorical(fair), D.Categorical(logits=m.zeros(3)))
    p(d.probs, d.total_count, d.mean, d.batch_shape, d.event_shape)
    m.manual_seed(0)
    c = D.Categorical(m.tensor([1., 3.]))
    p(c.probs, c.logits, c.sample(), c.sample((2, 3)), c.log_prob(m.tensor([0, 1])), c.entropy())
    p(D.Categorical(logits=m.tensor([0., 1., 2.])).probs)
    m.manual_seed(0)
    p(multinomial.Multinomial(1, fair).sample())
    p(multinomial.Multinomial(10, fair).sample())
    counts = multinomial.Multinomial(1, fair).sample((500,))
    p(counts.shape, counts.dtype, counts.sum(0))
    cum = counts.cumsum(dim=0)
    p((cum / cum.sum(dim=1, keepdims=True))[-1])
    p(multinomial.Multinomial(10, m.tensor([[0.2, 0.8], [0.5, 0.5]])).sample((3,)))
    p(m.empty(5).exponential_(), m.empty(3, dtype=m.float64).exponential_(2.5))
    p(m.multinomial(fair, 1, True), m.multinomial(fair, 5, replacement=True))
    p(m.multinomial(m.tensor([[0.1, 0.5, 0.4], [1., 2., 3.]]), 2))
    p(m.multinomial(m.tensor([[0.1, 0.5, 0.4], [1., 2., 3.]], dtype=m.float64), 7, True))
    p(m.broadcast_shapes((2, 1), (3,)), m.broadcast_shapes(4, (1,)))


def _out(m):
    lines = []
    _snippet(m, lambda *a: lines.append(" ".join(str(v) for v in a)))
    return ADDR.sub("0x…", "\n".join(lines))


def test_distributions_match_torch():
    torch = pytest.importorskip("torch")
    assert _out(gc) == _out(torch)


@pytest.mark.parametrize("m", libs())
def test_multinomial_errors(m):
    with pytest.raises(RuntimeError, match=exact("cannot sample n_sample > prob_dist.size(-1) samples without "
                                                 "replacement")):
        m.multinomial(m.ones(3), 4)
    with pytest.raises(NotImplementedError, match=exact("inhomogeneous total_count is not supported")):
        m.distributions.Multinomial(1.5, m.ones(2))
    with pytest.raises(RuntimeError, match=exact(
            "Attempting to broadcast a dimension of length 4 at -1! Mismatching argument at index 2 had (4,); but "
            "expected shape should be broadcastable to [2, 3]")):
        m.broadcast_shapes((2, 1), (3,), (4,))


@pytest.mark.parametrize("m", libs())
def test_keepdims_alias(m):
    x = m.tensor([[1., 5.], [3., 2.]])
    for name in ("sum", "mean", "prod", "amax", "amin", "var", "std", "logsumexp", "argmax", "argmin"):
        assert tuple(getattr(x, name)(1, keepdims=True).shape) == (2, 1), name
    assert x.max(0, keepdims=True).values.tolist() == [[3., 5.]]


def test_exponential_draws_bitwise():
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    gc.manual_seed(3)
    ref = torch.empty(2000, dtype=torch.float64).exponential_(0.7).numpy()
    np.testing.assert_array_equal(gc.empty(2000, dtype=gc.float64).exponential_(0.7).numpy(), ref)


def test_dice_chapter_as_a_grad_script():
    from gradcli.lang import run_source
    out = io.StringIO()
    run_source("import torch\n"
               "from torch.distributions import multinomial\n"
               "fair_probs = torch.ones([6]) / 6\n"
               "torch.manual_seed(0)\n"
               "print(multinomial.Multinomial(1, fair_probs).sample())\n"
               "counts = multinomial.Multinomial(1000, fair_probs).sample()\n"
               "print(counts / 1000)\n", stdout=out)
    # what torch 2.13 prints for the same program
    assert out.getvalue() == ("tensor([0., 0., 1., 0., 0., 0.])\n"
                              "tensor([0.1600, 0.1780, 0.1650, 0.1760, 0.1660, 0.1550])\n")


def _bernoulli_random(m, p):
    m.manual_seed(0)
    p(m.empty(20).bernoulli_(0.3), m.bernoulli(m.rand(10)), m.bernoulli(m.rand(5, dtype=m.float64)))
    p(m.bernoulli(m.rand(4), 0.5), m.empty(6).random_(0, 10), m.empty(6).random_(7),
      m.empty(4, dtype=m.int64).random_(3, 10), m.empty(3).random_(), m.empty(2, dtype=m.float64).random_())
    p(m.empty(3).bernoulli_(m.tensor([0.1, 0.9, 0.5])), m.rand(3).bernoulli())
    q = m.rand(3, requires_grad=True)
    b = m.bernoulli(q)
    (b * q).sum().backward()
    p(type(b.grad_fn).__name__, q.grad)
    y = m.rand(3, requires_grad=True) * 1
    p(type(y.bernoulli_(0.5).grad_fn).__name__, y._version)


def test_bernoulli_and_random_match_torch():
    torch = pytest.importorskip("torch")
    assert _out_of(_bernoulli_random, gc) == _out_of(_bernoulli_random, torch)


def _out_of(snippet, m):
    lines = []
    snippet(m, lambda *a: lines.append(" ".join(str(v) for v in a)))
    return ADDR.sub("0x…", "\n".join(lines))
