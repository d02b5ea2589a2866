"""`gradcli train --backend torch` and the script of `gradcli export`, against gradcli's own run.

Every sample config: the first 20 optimizer steps' losses of the numpy engine, of the torch backend, of
the exported script run as `python train.py`, and of that script under a one-process torch.distributed
(what torchrun sets up) agree within 1e-5 (relative; the regression sample's losses are ~7e4). The torch
side draws its data, parameters, batch orders and dropout masks from torch's own generator, so this
also checks that gradcli's generator gives torch's numbers in the same order.
"""
import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest

from gradcli.train import load_config, parse_config, train

from .helpers import LOGREG, SAMPLES, write

torch = pytest.importorskip("torch")
from gradcli.train.torch_backend import train_torch  # noqa: E402 (after the skip: it is about torch)

STEPS = 20
SAMPLE_CONFIGS = sorted(SAMPLES.glob("*.toml"))


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


class _Enough(Exception):
    pass


def first_losses(config, tmp_path, steps=STEPS):
    """gradcli's first `steps` step losses, stopping the numpy run as soon as it has them."""
    losses = []

    def on_event(kind, p):
        if kind == "step":
            losses.append(p["loss"])
            if len(losses) == steps:
                raise _Enough

    try:
        train(config, tmp_path / "numpy", on_event=on_event)
    except _Enough:
        pass
    assert len(losses) == steps
    return losses


def torch_losses(config, out, steps=STEPS, **kw):
    losses = []
    result = train_torch(config, out, device="cpu", max_steps=steps,
                         on_event=lambda kind, p: losses.append(p["loss"]) if kind == "step" else None, **kw)
    return losses, result


def script_losses(path, env=None, extra=()):
    r = subprocess.run([sys.executable, str(path), "--steps", str(STEPS), "--log-steps", "--device", "cpu", *extra],
                       capture_output=True, text=True, timeout=600, env=env, cwd=path.parent)
    assert r.returncode == 0, r.stderr
    return [float(m.group(2)) for m in re.finditer(r"^step (\d+) loss (\S+)$", r.stdout, re.M)], r


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sample", SAMPLE_CONFIGS, ids=lambda p: p.stem)
def test_backend_and_exported_script_reproduce_the_first_20_losses(sample, tmp_path):
    config = load_config(sample)
    ours = first_losses(config, tmp_path)
    theirs, result = torch_losses(config, tmp_path / "torch")
    assert result.status == "interrupted" and result.steps_done == STEPS
    close(theirs, ours)

    from gradcli.train.export import render_script
    script = tmp_path / "train.py"
    script.write_text(render_script(config, tmp_path, sample.name))
    printed, _ = script_losses(script)
    assert len(printed) == STEPS
    close(printed, ours)


@pytest.mark.parametrize("name", ["blobs_multiclass", "moons_mlp_grad"])  # dropout; a .grad model
def test_the_script_under_torchrun_s_environment_with_one_process(name, tmp_path):
    """WORLD_SIZE=1 RANK=0 ...: the torch.distributed path (gloo, DDP, the batch shares) runs and still
    takes gradcli's steps."""
    from gradcli.train.export import render_script
    config = load_config(SAMPLES / f"{name}.toml")
    script = tmp_path / "train.py"
    script.write_text(render_script(config, tmp_path))
    env = {**os.environ, "WORLD_SIZE": "1", "RANK": "0", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(free_port())}
    distributed, _ = script_losses(script, env)
    close(distributed, first_losses(config, tmp_path))


def test_two_processes_under_torchrun_take_the_same_steps(tmp_path):
    """Two gloo processes, each with half of every batch: DDP's averaged gradient is the batch's, so the
    steps (and the logged whole-batch losses) are the single process's (moons_mlp has no dropout)."""
    from gradcli.train.export import render_script
    config = load_config(SAMPLES / "moons_mlp.toml")
    script = tmp_path / "train.py"
    script.write_text(render_script(config, tmp_path))
    single, _ = script_losses(script)
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
                        f"--master_port={free_port()}", str(script), "--steps", str(STEPS), "--log-steps",
                        "--device", "cpu"], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    two = [float(v) for v in re.findall(r"^step \d+ loss (\S+)$", r.stdout, re.M)]
    assert len(two) == STEPS  # printed by rank 0 only
    close(two, single)


