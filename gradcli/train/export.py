"""A training config as a plain PyTorch script: `gradcli export CONFIG -o train.py`.

The script is written for the one config (its numbers as constants, only the code its data source, model
and optimizer need) so it reads like one a person would write. It reproduces `gradcli train` exactly
because gradcli's generator yields torch's CPU numbers: seeded alike, `torch.normal`, `torch.randn`,
`torch.randperm`, `nn.Linear`'s init and dropout draw what gradcli draws, as long as they are called in
gradcli's order (data, validation split, parameters, then batch orders and dropout masks). So the script
carries no data file: the data is regenerated from the seed. `--backend torch` runs this same text.
"""
from __future__ import annotations

import ast
import math
import os
import textwrap
from pathlib import Path

from gradcli.errors import ConfigError

from .config import Config
from .gradmodel import FUNCTIONS
from .script_parts import DATA_HELPERS, DISTRIBUTED, LOOP, MAIN
from .specs import parse_condition, parse_layer

__all__ = ["render_script", "check_forward"]

_LOSSES = {"mse": "MSELoss", "bce": "BCELoss", "bce_with_logits": "BCEWithLogitsLoss",
           "cross_entropy": "CrossEntropyLoss"}
_ACTIVATIONS = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()"}
# the .grad functions as torch spells them (softmax and log_softmax take dim=-1 by default in gradcli)
_TORCH_FUNCTIONS = {f: f"torch.{f}" for f in FUNCTIONS if f not in ("softmax", "log_softmax")}


def render_script(config: Config, script_dir: str | Path | None = None, name: str = "") -> str:
    """The PyTorch script of a resolved config. `script_dir` is where the script will live: a CSV
    path is written relative to it, so the script and the data can move together."""
    v = config.values
    script_dir = Path(script_dir) if script_dir is not None else config.base_dir
    by_epoch = v["train"]["epochs"] is not None
    parts = [_header(config, name, by_epoch), _constants(v, by_epoch), _data(v, config, script_dir),
             DATA_HELPERS, _model(v), _training_objects(v), _metrics(v), LOOP, DISTRIBUTED,
             MAIN.replace("@UNIT@", "epochs" if by_epoch else "iterations")
             .replace("@TOTAL@", "EPOCHS" if by_epoch else "ITERATIONS")]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


# ---------------------------------------------------------------------------------------------- sections
def _header(config: Config, name: str, by_epoch: bool) -> str:
    import gradcli
    shown = name or (config.path.name if config.path else "the config")
    flag = "--epochs" if by_epoch else "--iterations"
    intro = textwrap.fill(f"It is the run `gradcli train {shown}` makes: the data, the initial parameters, the "
                          "batch order and the dropout masks come from torch's generator seeded as gradcli seeds "
                          "its own, drawn in gradcli's order, and gradcli's generator yields torch's CPU numbers, "
                          "so the losses agree with gradcli's to float32 rounding.", 104)
    return f'''#!/usr/bin/env python3
"""Train {shown}'s model with PyTorch (written by gradcli {gradcli.RELEASE}: gradcli export).

{intro}

    python train.py                          # one process: CUDA when available, else the CPU
    python train.py {flag} 10 --lr 0.01{' ' * (5 - len(flag) + 7)}# override the config
    python train.py --steps 20 --log-steps   # the first 20 optimizer steps, each step's loss
    torchrun --nproc_per_node=4 train.py     # data parallel: 4 processes (GPUs, or CPU processes)
    torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --nproc_per_node=8 train.py  # machine 0 of 2

Under torchrun each process takes every WORLD_SIZE-th sample of each batch and DistributedDataParallel
averages the gradients into the whole batch's, so the steps are the single-process steps (up to float32
rounding), except that each process draws its own dropout masks, and dropout on CUDA draws from the CUDA
generator.
"""
import argparse
import csv
import gc
import math
import os

import numpy as np
import torch
import torch.distributed as dist
from torch import nn'''


