"""eval and predict: a checkpoint's metrics equal the run's own rows; data from CSV or a source; clear errors."""
import csv
import json

import numpy as np
import pytest

from gradcli.train import parse_config, train
from gradcli.train.config import ConfigError
from gradcli.train.inference import evaluate, open_run, predict

from .helpers import LOGREG, MOONS

CSV_CONFIG = """\
[data]
standardize = true
batch_size = 8

[data.csv]
path = "d.csv"
target = "y"

[model]
layers = ["linear(2,1)"]

[loss]
name = "mse"

[optim]
lr = 0.05

[train]
epochs = 10
log_every = 5
seed = 3
"""


def rows(run):
    return [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("moons") / "run"
    train(parse_config(MOONS, "m.toml"), out)
    return out


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("csv")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2)) * [10, 1] + [50, 0]
    y = x @ [0.5, -2.0] + 1
    lines = ["a,b,y"] + [f"{a:.4f},{b:.4f},{t:.4f}" for (a, b), t in zip(x, y)]
    (d / "d.csv").write_text("\n".join(lines) + "\n")
    (d / "c.toml").write_text(CSV_CONFIG)
    train(parse_config(CSV_CONFIG, str(d / "c.toml")), d / "runs" / "r")
    return d


def test_eval_of_last_equals_the_final_validation_row(moons_run):
    final = rows(moons_run)[-1]
    r = evaluate(moons_run, checkpoint="last")
    assert r.data == "validation split" and r.samples == 30 and r.unit == 12 and r.unit_name == "epochs"
    assert r.metrics == {"loss": final["val_loss"], "accuracy": final["val_accuracy"]}


def test_eval_of_best_is_the_monitored_best(moons_run):
    best = min((x for x in rows(moons_run) if "val_loss" in x), key=lambda x: x["val_loss"])
    r = evaluate(moons_run)
    assert r.checkpoint == "best" and r.unit == best["unit"] and r.metrics["loss"] == best["val_loss"]


def test_csv_data_is_standardised_with_the_training_statistics(csv_run):
    run = csv_run / "runs" / "r"
    final = rows(run)[-1]
    default = evaluate(run, checkpoint="last")  # no validation split: the training set, i.e. the whole file
    assert default.data.startswith("training set") and default.metrics["loss"] == final["loss"]
    # the same file given as --data, from another working directory: the same numbers
    again = evaluate(run, str(csv_run / "d.csv"), checkpoint="last")
    assert again.samples == 40 and again.metrics["loss"] == pytest.approx(final["loss"], rel=1e-6)
    assert again.metrics["r2"] == pytest.approx(final["r2"], rel=1e-6)


def test_a_moved_run_directory_still_finds_its_csv(csv_run, tmp_path):
    import shutil
    shutil.copytree(csv_run / "runs" / "r", csv_run / "runs" / "moved")
    assert evaluate(csv_run / "runs" / "moved").samples == 40


def test_generated_data_in_the_config_syntax(moons_run):
    r = evaluate(moons_run, "moons = {n = 400, noise = 0.1}", "last")
    assert r.data == "moons" and r.samples == 400 and r.metrics["accuracy"] > 0.8


def test_predict_rows_and_atomic_csv(moons_run, tmp_path):
    out = tmp_path / "p.csv"
    r = predict(moons_run, "moons = {n = 10}", output=str(out))
    assert r.columns == ["x0", "x1", "prediction", "probability"] and len(r.rows) == 10
    assert all(row[2] in (0, 1) and 0.5 <= row[3] <= 1 for row in r.rows)
    got = list(csv.reader(out.open()))
    assert got[0] == r.columns and [float(v) for v in got[1]] == pytest.approx(r.rows[0])
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]  # no temp file left behind


def test_predict_without_a_target_column(csv_run, tmp_path):
    (tmp_path / "new.csv").write_text("b,a\n0.5,50\n")  # column order does not matter, names do
    r = predict(csv_run / "runs" / "r", str(tmp_path / "new.csv"))
    assert r.task == "regression" and r.columns == ["a", "b", "prediction"] and r.rows[0][:2] == [50.0, 0.5]
    assert r.rows[0][2] == pytest.approx(50 * 0.5 - 1 + 1, abs=2.0)


def test_predict_multiclass_gives_a_class_and_its_probability(tmp_path):
    text = LOGREG.replace('"linear(2,1)", "sigmoid"', '"linear(2,2)"').replace('"bce"', '"cross_entropy"')
    train(parse_config(text, "c.toml"), tmp_path / "r")
    r = predict(tmp_path / "r", "blobs = {n_per_class = 3}")
    assert [row[2] for row in r.rows] == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize("setup, data, message", [
    (lambda p: None, None, "does not exist"),
    (lambda p: p.mkdir(), None, "is not a complete run directory: config.toml, run.json missing"),
    (lambda p: None, "x.csv", "cannot read 'x.csv'"),
])
def test_missing_runs_and_files(tmp_path, setup, data, message, moons_run):
    target = tmp_path / "r" if data is None else moons_run
    setup(target)
    with pytest.raises(ConfigError, match=message):
        evaluate(target, data)


@pytest.mark.parametrize("csv_text, message", [
    ("a,y\n1,2\n", "lacks the feature column 'b'"),
    ("a,b\n1,2\n", "has no target column 'y': eval needs the true values"),
    ("a,b,y\n1,zz,2\n", "d2.csv:2: column 'b': cannot read 'zz' as a number"),
])
def test_data_that_does_not_fit_the_model(csv_run, tmp_path, csv_text, message):
    (tmp_path / "d2.csv").write_text(csv_text)
    with pytest.raises(ConfigError, match=message):
        evaluate(csv_run / "runs" / "r", str(tmp_path / "d2.csv"))


def test_a_source_with_other_shapes_or_keys(moons_run):
    with pytest.raises(ConfigError, match="takes 2 features but the data has 3"):
        evaluate(moons_run, "blobs = {features = 3}")
    with pytest.raises(ConfigError, match=r"data.moons.size: unknown key"):
        evaluate(moons_run, "moons = {size = 3}")


def test_a_run_without_checkpoints(tmp_path, moons_run):
    import shutil
    shutil.copytree(moons_run, tmp_path / "r")
    (tmp_path / "r" / "best.npz").unlink()
    assert open_run(tmp_path / "r").checkpoint == "last"  # best falls back to last
    (tmp_path / "r" / "last.npz").unlink()
    with pytest.raises(ConfigError, match="has no checkpoint yet"):
        open_run(tmp_path / "r")
