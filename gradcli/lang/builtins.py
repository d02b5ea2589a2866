"""The names a script sees: Python's harmless builtins (guarded against huge inputs) and the torch modules.

`torch` and its submodules are `Namespace`s over gradcli's torch-shaped API, so `torch.tensor`,
`torch.autograd.grad`, `torch.nn.Linear` and `F.binary_cross_entropy_with_logits` resolve; creation
functions check the number of elements they are asked for before anything is allocated.
"""
from __future__ import annotations

import builtins as _py
import collections
import functools
import math
import random as _py_random
import types
import typing

import gradcli
from gradcli import autograd as _autograd
from gradcli import nn as _nn
from gradcli import optim as _optim
from gradcli.autograd import function as _function
from gradcli.autograd import functional as _functional
from gradcli.autograd.tensor import Tensor
from gradcli.nn import functional as _F
from gradcli.nn import init as _init
from gradcli.optim import lr_scheduler as _lr_scheduler
from gradcli import distributions as _distributions
from gradcli.utils import data as _data

from .errors import GradLimitError, GradNameError, GradTypeError
from .guards import check_format_spec, guard_iterable
from .watchdog import call_iter, metered
from .sandbox import Namespace, get_attr, script_type
from .shown import shown_repr, shown_str

__all__ = ["make_builtins", "make_modules", "checked_creation", "script_type", "SIZED_CREATION"]

_EXCEPTIONS = ("Exception BaseException RuntimeError ValueError TypeError KeyError IndexError AttributeError "
               "NameError ZeroDivisionError AssertionError NotImplementedError StopIteration ArithmeticError "
               "LookupError OverflowError UnboundLocalError GeneratorExit").split()
_PLAIN = ("len abs round float int bool str list tuple dict set frozenset isinstance issubclass id super object staticmethod "
          "classmethod property hash divmod chr ord callable slice next").split()
# Builtins that walk an iterable in C get it as a metered generator (watchdog.py); the lazy ones give
# their items through one. The classes (list, dict, ...) stay classes: what they can walk is finite and
# bounded by the element limit, and the one endless source, iter(f, sentinel), is a generator itself.
_CONSUMERS = "sum any all sorted min max".split()
_LAZY = "enumerate zip map filter".split()
_MAX_PRINT_PRECISION, _MAX_PRINT_EDGEITEMS = 100, 10_000
_MATH = ("pi e inf nan tau sqrt exp log log2 log10 log1p expm1 sin cos tan asin acos atan atan2 sinh cosh tanh "
         "floor ceil trunc fabs isclose isnan isinf isfinite erf erfc gamma lgamma hypot degrees radians copysign "
         "fmod").split()
_TYPING = "Any Callable Dict Iterable Iterator List Optional Sequence Tuple Union".split()
_GRAPH = "Node saved_tensors_hooks save_on_cpu disable_saved_tensors_hooks".split()  # torch.autograd.graph
SIZED_CREATION = "zeros ones empty rand randn full randint normal arange linspace eye randperm".split()


def _public(module, skip=()) -> dict:
    """A module's public names as a script sees them: no submodules, and never a metaclass (a class
    that makes classes, such as autograd's FunctionMeta), whatever the module exports."""
    return {n: v for n in dir(module) if not n.startswith("_") and n not in skip
            for v in (getattr(module, n),)
            if type(v) is not types.ModuleType and not (isinstance(v, type) and issubclass(v, type))}