def _constants(v: dict, by_epoch: bool) -> str:
    t, d = v["train"], v["data"]
    unit = "EPOCHS" if by_epoch else "ITERATIONS"
    what = "passes over the training set" if by_epoch else "optimizer steps (one batch each)"
    batch = "None" if d["batch_size"] == "full" else str(d["batch_size"])
    lines = ["# ---- the config, resolved by gradcli (every default filled in) ----",
             f"SEED = {t['seed']}",
             f"UNIT = {'epoch' if by_epoch else 'iteration'!r}",
             f"{unit} = {t['epochs'] if by_epoch else t['iterations']}  # the run's length: {what}",
             f"BATCH_SIZE = {batch}  # None: the whole training set in every step",
             f"SHUFFLE = {d['shuffle']}  # a new order of the training set every pass (never for a whole-set batch)",
             f"VALIDATION = {d['validation']!r}  # the fraction held out, drawn before the parameters",
             f"STANDARDIZE = {d['standardize']}  # scale features with the training set's mean and std",
             f"LOG_EVERY = {t['log_every']}  # metrics of the whole training set every LOG_EVERY {unit.lower()}",
             f"EVAL_EVERY = {t['eval_every']}  # ... and of the validation set every EVAL_EVERY",
             f"ON_NONFINITE = {t['on_nonfinite']!r}  # a nan/inf loss: 'error' fails, 'stop' ends the run there",
             f"METRICS = {t['metrics']!r}"]
    if t["stop_when"]:
        lines.append(f"STOP_WHEN = {t['stop_when']!r}  # checked after the update of a logged unit")
    return "\n".join(lines)


def _data(v: dict, config: Config, script_dir: Path) -> str:
    d = v["data"]
    src = d["source"]
    c = d[src]
    if src == "blobs":
        centers = _blob_centers(c)
        body = (f'    """{c["classes"]} Gaussian blobs of {c["n_per_class"]} points, drawn class after class as '
                f'torch.normal(center, std) + bias."""\n'
                f"    centers = {_rows(centers)}\n"
                f"    xs, ys = [], []\n"
                f"    for label, center in enumerate(centers):\n"
                f"        mean = torch.ones({c['n_per_class']}, {c['features']}) * torch.tensor(center)\n"
                f"        xs.append(torch.normal(mean, {c['std']!r}) + {c['bias']!r})\n"
                f"        ys.append(torch.full(({c['n_per_class']},), float(label)))\n"
                f"    return torch.cat(xs), torch.cat(ys)")
    elif src in ("moons", "circles"):
        n_out = c["n"] // 2
        if src == "moons":
            doc, curves = "Two interleaving half circles", (
                f"    t_out, t_in = np.linspace(0, np.pi, {n_out}), np.linspace(0, np.pi, {c['n'] - n_out})\n"
                f"    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),\n"
                f"                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])\n")
        else:
            doc, curves = "Two concentric circles", (
                f"    t_out = np.linspace(0, 2 * np.pi, {n_out}, endpoint=False)\n"
                f"    t_in = np.linspace(0, 2 * np.pi, {c['n'] - n_out}, endpoint=False)\n"
                f"    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),\n"
                f"                        {c['factor']!r} * np.stack([np.cos(t_in), np.sin(t_in)], 1)])\n")
        noise = (f"    x += {c['noise']!r} * torch.randn({c['n']}, 2).numpy().astype(np.float64)  # float32 draws, "
                 f"scaled in float64\n") if c["noise"] > 0 else ""
        body = (f'    """{doc} ({c["n"]} points), the noise drawn with torch.randn."""\n{curves}{noise}'
                f"    y = np.concatenate([np.zeros({n_out}), np.ones({c['n'] - n_out})])\n"
                f"    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32))")
    elif src == "linear":
        w = f"torch.tensor({c['weights']!r})" if c["weights"] else f"torch.randn({c['features']})  # drawn, as gradcli does"
        noise = f"    y = y + {c['noise']!r} * torch.randn({c['n']})\n" if c["noise"] > 0 else ""
        body = (f'    """y = x @ w + bias + noise, x drawn from a standard normal."""\n'
                f"    x = torch.randn({c['n']}, {c['features']})\n    w = {w}\n    y = x @ w + {c['bias']!r}\n{noise}"
                f"    return x, y")
    else:
        body = _csv_body(c, config, script_dir)
    to_labels = {"cross_entropy": "y.long()  # class indices", "mse": "y"}.get(v["loss"]["name"], "y.float()  # 0/1 "
                                                                                                   "targets")
    return (f"# ---- data ----\ndef generate():\n{body}\n\n\n"
            f"def make_data():\n"
            f'    """(x_train, y_train, x_val, y_val): the data, the validation split and the scaling, as gradcli does."""\n'
            f"    x, y = generate()\n    y = {to_labels}\n    return split_and_scale(x, y)")


