"""From a resolved config to the objects a loop needs: model, loss, optimizer, schedule, and metrics."""
from __future__ import annotations

import numpy as np

from gradcli import nn, optim
from gradcli.autograd.grad_mode import no_grad

from .specs import parse_layer

__all__ = ["build_any_model", "build_model", "build_loss", "build_optimizer", "build_scheduler", "predict", "metric_values"]


def build_model(layers: list[str]) -> nn.Sequential:
    """A Sequential of the layer strings; parameters drawn from the default generator in layer order."""
    mods = []
    for text in layers:
        spec = parse_layer(text)
        if spec.kind == "linear":
            mods.append(nn.Linear(*spec.args))
        elif spec.kind == "dropout":
            mods.append(nn.Dropout(*spec.args))
        elif spec.kind == "softmax":
            mods.append(nn.Softmax(dim=spec.args[0] if spec.args else -1))
        else:
            mods.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[spec.kind]())
    return nn.Sequential(*mods)


def build_any_model(config):
    """The model of a resolved config: a layer list, or a model written in the .grad language."""
    if config["model"].get("forward"):
        from .gradmodel import GradModel
        return GradModel(config["model"])
    return build_model(config["model"]["layers"])


def build_loss(cfg: dict):
    cls = {"mse": nn.MSELoss, "bce": nn.BCELoss, "bce_with_logits": nn.BCEWithLogitsLoss,
           "cross_entropy": nn.CrossEntropyLoss}[cfg["name"]]
    return cls(reduction=cfg["reduction"])


def build_optimizer(cfg: dict, params):
    params = list(params)
    if cfg["name"] == "sgd":
        return optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"], dampening=cfg["dampening"],
                         weight_decay=cfg["weight_decay"], nesterov=cfg["nesterov"])
    cls = optim.Adam if cfg["name"] == "adam" else optim.AdamW
    return cls(params, lr=cfg["lr"], betas=tuple(cfg["betas"]), eps=cfg["eps"], weight_decay=cfg["weight_decay"],
               amsgrad=cfg["amsgrad"])


def build_scheduler(cfg: dict, optimizer):
    s = cfg["schedule"]
    if s["name"] == "step":
        return optim.lr_scheduler.StepLR(optimizer, step_size=s["step_size"], gamma=s["gamma"])
    if s["name"] == "cosine":
        return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=s["t_max"], eta_min=s["eta_min"])
    return None


def predict(model, x, target):
    """The model's output shaped like the target: (n, 1) -> (n,) for one output per sample (the seed's
    y_pred.squeeze(), but only the last dimension, so a batch of one stays a batch)."""
    out = model(x)
    if out.dim() == 2 and out.shape[1] == 1 and target.dim() == 1:
        out = out.squeeze(-1)
    return out


def metric_values(names, model, loss_fn, loss_name: str, x, y) -> dict:
    """The metrics of the whole set (x, y) in eval mode without recording a graph (no random draws)."""
    was = model.training
    model.eval()
    try:
        with no_grad():
            out = predict(model, x, y)
            values = {"loss": loss_fn(out, y).item()}
    finally:
        model.train(was)
    o = out.numpy()
    t = y.numpy()
    for name in names:
        if name == "accuracy":
            if loss_name == "cross_entropy":
                pred = o.argmax(-1)
            else:  # the seed's y_pred.ge(0.5) on probabilities; a logit's threshold is 0
                pred = (o >= (0.0 if loss_name == "bce_with_logits" else 0.5)).astype(t.dtype)
            # correct / n as the seed computes it: an exact count over a Python int
            values["accuracy"] = int((pred == t).sum()) / t.shape[0]
        elif name in ("mse", "r2"):
            err = o.astype(np.float64).reshape(t.shape) - t.astype(np.float64)
            sse = float((err ** 2).sum())
            if name == "mse":
                values["mse"] = sse / t.shape[0]
            else:
                sst = float(((t - t.astype(np.float64).mean()) ** 2).sum())
                values["r2"] = 1.0 - sse / sst if sst > 0 else float("nan")
    return {k: values[k] for k in names if k in values}
