"""gradcli's classes under torch's names: CPython prints `type(model)` from a class's `__module__` and
`__qualname__`, so a tutorial run against gradcli prints `<class 'torch.nn.modules.linear.Linear'>` as it
does under torch, and a backward node prints as `<class 'MulBackward0'>` (torch's C++ nodes have no module).

The renaming happens once, when gradcli is imported. What needs a class's real home asks GRADCLI_PATH:
pickling (gradcli.save writes the gradcli path, so a pickle never names a torch module) and the sandbox's
trust (by identity, never by a name a class claims).
"""
from __future__ import annotations

import copyreg
import importlib

__all__ = ["TORCH_CLASSES", "GRADCLI_PATH", "rename_classes", "gradcli_class"]

# gradcli class (module.qualname) -> torch's (module.qualname), as torch 2.13 names them
TORCH_CLASSES = {
    "gradcli.TorchVersion": "torch.torch_version.TorchVersion",
    "gradcli.autograd.anomaly.detect_anomaly": "torch.autograd.anomaly_mode.detect_anomaly",
    "gradcli.autograd.anomaly.set_detect_anomaly": "torch.autograd.anomaly_mode.set_detect_anomaly",
    "gradcli.autograd.device.device": "torch.device",
    "gradcli.autograd.dtypes.dtype": "torch.dtype",
    "gradcli.autograd.function.BackwardCFunction": "torch.autograd.function.BackwardCFunction",
    "gradcli.autograd.function.Function": "torch.autograd.function.Function",
    "gradcli.autograd.function.FunctionCtx": "torch.autograd.function.FunctionCtx",
    "gradcli.autograd.grad_mode.enable_grad": "torch.autograd.grad_mode.enable_grad",
    "gradcli.autograd.grad_mode.inference_mode": "torch.autograd.grad_mode.inference_mode",
    "gradcli.autograd.grad_mode.no_grad": "torch.autograd.grad_mode.no_grad",
    "gradcli.autograd.grad_mode.set_grad_enabled": "torch.autograd.grad_mode.set_grad_enabled",
    "gradcli.autograd.graph.Node": "torch.autograd.graph.Node",
    "gradcli.autograd.graph.RemovableHandle": "torch.utils.hooks.RemovableHandle",
    "gradcli.autograd.graph.SavedTensor": "torch._C._autograd.SavedTensor",
    "gradcli.autograd.graph.save_on_cpu": "torch.autograd.graph.save_on_cpu",
    "gradcli.autograd.graph.saved_tensors_hooks": "torch.autograd.graph.saved_tensors_hooks",
    "gradcli.autograd.random.Generator": "torch._C.Generator",
    "gradcli.autograd.reductions._Max": "torch.return_types.max",
    "gradcli.autograd.reductions._Min": "torch.return_types.min",
    "gradcli.autograd.tensor.Size": "torch.Size",
    "gradcli.autograd.tensor.Tensor": "torch.Tensor",
    "gradcli.distributions.categorical.Categorical": "torch.distributions.categorical.Categorical",
    "gradcli.distributions.multinomial.Multinomial": "torch.distributions.multinomial.Multinomial",
    "gradcli.nn.conv.Conv2d": "torch.nn.modules.conv.Conv2d",
    "gradcli.nn.conv.MaxPool2d": "torch.nn.modules.pooling.MaxPool2d",
    "gradcli.nn.layers.DataParallel": "torch.nn.parallel.data_parallel.DataParallel",
    "gradcli.nn.layers.Dropout": "torch.nn.modules.dropout.Dropout",
    "gradcli.nn.layers.Flatten": "torch.nn.modules.flatten.Flatten",
    "gradcli.nn.layers.GELU": "torch.nn.modules.activation.GELU",
    "gradcli.nn.layers.Identity": "torch.nn.modules.linear.Identity",
    "gradcli.nn.layers.LazyLinear": "torch.nn.modules.linear.LazyLinear",
    "gradcli.nn.layers.LeakyReLU": "torch.nn.modules.activation.LeakyReLU",
    "gradcli.nn.layers.Linear": "torch.nn.modules.linear.Linear",
    "gradcli.nn.layers.LogSoftmax": "torch.nn.modules.activation.LogSoftmax",
    "gradcli.nn.layers.ReLU": "torch.nn.modules.activation.ReLU",
    "gradcli.nn.layers.Sequential": "torch.nn.modules.container.Sequential",
    "gradcli.nn.layers.Sigmoid": "torch.nn.modules.activation.Sigmoid",
    "gradcli.nn.layers.Softmax": "torch.nn.modules.activation.Softmax",
    "gradcli.nn.layers.Tanh": "torch.nn.modules.activation.Tanh",
    "gradcli.nn.loss.BCELoss": "torch.nn.modules.loss.BCELoss",
    "gradcli.nn.loss.BCEWithLogitsLoss": "torch.nn.modules.loss.BCEWithLogitsLoss",
    "gradcli.nn.loss.CrossEntropyLoss": "torch.nn.modules.loss.CrossEntropyLoss",
    "gradcli.nn.loss.MSELoss": "torch.nn.modules.loss.MSELoss",
    "gradcli.nn.loss.NLLLoss": "torch.nn.modules.loss.NLLLoss",
    "gradcli.nn.module.Module": "torch.nn.modules.module.Module",
    "gradcli.nn.parameter.Parameter": "torch.nn.parameter.Parameter",
    "gradcli.nn.parameter.UninitializedParameter": "torch.nn.parameter.UninitializedParameter",
    "gradcli.optim.adam.Adam": "torch.optim.adam.Adam",
    "gradcli.optim.adam.AdamW": "torch.optim.adamw.AdamW",
    "gradcli.optim.lr_scheduler.CosineAnnealingLR": "torch.optim.lr_scheduler.CosineAnnealingLR",
    "gradcli.optim.lr_scheduler.LRScheduler": "torch.optim.lr_scheduler.LRScheduler",
    "gradcli.optim.lr_scheduler.StepLR": "torch.optim.lr_scheduler.StepLR",
    "gradcli.optim.optimizer.Optimizer": "torch.optim.optimizer.Optimizer",
    "gradcli.optim.sgd.SGD": "torch.optim.sgd.SGD",
    "gradcli.utils.data.BatchSampler": "torch.utils.data.sampler.BatchSampler",
    "gradcli.utils.data.DataLoader": "torch.utils.data.dataloader.DataLoader",
    "gradcli.utils.data.Dataset": "torch.utils.data.dataset.Dataset",
    "gradcli.utils.data.RandomSampler": "torch.utils.data.sampler.RandomSampler",
    "gradcli.utils.data.Sampler": "torch.utils.data.sampler.Sampler",
    "gradcli.utils.data.SequentialSampler": "torch.utils.data.sampler.SequentialSampler",
    "gradcli.utils.data.Subset": "torch.utils.data.dataset.Subset",
    "gradcli.utils.data.TensorDataset": "torch.utils.data.dataset.TensorDataset",
}