def _rows(matrix: list) -> str:
    """A list of rows as Python, one row a line when it is long."""
    text = repr(matrix)
    if len(text) <= 80:
        return text
    return "[\n" + "".join(f"        {row!r},\n" for row in matrix) + "    ]"


def _blob_centers(c: dict) -> list:
    k, f = c["classes"], c["features"]
    if c["centers"]:
        return c["centers"]
    if k == 2:
        return [[c["mean"]] * f, [-c["mean"]] * f]  # class 0 at +mean, class 1 at -mean
    r = abs(c["mean"]) * math.sqrt(2)
    return [[r * math.cos(2 * math.pi * i / k), r * math.sin(2 * math.pi * i / k)] + [0.0] * (f - 2) for i in range(k)]


def _csv_body(c: dict, config: Config, script_dir: Path) -> str:
    path = Path(c["path"]) if os.path.isabs(c["path"]) else (config.base_dir / c["path"]).resolve()
    try:
        rel = os.path.relpath(path, Path(script_dir).resolve())
        where = f"os.path.join(os.path.dirname(os.path.abspath(__file__)), {rel!r})"
    except ValueError:  # another drive (Windows)
        where = repr(str(path))
    target = repr(c["target"])
    if c["header"]:
        cols = (f"    names = [h.strip() for h in rows[0]]\n    rows = rows[1:]\n"
                f"    target = names.index({target})\n")
        feats = (f"    features = [names.index(f) for f in {c['features']!r}]\n" if c["features"] else
                 "    features = [i for i in range(len(names)) if i != target]\n")
    else:
        cols = f"    target = int({target})\n"
        feats = (f"    features = [int(f) for f in {c['features']!r}]\n" if c["features"] else
                 "    features = [i for i in range(len(rows[0])) if i != target]\n")
    return (f'    """The CSV file {c["path"]}: the feature columns and the target column, read as float64."""\n'
            f"    with open({where}, newline='', encoding='utf-8') as fh:\n"
            f"        rows = list(csv.reader(fh, delimiter={c['delimiter']!r}))\n{cols}{feats}"
            f"    table = np.array([[float(row[i]) for i in features + [target]] for row in rows\n"
            f"                      if any(v.strip() for v in row)], np.float64)\n"
            f"    return torch.from_numpy(table[:, :-1].astype(np.float32)), "
            f"torch.from_numpy(table[:, -1].astype(np.float32))")


def _model(v: dict) -> str:
    m = v["model"]
    if "layers" in m:
        mods = []
        for text in m["layers"]:
            s = parse_layer(text)
            if s.kind == "linear":
                mods.append(f"nn.Linear({s.args[0]}, {s.args[1]})")
            elif s.kind == "dropout":
                mods.append(f"nn.Dropout({s.args[0] if s.args else 0.5!r})")
            elif s.kind == "softmax":
                mods.append(f"nn.Softmax(dim={s.args[0] if s.args else -1})")
            else:
                mods.append(_ACTIVATIONS[s.kind])
        inner = "".join(f"        {x},\n" for x in mods)
        return ("# ---- model ----\ndef make_model():\n"
                '    """The layers, their parameters drawn in order as nn.Linear draws them (gradcli draws the same)."""\n'
                f"    return nn.Sequential(\n{inner}    )")
    return _grad_model(m)