def make_modules(limits) -> dict[str, Namespace]:
    """The importable modules of one run, by dotted name."""
    def ns(name, names):
        modules[name] = Namespace(name, names)
        return modules[name]

    modules: dict[str, Namespace] = {}
    F = ns("torch.nn.functional", _public(_F))
    init = ns("torch.nn.init", _public(_init))
    nn = ns("torch.nn", {**_public(_nn), "functional": F, "init": init})
    sched = ns("torch.optim.lr_scheduler", _public(_lr_scheduler))
    optim = ns("torch.optim", {**_public(_optim), "lr_scheduler": sched})
    afunc = ns("torch.autograd.functional", _public(_functional))
    function = ns("torch.autograd.function", _public(_function))
    graph = ns("torch.autograd.graph", {n: getattr(_autograd.graph, n) for n in _GRAPH})
    autograd = ns("torch.autograd", {**_public(_autograd), "functional": afunc, "function": function,
                                     "graph": graph})
    cuda = ns("torch.cuda", _public(gradcli.cuda))
    dists = ns("torch.distributions", {**_public(_distributions),
                                       "multinomial": ns("torch.distributions.multinomial",
                                                         {"Multinomial": _distributions.Multinomial}),
                                       "categorical": ns("torch.distributions.categorical",
                                                         {"Categorical": _distributions.Categorical})})
    data = ns("torch.utils.data", _public(_data))
    utils = ns("torch.utils", {"data": data})
    accelerator = ns("torch.accelerator", _public(gradcli.accelerator))
    backends = ns("torch.backends", {n: ns(f"torch.backends.{n}", _public(getattr(gradcli.backends, n)))
                                     for n in ("mps", "cudnn")})
    torch = {n: getattr(gradcli, n) for n in dir(gradcli) if not n.startswith("_")
             and n not in ("autograd", "nn", "optim", "printing", "lang", "cli", "utils", "distributions",
                           "save", "load", "serialization")  # scripts get no file access
             and type(getattr(gradcli, n)) is not types.ModuleType}
    for name in SIZED_CREATION:
        if name in torch:
            torch[name] = checked_creation(name, torch[name], limits)
    torch["set_printoptions"] = _bounded_printoptions(torch["set_printoptions"])
    torch.update(autograd=autograd, nn=nn, optim=optim, Tensor=Tensor, cuda=cuda, accelerator=accelerator,
                 backends=backends, utils=utils, distributions=dists)
    torch["__version__"] = gradcli.__version__  # a str subclass: the sandbox gives it str's checked policy
    ns("torch", torch)
    ns("math", {n: getattr(math, n) for n in _MATH})
    ns("random", _random_module(limits))
    # dict subclasses (their attributes are a dict's) and names only annotations use
    ns("collections", {"OrderedDict": collections.OrderedDict, "defaultdict": collections.defaultdict,
                       "Counter": collections.Counter})
    ns("typing", {n: getattr(typing, n) for n in _TYPING})
    return modules


def _random_module(limits) -> dict:
    """Python's `random` for d2l's `random.shuffle(indices)`: one generator per run (seeding it does not
    touch the process's), so `random.seed(0)` gives CPython's very sequence."""
    rng = _py_random.Random()

    def sample(population, k, **kwargs):
        if isinstance(k, int) and k > limits.max_tensor_elements:
            raise GradLimitError(f"random.sample of {k:,} items is over the limit of "
                                 f"{limits.max_tensor_elements:,} (raise it with --max-tensor-elements)")
        return rng.sample(population, k, **kwargs)

    names = {n: getattr(rng, n) for n in ("seed", "random", "uniform", "randint", "randrange", "choice",
                                          "shuffle", "gauss", "normalvariate")}
    return {**names, "sample": sample}


def checked_creation(name, fn, limits):
    @functools.wraps(fn)
    def create(*args, **kwargs):
        n = _requested(name, args, kwargs)
        if n is not None and n > limits.max_tensor_elements:
            raise GradLimitError(f"torch.{name} would make a tensor of {n:,} elements, over the limit of "
                                 f"{limits.max_tensor_elements:,} (raise it with --max-tensor-elements)")
        return fn(*args, **kwargs)
    return create


def _bounded_printoptions(fn):
    """torch.set_printoptions with a precision and edge count that keep one print a bounded size."""
    @functools.wraps(fn)
    def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                         sci_mode=None):
        for name, value, most in (("precision", precision, _MAX_PRINT_PRECISION),
                                  ("edgeitems", edgeitems, _MAX_PRINT_EDGEITEMS)):
            if isinstance(value, (int, float)) and value > most:
                raise GradLimitError(f"set_printoptions({name}={value:,}) is over the limit of {most:,} in .grad "
                                     "scripts (a print would write that much per number)")
        return fn(precision, threshold, edgeitems, linewidth, profile, sci_mode)
    return set_printoptions


def _prod(size) -> int | None:
    n = 1
    for s in size:
        if not isinstance(s, int) or isinstance(s, bool):
            return None
        n *= max(s, 0)
    return n


