"""The loop: the seed's stopping point, determinism, bit-exact --resume, atomic checkpoints, NaN stops."""
import json

import numpy as np
import pytest

import gradcli
from gradcli.lang.errors import GradError
from gradcli.train import TrainError, load_config, parse_config, train
from gradcli.train import checkpoint as ckpt

from .helpers import LOGREG, MOONS, SAMPLES


def arrays(path):
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def same_arrays(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def test_the_seed_sample_stops_where_the_seed_stops(tmp_path):
    r = train(load_config(SAMPLES / "logistic_regression.toml"), tmp_path / "run")
    assert r.status == "stopped"
    assert r.stop_reason == "accuracy > 0.99 at iteration 540 (accuracy = 0.995)"
    assert r.steps_done == 541
    row = [x for x in r.rows if x["unit"] == 540][0]
    assert f"{row['loss']:.4f}" == "0.0447"  # the seed prints Loss=0.0447 at iteration 540
    # the seed prints w0:-1.48 w1:-1.70 b: 2.22 after its last step
    p = arrays(tmp_path / "run" / "last.npz")
    assert [f"{v:.2f}" for v in (*p["param/0.weight"][0], p["param/0.bias"][0])] == ["-1.48", "-1.70", "2.22"]


def test_same_seed_same_metrics_and_another_seed_differs(tmp_path):
    cfg = parse_config(MOONS, "m.toml")
    a = train(cfg, tmp_path / "a")
    b = train(cfg, tmp_path / "b")
    assert (tmp_path / "a" / "metrics.jsonl").read_bytes() == (tmp_path / "b" / "metrics.jsonl").read_bytes()
    assert a.rows == b.rows
    c = train(parse_config(MOONS, "m.toml", ["train.seed=8"]), tmp_path / "c")
    assert c.rows != a.rows


@pytest.mark.parametrize("text, stop_after", [(MOONS, 7), (MOONS, 9), (LOGREG, 45)])
def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path, text, stop_after):
    cfg = parse_config(text, "c.toml")
    full = train(cfg, tmp_path / "full")
    cut = train(cfg, tmp_path / "cut", stop_after=stop_after)
    assert cut.status == "interrupted"
    # what a kill leaves behind: rows logged after the last checkpoint, and a torn last line
    with open(tmp_path / "cut" / "metrics.jsonl", "a") as fh:
        fh.write('{"unit": 99, "lo')
    done = train(cfg, tmp_path / "cut", resume=True)
    assert done.resumed_from == stop_after - stop_after % cfg["train"]["checkpoint_every"]
    assert done.status == full.status and done.steps_done == full.steps_done
    for name in ("metrics.jsonl", "metrics.csv", "config.toml", "run.json"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name
    same_arrays(arrays(tmp_path / "cut" / "last.npz"), arrays(tmp_path / "full" / "last.npz"))
    same_arrays(arrays(tmp_path / "cut" / "best.npz"), arrays(tmp_path / "full" / "best.npz"))
    again = train(cfg, tmp_path / "cut", resume=True)
    assert again.status == "already finished" and again.rows == full.rows


def test_resume_refuses_another_config_and_a_missing_checkpoint(tmp_path):
    cfg = parse_config(LOGREG, "c.toml")
    train(cfg, tmp_path / "r", stop_after=20)
    with pytest.raises(TrainError, match="the config differs"):
        train(parse_config(LOGREG, "c.toml", ["optim.lr=0.02"]), tmp_path / "r", resume=True)
    with pytest.raises(TrainError, match="last.npz does not exist"):
        train(cfg, tmp_path / "empty", resume=True)


def test_a_non_empty_run_directory_needs_overwrite(tmp_path):
    cfg = parse_config(LOGREG, "c.toml")
    train(cfg, tmp_path / "r")
    (tmp_path / "r" / "notes.txt").write_text("mine")
    with pytest.raises(TrainError, match="is not empty; use --overwrite"):
        train(cfg, tmp_path / "r")
    train(cfg, tmp_path / "r", overwrite=True)
    assert (tmp_path / "r" / "notes.txt").read_text() == "mine"  # only the run's own files are replaced


@pytest.mark.parametrize("where", ["replace", "write"])
def test_a_failed_checkpoint_write_keeps_the_previous_one(tmp_path, monkeypatch, where):
    cfg = parse_config(LOGREG, "c.toml")
    train(cfg, tmp_path / "r", stop_after=20)
    path = tmp_path / "r" / "last.npz"
    before = arrays(path)

    def boom(*a, **k):
        raise OSError("disk on fire")

    if where == "replace":
        monkeypatch.setattr(ckpt.os, "replace", boom)
    else:  # the writer dies half way through the archive
        real = np.savez

        def half(fh, **arrs):
            real(fh, **arrs)
            fh.truncate(fh.tell() // 2)
            raise OSError("killed mid-write")
        monkeypatch.setattr(ckpt.np, "savez", half)
    with pytest.raises(OSError):
        train(cfg, tmp_path / "r", resume=True)
    monkeypatch.undo()
    same_arrays(arrays(path), before)
    assert sorted(p.name for p in (tmp_path / "r").iterdir() if p.name.endswith(".tmp")) == []
    done = train(cfg, tmp_path / "r", resume=True)  # and the run still resumes to the right result
    assert done.resumed_from == 20 and done.steps_done == 60


def test_a_non_finite_loss_stops_naming_the_step(tmp_path):
    text = LOGREG.replace("lr = 0.01", "lr = 1e30").replace('name = "bce"', 'name = "mse"').replace(
        '["linear(2,1)", "sigmoid"]', '["linear(2,1)"]')
    with pytest.raises(TrainError, match=r"the loss became (inf|nan) at step \d+ \(iteration \d+\)"):
        train(parse_config(text, "c.toml"), tmp_path / "r")


def test_a_non_finite_loss_can_end_the_run_instead(tmp_path):
    text = LOGREG.replace("lr = 0.01", "lr = 1e30").replace('name = "bce"', 'name = "mse"').replace(
        '["linear(2,1)", "sigmoid"]', '["linear(2,1)"]').replace("seed = 1", "seed = 1\non_nonfinite = \"stop\"")
    r = train(parse_config(text, "c.toml"), tmp_path / "r")
    assert r.status == "stopped" and r.stop_reason.startswith("the loss became inf at step 1 (iteration 1)")
    p = arrays(tmp_path / "r" / "last.npz")
    assert np.isfinite(p["param/0.weight"]).all()  # the state before the step that failed
    assert train(parse_config(text, "c.toml"), tmp_path / "r", resume=True).status == "already finished"


def test_run_directory_contents(tmp_path):
    cfg = parse_config(MOONS, "m.toml")
    r = train(cfg, tmp_path / "r")
    meta = json.loads((tmp_path / "r" / "run.json").read_text())
    assert meta["config_hash"] == cfg.hash() and meta["seed"] == 7 and meta["gradcli"] == gradcli.RELEASE
    assert meta["train_samples"] == 90 and meta["validation_samples"] == 30
    lines = (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["unit"] for x in lines] == [0, 2, 4, 6, 8, 10, 12]
    header = (tmp_path / "r" / "metrics.csv").read_text().splitlines()[0]
    assert header == "unit,step,loss,accuracy,val_loss,val_accuracy"
    assert "val_loss" in json.loads(lines[2]) and "val_loss" not in json.loads(lines[1])  # eval_every = 4
    assert r.best["metric"] == "val_loss" and r.best["unit"] in (0, 4, 8, 12)
    assert parse_config((tmp_path / "r" / "config.toml").read_text()).values == cfg.values


@pytest.mark.parametrize("sample, check", [
    ("moons_mlp.toml", lambda r: r.status == "stopped" and r.rows[-2]["val_accuracy"] >= 0.985),
    ("linear_regression.toml", lambda r: r.final["r2"] > 0.95 and r.final["val_r2"] > 0.95),
    ("blobs_multiclass.toml", lambda r: r.final["val_accuracy"] > 0.9),
])
def test_samples_train_to_a_sensible_result(tmp_path, sample, check):
    r = train(load_config(SAMPLES / sample), tmp_path / "r")
    assert check(r), r.final


CSV_CONFIG = """
[data.csv]
path = "d.csv"
target = "y"
[model]
layers = ["linear(2,1)"]
[loss]
name = "mse"
[train]
iterations = 3
"""


@pytest.mark.parametrize("csv_text, message", [
    ("a,b,y\n1,2,3\n4,x,6\n", "d.csv:3: column 'b': cannot read 'x' as a number"),
    ("a,b,y\n1,2,3\n4,5\n", "d.csv:3: expected 3 columns, got 2"),
    ("a,b,z\n1,2,3\n4,5,6\n", "data.csv.target: no column 'y' in d.csv (columns: a, b, z)"),
    ("a,b,y\n1,2,3\n", "d.csv: needs at least two data rows, found 1"),
    ("a,b,c,y\n1,2,3,4\n4,5,6,7\n", "the first linear layer takes 2 features but d.csv gives 3 (a, b, c)"),
])
def test_csv_problems_name_the_file_line_and_column(tmp_path, csv_text, message):
    (tmp_path / "d.csv").write_text(csv_text)
    (tmp_path / "c.toml").write_text(CSV_CONFIG)
    with pytest.raises(GradError) as e:
        train(load_config(tmp_path / "c.toml"), tmp_path / "r")
    assert message in e.value.message


def test_csv_without_header_uses_column_numbers(tmp_path):
    (tmp_path / "d.csv").write_text("1,2,5\n2,1,4\n3,3,9\n0,1,1\n")
    (tmp_path / "c.toml").write_text(CSV_CONFIG.replace('target = "y"', 'target = "2"\nheader = false'))
    r = train(load_config(tmp_path / "c.toml"), tmp_path / "r")
    assert r.steps_done == 3 and json.loads((tmp_path / "r" / "run.json").read_text())["features"] == ["0", "1"]


KILLED_MID_WRITE = """
import sys, time
import numpy as np
from gradcli.train import parse_config, train
from gradcli.train import checkpoint as ck
from tests.train.helpers import LOGREG

cfg = parse_config(LOGREG, "c.toml")
train(cfg, sys.argv[1], stop_after=20)
real = np.savez


def stuck(fh, **arrays):  # half an archive on disk, then wait for the SIGKILL
    real(fh, **arrays)
    fh.truncate(fh.tell() // 2)
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)


ck.np.savez = stuck
train(cfg, sys.argv[1], resume=True)
"""


def test_sigkill_mid_write_leaves_the_previous_checkpoint(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from .helpers import ROOT
    run = tmp_path / "r"
    child = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(run)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert child.stdout.readline() == "writing\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert list(run.glob(".*.tmp"))  # the torn write (best.npz goes first) is there, beside the old files
    assert json.loads(arrays(run / "last.npz")["meta"].tobytes())["progress"]["units_done"] == 20
    done = train(parse_config(LOGREG, "c.toml"), run, resume=True)
    assert done.resumed_from == 20 and done.steps_done == 60 and not list(run.glob(".*.tmp"))
    full = train(parse_config(LOGREG, "c.toml"), tmp_path / "full")
    assert done.rows == full.rows


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLES.glob("*.toml")))
def test_every_sample_config_trains_well(tmp_path, name):
    r = train(load_config(SAMPLES / f"{name}.toml"), tmp_path / "run")
    assert r.status in ("finished", "stopped")
    final = r.final
    assert final.get("val_accuracy", final.get("accuracy", 1.0)) >= 0.9 and final.get("val_r2", final.get("r2", 1.0)) >= 0.9