def _grad_model(m: dict) -> str:
    used = check_forward(m["forward"], list(m["parameters"]))
    helpers = []
    for f in sorted(used & set(FUNCTIONS)):
        if f in ("softmax", "log_softmax"):
            helpers.append(f"def {f}(t, dim=-1):\n    return torch.{f}(t, dim)")
        else:
            helpers.append(f"{f} = {_TORCH_FUNCTIONS[f]}")
    if "F" in used:
        helpers.append("F = nn.functional")
    inits = []
    for name, p in m["parameters"].items():
        kind = p["init"]
        call = {"zeros": "nn.init.zeros_({t})", "ones": "nn.init.ones_({t})",  # each draws under no_grad
                "constant": f"nn.init.constant_({{t}}, {p.get('value')!r})",
                "normal": f"nn.init.normal_({{t}}, {p.get('mean')!r}, {p.get('std')!r})",
                "uniform": f"nn.init.uniform_({{t}}, {p.get('low')!r}, {p.get('high')!r})",
                "xavier_uniform": f"nn.init.xavier_uniform_({{t}}, gain={p.get('gain')!r})",
                "xavier_normal": f"nn.init.xavier_normal_({{t}}, gain={p.get('gain')!r})",
                "kaiming_uniform": "nn.init.kaiming_uniform_({t}, a=math.sqrt(5))",
                "kaiming_normal": "nn.init.kaiming_normal_({t}, a=math.sqrt(5))"}[kind]
        shape = ", ".join(map(str, p["shape"]))
        why = "  # nn.Linear's weight init" if kind == "kaiming_uniform" else ""
        inits.append(f"        self.{name} = nn.Parameter({call.format(t=f'torch.empty({shape})')}){why}")
    names = list(m["parameters"])
    bind = f"        {', '.join(names)}{',' if len(names) == 1 else ''} = {', '.join('self.' + n for n in names)}\n"
    helper_text = ("\n".join(helpers) + "\n\n\n") if helpers else ""
    return (f"# ---- model ----\n{helper_text}class Model(nn.Module):\n"
            '    """The config\'s .grad model: its parameters, initialised in the order declared, and its forward."""\n\n'
            f"    def __init__(self):\n        super().__init__()\n" + "\n".join(inits) + "\n\n"
            f"    def forward(self, x):\n{bind}        return {m['forward'].strip()}\n\n\n"
            "def make_model():\n    return Model()")


def _check_parameter_names(params: list) -> None:
    """A parameter becomes an attribute of an nn.Module: a keyword or a Module attribute cannot be one."""
    import keyword

    from gradcli import nn as gnn  # gradcli's Module has torch's attribute names
    for name in params:
        if keyword.iskeyword(name) or hasattr(gnn.Module, name) or name == "training":
            raise ConfigError(f"model.parameters.{name}: the torch backend cannot name a parameter {name!r} (a "
                              "Python keyword or an nn.Module attribute); rename it")


def check_forward(source: str, params: list) -> set:
    """The names a .grad forward uses, after checking it is plain arithmetic, indexing and calls of the
    known functions on x and the parameters: the torch backend runs it as Python, so nothing else may
    appear (no other names, no underscore attributes). Raises ConfigError naming model.forward."""
    _check_parameter_names(params)
    allowed = {"x", "torch", "nn", "F", *FUNCTIONS, *params}
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise ConfigError(f"model.forward: the torch backend cannot read {source!r} as Python: {e.msg}") from None
    ok = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.keyword,
          ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.Load, ast.operator, ast.unaryop)
    used = set()
    for node in ast.walk(tree):
        if not isinstance(node, ok):
            raise ConfigError(f"model.forward: the torch backend does not support {type(node).__name__} "
                              f"expressions in {source!r} (arithmetic, indexing and function calls only)")
        if isinstance(node, ast.Name):
            if node.id not in allowed:
                raise ConfigError(f"model.forward: the torch backend does not know {node.id!r} (it knows x, the "
                                  f"parameters, torch, nn, F and {', '.join(FUNCTIONS)})")
            used.add(node.id)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ConfigError(f"model.forward: the torch backend does not support the attribute {node.attr!r}")
    return used


