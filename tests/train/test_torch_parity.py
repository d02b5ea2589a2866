"""`gradcli train` against the same training written by hand in PyTorch: same data, losses and weights."""
import math

import numpy as np
import pytest

from gradcli.train import parse_config, train

from .helpers import LOGREG

torch = pytest.importorskip("torch")


def torch_blobs(n, centers, std, bias):
    ones = torch.ones(n, len(centers[0]))
    xs, ys = [], []
    for i, c in enumerate(centers):
        m = ones * c[0] if len(set(c)) == 1 else ones * torch.tensor(c)
        xs.append(torch.normal(m, std) + bias)
        ys.append(torch.full((n,), float(i)))
    return torch.cat(xs, 0), torch.cat(ys, 0)


def torch_loop(model, loss_fn, opt, sched, x, y, iterations, log_every):
    """The seed's loop: the logged loss is the forward pass before that iteration's update."""
    logged = {}
    for it in range(iterations):
        out = model(x)
        out = out.squeeze(-1) if out.shape[-1] == 1 else out
        loss = loss_fn(out, y)
        if it % log_every == 0:
            logged[it] = loss.item()
        loss.backward()
        opt.step()
        opt.zero_grad()
        if sched is not None:
            sched.step()
    return logged


def check(rows, logged, tmp_path, model):
    ours = {r["unit"]: r["loss"] for r in rows if r["unit"] in logged}
    assert ours.keys() == logged.keys()
    # same data and initial weights: the first loss is bit-identical; later ones agree to about one float32
    # ulp (reduction order inside matmul and mean), as tests/nn/test_nn_training.py observes
    assert ours[0] == logged[0]
    np.testing.assert_allclose(list(ours.values()), list(logged.values()), rtol=1e-5, atol=2e-6)
    with np.load(tmp_path / "r" / "last.npz") as z:
        for k, v in model.state_dict().items():
            np.testing.assert_allclose(z[f"param/{k}"], v.numpy(), rtol=1e-5, atol=2e-6, err_msg=k)


def test_the_seeds_logistic_regression(tmp_path):
    torch.manual_seed(1)
    x, y = torch_blobs(100, [[1.7, 1.7], [-1.7, -1.7]], 1.0, 1.0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    logged = torch_loop(model, torch.nn.BCELoss(), opt, None, x, y, 60, 10)
    r = train(parse_config(LOGREG, "c.toml"), tmp_path / "r")
    check(r.rows, logged, tmp_path, model)


def test_multiclass_mlp_with_adam_and_a_cosine_schedule(tmp_path):
    text = """
[data.blobs]
classes = 3
n_per_class = 30
mean = 2.0
std = 0.8
bias = 0.5
[model]
layers = ["linear(2,8)", "relu", "linear(8,3)"]
[loss]
name = "cross_entropy"
[optim]
name = "adamw"
lr = 0.03
[optim.schedule]
name = "cosine"
eta_min = 0.001
[train]
iterations = 40
log_every = 5
seed = 3
"""
    torch.manual_seed(3)
    r0 = 2.0 * math.sqrt(2)
    centers = [[r0 * math.cos(2 * math.pi * i / 3), r0 * math.sin(2 * math.pi * i / 3)] for i in range(3)]
    x, y = torch_blobs(30, centers, 0.8, 0.5)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    opt = torch.optim.AdamW(model.parameters(), lr=0.03)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=0.001)
    logged = torch_loop(model, torch.nn.CrossEntropyLoss(), opt, sched, x, y.long(), 40, 5)
    r = train(parse_config(text, "c.toml"), tmp_path / "r")
    check(r.rows, logged, tmp_path, model)