GRADCLI_PATH: dict[type, str] = {}  # each renamed class -> where it lives in gradcli


def _resolve(path: str):
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):  # the longest importable module prefix, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(path)


def rename_classes() -> None:
    """Give every class of TORCH_CLASSES torch's module and name, and the engine's node classes none."""
    import gradcli
    for gpath, tpath in TORCH_CLASSES.items():
        # the version's class is kept out of gradcli's namespace (a script must not hold it): reach it by value
        cls = type(gradcli.__version__) if gpath == "gradcli.TorchVersion" else _resolve(gpath)
        if cls in GRADCLI_PATH:
            continue
        GRADCLI_PATH[cls] = gpath
        module, _, name = tpath.rpartition(".")
        cls.__module__, cls.__qualname__, cls.__name__ = module, name, name
        _portable_reduce(cls)
    from .autograd.graph import Node
    todo = [Node]
    while todo:  # every node class gradcli defined (the op table's, AccumulateGrad, CopySlices, ...)
        for c in todo.pop().__subclasses__():
            todo.append(c)
            if c.__module__.startswith("gradcli."):
                c.__module__ = "builtins"


def gradcli_class(path: str):
    """The renamed class that lives at gradcli `path` (how gradcli's pickles name a class)."""
    for cls, gpath in GRADCLI_PATH.items():
        if gpath == path:
            return cls
    raise AttributeError(f"gradcli has no class {path!r}")


# Pickling an instance names its class; a renamed class would be named by torch's path, which pickle
# cannot find (or finds in real torch). Each renamed class's __reduce_ex__ names it by its gradcli path.
def _portable_reduce(cls) -> None:
    inherited = cls.__reduce_ex__

    def __reduce_ex__(self, protocol):
        return _portable(inherited(self, protocol))
    cls.__reduce_ex__ = __reduce_ex__


def _portable(rv):
    if not isinstance(rv, tuple) or not rv:
        return rv
    fn, args, *rest = rv
    if fn in (copyreg.__newobj__, copyreg.__newobj_ex__) and args and args[0] in GRADCLI_PATH:
        if fn is copyreg.__newobj__:
            return (_new, (GRADCLI_PATH[args[0]], *args[1:]), *rest)
        return (_new_ex, (GRADCLI_PATH[args[0]], *args[1:]), *rest)
    if isinstance(fn, type) and fn in GRADCLI_PATH:
        return (_call, (GRADCLI_PATH[fn], *args), *rest)
    return rv


def _new(path, *args):
    cls = gradcli_class(path)
    return cls.__new__(cls, *args)


def _new_ex(path, args, kwargs):
    cls = gradcli_class(path)
    return cls.__new__(cls, *args, **kwargs)


def _call(path, *args):
    return gradcli_class(path)(*args)
