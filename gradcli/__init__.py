"""gradcli: a torch-shaped API (`import gradcli as torch` reads like a tutorial) over gradcli's own engine."""
from .autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from .autograd import ops as _ops
from .autograd.dtypes import (bool_ as bool, float16, float32, float64, int32, int64, uint8,  # noqa: F401
                              get_default_dtype, set_default_dtype, dtype)
from .autograd.anomaly import is_anomaly_enabled  # noqa: F401
from .autograd.grad_mode import inference_mode  # noqa: F401
from .autograd.tensor import Size  # noqa: F401

__version__ = "0.1.0"

float = float32  # noqa: A001  (torch.float / torch.double / torch.long aliases)
double = float64
long = int64
half = float16

_EXPORTS = """tensor as_tensor from_numpy zeros ones full empty zeros_like ones_like full_like empty_like rand_like
randn_like randn rand normal randint randperm arange linspace eye manual_seed seed initial_seed Generator
default_generator add sub rsub mul
div neg pow square reciprocal exp log log1p sqrt rsqrt sin cos tanh sigmoid relu abs sign clamp clip maximum
minimum where eq ne lt le gt ge isnan isinf isfinite allclose equal argmax argmin logical_not sum mean prod var std
norm max min amax amin softmax log_softmax logsumexp cumsum reshape flatten unsqueeze squeeze t transpose permute
narrow select cat concat concatenate stack matmul mm mv dot bmm addmm outer clone erf chunk split movedim
floor_divide remainder result_type""".split()

for _name in _EXPORTS:
    if hasattr(_ops, _name):
        globals()[_name] = getattr(_ops, _name)


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
    if name in ("autograd", "nn", "optim", "printing"):
        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'gradcli' has no attribute '{name}'")


def set_printoptions(**kwargs):
    from .printing import set_printoptions as _set
    _set(**kwargs)
