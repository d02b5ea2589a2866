"""gradcli: a torch-shaped API (`import gradcli as torch` reads like a tutorial) over gradcli's own engine."""
import builtins as _builtins

from .autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from .autograd import api as _api
from .autograd import ops as _ops
from .autograd.dtypes import (bool_ as bool, float16, float32, float64, int8, int16, int32, int64, uint8,  # noqa: F401
                              get_default_dtype, set_default_dtype, dtype)
from .autograd.anomaly import is_anomaly_enabled  # noqa: F401
from .autograd.grad_mode import inference_mode, is_inference_mode_enabled  # noqa: F401
from .autograd.tensor import Size  # noqa: F401

from .autograd.device import device  # noqa: F401
from .autograd.function import once_differentiable as _od  # noqa: F401  (loads torch.autograd.function)


class _TorchVersion(str):
    """A version string that compares with strings and tuples by version order, as torch's does
    (release numbers, then a pre-release below its release, then a local tag above it)."""

    __slots__ = ()

    @staticmethod
    def _key(v):
        text = ".".join(map(str, v)) if isinstance(v, (tuple, list)) else str(v)
        public, _, local = text.partition("+")
        release, pre = [], (1,)
        for part in public.split("."):
            digits = part
            for i, c in enumerate(part):
                if not c.isdigit():
                    digits, tail = part[:i], part[i:]
                    pre = (0, tail)
                    break
            if digits:
                release.append(_builtins.int(digits))
            if pre != (1,):
                break
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        return tuple(release), pre, local

    def _cmp(self, other, op):
        return op(self._key(self), self._key(other))

    def __lt__(self, other):
        return self._cmp(other, tuple.__lt__)

    def __le__(self, other):
        return self._cmp(other, tuple.__le__)

    def __gt__(self, other):
        return self._cmp(other, tuple.__gt__)

    def __ge__(self, other):
        return self._cmp(other, tuple.__ge__)

    def __eq__(self, other):
        return self._cmp(other, tuple.__eq__)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


# the torch release whose behaviour gradcli follows, tagged with gradcli as torch tags its build
_TorchVersion.__name__ = _TorchVersion.__qualname__ = "TorchVersion"  # torch's name, kept out of the public
# namespace: a script reaching the class could call str.format on it, outside the sandbox's safe_format
__version__ = _TorchVersion("2.13.0+gradcli")
# gradcli's own release (pyproject.toml's version): what `gradcli --version` and a run's metadata name;
# torch.__version__ above is the torch behaviour a tutorial checks for
RELEASE = "0.1.0"

float = float32  # noqa: A001  (torch.float / torch.double / torch.long aliases)
double = float64
long = int64
half = float16
short = int16
int = int32  # noqa: A001

# top-level functions: the op table's entries declared `api="... function ..."`, and these others from ops.py
_EXPORTS = _api.names("function") + """
tensor as_tensor from_numpy zeros ones full empty zeros_like ones_like full_like empty_like rand_like randn_like
randn rand normal randint randperm arange linspace eye manual_seed seed initial_seed Generator default_generator
square clip clamp_min clamp_max eq ne lt le gt ge isnan isinf isfinite allclose equal argmax argmin logical_not
max min reshape flatten narrow concat concatenate matmul outer chunk split movedim floor_divide remainder
result_type argsort multinomial broadcast_shapes all any nonzero count_nonzero isclose logical_and logical_or
logical_xor atleast_1d atleast_2d atleast_3d hstack vstack dstack column_stack row_stack arcsin arccos arctan
bitwise_and bitwise_or bitwise_xor bitwise_not meshgrid""".split()

# functions that take torch's out= argument (the Tensor methods never do)
_OUT = """add sub mul div neg pow exp log log1p sqrt rsqrt sin cos tanh sigmoid abs sign clamp maximum minimum where
sum mean prod matmul mm mv dot bmm cat stack rand randn zeros ones full arange linspace eye randint randperm
reciprocal erf cumsum softmax log_softmax logsumexp index_select gather""".split()

