"""torch.save / torch.load round trips (state_dicts, optimizer state, tensors of every kind); loading is
weights-only by default, so a pickle that names any other global is refused before it runs."""
import io
import pickle

import pytest

import gradcli as gc


def _roundtrip(obj, **kw):
    b = io.BytesIO()
    gc.save(obj, b)
    b.seek(0)
    return gc.load(b, **kw)


def test_state_dict_roundtrip_through_a_file(tmp_path):
    m = gc.nn.Sequential(gc.nn.Linear(2, 3), gc.nn.ReLU(), gc.nn.Linear(3, 1))
    gc.save(m.state_dict(), tmp_path / "model.pth")
    m2 = gc.nn.Sequential(gc.nn.Linear(2, 3), gc.nn.ReLU(), gc.nn.Linear(3, 1))
    assert str(m2.load_state_dict(gc.load(str(tmp_path / "model.pth")))) == "<All keys matched successfully>"
    assert all(gc.equal(a, b) for a, b in zip(m.parameters(), m2.parameters()))


def test_values_keep_type_dtype_and_flags():
    p = gc.nn.Parameter(gc.ones(2))
    d = _roundtrip({"t": gc.tensor(3.), "i": gc.ones(2, dtype=gc.int64), "p": p, "dt": gc.float64, "n": 5,
                    "s": gc.Size([2, 3]), "scalar": (gc.ones(2) * 2)[0], "l": [gc.zeros(1)], "g": gc.ones(2, requires_grad=True)})
    assert type(d["p"]) is gc.nn.Parameter and d["p"].requires_grad and d["p"] is not p
    assert d["i"].dtype == gc.int64 and d["dt"] is gc.float64 and d["s"] == gc.Size([2, 3])
    assert d["scalar"].item() == 2.0 and d["t"].shape == () and d["g"].requires_grad and d["l"][0].tolist() == [0.]


def test_optimizer_state_roundtrip():
    m = gc.nn.Linear(2, 1)
    opt = gc.optim.Adam(m.parameters())
    m(gc.ones(1, 2)).sum().backward()
    opt.step()
    state = _roundtrip(opt.state_dict())
    opt2 = gc.optim.Adam(m.parameters())
    opt2.load_state_dict(state)
    assert sorted(state["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]


class _Evil:
    def __reduce__(self):
        return (exec, ("raise SystemExit('ran')",))


def test_weights_only_refuses_other_globals():
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL builtins.exec"):
        _roundtrip(_Evil())


def test_torch_and_scripts():
    torch = pytest.importorskip("torch")
    from gradcli.lang import run_source
    from gradcli.lang.errors import GradError
    assert callable(torch.save) and callable(gc.save)
    with pytest.raises(GradError, match="save"):  # .grad scripts get no file access
        run_source("import torch\ntorch.save(torch.ones(1), 'x.pth')\n")
