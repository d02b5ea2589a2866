"""The sandbox: a script reaches values and gradcli's torch API, never Python's machinery, files or modules."""
import io

import pytest

from gradcli.lang import GradError, GradImportError, GradNameError, run_source


def run(src):
    out = io.StringIO()
    run_source(src, "s.grad", stdout=out)
    return out.getvalue()


ESCAPES = {
    "class_of_tuple": "().__class__.__bases__",
    "metaclass_via_type": "type(type(1))('A', (), {})",
    "metaclass_via_class_attr": "(1).__class__.__class__('A', (), {'__del__': print})",
    "metaclass_of_module": "import torch\ntype(torch.nn.Module)('A', (torch.nn.Module,), {})",
    "metaclass_of_function": "import torch\ntype(torch.autograd.Function)('A', (), {'__module__': 'torch.x'})",
    "class_name_as_base": "class A(type(print)):\n    pass",
    "bound_init_of_internal": "import torch\ny = torch.ones(1, requires_grad=True) * 2\n'{0.grad_fn.__init__}'.format(y)",
    "class_then_mro": "(1).__class__.__mro__",
    "class_then_subclasses": "[].__class__.__class__.__subclasses__(int)",
    "class_init_globals": "torch.ones(1).__class__.__init__.__globals__",
    "bases_via_format": "'{0.__class__.__bases__}'.format(1)",
    "format_map": "'{x}'.format_map({'x': 1})",
    "subclasses": "type(1).__subclasses__()",
    "mro_of_builtin": "type(1).mro()",
    "function_globals": "f = lambda: 0\nf.__globals__",
    "function_code": "def f():\n    pass\nf.__code__",
    "builtin_self": "print.__self__",
    "gradcli_function_globals": "import torch\ntorch.tensor.__globals__",
    "private_tensor_data": "import torch\ntorch.ones(1)._data",
    "numpy_tofile": "import torch\ntorch.ones(2).numpy().tofile('x')",
    "numpy_ctypes": "import torch\ntorch.ones(2).numpy().ctypes",
    "getattr_builtin": "getattr(1, '__dict__')",
    "getattr_class_base": "getattr(getattr(1, '__class__'), '__base__')",
    "saved_name_on_a_tensor": "import torch\nx = torch.ones(1)\nx._saved_self",
    "raw_saved_handle_insides": "import torch\nx = torch.ones(1, requires_grad=True)\n(x * x).grad_fn._raw_saved_self._node",
    "version_class_format": "import torch\ntype(torch.__version__).format('{0}', 1)",
    "version_of_a_submodule": "import torch\ntorch.nn.__version__",
    "open": "open('/etc/passwd')",
    "eval": "eval('1')",
    "exec": "exec('x = 1')",
    "dunder_import": "__import__('os')",
    "globals": "globals()",
    "write_to_torch": "import torch\ntorch.tensor = None",
    "set_private_attribute": "import torch\nt = torch.ones(1)\nt._data = 1",
    "type_of_namespace": "import torch\ntype(torch).__init__",
    "traceback": "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__",
    "class_with_del": "class A:\n    def __del__(self):\n        pass",
    "class_with_getattribute": "class A:\n    __getattribute__ = None",
    "base_from_namespace": "import torch\nclass A(type(torch)):\n    pass",
    "print_to_file": "print('x', file=None or 1)",
    "type_three_args": "type('A', (), {})",
}


@pytest.mark.parametrize("src", ESCAPES.values(), ids=ESCAPES.keys())
def test_escape_attempts_end_in_a_positioned_grad_error(src):
    with pytest.raises(GradError) as info:
        run(src)
    e = info.value
    assert e.span is not None and e.filename == "s.grad"
    assert e.kind in (None, "NameError", "TypeError", "AttributeError") or isinstance(e, GradNameError)


def test_denied_private_attribute_message():
    with pytest.raises(GradNameError) as info:
        run("x = 1\nx.__dict__\n")
    assert info.value.format() == (
        "s.grad:2:1: error: attribute '__dict__' of 'int' object is not accessible in .grad scripts "
        "(names starting with '_' are private)\nx.__dict__\n^~~~~~~~~~")


def test_open_names_the_reason():
    with pytest.raises(GradNameError, match="'open' is not available in .grad scripts"):
        run("open('f')")


def test_denied_access_cannot_be_caught_by_the_script():
    with pytest.raises(GradNameError):
        run("try:\n    x = ().__dict__\nexcept Exception:\n    print('caught')\n")


def test_import_of_python_modules_is_refused():
    with pytest.raises(GradImportError, match="module 'subprocess' is not available"):
        run("import subprocess")


ALLOWED = {
    "tensor_version": ("import torch\nt = torch.ones(1)\nt.add_(1)\nprint(t._version)", "1\n"),
    "init_and_call": ("class A:\n    def __init__(self):\n        self.v = 2\n    def __call__(self, x):\n"
                      "        return x * self.v\nprint(A()(3), A.__init__ is not None, A().__call__(1))", "6 True 2\n"),
    "class_name": ("import torch\nprint(type(torch.ones(1)).__name__)", "Tensor\n"),
    "type_is_a_name_for_internals": ("print(type(print), type(type(1)), type(len).__name__, type(1))",
                                     "<class 'builtin_function_or_method'> <class 'type'> builtin_function_or_method <class 'int'>\n"),
    "dunder_class_agrees_with_type": ("import torch\nt = torch.ones(1)\nprint(t.__class__ == type(t), "
                                      "(1.5).__class__.__name__, isinstance(t, type(t)), type(print) == type(print))",
                                      "True float True True\n"),
    "numpy_values": ("import torch\na = torch.ones(2).numpy()\nprint(a.shape, a.tolist())", "(2,) [1.0, 1.0]\n"),
    "str_format_fields": ("print('{0[1]} {k.real}'.format([1, 2], k=3))", "2 3\n"),
    "optimizer_state": ("import torch\nw = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.5)\n"
                        "print(opt.param_groups[0]['lr'])", "0.5\n"),
    "version": ("import torch\nv = torch.__version__\nprint(v, v.split('+')[0], v >= '2.0', v >= '2.9', v < (2, 14))",
                "2.13.0+gradcli 2.13.0 True True True\n"),
    "version_format_is_checked": ("import torch\nprint(torch.__version__.format(1), '{0.__class__}'.format(torch.__version__))",
                                  "2.13.0+gradcli <class 'torch.torch_version.TorchVersion'>\n"),
    "saved_values_of_a_node": ("import torch\nx = torch.ones(2, requires_grad=True)\ny = x.pow(2)\n"
                               "print(y.grad_fn._saved_self is x, y.grad_fn._saved_exponent, "
                               "y.grad_fn._raw_saved_self.unpack() is x)", "True 2 True\n"),
    "hasattr_denied_reads_as_missing": ("import torch\nt = torch.ones(1)\n"
                                        "print(hasattr(1, '__dict__'), hasattr(t, '_data'), hasattr(t, '_nope'), "
                                        "hasattr(t, 'grad'), hasattr(t, 'nope'), hasattr(t, '_version'))",
                                        "False False False True False True\n"),
    "getattr_default_for_denied": ("print(getattr(1, '__dict__', 'd'), getattr(print, 'x', None))", "d None\n"),
    "node_api": ("import torch\nw = torch.ones(1, requires_grad=True)\ny = w * 2\n"
                 "print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].variable is w)", "MulBackward0 True\n"),
}


@pytest.mark.parametrize("src, expected", ALLOWED.values(), ids=ALLOWED.keys())
def test_what_tutorials_need_is_allowed(src, expected):
    assert run(src) == expected
