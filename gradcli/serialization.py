"""torch.save / torch.load: objects pickled with gradcli's tensors; load (weights_only=True, torch's default)
rebuilds only what save writes — tensors, parameters, dtypes, numpy data, numbers, strings, containers."""
import collections
import os
import pickle

import numpy as np

from .autograd import dtypes
from .autograd.tensor import Size, _rebuild
from .naming import GRADCLI_PATH, gradcli_class
from .nn.parameter import _rebuild_parameter

_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("gradcli.autograd.tensor", "_rebuild"): _rebuild,
    ("gradcli.autograd.tensor", "Size"): Size,
    ("gradcli.nn.parameter", "_rebuild_parameter"): _rebuild_parameter,
    ("gradcli.autograd.dtypes", "_by_name"): dtypes._by_name,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    # a torch.Size in a weights-only pickle: gradcli names the class by its own path (naming.py)
    ("gradcli.naming", "gradcli_class"): lambda path: Size if path == "gradcli.autograd.tensor.Size"
    else _refuse("gradcli.naming", f"gradcli_class({path!r})"),
    ("gradcli.naming", "_new"): lambda path, *args: tuple.__new__(Size, *args) if path == "gradcli.autograd.tensor.Size"
    else _refuse("gradcli.naming", f"_new({path!r})"),
}
# numpy's array and scalar pickles name its private reconstructors (under numpy.core before numpy 2):
# taken from numpy's own pickling, without touching its private modules
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = np.zeros(1).__reduce__()[0]
    _ALLOWED[(_mod, "scalar")] = np.float64(1).__reduce__()[0]
_ALLOWED.update({("numpy.dtypes", t.__name__): t for t in set(type(np.dtype(c)) for c in "?bBhHiIlLqQefdg")})


def _refuse(module, name):
    raise pickle.UnpicklingError(
        f"Weights only load failed. In PyTorch 2.6, we changed the default value of the `weights_only` "
        f"argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set "
        f"to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you "
        f"got the file from a trusted source.\nPlease file an issue with the following so that we can make "
        f"`weights_only=True` compatible with your use case: WeightsUnpickler error: Unsupported global: "
        f"GLOBAL {module}.{name}") from None


class _WeightsOnly(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            _refuse(module, name)


class _Pickler(pickle.Pickler):
    """Names a class by where it lives in gradcli: its __module__ is torch's (naming.py), which a pickle
    must never name (loading it would import torch, or fail)."""

    def reducer_override(self, obj):
        path = GRADCLI_PATH.get(obj) if isinstance(obj, type) else None
        if path is None:
            return NotImplemented
        return gradcli_class, (path,)


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True):
    protocol = max(pickle_protocol, 4)  # bytes natively, no _codecs global
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _Pickler(fh, protocol=protocol).dump(obj)
    else:
        _Pickler(f, protocol=protocol).dump(obj)


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
