"""gradcli.nn: torch.nn's Module system, layers, activations and losses over gradcli's autograd."""
from . import functional, init  # noqa: F401
from .layers import (GELU, DataParallel, Dropout, Flatten, Identity, LazyLinear, LeakyReLU, Linear, LogSoftmax, ReLU,  # noqa: F401
                     Sequential, Sigmoid, Softmax, Tanh)
from .conv import Conv2d, MaxPool2d  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401
from .parameter import Parameter, UninitializedParameter  # noqa: F401

__all__ = ["Module", "Parameter", "UninitializedParameter", "Linear", "LazyLinear", "DataParallel", "Conv2d", "MaxPool2d", "Sequential", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "LeakyReLU", "GELU", "Flatten", "Identity", "Dropout", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "NLLLoss", "functional", "init"]