def _training_objects(v: dict) -> str:
    o, loss = v["optim"], v["loss"]
    if o["name"] == "sgd":
        opt = (f"torch.optim.SGD(model.parameters(), lr=lr, momentum={o['momentum']!r}, "
               f"dampening={o['dampening']!r},\n                           weight_decay={o['weight_decay']!r}, "
               f"nesterov={o['nesterov']})")
    else:
        cls = "Adam" if o["name"] == "adam" else "AdamW"
        opt = (f"torch.optim.{cls}(model.parameters(), lr=lr, betas={tuple(o['betas'])!r}, eps={o['eps']!r},\n"
               f"                           weight_decay={o['weight_decay']!r}, amsgrad={o['amsgrad']})")
    s = o["schedule"]
    if s["name"] == "step":
        sched = f"torch.optim.lr_scheduler.StepLR(optimizer, step_size={s['step_size']}, gamma={s['gamma']!r})"
    elif s["name"] == "cosine":
        sched = f"torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={s['t_max']}, eta_min={s['eta_min']!r})"
    else:
        sched = "None  # no schedule: the learning rate stays"
    name = _LOSSES[loss["name"]]
    return (f"# ---- loss, optimizer, schedule ----\nLR = {o['lr']!r}\n"
            f"LOSS = nn.{name}(reduction={loss['reduction']!r})\n"
            f"# under torchrun each process sums its share of the batch (see train_step)\n"
            f"LOSS_SUM = nn.{name}(reduction='sum')\n"
            f"LOSS_IS_MEAN = {loss['reduction'] == 'mean'}\n\n\n"
            f"def make_optimizer(model, lr=LR):\n    return {opt}\n\n\n"
            f"def make_scheduler(optimizer):\n    \"\"\"Stepped once per {'epoch' if v['train']['epochs'] else 'iteration'}.\"\"\"\n"
            f"    return {sched}")


def _metrics(v: dict) -> str:
    loss = v["loss"]["name"]
    if loss == "cross_entropy":
        pred = "out.argmax(-1)"
    else:  # probabilities are 1 from 0.5 on, logits from 0 on
        pred = f"(out >= {0.0 if loss == 'bce_with_logits' else 0.5}).to(y.dtype)"
    stop = ""
    if v["train"]["stop_when"]:
        cond = parse_condition(v["train"]["stop_when"], [v["train"]["monitor"], *v["train"]["metrics"],
                                                         *["val_" + m for m in v["train"]["metrics"]]])
        stop = (f"\n\n\ndef should_stop(row, where):\n"
                f"    \"\"\"STOP_WHEN, checked on a logged row: the reason to stop there, or None.\"\"\"\n"
                f"    value = row.get({cond.metric!r})  # a val_ metric is only in rows with validation\n"
                f"    if value is not None and value {cond.op} {cond.threshold!r}:\n"
                f"        return f\"{cond} at {{where}} ({cond.metric} = {{value:.6g}})\"\n"
                f"    return None")
    else:
        stop = "\n\n\ndef should_stop(row, where):\n    return None  # no stop_when: the whole run"
    names = v["train"]["metrics"]
    extra = ""
    if "accuracy" in names:
        extra += f"    row[\"accuracy\"] = int(({pred} == y).sum()) / y.shape[0]  # correct / n\n"
    if "mse" in names or "r2" in names:
        extra += "    err = out.double().reshape(y.shape) - y.double()\n"
    if "mse" in names:
        extra += "    row[\"mse\"] = float((err ** 2).sum()) / y.shape[0]\n"
    if "r2" in names:
        extra += ("    sst = float(((y.double() - y.double().mean()) ** 2).sum())\n"
                  "    row[\"r2\"] = 1.0 - float((err ** 2).sum()) / sst if sst > 0 else float(\"nan\")\n")
    return f'''# ---- metrics ----
def predict(model, x, y):
    """The output shaped like the target: (n, 1) becomes (n,) for one output per sample."""
    out = model(x)
    if out.dim() == 2 and out.shape[1] == 1 and y.dim() == 1:
        out = out.squeeze(-1)
    return out


@torch.no_grad()
def metrics(model, x, y):
    """METRICS of the whole set (x, y) in eval mode: dropout off, so nothing is drawn."""
    was_training = model.training
    model.eval()
    out = predict(model, x, y)
    row = {{"loss": LOSS(out, y).item()}}
    model.train(was_training)
{extra}    return {{k: row[k] for k in METRICS}}  # in the config's order{stop}'''
