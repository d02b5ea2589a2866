"""`gradcli export` and `gradcli train --backend torch` on the command line: files, messages, exit codes.

The numbers (the script's and the backend's losses against gradcli's) are tests/train/test_torch_backend.py's.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "train"
runner = CliRunner()

GRAD_MODEL = (SAMPLES / "logistic_regression_grad.toml").read_text().replace("iterations = 1000", "iterations = 30")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def no_torch(monkeypatch):
    """This Python as if PyTorch were not installed: `import torch` raises ImportError."""
    monkeypatch.setitem(sys.modules, "torch", None)


def test_export_writes_a_script_that_needs_no_gradcli(tmp_path, no_torch):
    out = tmp_path / "train.py"
    r = invoke("export", SAMPLES / "moons_mlp.toml", "-o", out)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"wrote {out}; run it with `python {out}`")
    text = out.read_text()
    compile(text, str(out), "exec")
    assert "import gradcli" not in text and "from gradcli" not in text
    for line in ("SEED = 0", "EPOCHS = 60", "BATCH_SIZE = 32", "nn.Linear(2, 16),", "nn.Tanh(),",
                 "LOSS = nn.BCEWithLogitsLoss(reduction='mean')", "torch.optim.Adam(model.parameters(), lr=lr",
                 "CosineAnnealingLR(optimizer, T_max=60, eta_min=0.0)", "x += 0.15 * torch.randn(400, 2)",
                 "if value is not None and value >= 0.985:", 'dist.init_process_group("nccl" if',
                 "nn.parallel.DistributedDataParallel(model"):
        assert line in text, line
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically: no temp file left behind


def test_export_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "train.py"
    out.write_text("mine\n")
    r = invoke("export", SAMPLES / "moons_mlp.toml", "-o", out)
    assert r.exit_code == 1 and r.stderr == f"error: {str(out)!r} exists; use --force to replace it\n"
    assert out.read_text() == "mine\n"
    r = invoke("export", SAMPLES / "moons_mlp.toml", "-o", out, "--force")
    assert r.exit_code == 0 and "replaced the existing file" in r.stdout
    assert out.read_text().startswith("#!/usr/bin/env python3\n")


@pytest.mark.parametrize("args, code, message", [
    (["-o", "{tmp}"], 2, "error: --output '{tmp}' is a directory; give a file name"),
    (["-o", "{tmp}/nope/train.py"], 2, "error: --output '{tmp}/nope/train.py': the directory '{tmp}/nope' does "
                                       "not exist"),
    (["--set", "optim.lr=-1"], 2, "error: --set optim.lr=-1: optim.lr: must be > 0.0"),
])
def test_export_bad_options(tmp_path, args, code, message):
    r = invoke("export", SAMPLES / "moons_mlp.toml", *[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == code and r.stderr.startswith(message.format(tmp=tmp_path)), r.output
    assert r.stdout == ""


def test_export_to_stdout_and_json(tmp_path):
    r = invoke("export", SAMPLES / "logistic_regression.toml", "--set", "optim.lr=0.05")
    assert r.exit_code == 0
    assert "LR = 0.05\n" in r.stdout and "ITERATIONS = 1000" in r.stdout and "nn.Sigmoid()," in r.stdout
    doc = json.loads(invoke("--json", "export", SAMPLES / "logistic_regression.toml").stdout)
    assert doc["ok"] and doc["result"]["script"].startswith("#!/usr/bin/env python3") and doc["result"]["path"] is None


def test_a_grad_model_becomes_a_module_with_its_forward(tmp_path):
    cfg = tmp_path / "g.toml"
    cfg.write_text(GRAD_MODEL)
    text = invoke("export", cfg).stdout
    assert "class Model(nn.Module):" in text
    assert "self.w = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(1, 2), a=math.sqrt(5)))" in text
    assert "        w, b = self.w, self.b\n        return sigmoid(x @ w.T + b)\n" in text
    assert "sigmoid = torch.sigmoid\n" in text


@pytest.mark.parametrize("forward, names", [
    ("max(x @ w.T + b, 0)", "model.forward: the torch backend does not know 'max'"),
    ("(x @ w.T + b).__class__", "model.forward: the torch backend does not support the attribute '__class__'"),
    ("[v for v in x]", "model.forward: the torch backend does not support ListComp expressions"),
])
def test_what_the_torch_side_cannot_run_is_named(tmp_path, forward, names, no_torch):
    cfg = tmp_path / "g.toml"
    cfg.write_text(GRAD_MODEL.replace('"sigmoid(x @ w.T + b)"', json.dumps(forward)))
    for args in (["export", cfg], ["train", cfg, "--backend", "torch", "--out", tmp_path / "run"]):
        r = invoke(*args)  # the config's problem is found before torch is looked for
        assert r.exit_code == 1 and r.stderr.startswith(f"error: {names}"), r.output
    assert not (tmp_path / "run").exists()


def test_backend_torch_without_torch_says_how_to_get_it(tmp_path, no_torch):
    r = invoke("train", SAMPLES / "logistic_regression.toml", "--backend", "torch", "--out", tmp_path / "run")
    assert r.exit_code == 1
    assert r.stderr.startswith("error: --backend torch needs PyTorch, which is not installed in this Python: "
                               "pip install torch"), r.stderr
    assert "Traceback" not in r.output and not (tmp_path / "run").exists()


@pytest.mark.parametrize("args, code, message", [
    (["--backend", "jax"], 2, "error: --backend: expected gradcli or torch, got 'jax'"),
    (["--device", "tpu", "--backend", "torch"], 2, "error: --device: expected auto, cpu or cuda, got 'tpu'"),
    (["--device", "cuda"], 2, "error: --device cuda is for --backend torch"),
    (["--backend", "torch", "--resume"], 2, "error: --resume works with --backend gradcli only"),
])
def test_backend_option_errors(tmp_path, args, code, message):
    r = invoke("train", SAMPLES / "logistic_regression.toml", "--out", tmp_path / "run", *args)
    assert r.exit_code == code and r.stderr.startswith(message), r.output


def test_backend_torch_on_the_command_line(tmp_path):
    torch = pytest.importorskip("torch")
    cfg = tmp_path / "g.toml"
    cfg.write_text(GRAD_MODEL)
    r = invoke("--json", "train", cfg, "--backend", "torch", "--device", "cpu", "--out", tmp_path / "run", "-q")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)["result"]
    assert doc["status"] == "finished" and doc["units_done"] == 30 and doc["steps_done"] == 30
    assert json.loads((tmp_path / "run" / "run.json").read_text())["backend"] == "torch"
    r = invoke("eval", tmp_path / "run")
    assert r.exit_code == 0 and "loss" in r.stdout
    if not torch.cuda.is_available():
        r = invoke("train", cfg, "--backend", "torch", "--device", "cuda", "--out", tmp_path / "run2")
        assert r.exit_code == 1 and r.stderr.startswith("error: --device cuda: this PyTorch"), r.output
        assert not (tmp_path / "run2").exists()


def test_the_script_s_own_help(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "train.py"
    invoke("export", SAMPLES / "blobs_multiclass.toml", "-o", out)
    r = subprocess.run([sys.executable, str(out), "--help"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for option in ("--epochs EPOCHS", "--lr LR", "--device {auto,cpu,cuda}", "--steps N", "--log-steps",
                   "--save FILE.pt"):
        assert option in r.stdout, option


def test_only_the_torch_backend_imports_torch(tmp_path):
    """`gradcli export` and `gradcli train` on gradcli's engine never import torch, installed or not."""
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom gradcli.cli.app import app\n"
            f"r = CliRunner().invoke(app, ['export', {str(SAMPLES / 'moons_mlp.toml')!r}, '-o', {str(tmp_path / 't.py')!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            f"r = CliRunner().invoke(app, ['train', {str(SAMPLES / 'logistic_regression.toml')!r}, '--out', "
            f"{str(tmp_path / 'run')!r}, '-q', '--set', 'train.iterations=3'])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
