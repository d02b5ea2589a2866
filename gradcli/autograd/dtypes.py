"""Torch dtypes on numpy, and torch's type-promotion rules (which differ from numpy's)."""
import numpy as np


class dtype:
    __slots__ = ("name", "np", "rank", "category", "legacy", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype, rank, category, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.rank = rank
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.legacy = legacy  # the "torch.FloatTensor" spelling used in engine error texts
        self.is_floating_point = category == 2
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0, 0, "BoolTensor")
uint8 = dtype("uint8", np.uint8, 1, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 2, 1, "CharTensor")
int16 = dtype("int16", np.int16, 3, 1, "ShortTensor")
int32 = dtype("int32", np.int32, 4, 1, "IntTensor")
int64 = dtype("int64", np.int64, 5, 1, "LongTensor")
float16 = dtype("float16", np.float16, 6, 2, "HalfTensor")
float32 = dtype("float32", np.float32, 7, 2, "FloatTensor")
float64 = dtype("float64", np.float64, 8, 2, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update({"bool": bool_, "float": float32, "double": float64, "long": int64, "int": int32, "half": float16,
               "short": int16})


def _by_name(name):
    return _NAMES[name]


_default_float = [float32]


def get_default_dtype():
    return _default_float[0]


def set_default_dtype(d):
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def of_array(a):
    """The torch dtype of a numpy array, converting numpy types torch would not produce."""
    d = FROM_NP.get(a.dtype)
    if d is None:
        raise TypeError(f"can't convert np.ndarray of type {a.dtype}. The only supported types are: "
                        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return d


def scalar_dtype(x):
    """The dtype torch gives a Python number standing alone (torch.tensor(2.5) -> float32)."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    return _default_float[0]


def promote_types(a, b):
    if {a.name, b.name} == {"int8", "uint8"}:  # neither holds the other's range
        return int16
    return a if a.rank >= b.rank else b


def result_type(*operands):
    """torch.result_type: dimensioned tensors outrank 0-dim tensors, which outrank Python numbers;
    a lower-priority group only wins if it is of a higher category (bool < int < float)."""
    groups = [None, None, None]  # dim tensors, zero-dim tensors, numbers
    for o in operands:
        d = getattr(o, "_data", None)
        if d is not None:
            t = FROM_NP[d.dtype]
            g = 0 if d.ndim else 1
        else:
            t = scalar_dtype(o)
            g = 2
        cur = groups[g]
        groups[g] = t if cur is None else promote_types(cur, t)
    out = None
    for g, t in enumerate(groups):
        if t is None:
            continue
        if out is None:
            out = t
        elif t.category > out.category:
            # a number of a higher category takes the default dtype of that category
            out = (int64 if t.category == 1 else _default_float[0]) if g == 2 else t
    return out