def test_a_whole_torch_run_writes_gradcli_s_run_directory(tmp_path):
    config = parse_config(LOGREG, str(write(tmp_path, LOGREG)))
    ours = train(config, tmp_path / "numpy")
    theirs = train_torch(config, tmp_path / "torch", device="cpu")
    assert (theirs.status, theirs.units_done, theirs.steps_done, theirs.stop_reason) == \
           (ours.status, ours.units_done, ours.steps_done, ours.stop_reason)
    assert [r["unit"] for r in theirs.rows] == [r["unit"] for r in ours.rows]
    for a, b in zip(theirs.rows, ours.rows):
        assert a.keys() == b.keys()
        close([a[k] for k in a], [b[k] for k in b])
    run = tmp_path / "torch"
    assert {p.name for p in run.iterdir()} >= {"config.toml", "run.json", "metrics.jsonl", "metrics.csv",
                                                "last.npz", "best.npz"}
    assert (run / "metrics.csv").read_text().splitlines()[0] == \
           (tmp_path / "numpy" / "metrics.csv").read_text().splitlines()[0]
    import json
    meta = json.loads((run / "run.json").read_text())
    assert meta["backend"] == "torch" and meta["device"] == "cpu" and meta["torch"] == torch.__version__
    # the checkpoints are gradcli's: eval reads them and finds the numpy run's numbers
    from gradcli.train.inference import evaluate
    a, b = evaluate(run, checkpoint="last"), evaluate(tmp_path / "numpy", checkpoint="last")
    assert a.unit == b.unit == ours.units_done
    close(list(a.metrics.values()), list(b.metrics.values()))
    with np.load(run / "last.npz") as z, np.load(tmp_path / "numpy" / "last.npz") as y:
        for k in y.files:
            if k.startswith("param/"):
                close(z[k], y[k])
    # ... but hold no optimizer state, so gradcli will not resume them
    from gradcli.errors import GradError
    with pytest.raises(GradError, match="trained with --backend torch"):
        train(config, run, resume=True)


def test_stop_when_on_a_validation_metric_and_standardised_csv_data(tmp_path):
    """linear_regression: CSV read relative to the config, standardised; run.json keeps the statistics."""
    import json
    config = load_config(SAMPLES / "linear_regression.toml", ["train.epochs=3"])
    ours = train(config, tmp_path / "numpy")
    theirs = train_torch(config, tmp_path / "torch", device="cpu")
    for a, b in zip(theirs.rows, ours.rows):
        close([a[k] for k in a], [b[k] for k in b])
    ma = json.loads((tmp_path / "torch" / "run.json").read_text())
    mb = json.loads((tmp_path / "numpy" / "run.json").read_text())
    assert ma["standardize"] == mb["standardize"] and ma["features"] == mb["features"]


def test_a_non_finite_loss_is_a_train_error_or_a_stop(tmp_path):
    from gradcli.errors import TrainError
    text = (LOGREG.replace('"linear(2,1)", "sigmoid"', '"linear(2,1)"').replace('"bce"', '"mse"')
            .replace("lr = 0.01", "lr = 1e30") + 'metrics = ["loss"]\n')
    config = parse_config(text, "c.toml")
    with pytest.raises(TrainError) as ours:
        train(config, tmp_path / "numpy")
    with pytest.raises(TrainError) as theirs:
        train_torch(config, tmp_path / "torch", device="cpu")
    assert "the loss became inf at step" in ours.value.message
    assert theirs.value.message.split(";")[0] == ours.value.message.split(";")[0]
    stop = parse_config(text, "c.toml", ["train.on_nonfinite=stop"])
    a, b = train(stop, tmp_path / "n2"), train_torch(stop, tmp_path / "t2", device="cpu")
    assert (b.status, b.stop_reason, b.steps_done, b.units_done) == (a.status, a.stop_reason, a.steps_done, a.units_done)
    with np.load(tmp_path / "n2" / "last.npz") as y, np.load(tmp_path / "t2" / "last.npz") as z:
        close(z["param/0.weight"], y["param/0.weight"])
