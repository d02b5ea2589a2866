"""Printing classes, functions and methods in .grad scripts: the same text as CPython with torch 2.13
(addresses masked), and torch's own name for every class a script can reach."""
import contextlib
import importlib
import io
import re

import pytest

from gradcli.lang import run_source
from gradcli.lang.builtins import make_modules
from gradcli.lang.runner import Limits
from gradcli.lang.shown import TORCH_CLASSES, torch_class_path

_ADDRESS = re.compile(r"0x[0-9a-f]+")


def gradcli_prints(src):
    out = io.StringIO()
    run_source(src, "s.grad", stdout=out)
    return _ADDRESS.sub("0xADDR", out.getvalue())


def torch_prints(src):
    pytest.importorskip("torch")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(src, "s.py", "exec"), {"__name__": "__main__"})
    return _ADDRESS.sub("0xADDR", out.getvalue())


PROGRAMS = {
    "functions": "def f(x):\n    return x\ng = lambda x: x\nprint(type(f), type(f).__name__, f, g)\n"
                 "print(repr(f) == str(f), f'{f!r}' == repr(f), f.__name__)\n",
    "nested_functions": "def outer():\n    def inner():\n        return lambda: 0\n    return inner\n"
                        "print(outer(), outer()())\nprint(outer().__name__)\n",
    "methods": "class A:\n    def f(self):\n        pass\nclass B:\n    def f(self):\n        pass\n"
               "    def __repr__(self):\n        return 'B()'\nprint(A().f, B().f, type(A().f), A.f)\n"
               "print(type(A()), A, A.__name__, type(A()).__name__)\n",
    "class_in_a_function": "def make():\n    class Local:\n        def m(self):\n            pass\n"
                           "    return Local\nprint(make(), make()().m)\n",
    "nn_classes": "import torch\nimport torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
                  "        super().__init__()\n        self.fc = nn.Linear(2, 3)\n"
                  "print(nn.Linear(2, 3).__class__, type(Net()), Net, nn.Sequential, nn.ReLU)\n"
                  "print(type(nn.MSELoss()), type(nn.CrossEntropyLoss()), nn.Module)\n"
                  "print([type(m).__name__ for m in Net().modules()])\n",
    "optim_and_data": "import torch\nw = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
                      "print(type(opt), torch.optim.Adam, type(torch.optim.lr_scheduler.StepLR(opt, 1)))\n"
                      "print(type(torch.utils.data.TensorDataset(w)), torch.utils.data.DataLoader)\n",
    "nodes_and_values": "import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 2\n"
                        "print(type(y.grad_fn), y.grad_fn.__class__, type(y.grad_fn.next_functions[0][0]))\n"
                        "print(type(torch.float32), type(torch.device('cpu')), type(x), type(x.shape))\n"
                        "print(type(torch.nn.Parameter(x)), type(torch.max(x, 0)), type(torch.no_grad()))\n"
                        "print(type(torch.__version__), type(x.register_hook(lambda g: g)))\n",
    "format_and_fstrings": "import torch\nimport torch.nn as nn\nm = nn.Linear(1, 1)\n"
                           "print(f'{type(m)} {type(m)!s} {type(m)!r} {type(m).__name__:>8}')\n"
                           "print('{} {!r}'.format(type(m), nn.Tanh))\nprint(repr(type(m)))\n",
    "builtin_types": "print(type(print), type(len), type(type), type(1), type(None), type(type(1)))\n",
    "hasattr_and_getattr": "import torch\nx = torch.ones(1)\nclass A:\n    pass\n"
                           "print(hasattr(x, 'grad'), hasattr(x, 'nope'), hasattr(A(), 'x'), hasattr(1, 'real'))\n"
                           "print(getattr(x, 'nope', 'default'), getattr(A(), 'y', None))\n",
}


@pytest.mark.parametrize("src", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_prints_what_cpython_with_torch_prints(src):
    assert gradcli_prints(src) == torch_prints(src)


def _reachable_classes():
    for name, ns in make_modules(Limits()).items():
        if name.startswith("torch"):
            for attr, value in vars(ns).items():
                if isinstance(value, type) and not attr.startswith("_"):
                    yield name, attr, value


def test_every_reachable_class_prints_with_torchs_path():
    pytest.importorskip("torch")
    from gradcli import Tensor
    checked = 0
    for module, attr, cls in _reachable_classes():
        theirs = getattr(importlib.import_module(module), attr, None)
        if not isinstance(theirs, type) or (cls is Tensor and attr != "Tensor"):
            continue  # gradcli-only names (GradcheckError, ...) and Variable (gradcli's is Tensor itself)
        assert gradcli_prints(f"import {module.split('.')[0]}\nprint({module}.{attr})") == f"{theirs}\n", attr
        checked += 1
    assert checked >= 50


def test_the_table_names_only_classes_torch_has():
    pytest.importorskip("torch")
    for path in TORCH_CLASSES.values():
        module, _, name = path.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), name), type), path


def test_classes_outside_gradcli_keep_their_own_names():
    assert torch_class_path(int) is None and torch_class_path(io.StringIO) is None
    assert gradcli_prints("class A:\n    pass\nprint(A)") == "<class '__main__.A'>\n"
