"""Multinomial(total_count, probs | logits): counts per category over total_count categorical draws."""
from .. import Size
from ..autograd import ops
from .categorical import Categorical


class Multinomial:
    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self.batch_shape = self._categorical.batch_shape
        self.event_shape = Size(self._categorical.param_shape[-1:])

    def __repr__(self):
        return "Multinomial()"  # torch lists only tensor-valued parameters set on the instance: none here

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def mean(self):
        return self.probs * self.total_count

    def sample(self, sample_shape=()):
        shape = Size(tuple(sample_shape))
        samples = self._categorical.sample(Size((self.total_count,)) + shape)
        # (total_count, *sample_shape, *batch) -> (*sample_shape, *batch, total_count): counts along the last dim
        order = list(range(samples.dim()))
        order.append(order.pop(0))
        samples = samples.permute(*order)
        counts = ops.zeros(*(tuple(shape) + tuple(self.batch_shape) + tuple(self.event_shape)), dtype=samples.dtype)
        counts.scatter_add_(-1, samples, ops.ones_like(samples))
        return counts.to(self.probs.dtype)