for _name in _EXPORTS:
    if hasattr(_ops, _name):
        globals()[_name] = getattr(_ops, _name)

from .autograd.out import with_out as _with_out  # noqa: E402
for _name in _OUT:
    globals()[_name] = _with_out(getattr(_ops, _name), _name)

from .autograd.methods import INPLACE_FUNCTIONS as _INPLACE  # noqa: E402
for _name in _INPLACE:
    globals()[_name] = getattr(Tensor, _name)


def _make_cuda():
    """torch.cuda of a build without CUDA: is_available() is False, and using CUDA raises torch's error."""
    import sys
    import types
    from .autograd import device as _d
    mod = types.ModuleType(__name__ + ".cuda", _make_cuda.__doc__)
    for n in ("is_available", "device_count", "is_initialized", "current_device", "manual_seed",
              "manual_seed_all", "synchronize", "empty_cache"):
        setattr(mod, n, getattr(_d, n))
    sys.modules[mod.__name__] = mod
    return mod


cuda = _make_cuda()


def _make_accelerator():
    """torch.accelerator on a machine without one."""
    import sys
    import types
    from .autograd import device as _d
    mod = types.ModuleType(__name__ + ".accelerator", _make_accelerator.__doc__)
    mod.is_available, mod.current_accelerator = _d.is_available, _d.current_accelerator
    mod.device_count = _d.accelerator_device_count
    sys.modules[mod.__name__] = mod
    return mod


accelerator = _make_accelerator()


def _make_backends():
    """torch.backends of a CPU build: no mps, no cudnn (its flags are still there to set, as in torch)."""
    import sys
    import types
    from .autograd import device as _d
    mod = types.ModuleType(__name__ + ".backends", _make_backends.__doc__)
    for name in ("mps", "cudnn"):
        sub = types.ModuleType(f"{mod.__name__}.{name}")
        sub.is_available = _d.is_available
        setattr(mod, name, sub)
        sys.modules[sub.__name__] = sub
    mod.mps.is_built = _d.is_available
    mod.cudnn.enabled, mod.cudnn.benchmark, mod.cudnn.deterministic = True, False, False
    sys.modules[mod.__name__] = mod
    return mod


backends = _make_backends()
from .autograd.device import get_default_device, set_default_device  # noqa: E402,F401


def save(obj, f, *args, **kwargs):
    from .serialization import save as _save
    return _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    from .serialization import load as _load
    return _load(f, *args, **kwargs)


def result_type(a, b):
    from .autograd.dtypes import result_type as _rt
    return _rt(a, b)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


def __getattr__(name):
    # submodules load on first use so `import gradcli` stays cheap
    import importlib
    if name in ("autograd", "nn", "optim", "printing", "utils", "distributions"):
        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    if name == "check_derivative":  # the tools layer loads the language: only when asked for
        from .tools.derivation import check_derivative
        return check_derivative
    if name == "doctor":  # the autograd doctor: gradcli.doctor(source or pathlib.Path) -> Diagnosis | None
        from .tools.doctor import doctor
        return doctor
    if name in ("show", "load_ipython_extension"):
        # notebook helpers (`gradcli.show(y)`, `%load_ext gradcli`): loaded when asked for, never cached in
        # the module, so dir(gradcli) and a script's `torch` namespace stay torch's and IPython stays unloaded
        from . import notebook
        return getattr(notebook, name)
    raise AttributeError(f"module 'gradcli' has no attribute '{name}'")


def set_printoptions(**kwargs):
    from .printing import set_printoptions as _set
    _set(**kwargs)


def _rich_display(obj, kind):
    from .notebook.display import rich_repr
    return rich_repr(obj, kind)


from .autograd import graph as _graph  # noqa: E402

_graph.RICH_DISPLAY = _rich_display  # tensors and nodes draw their graph in a notebook (loaded on first use)

# last: gradcli's classes take torch's names (type(model) prints torch's path; see naming.py)
from .naming import rename_classes as _rename_classes  # noqa: E402

_rename_classes()
