"""torch.utils for gradcli: the data loading part (torch.utils.data)."""
from . import data  # noqa: F401
