"""Optimizer base: param_groups with defaults, per-parameter state, zero_grad, state_dict round trips."""
import collections
import copy
import functools
import warnings

from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.tensor import Tensor
from ..nn.parameter import zero_grads

__all__ = ["Optimizer", "required"]


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


def _typename(obj):
    return f"torch.{obj.dtype.legacy}" if isinstance(obj, Tensor) else type(obj).__name__


class Optimizer:
    """Holds param_groups (dicts of params + hyper-parameters) and `state` (per parameter)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # record that step() ran, so an LR scheduler can warn when it is stepped first (as torch does)
        if "step" in cls.__dict__:
            step = cls.__dict__["step"]

            @functools.wraps(step)
            def wrapper(self, *args, **kw):
                self._opt_called = True
                return step(self, *args, **kw)

            cls.step = wrapper

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        """One update of every parameter that has a gradient: the built-in optimizers give `_update(p, group)`;
        a subclass without one must write its own step (torch's base step raises NotImplementedError)."""
        if type(self)._update is Optimizer._update:
            raise NotImplementedError
        self._opt_called = True
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p._grad is not None:
                        self._update(p, group)
        return loss

    def _update(self, p, group):
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- state_dict -----------------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{hyper-parameters..., 'params': [indices]}]}, torch's
        layout: parameters are numbered in order across groups; state values are the live tensors."""
        mapping, start = {}, 0
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for i, p in enumerate(g["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in g["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = {i: p for g, s in zip(groups, saved_groups) for i, p in zip(s["params"], g["params"])}
        state = collections.defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = {key: _cast(id_map[k], key, val) for key, val in v.items()}
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
        self.state = state
        self.param_groups = saved_groups
        self._fill_defaults()

    def _fill_defaults(self):
        # groups saved by an older version may lack newer options; torch's __setstate__ does the same
        for g in self.param_groups:
            for k, v in self.defaults.items():
                g.setdefault(k, v)

    def __repr__(self):
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"


def _cast(param, key, value):
    """A loaded state tensor, as a copy in the parameter's float dtype ('step' keeps its own dtype).
    torch reuses the loaded tensor object when no cast is needed; a copy keeps two optimizers that
    loaded the same dict from updating one shared buffer."""
    if not isinstance(value, Tensor):
        return value
    if key != "step" and param.is_floating_point() and value.dtype is not param.dtype:
        return value.detach().to(param.dtype)
    return value.detach().clone()
