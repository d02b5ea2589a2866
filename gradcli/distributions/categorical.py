"""Categorical(probs | logits): one category index per draw, via torch.multinomial like torch's."""
import math

from .. import Size
from ..autograd import ops


class Categorical:
    """A distribution over 0..K-1 given by (unnormalised) probs or logits along the last dimension."""

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param_name = "probs"
        else:
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self._param_name = "logits"
        param = self.probs if probs is not None else self.logits
        self._num_events = param.shape[-1]
        self.batch_shape = Size(param.shape[:-1])
        self.event_shape = Size(())

    def __getattr__(self, name):  # the other parametrisation, computed on first use (as torch's lazy_property)
        if name == "probs":
            value = ops.softmax(self.logits, -1)
        elif name == "logits":
            eps = 1.1920928955078125e-07 if self.probs.dtype.name == "float32" else 2.220446049250313e-16
            value = self.probs.clamp(eps, 1 - eps).log()
        else:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        self.__dict__[name] = value
        return value

    def __repr__(self):
        return f"{type(self).__name__}({self._param_name}: {getattr(self, self._param_name).shape})"

    @property
    def param_shape(self):
        return Size(self.batch_shape + (self._num_events,))

    def sample(self, sample_shape=()):
        shape = Size(tuple(sample_shape))
        probs_2d = self.probs.reshape(-1, self._num_events)
        with ops._no_grad():
            samples_2d = ops.multinomial(probs_2d, math.prod(shape), True).T
        return samples_2d.reshape(tuple(shape) + tuple(self.batch_shape))

    def log_prob(self, value):
        logits = self.logits
        value = value.long().unsqueeze(-1)
        shape = ops.broadcast_shapes(value.shape, logits.shape)
        return logits.expand(*shape).gather(-1, value.expand(*shape[:-1], 1)).squeeze(-1)

    def entropy(self):
        eps_min = -3.4028234663852886e38 if self.logits.dtype.name == "float32" else -1.7976931348623157e308
        return -(self.logits.clamp(min=eps_min) * self.probs).sum(-1)
