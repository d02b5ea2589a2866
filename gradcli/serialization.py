"""torch.save / torch.load: objects pickled with gradcli's tensors; load (weights_only=True, torch's default)
rebuilds only what save writes — tensors, parameters, dtypes, numpy data, numbers, strings, containers."""
import collections
import os
import pickle

import numpy as np

from .autograd import dtypes
from .autograd.tensor import Size, _rebuild
from .nn.parameter import _rebuild_parameter

_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("gradcli.autograd.tensor", "_rebuild"): _rebuild,
    ("gradcli.autograd.tensor", "Size"): Size,
    ("gradcli.nn.parameter", "_rebuild_parameter"): _rebuild_parameter,
    ("gradcli.autograd.dtypes", "_by_name"): dtypes._by_name,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}
# numpy's array and scalar pickles name its private reconstructors (under numpy.core before numpy 2):
# taken from numpy's own pickling, without touching its private modules
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = np.zeros(1).__reduce__()[0]
    _ALLOWED[(_mod, "scalar")] = np.float64(1).__reduce__()[0]
_ALLOWED.update({("numpy.dtypes", t.__name__): t for t in set(type(np.dtype(c)) for c in "?bBhHiIlLqQefdg")})


class _WeightsOnly(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Weights only load failed. In PyTorch 2.6, we changed the default value of the `weights_only` "
                f"argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set "
                f"to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you "
                f"got the file from a trusted source.\nPlease file an issue with the following so that we can make "
                f"`weights_only=True` compatible with your use case: WeightsUnpickler error: Unsupported global: "
                f"GLOBAL {module}.{name}") from None


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            pickle.dump(obj, fh, protocol=max(pickle_protocol, 4))
    else:
        pickle.dump(obj, f, protocol=max(pickle_protocol, 4))  # bytes natively, no _codecs global


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    if map_location is not None:
        from .autograd.device import check_device
        check_device(map_location if not callable(map_location) and not isinstance(map_location, dict) else None)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(fh, weights_only)
    return _load(f, weights_only)


def _load(fh, weights_only):
    if weights_only is False:
        return pickle.load(fh)  # the caller vouches for the file, as with torch
    return _WeightsOnly(fh).load()
