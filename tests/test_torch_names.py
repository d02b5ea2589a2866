"""gradcli's classes carry torch's names (gradcli/naming.py): CPython prints them as torch does, and
pickling, copying and the sandbox still find each class where it really lives."""
import copy
import io
import pickle

import pytest

import gradcli
from gradcli.naming import GRADCLI_PATH, TORCH_CLASSES


def test_every_table_entry_is_renamed_and_prints_torchs_path():
    assert len(GRADCLI_PATH) == len(TORCH_CLASSES)
    for cls, home in GRADCLI_PATH.items():
        assert repr(cls) == f"<class '{TORCH_CLASSES[home]}'>"


def test_node_classes_print_bare_names_as_torchs_cpp_nodes():
    x = gradcli.ones(2, requires_grad=True)
    y = (x * 3).sum()
    assert repr(type(y.grad_fn)) == "<class 'SumBackward0'>"
    assert repr(type(y.grad_fn.next_functions[0][0].next_functions[0][0])) == "<class 'AccumulateGrad'>"


def test_against_torch_where_installed():
    torch = pytest.importorskip("torch")
    pairs = [(gradcli.nn.Linear(2, 3), torch.nn.Linear(2, 3)), (gradcli.ones(1), torch.ones(1)),
             (gradcli.float32, torch.float32), (gradcli.device("cpu"), torch.device("cpu")),
             (gradcli.ones(2).shape, torch.ones(2).shape), (gradcli.ones(2).max(0), torch.ones(2).max(0)),
             (gradcli.optim.SGD([gradcli.ones(1, requires_grad=True)], lr=1), torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=1))]
    for ours, theirs in pairs:
        assert repr(type(ours)) == repr(type(theirs))
        assert type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize("make", [lambda: gradcli.device("cpu"), lambda: gradcli.Size([2, 3]),
                                  lambda: gradcli.__version__, lambda: gradcli.ones(3).max(0),
                                  lambda: gradcli.nn.Sequential(gradcli.nn.Linear(2, 3), gradcli.nn.ReLU())])
def test_instances_pickle_and_copy_by_their_gradcli_home(make):
    obj = make()
    for again in (pickle.loads(pickle.dumps(obj)), copy.deepcopy(obj)):
        assert type(again) is type(obj) and repr(again) == repr(obj)
    assert b"torch.nn.modules" not in pickle.dumps(obj)


def test_save_and_load_never_name_a_torch_module():
    model = gradcli.nn.Linear(2, 3)
    buf = io.BytesIO()
    gradcli.save({"model": model, "shape": model.weight.shape}, buf)
    assert b"torch.nn" not in buf.getvalue()
    buf.seek(0)
    loaded = gradcli.load(buf, weights_only=False)
    assert type(loaded["model"]) is gradcli.nn.Linear and loaded["shape"] == (3, 2)
    buf = io.BytesIO()
    gradcli.save(model.weight.shape, buf)
    buf.seek(0)
    assert gradcli.load(buf) == gradcli.Size([3, 2])  # weights-only: a Size is allowed
    buf = io.BytesIO()
    gradcli.save(model, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        gradcli.load(buf)  # weights-only: a module is not
