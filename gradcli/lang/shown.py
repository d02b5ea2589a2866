"""How a script sees classes printed: torch's names for gradcli's classes, in one place.

gradcli implements torch's classes in its own modules (`gradcli.nn.layers.Linear`); a tutorial printing
`type(model)` or `model.__class__` expects torch's path (`<class 'torch.nn.modules.linear.Linear'>`), a
backward node prints as `<class 'MulBackward0'>` and an object with Python's default repr as
`<torch.utils.data.dataloader.DataLoader object at 0x...>`. print, repr(), f-strings, str.format, the
REPL's echo and ClassName's repr all go through `shown_str` / `shown_repr`; str() and the repr of a
container holding a class still show gradcli's path (str is the class itself, and a list's repr is
Python's). The table is data (`tests/lang/test_shown.py` checks it against torch's classes).
"""
from __future__ import annotations

__all__ = ["TORCH_CLASSES", "torch_class_path", "torch_text", "shown_str", "shown_repr"]

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


def torch_class_path(c) -> str | None:
    """torch's dotted name for a gradcli class, or the bare name of a backward node (torch's C++ nodes
    have no module); None for any other class (builtins, a script's own, numpy's)."""
    module = getattr(c, "__module__", None)
    if type(module) is not str or not (module == "gradcli" or module.startswith("gradcli.")):
        return None
    path = TORCH_CLASSES.get(f"{module}.{c.__qualname__}")
    if path is not None:
        return path
    from ..autograd.graph import Node
    if isinstance(c, type) and issubclass(c, Node):
        return c.__name__
    return None


def torch_text(value) -> str | None:
    """torch's text for a class, a class name or a gradcli object with Python's default repr; else None."""
    from .sandbox import ClassName
    if isinstance(value, type):
        path = torch_class_path(value)
        return None if path is None else f"<class '{path}'>"
    if type(value) is ClassName:
        return repr(value)
    if type(value).__repr__ is object.__repr__:
        path = torch_class_path(type(value))
        if path is not None:
            return f"<{path} object at 0x{id(value):x}>"
    return None


def shown_str(value) -> str:
    """str(value) as print and f-strings show it."""
    if type(value) is str:
        return value
    text = torch_text(value)
    return str(value) if text is None else text


def shown_repr(value) -> str:
    """repr(value) as repr() and the REPL show it."""
    text = torch_text(value)
    return repr(value) if text is None else text
