"""torch.utils.data (Dataset, TensorDataset, random_split, DataLoader): same batches and the same shuffles
as torch for the same seed, collation like default_collate, and usable from .grad scripts."""
import io
import re

import pytest

import gradcli as gc

ADDR = re.compile(r"0x[0-9a-f]+")


def _snippet(m, p):
    import importlib
    D = importlib.import_module(m.__name__ + ".utils.data")
    m.manual_seed(0)
    X = m.arange(20.).reshape(10, 2)
    y = m.arange(10)
    ds = D.TensorDataset(X, y)
    p(len(ds), ds[3])
    for xb, yb in D.DataLoader(ds, batch_size=4, shuffle=True):
        p(xb, yb)
    loader = D.DataLoader(ds, batch_size=3, shuffle=True, drop_last=True)
    p(len(loader), len(D.DataLoader(ds, batch_size=3)))
    for _ in range(2):  # a new permutation per pass
        p([b[1].tolist() for b in loader])
    p(m.randn(2))  # the default stream advanced exactly as torch's
    g = m.Generator().manual_seed(42)
    p([b[1].tolist() for b in D.DataLoader(ds, batch_size=4, shuffle=True, generator=g)])
    p(m.randn(2))

    class Sq(D.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": float(i), "y": i * i, "name": str(i)}

    for b in D.DataLoader(Sq(), batch_size=2):
        p(b)
    a, b = D.random_split(ds, [7, 3])
    p(len(a), len(b), a.indices, b.indices, a[0])
    a, b = D.random_split(ds, [0.8, 0.2], generator=m.Generator().manual_seed(1))
    p(a.indices, b.indices)
    p(next(iter(D.DataLoader(ds, batch_size=None))))
    p(next(iter(D.DataLoader([(1, 2.5), (3, 4.5)], batch_size=2))))
    it = iter(D.DataLoader(ds, batch_size=5, shuffle=True))
    p(m.rand(1))
    p(next(it)[1])
    p(type(next(iter(D.DataLoader(ds, batch_size=2)))).__name__)
    p([s[0].tolist() for s in D.DataLoader(D.TensorDataset(y), batch_size=4, sampler=D.RandomSampler(
        ds, replacement=True, num_samples=7))])
    try:
        D.TensorDataset(X, m.arange(3))
    except AssertionError as e:
        p("AssertionError", e)


def _out(m):
    lines = []
    _snippet(m, lambda *a: lines.append(" ".join(str(v) for v in a)))
    return ADDR.sub("0x…", "\n".join(lines))


def test_data_loading_matches_torch():
    torch = pytest.importorskip("torch")
    assert _out(gc) == _out(torch)


def test_loader_literal():
    from gradcli.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(gc.arange(5.), gc.arange(5))
    batches = list(DataLoader(ds, batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert isinstance(batches[0], list) and batches[0][0].dtype == gc.float32
    gc.manual_seed(0)
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)] == [[1, 4, 2, 3, 0]]  # torch 2.13


def test_loader_in_a_grad_script():
    from gradcli.lang import run_source
    out = io.StringIO()
    run_source("import torch\n"
               "from torch.utils.data import DataLoader, Dataset\n"
               "class Squares(Dataset):\n"
               "    def __len__(self):\n"
               "        return 4\n"
               "    def __getitem__(self, i):\n"
               "        return torch.tensor([float(i)]), i * i\n"
               "torch.manual_seed(0)\n"
               "for x, y in DataLoader(Squares(), batch_size=3, shuffle=True):\n"
               "    print(x.tolist(), y)\n", stdout=out)
    # what torch 2.13 prints for the same Python program
    assert out.getvalue() == "[[2.0], [1.0], [3.0]] tensor([4, 1, 9])\n[[0.0]] tensor([0])\n"
