"""torch.distributions (the discrete part tutorials use): Categorical and Multinomial, sampling from torch's
generator stream so the same seed rolls the same dice."""
from . import categorical, multinomial  # noqa: F401
from .categorical import Categorical  # noqa: F401
from .multinomial import Multinomial  # noqa: F401

__all__ = ["Categorical", "Multinomial"]