def _requested(name, args, kwargs) -> int | None:
    """Elements a creation call asks for, if it can be told from its arguments (None: let it decide)."""
    try:
        if name in ("zeros", "ones", "empty", "rand", "randn"):
            size = kwargs.get("size", args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args)
            return _prod(size)
        if name == "full":
            return _prod(args[0] if args else kwargs.get("size", ()))
        if name in ("randint", "normal"):
            size = kwargs.get("size", args[2] if len(args) > 2 else None)
            return _prod(size) if isinstance(size, (tuple, list)) else None
        if name == "arange":
            nums = [float(a) for a in args[:3]]
            start, end, step = (0.0, nums[0], 1.0) if len(nums) == 1 else (nums + [1.0])[:3]
            step = float(kwargs.get("step", step))
            return max(math.ceil((end - start) / step), 0) if step else None
        if name == "linspace":
            return int(kwargs.get("steps", args[2] if len(args) > 2 else 0))
        if name == "eye":
            n = int(args[0])
            return n * int(args[1] if len(args) > 1 else kwargs.get("m", n))
        if name == "randperm":
            return int(args[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return None


def make_builtins(vm, out) -> dict:
    """The builtin names of one run; print writes to `out`."""
    b = {name: getattr(_py, name) for name in _PLAIN + _EXCEPTIONS}

    def consumer(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            if len(args) == 1 or (args and fn not in (_py.min, _py.max)):  # not min(a, b)
                args = (metered(vm, args[0]), *args[1:])
            return fn(*args, **kwargs)
        return call

    def lazy(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            for a in args:
                guard_iterable(vm, a)
            return metered(vm, fn(*args, **kwargs))
        return call

    for name in _CONSUMERS:
        b[name] = consumer(getattr(_py, name))
    for name in _LAZY:
        b[name] = lazy(getattr(_py, name))

    def reversed_(seq):
        return _py.reversed(guard_iterable(vm, seq))

    def iter_(obj, *sentinel):
        if sentinel:
            if len(sentinel) > 1:
                raise TypeError(f"iter expected at most 2 arguments, got {1 + len(sentinel)}")
            if not callable(obj):
                raise TypeError("iter(v, w): v must be callable")
            return call_iter(vm, obj, sentinel[0])
        return _py.iter(obj)

    def format_(value, spec=""):
        check_format_spec(spec)
        return _py.format(value, spec)

    def print_(*args, sep=" ", end="\n", file=None, flush=False):
        if file is not None:
            raise GradTypeError("print(file=...) is not available: a .grad script writes to standard output")
        out.write((sep if sep is not None else " ").join(shown_str(a) for a in args) + (end if end is not None else "\n"))

    def range_(*args):
        r = _py.range(*args)
        return guard_iterable(vm, r)

    def type_(obj, *rest):
        if rest:
            raise GradTypeError("type() takes 1 argument in .grad scripts (classes are made with 'class')")
        return script_type(obj)

    # A name the sandbox denies reads as a missing one to getattr's default and to hasattr (CPython's
    # answers for a missing name): neither says whether a private attribute exists.
    def getattr_(obj, name, *default):
        if type(name) is not str:
            raise TypeError(f"attribute name must be string, not '{script_type(name).__name__}'")
        try:
            return get_attr(obj, name)
        except (AttributeError, GradNameError):
            if default:
                return default[0]
            raise

    def hasattr_(obj, name):
        if type(name) is not str:
            raise TypeError(f"attribute name must be string, not '{script_type(name).__name__}'")
        try:
            get_attr(obj, name)
        except (AttributeError, GradNameError):
            return False
        return True

    def pow_(base, exp, mod=None):
        from .compiler import _pow
        return _pow(base, exp) if mod is None else _py.pow(base, exp, mod)

    def repr_(obj):
        return shown_repr(obj)

    b.update(print=print_, repr=repr_, range=range_, type=type_, getattr=getattr_, hasattr=hasattr_, pow=pow_,
             reversed=reversed_, iter=iter_, format=format_)
    for name, fn in b.items():
        if type(fn) is types.FunctionType:  # our wrappers look like the builtins they stand for
            b[name] = Builtin(name, fn)
    return b


class Builtin:
    """A builtin that gradcli implements: prints as `<built-in function NAME>`, shows nothing of its insides."""

    __slots__ = ("_fn", "__name__")

    def __init__(self, name: str, fn):
        self._fn, self.__name__ = fn, name

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self.__name__}>"


