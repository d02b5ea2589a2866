"""Models written in the .grad language: config checks, parity with the layer list, resume, eval/predict/plot."""
import json

import numpy as np
import pytest

from gradcli.lang.errors import GradError
from gradcli.train import ConfigError, load_config, parse_config, train
from gradcli.train.inference import evaluate, predict
from gradcli.train.plot import plot_run

from .helpers import LOGREG, SAMPLES

GRAD_LOGREG = LOGREG.replace('layers = ["linear(2,1)", "sigmoid"]', '''forward = "sigmoid(x @ w.T + b)"

[model.parameters]
w = {shape = [1, 2], init = "kaiming_uniform"}
b = {shape = [1], init = "uniform", low = -0.7071067811865476, high = 0.7071067811865476}''')


def rows(run):
    return [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]


def test_the_grad_sample_is_bit_identical_to_the_layer_sample(tmp_path):
    a = train(load_config(SAMPLES / "logistic_regression_grad.toml"), tmp_path / "a")
    b = train(load_config(SAMPLES / "logistic_regression.toml"), tmp_path / "b")
    assert a.stop_reason == b.stop_reason == "accuracy > 0.99 at iteration 540 (accuracy = 0.995)"
    assert rows(tmp_path / "a") == rows(tmp_path / "b")


def test_resume_equals_an_uninterrupted_run(tmp_path):
    cfg = parse_config(GRAD_LOGREG, "g.toml")
    train(cfg, tmp_path / "full")
    train(cfg, tmp_path / "cut", stop_after=30)
    train(cfg, tmp_path / "cut", resume=True)
    for name in ("metrics.jsonl", "metrics.csv"):
        assert (tmp_path / "full" / name).read_bytes() == (tmp_path / "cut" / name).read_bytes()
    with np.load(tmp_path / "full" / "last.npz") as a, np.load(tmp_path / "cut" / "last.npz") as b:
        assert sorted(a.files) == sorted(b.files) and all(np.array_equal(a[k], b[k]) for k in a.files)
        assert {"param/w", "param/b"} <= set(a.files)


def test_eval_predict_and_plot_rebuild_the_grad_model(tmp_path):
    train(parse_config(GRAD_LOGREG, "g.toml"), tmp_path / "r")
    final = rows(tmp_path / "r")[-1]
    assert evaluate(tmp_path / "r", checkpoint="last").metrics["loss"] == final["loss"]
    assert len(predict(tmp_path / "r", "blobs = {n_per_class = 2}").rows) == 4
    assert plot_run(tmp_path / "r", png=str(tmp_path / "p.png")).boundary


def test_every_initialiser_and_the_resolved_config_round_trips():
    text = LOGREG.replace('layers = ["linear(2,1)", "sigmoid"]', '''forward = "sigmoid(x @ a @ c + b + d + e + f + g + h)"

[model.parameters]
a = {shape = [2, 3], init = "xavier_uniform", gain = 2}
c = {shape = [3, 1], init = "kaiming_normal"}
b = {shape = [], init = "constant", value = 0.5}
d = {shape = [1], init = "ones"}
e = {shape = [1], init = "normal", mean = 1, std = 0.5}
f = {shape = [1], init = "xavier_normal"}
g = {shape = [1], init = "uniform"}
h = {shape = [1]}''').replace('f = {shape = [1], init = "xavier_normal"}', 'f = {shape = [1], init = "zeros"}')
    from gradcli.train import to_toml
    cfg = parse_config(text, "g.toml")
    assert list(cfg["model"]["parameters"]) == list("acbdefgh")  # declaration order: the draw order
    assert cfg["model"]["parameters"]["h"] == {"shape": [1], "init": "normal", "mean": 0.0, "std": 0.1}
    again = parse_config(to_toml(cfg.values), "again.toml")
    assert again.hash() == cfg.hash()
    from gradcli.train.model import build_any_model
    m = build_any_model(cfg)
    assert [n for n, _ in m.named_parameters()] == list("acbdefgh") and m.b.item() == 0.5


@pytest.mark.parametrize("model, message", [
    ('forward = "sigmoid(x @@ w)"\n[model.parameters]\nw = {shape = [2]}', "model.forward: cannot parse"),
    ('forward = "x @ w"', "model.parameters: declare the trained parameters"),
    ('[model.parameters]\nw = {shape = [2]}', "model: [model.parameters] needs model.forward"),
    ('layers = ["linear(2,1)"]\nforward = "x @ w"\n[model.parameters]\nw = {shape = [2]}',
     "model.layers: give either model.layers or a .grad model"),
    ('forward = "x @ w"\nfoward = 1\n[model.parameters]\nw = {shape = [2]}', "model.foward: unknown key; did you mean 'forward'?"),
    ('forward = "x @ w"\n[model.parameters]\nx = {shape = [2]}', "'x' cannot name a parameter"),
    ('forward = "x @ w"\n[model.parameters]\nw = {shape = [2], init = "zero"}', "did you mean 'zeros'?"),
    ('forward = "x @ w"\n[model.parameters]\nw = {shape = [2], std = 1, init = "uniform"}',
     "model.parameters.w.std: is not an option of init 'uniform' (it belongs to normal)"),
    ('forward = "x @ w"\n[model.parameters]\nw = {shape = [2, 0]}', "model.parameters.w.shape: expected a list of"),
    ('forward = "x @ w"\n[model.parameters]\nw = {shape = [2], init = "kaiming_uniform"}',
     "kaiming_uniform needs a parameter of two or more dimensions"),
    ('forward = "x @ w"\n[model.parameters]\nw = {shape = [2], init = "normal", std = 0}', "needs std > 0"),
    ('forward = "x @ w"\n[model.parameters]\nw = 3', "expected a table such as"),
    ('', "model: describe the model"),
])
def test_config_errors(model, message):
    text = LOGREG.replace('layers = ["linear(2,1)", "sigmoid"]', model)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        parse_config(text, "g.toml")


def test_forward_errors_point_into_the_expression(tmp_path):
    text = GRAD_LOGREG.replace("x @ w.T + b", "x @ w + b")
    with pytest.raises(GradError) as e:
        train(parse_config(text, "g.toml"), tmp_path / "r")
    assert e.value.format().startswith("model.forward:1:9: RuntimeError: mat1 and mat2 shapes cannot be multiplied")
    # found before the run directory was written: fixing the config needs no --overwrite
    assert not any((tmp_path / "r").iterdir())
    train(parse_config(GRAD_LOGREG, "g.toml"), tmp_path / "r")
