"""THE op table: one entry per differentiable primitive — PyTorch node name, inputs, numpy forward,
and one VJP per input written in Tensor ops (so create_graph gives n-th derivatives for free).

A VJP is `lambda g, <names>: ...`; each name after `g` is looked up, in this order, among the op's
inputs, its non-tensor args, `result` (the op's own output), `shape_<input>` and `dtype_<input>`.
What a node saves is exactly what the VJPs of its grad-requiring inputs name; saved inputs and
results are freed after backward, args and shapes are not (as in torch).

`text=` says how the node reads as a formula (`diff`, `grad --formula`, `explain`): a function name
(`"exp"` reads `exp(x)`), `AS_NODE` (shown as `NodeName(...)`, not evaluable), or
`lambda f, c, a, s: ...` over the formula vocabulary `f` (tools/formula_text), the operands' formulas `c`,
the op's args `a` by name and the output shape `s`.

`api=` says how the op is exposed, by its key: `method` (Tensor.<key>), `function` (gradcli.<key>), `expr`
(a bare name in one-line expressions); or `via:<path>` (reached through another public callable, e.g. an
overload picked by `sum`), or `internal` (only derivative formulas and kernels use it). Methods, exports
and one-liner names are generated from it (autograd/api.py); an entry exposed as a method or function
with no hand-written function of that name in ops.py gets a pass-through one.

Longer than the project's 400-line guide on purpose: it is the one per-op registry (an op is a few lines
here); splitting it would make the registry two places again."""
import inspect
import math
import operator

import numpy as np

from . import conv as C  # numpy convolution kernels
from . import kernels as K  # numpy forward kernels
from . import pool as P  # numpy pooling kernels
from . import ops as F  # noqa: N812  -- the Tensor-op vocabulary the VJPs are written in
from .grad_mode import STATE

TABLE = {}


class OpDef:
    __slots__ = ("key", "name", "inputs", "args", "fwd", "vjps", "save_names", "vjp_args",
                 "node_cls", "variadic", "save_src", "users", "save_plan", "fwd_args", "text", "api",
                 "inplace")

    def __init__(self, key, name, inputs, fwd, vjps, args, variadic):
        self.key, self.name, self.inputs, self.fwd, self.args = key, name, inputs, fwd, args
        self.variadic = variadic
        self.vjps = vjps
        names = []
        per_input = []
        for fn in vjps:
            params = list(inspect.signature(fn).parameters)[2 if variadic else 1:]
            for p in params:
                if p not in names:
                    names.append(p)
            per_input.append(tuple(names.index(p) for p in params))
        self.save_names = tuple(names)
        self.vjp_args = tuple(per_input)
        self.node_cls = None


AS_NODE = None  # text= for a node that reads as its own name: `LeakyReluBackward0(x)`


def op(key, name, inputs, fwd, *vjps, text, api, args="", variadic=False, fwd_args=True, inplace=None):
    """Declare an op. `inplace` (one-input elementwise ops): a numpy kernel `k(g, *saved)` that overwrites
    the gradient array with the VJP's own result, bit for bit; backward without a graph uses it on
    gradient buffers nothing else can see, instead of allocating a new one (kernels.py)."""
    TABLE[key] = OpDef(key, name, tuple(inputs.split()), fwd, vjps, tuple(args.split()), variadic)
    TABLE[key].inplace = inplace
    TABLE[key].fwd_args = fwd_args  # False: the args are for the VJPs only, the forward takes just the data
    TABLE[key].text = text
    TABLE[key].api = tuple(api.split())


def formula_of(node):
    """How a recorded node reads as a formula (its op entry's `text=`); AS_NODE for nodes outside the table."""
    od = getattr(type(node), "op", None)
    return od.text if isinstance(od, OpDef) else AS_NODE


# ---- derivative formulas too long for one line (still Tensor ops only) ------------------------------
def _repeat_backward(g, shape, reps):
    # the gradient of each element is the sum over its tiles: view g as (tile, size) pairs and sum the tiles
    padded = (1,) * (len(reps) - len(shape)) + tuple(shape)
    pairs = [n for r, s in zip(reps, padded) for n in (r, s)]
    return g.reshape(*pairs).sum(tuple(range(0, 2 * len(reps), 2))).reshape(shape)


def _no_derivative(name):
    raise NotImplementedError(f"the derivative for '{name}' is not implemented.")


def _pow_less_one(x, exponent):
    # x ** 1 is x bit for bit; only a graph being built (create_graph) must record it, as torch's PowBackward0
    return x if exponent == 2 and not (STATE.grad_enabled and x._rg) else x ** (exponent - 1)


def _times(g, alpha):
    return g if alpha == 1 else F.mul_scalar(g, alpha)


def _where0(mask, g):
    return F.where(mask, g, 0.0)


def _prod_backward(g, self, result, dim, keepdim):
    # result / self fails where self has zeros: there, the gradient is the product of the others
    g = F.unsqueeze_dims(g, dim, keepdim)
    r = F.unsqueeze_dims(result, dim, keepdim)
    zeros = (self == 0)
    if not bool(zeros._data.any()):
        return g * r / self
    axis = None if dim is None else dim[0]
    others = K.np_prod_others(self._data, axis)
    return g * F.tensor(others) if not self.requires_grad else g * _prod_others_graph(self, axis)


def _prod_others_graph(x, axis):
    # differentiable product of all-but-one along axis (only needed when create_graph meets zeros)
    n = x.numel() if axis is None else x.shape[axis]
    flat = x.reshape(-1) if axis is None else x.movedim(axis, -1)
    outs = []
    for i in range(n):
        keep = [j for j in range(n) if j != i]
        outs.append(flat[..., keep].prod(-1) if keep else F.ones_like(flat[..., 0]))
    out = F.stack(outs, -1)
    return out.reshape(x.shape) if axis is None else out.movedim(-1, axis)


def _var_backward(g, self, dim, correction, keepdim):
    n = self.numel() if dim is None else F.count_over(self.shape, dim)
    g = F.unsqueeze_dims(g, dim, keepdim)
    mean = self.mean() if dim is None else self.mean(dim, keepdim=True)
    return g * (self - mean) * (2.0 / max(0, n - correction)) if n - correction > 0 else g * math.nan


def _norm_backward(g, self, result, ord, dim, keepdim):
    g = F.unsqueeze_dims(g, dim, keepdim)
    r = F.unsqueeze_dims(result, dim, keepdim)
    if ord == 2:
        return _where0(r != 0, self * (g / r))
    if ord == 1:
        return g * self.sign()
    if ord in (math.inf, -math.inf):
        mask = self.abs() == r
        return g * self.sign() * mask / (mask.sum() if dim is None else mask.sum(dim, keepdim=True))
    if ord == 0:
        return F.zeros_like(self)
    return _where0(r != 0, self * self.abs() ** (ord - 2) * g / r ** (ord - 1))


def _gelu_derivative(x, approximate):
    if approximate == "tanh":
        k, c = math.sqrt(2 / math.pi), 0.044715
        inner = k * (x + c * x * x * x)
        t = inner.tanh()
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (k * (1 + 3 * c * x * x))
    cdf = 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
    return cdf + x * pdf


def _mm_mat2_grad(g, mat1, mat2):
    # like torch, produce the gradient in mat2's memory layout: for Linear's weight.t() the result is
    # then a plain transpose of a contiguous array, which the leaf takes without a copy
    d = mat2._data
    if d.ndim == 2 and d.flags.f_contiguous and not d.flags.c_contiguous:
        return g.t().mm(mat1).t()
    return mat1.t().mm(g)


def _amax_backward(g, self, result, dim, keepdim):
    mask = self == F.unsqueeze_dims(result, dim, keepdim)
    return F.unsqueeze_dims(g, dim, keepdim) * mask / mask.sum(dim, keepdim=True)


def _expand_reduced(g, shape, reduction):
    if reduction == "mean":
        return g.expand(shape) / max(1, math.prod(shape))
    if reduction == "sum":
        return g.expand(shape)
    return g


def _reduce_like(x, reduction):
    # the adjoint of _expand_reduced
    if reduction == "mean":
        return x.sum() / max(1, x.numel())
    if reduction == "sum":
        return x.sum()
    return x


def _weighted(x, weight):
    return x if weight is None else x * weight


def _bce_logits_dx(x, y, pos_weight):
    if pos_weight is None:
        return x.sigmoid() - y
    return ((pos_weight - 1) * y + 1) * x.sigmoid() - pos_weight * y


def _bce_logits_dy(x, pos_weight):
    if pos_weight is None:
        return -x
    return (-x).sigmoid().log() - pos_weight * x.sigmoid().log()


def _nll_backward(g, shape, target, weight, reduction, ignore_index):
    w, _ = K.nll_weights(shape, target, weight, ignore_index, g._data.dtype)
    if reduction == "mean":
        w = w / w.sum()
    coef = np.zeros(shape, g._data.dtype)
    t = np.where(w != 0, target._data, 0)
    if len(shape) == 2:
        coef[np.arange(shape[0]), t] = -w
        gg = g if reduction != "none" else g.unsqueeze(1)
    else:
        coef[t] = -w
        gg = g
    return gg * F.tensor(coef)


# ---- arithmetic ---
# (Python's operators, not np.add & co: same result on arrays, and numpy's scalar fast path on the
# 0-d results that scalar graphs are made of, where a ufunc call costs ~6x more)--------------------------------------------------------------------------------
# add/sub: the forward gets `other` already scaled by alpha (ops.add), so it is the bare ufunc
op("add", "AddBackward0", "self other", operator.add,
   lambda g: g,
   lambda g, alpha: g if alpha == 1 else F.mul_scalar(g, alpha), args="alpha", fwd_args=False,
   text=lambda f, c, a, s: f.add(c[0], f.scaled(c[1], a.get("alpha"))), api="method function")
op("sub", "SubBackward0", "self other", operator.sub,
   lambda g: g,
   lambda g, alpha: -g if alpha == 1 else F.mul_scalar(g, -alpha), args="alpha", fwd_args=False,
   text=lambda f, c, a, s: f.sub(c[0], f.scaled(c[1], a.get("alpha"))), api="method function")
# `1 - x`: torch records the scalar overload, whose node has a single edge
op("rsub_scalar", "RsubBackward1", "self", lambda a, other, alpha: other - alpha * a,
   lambda g, alpha: -g if alpha == 1 else F.mul_scalar(g, -alpha), args="other alpha",
   text=lambda f, c, a, s: f.sub(f.const(a["other"]), f.scaled(c[0], a.get("alpha"))), api="via:rsub")
op("rsub", "RsubBackward0", "self other", lambda a, b, alpha: b - alpha * a,
   lambda g, alpha: -g if alpha == 1 else F.mul_scalar(g, -alpha),
   lambda g: g, args="alpha", text=lambda f, c, a, s: f.sub(c[1], f.scaled(c[0], a.get("alpha"))), api="function")
op("mul", "MulBackward0", "self other", operator.mul,
   lambda g, other: g * other,
   lambda g, self: g * self, text=lambda f, c, a, s: f.mul(c[0], c[1]), api="method function")
# multiplication by a Python scalar inside derivative formulas (torch's Scalar overload)
op("mul_scalar", "MulBackward1", "self", operator.mul,
   lambda g, other: F.mul_scalar(g, other), args="other", text=lambda f, c, a, s: f.mul(c[0], f.const(a["other"])),
   api="internal")
op("div", "DivBackward0", "self other", operator.truediv,
   lambda g, other: g / other,
   lambda g, self, other: -g * ((self / other) / other), text=lambda f, c, a, s: f.div(c[0], c[1]),
   api="method function")
op("neg", "NegBackward0", "self", operator.neg, lambda g: -g, text=lambda f, c, a, s: f.neg(c[0]),
   api="method function")
op("reciprocal", "ReciprocalBackward0", "self", K.np_reciprocal,
   lambda g, result: -g * (result * result), text=lambda f, c, a, s: f.div(f.const(1), c[0]),
   api="method function expr")
op("rsqrt", "RsqrtBackward0", "self", lambda a: K.np_reciprocal(np.sqrt(a)),
   lambda g, result: -0.5 * g * result * result * result, text="rsqrt", api="method function expr")
op("pow", "PowBackward0", "self", np.power,
   lambda g, self, exponent: F.zeros_like(g) if exponent == 0
   else g * F.mul_scalar(_pow_less_one(self, exponent), exponent), args="exponent",
   text=lambda f, c, a, s: f.power(c[0], f.const(a["exponent"])), api="method function")
op("pow_tensor", "PowBackward1", "self exponent", np.power,
   lambda g, self, exponent: F.where(exponent == 0, 0.0, g * (exponent * self ** (exponent - 1))),
   lambda g, self, exponent, result: F.where((self == 0) & (exponent >= 0), 0.0, g * (result * self.log())),
   text=lambda f, c, a, s: f.power(c[0], c[1]), api="via:pow")
op("pow_scalar_base", "PowBackward2", "exponent", lambda e, base: np.power(base, e),
   lambda g, base, result: F.zeros_like(g) if base == 0 else g * (result * math.log(base)) if base > 0
   else g * (result * float("nan")), args="base", text=lambda f, c, a, s: f.power(f.const(a["base"]), c[0]),
   api="via:pow")

# ---- elementwise ----------------------------------------------------------------------------------
op("exp", "ExpBackward0", "self", np.exp, lambda g, result: g * result, text="exp", api="method function expr")
op("log", "LogBackward0", "self", np.log, lambda g, self: g / self, text="log", api="method function expr")
op("log1p", "Log1PBackward0", "self", np.log1p, lambda g, self: g / (self + 1), text="log1p",
   api="method function expr")
op("sqrt", "SqrtBackward0", "self", np.sqrt, lambda g, result: g / (2 * result), text="sqrt",
   api="method function expr")
op("abs", "AbsBackward0", "self", np.abs, lambda g, self: g * self.sign(), text="abs", api="method function expr")
op("sign", "SignBackward0", "self", np.sign, lambda g: F.zeros_like(g), text=AS_NODE, api="method function")
op("sin", "SinBackward0", "self", np.sin, lambda g, self: g * self.cos(), text="sin", api="method function expr")
op("cos", "CosBackward0", "self", np.cos, lambda g, self: g * -self.sin(), text="cos", api="method function expr")
# tanh, sigmoid and relu differentiate through one fused backward op each, as torch does: one
# dispatch per node instead of three, and the double-backward graph shows torch's node names
op("tanh", "TanhBackward0", "self", np.tanh, lambda g, result: F.tanh_backward(g, result), text="tanh",
   api="method function expr", inplace=K.np_tanh_backward_)
op("tanh_backward", "TanhBackwardBackward0", "grad_output output", K.np_tanh_backward,
   lambda g, output: F.tanh_backward(g, output),
   # torch's formula for output, in its order (so its graph: MulBackward1 on output)
   lambda g, grad_output, output: g * (F.mul_scalar(output, -2.0) * grad_output),
   text=lambda f, c, a, s: f.mul(c[0], f.sub(f.const(1), f.power(c[1], f.const(2)))), api="internal")
op("sigmoid", "SigmoidBackward0", "self", lambda a: K.np_sigmoid(a),
   lambda g, result: F.sigmoid_backward(g, result), text="sigmoid", api="method function expr",
   inplace=K.np_sigmoid_backward_)
op("sigmoid_backward", "SigmoidBackwardBackward0", "grad_output output", K.np_sigmoid_backward,
   lambda g, output: F.sigmoid_backward(g, output),
   lambda g, grad_output, output: g * grad_output * (1 - 2.0 * output),
   text=lambda f, c, a, s: f.mul(c[0], f.mul(f.sub(f.const(1), c[1]), c[1])), api="internal")
op("relu", "ReluBackward0", "self", lambda a: np.maximum(a, 0, dtype=a.dtype),
   lambda g, result: F.threshold_backward(g, result), text="relu", api="method function expr",
   inplace=K.np_threshold_backward_)
op("threshold_backward", "ThresholdBackwardBackward0", "grad_output self", K.np_threshold_backward,
   lambda g, self: F.threshold_backward(g, self),
   lambda g: F.zeros_like(g), text=lambda f, c, a, s: f.mul(c[0], f.greater(c[1], f.const(0))), api="internal")
op("leaky_relu", "LeakyReluBackward0", "self",
   lambda a, negative_slope: np.where(a > 0, a, a * negative_slope).astype(a.dtype, copy=False),
   lambda g, self, negative_slope: F.leaky_relu_backward(g, self, negative_slope), args="negative_slope",
   text=AS_NODE, api="via:nn.functional.leaky_relu")
# torch's leaky_relu_backward: its result requires grad through `self` too (a zero derivative, but recorded)
op("leaky_relu_backward", "LeakyReluBackwardBackward0", "grad_output self",
   lambda g, a, negative_slope: np.where(a > 0, g, g * negative_slope).astype(g.dtype, copy=False),
   lambda g, self, negative_slope: F.leaky_relu_backward(g, self, negative_slope),
   lambda g: F.zeros_like(g), args="negative_slope", text=AS_NODE, api="internal")
op("erf", "ErfBackward0", "self", lambda a: K.np_erf(a),
   lambda g, self: g * (2.0 / math.sqrt(math.pi) * (-(self * self)).exp()), text="erf", api="method function expr")
op("gelu", "GeluBackward0", "self", lambda a, approximate: K.np_gelu(a, approximate),
   lambda g, self, approximate: g * _gelu_derivative(self, approximate), args="approximate", text=AS_NODE,
   api="via:nn.functional.gelu")
op("clamp", "ClampBackward1", "self", lambda a, lo, hi: np.clip(a, lo, hi).astype(a.dtype, copy=False),
   lambda g, self, lo, hi: _where0(F.clamp_mask(self, lo, hi), g), args="lo hi", text=AS_NODE,
   api="method function expr")
op("maximum", "MaximumBackward0", "self other", np.maximum,
   lambda g, self, other: _where0(self >= other, F.where(self == other, g / 2, g)),
   lambda g, self, other: _where0(self <= other, F.where(self == other, g / 2, g)), text=AS_NODE,
   api="method function expr")
op("minimum", "MinimumBackward0", "self other", np.minimum,
   lambda g, self, other: _where0(self <= other, F.where(self == other, g / 2, g)),
   lambda g, self, other: _where0(self >= other, F.where(self == other, g / 2, g)), text=AS_NODE,
   api="method function expr")
op("where", "WhereBackward0", "self other", lambda a, b, condition: np.where(condition._data, a, b),
   lambda g, condition: _where0(condition, g),
   lambda g, condition: F.where(condition, 0.0, g), args="condition",
   text=lambda f, c, a, s: f.where(f.const(np.asarray(a["condition"]._data)), c[0], c[1], s), api="function expr")

# rounding: piecewise constant, so a zero gradient, but torch still records a node
op("floor", "FloorBackward0", "self", np.floor, lambda g: F.zeros_like(g), text=AS_NODE, api="method function")
op("ceil", "CeilBackward0", "self", np.ceil, lambda g: F.zeros_like(g), text=AS_NODE, api="method function")
op("round", "RoundBackward0", "self", np.round, lambda g: F.zeros_like(g), text=AS_NODE, api="method function")
op("round_decimals", "RoundBackward1", "self", lambda a, decimals: K.np_round_decimals(a, decimals),
   lambda g: F.zeros_like(g), args="decimals", text=AS_NODE, api="via:round")
op("trunc", "TruncBackward0", "self", np.trunc, lambda g: F.zeros_like(g), text=AS_NODE, api="method function")
op("tan", "TanBackward0", "self", np.tan, lambda g, result: g * (1 + result * result), text=AS_NODE,
   api="method function expr")
op("log2", "Log2Backward0", "self", np.log2, lambda g, self: g / (self * math.log(2)), text=AS_NODE,
   api="method function")
op("log10", "Log10Backward0", "self", np.log10, lambda g, self: g / (self * math.log(10)), text=AS_NODE,
   api="method function")
op("expm1", "Expm1Backward0", "self", np.expm1, lambda g, result: g * (result + 1), text=AS_NODE,
   api="method function")
op("asin", "AsinBackward0", "self", np.arcsin, lambda g, self: g * (-self * self + 1).rsqrt(), text=AS_NODE,
   api="method function")
op("acos", "AcosBackward0", "self", np.arccos, lambda g, self: g * -((-self * self + 1).rsqrt()), text=AS_NODE,
   api="method function")
op("atan", "AtanBackward0", "self", np.arctan, lambda g, self: g / (self * self + 1), text=AS_NODE,
   api="method function")
op("sinh", "SinhBackward0", "self", np.sinh, lambda g, self: g * self.cosh(), text=AS_NODE, api="method function")
op("cosh", "CoshBackward0", "self", np.cosh, lambda g, self: g * self.sinh(), text=AS_NODE, api="method function")
op("hypot", "HypotBackward0", "self other", np.hypot,
   lambda g, self, result: g * self / result,
   lambda g, other, result: g * other / result, text="hypot", api="method function expr")
op("masked_fill", "MaskedFillBackward0", "self",
   lambda a, mask, value: np.where(mask, np.asarray(value, a.dtype), a),
   lambda g, mask: F.where(F.tensor(mask), 0.0, g), args="mask value", text=AS_NODE, api="method function")
op("masked_fill_tensor", "MaskedFillBackward1", "self value", lambda a, v, mask: np.where(mask, v, a),
   lambda g, mask: F.where(F.tensor(mask), 0.0, g),
   lambda g, mask: F.where(F.tensor(mask), g, 0.0).sum(), args="mask", text=AS_NODE, api="via:masked_fill")

# ---- reductions -----------------------------------------------------------------------------------
op("sum", "SumBackward0", "self", lambda a: np.sum(a), lambda g, shape_self: g.expand(shape_self), text="sum",
   api="method function")
op("sum_dim", "SumBackward1", "self", lambda a, dim, keepdim: np.sum(a, axis=dim, keepdims=keepdim),
   lambda g, shape_self, dim, keepdim: F.unsqueeze_dims(g, dim, keepdim).expand(shape_self),
   args="dim keepdim", text=lambda f, c, a, s: f.method(c[0], "sum", f.dims(a), s), api="via:sum")
op("mean", "MeanBackward0", "self", lambda a: np.mean(a),
   lambda g, shape_self: g.expand(shape_self) / max(1, math.prod(shape_self)), text="mean",
   api="method function expr")
op("mean_dim", "MeanBackward1", "self", lambda a, dim, keepdim: np.mean(a, axis=dim, keepdims=keepdim),
   lambda g, shape_self, dim, keepdim: F.unsqueeze_dims(g, dim, keepdim).expand(shape_self)
   / F.count_over(shape_self, dim), args="dim keepdim", text=lambda f, c, a, s: f.method(c[0], "mean", f.dims(a), s),
   api="via:mean")
op("prod", "ProdBackward0", "self", lambda a: np.prod(a),
   lambda g, self, result: _prod_backward(g, self, result, None, False), text=AS_NODE, api="method function expr")
op("prod_dim", "ProdBackward1", "self", lambda a, dim, keepdim: np.prod(a, axis=dim, keepdims=keepdim),
   lambda g, self, result, dim, keepdim: _prod_backward(g, self, result, dim, keepdim), args="dim keepdim",
   text=AS_NODE, api="via:prod")
op("var", "VarBackward0", "self", lambda a, dim, correction, keepdim: K.np_var(a, dim, correction, keepdim),
   lambda g, self, dim, correction, keepdim: _var_backward(g, self, dim, correction, keepdim),
   args="dim correction keepdim", text=AS_NODE, api="method function")
op("std", "StdBackward0", "self",
   lambda a, dim, correction, keepdim: np.sqrt(K.np_var(a, dim, correction, keepdim)),
   lambda g, self, result, dim, correction, keepdim: _var_backward(
       _where0(result != 0, g / (2 * result)), self, dim, correction, keepdim),
   args="dim correction keepdim", text=AS_NODE, api="method function")
op("norm", "LinalgVectorNormBackward0", "self", lambda a, ord, dim, keepdim: K.np_norm(a, ord, dim, keepdim),
   lambda g, self, result, ord, dim, keepdim: _norm_backward(g, self, result, ord, dim, keepdim),
   args="ord dim keepdim", text=AS_NODE, api="method function expr")
# x.max() / x.min(): ties share the gradient evenly
op("max_all", "MaxBackward1", "self", lambda a: np.max(a),
   lambda g, self, result: F.evenly_distribute(g, self == result), text="max", api="via:max")
op("min_all", "MinBackward1", "self", lambda a: np.min(a),
   lambda g, self, result: F.evenly_distribute(g, self == result), text="min", api="via:min")
# x.max(dim) / x.min(dim): the gradient goes to the returned index only
op("max_dim", "MaxBackward0", "self", lambda a, dim, keepdim, indices: K.np_take_dim(a, dim, keepdim, indices),
   lambda g, shape_self, dim, keepdim, indices: F.unsqueeze_dims(g, (dim,), keepdim).expand(shape_self)
   * F.onehot_along(shape_self, dim, indices, keepdim), args="dim keepdim indices", text=AS_NODE, api="via:max")
op("min_dim", "MinBackward0", "self", lambda a, dim, keepdim, indices: K.np_take_dim(a, dim, keepdim, indices),
   lambda g, shape_self, dim, keepdim, indices: F.unsqueeze_dims(g, (dim,), keepdim).expand(shape_self)
   * F.onehot_along(shape_self, dim, indices, keepdim), args="dim keepdim indices", text=AS_NODE, api="via:min")
# amax / amin over dims: ties share evenly within each reduced slice
op("amax", "AmaxBackward0", "self", lambda a, dim, keepdim: np.max(a, axis=dim, keepdims=keepdim),
   lambda g, self, result, dim, keepdim: _amax_backward(g, self, result, dim, keepdim), args="dim keepdim",
   text=AS_NODE, api="method function")
op("amin", "AminBackward0", "self", lambda a, dim, keepdim: np.min(a, axis=dim, keepdims=keepdim),
   lambda g, self, result, dim, keepdim: _amax_backward(g, self, result, dim, keepdim), args="dim keepdim",
   text=AS_NODE, api="method function")
op("logsumexp", "LogsumexpBackward0", "self", lambda a, dim, keepdim: K.np_logsumexp(a, dim, keepdim),
   lambda g, self, result, dim, keepdim: F.unsqueeze_dims(g, dim, keepdim)
   * (self - F.unsqueeze_dims(result, dim, keepdim)).exp(), args="dim keepdim", text=AS_NODE,
   api="method function expr")
op("cumsum", "CumsumBackward0", "self", lambda a, dim: np.cumsum(a, axis=dim),
   # the reversed cumulative sum of g, written without a flip op
   lambda g, dim: g.sum(dim, keepdim=True) - g.cumsum(dim) + g, args="dim", text=AS_NODE, api="method function")

# ---- linear algebra -------------------------------------------------------------------------------
op("cross", "LinalgCrossBackward0", "self other", lambda a, b, dim: np.cross(*np.broadcast_arrays(a, b), axis=dim),
   lambda g, other, dim: F.cross(other, g, dim=dim),
   lambda g, self, dim: F.cross(g, self, dim=dim), args="dim", text=AS_NODE, api="method function")
# torch records unique on a tensor that requires grad, but has no derivative for it
op("unique", "Unique2Backward0", "self", lambda a, values: values, lambda g: _no_derivative("_unique2"),
   args="values", text=AS_NODE, api="method function")
op("mm", "MmBackward0", "self mat2", np.matmul,
   lambda g, mat2: g.mm(mat2.t()),
   lambda g, self, mat2: _mm_mat2_grad(g, self, mat2), text=lambda f, c, a, s: f.matmul(c[0], c[1], s),
   api="method function expr")
op("mv", "MvBackward0", "self vec", np.matmul,
   lambda g, vec: g.unsqueeze(1) * vec,
   lambda g, self: self.t().mv(g), text=lambda f, c, a, s: f.matmul(c[0], c[1], s), api="method function expr")
op("dot", "DotBackward0", "self tensor", np.dot,
   lambda g, tensor: g * tensor,
   lambda g, self: g * self, text=lambda f, c, a, s: f.matmul(c[0], c[1], s), api="method function expr")
op("bmm", "BmmBackward0", "self mat2", np.matmul,
   lambda g, mat2: g.bmm(mat2.transpose(1, 2)),
   lambda g, self: self.transpose(1, 2).bmm(g), text=AS_NODE, api="method function")
op("addmm", "AddmmBackward0", "self mat1 mat2", lambda c, a, b: K.np_addmm(c, a, b),
   lambda g: g,
   lambda g, mat2: g.mm(mat2.t()),
   lambda g, mat1, mat2: _mm_mat2_grad(g, mat1, mat2), text=AS_NODE, api="function")

# ---- convolution ---------------------------------------------------------------------------------
# torch differentiates all three inputs through one convolution_backward; here each input's
# VJP asks for its own output of it, so each gradient is a ConvolutionBackwardBackward0 node of its own
# (torch: one node with three outputs), with torch's edges (grad_output, input, weight)
def _conv_grad(which):
    return lambda g, self, weight, stride, padding, dilation, groups: F.convolution_backward(
        g, self, weight, stride, padding, dilation, groups, which)


def _conv_backward_dgrad(gg, self, weight, shape_grad_output, stride, padding, dilation, groups, which):
    # every output of convolution_backward is linear in grad_output: its adjoint is the forward again
    if which == 0:
        return F.convolution(gg, weight, None, stride, padding, dilation, groups)
    if which == 1:
        return F.convolution(self, gg, None, stride, padding, dilation, groups)
    return gg.reshape(1, -1, 1, 1).expand(shape_grad_output)


op("convolution", "ConvolutionBackward0", "self weight bias", C.conv2d,
   _conv_grad(0), _conv_grad(1), _conv_grad(2), args="stride padding dilation groups", text=AS_NODE,
   api="via:nn.functional.conv2d")
# grad_input is bilinear in (grad_output, weight) and grad_weight in (grad_output, input): the cross
# terms are the other gradient with gg in place of the weight or the input; the rest does not depend
op("convolution_backward", "ConvolutionBackwardBackward0", "grad_output self weight", C.conv2d_backward,
   _conv_backward_dgrad,
   lambda gg, grad_output, self, stride, padding, dilation, groups, which: F.convolution_backward(
       grad_output, self, gg, stride, padding, dilation, groups, 0) if which == 1 else None,
   lambda gg, grad_output, weight, stride, padding, dilation, groups, which: F.convolution_backward(
       grad_output, gg, weight, stride, padding, dilation, groups, 1) if which == 0 else None,
   args="stride padding dilation groups which", text=AS_NODE, api="internal")

# ---- pooling: the values are the input read at precomputed indices; the VJP scatters back to them ----------
op("max_pool2d", "MaxPool2DWithIndicesBackward0", "self",
   lambda a, kernel, stride, padding, dilation, ceil_mode, indices: P.np_pool_gather(a, indices),
   lambda g, self, kernel, stride, padding, dilation, ceil_mode, indices: F.max_pool2d_backward(
       g, self, kernel, stride, padding, dilation, ceil_mode, indices),
   args="kernel stride padding dilation ceil_mode indices", text=AS_NODE, api="via:nn.functional.max_pool2d")
op("max_pool2d_backward", "MaxPool2DWithIndicesBackwardBackward0", "grad_output self",
   lambda g, a, kernel, stride, padding, dilation, ceil_mode, indices: P.np_pool_scatter(g, a.shape, indices),
   lambda gg, indices: F.max_pool2d_gather(gg, indices),
   lambda gg, shape_self: F.zeros(shape_self, dtype=gg.dtype), args="kernel stride padding dilation ceil_mode indices",
   text=AS_NODE, api="internal")

# ---- shape and views ------------------------------------------------------------------------------
op("view", "ViewBackward0", "self", lambda a, shape: a.reshape(shape),
   lambda g, shape_self: g.reshape(shape_self), args="shape",
   text=lambda f, c, a, s: f.method(c[0], "reshape", ", ".join(map(str, s)), s), api="method")
op("unsafe_view", "UnsafeViewBackward0", "self", lambda a, shape: a.reshape(shape),
   lambda g, shape_self: g.reshape(shape_self), args="shape",
   text=lambda f, c, a, s: f.method(c[0], "reshape", ", ".join(map(str, s)), s), api="via:matmul")
op("t", "TBackward0", "self", np.transpose, lambda g: g.t(), text=lambda f, c, a, s: f.method(c[0], "t", "", s),
   api="method function")
op("transpose", "TransposeBackward0", "self", lambda a, d0, d1: np.swapaxes(a, d0, d1),
   lambda g, d0, d1: g.transpose(d0, d1), args="d0 d1", text=AS_NODE, api="method function")
op("permute", "PermuteBackward0", "self", np.transpose,
   lambda g, dims: g.permute(tuple(np.argsort(dims).tolist())), args="dims", text=AS_NODE, api="method function")
op("unsqueeze", "UnsqueezeBackward0", "self", np.expand_dims, lambda g, dim: g.squeeze(dim), args="dim",
   text=lambda f, c, a, s: f.method(c[0], "unsqueeze", str(a["dim"]), s), api="method function")
op("squeeze", "SqueezeBackward0", "self", lambda a: np.squeeze(a),
   lambda g, shape_self: g.reshape(shape_self), text=AS_NODE, api="method function")
op("squeeze_dim", "SqueezeBackward1", "self", lambda a, dim: np.squeeze(a, dim) if a.shape[dim] == 1 else a,
   lambda g, shape_self: g.reshape(shape_self), args="dim", text=AS_NODE, api="via:squeeze")
op("squeeze_dims", "SqueezeBackward2", "self",
   lambda a, dims: np.squeeze(a, tuple(d for d in dims if a.shape[d] == 1)),
   lambda g, shape_self: g.reshape(shape_self), args="dims", text=AS_NODE, api="via:squeeze")
# matmul's 1-D@2-D path squeezes in place: torch shows that as SqueezeBackward4 (x.squeeze_(dim) too)
op("squeeze_mm", "SqueezeBackward4", "self", lambda a, dim: np.squeeze(a, dim) if a.shape[dim] == 1 else a,
   lambda g, shape_self: g.reshape(shape_self), args="dim", text=AS_NODE, api="via:matmul")
# the in-place overloads (x.unsqueeze_(0), x.squeeze_()) are nodes of their own in torch
op("unsqueeze_inplace", "UnsqueezeBackward1", "self", np.expand_dims, lambda g, dim: g.squeeze(dim), args="dim",
   text=AS_NODE, api="via:Tensor.unsqueeze_")
op("squeeze_inplace", "SqueezeBackward3", "self", lambda a: np.squeeze(a), lambda g, shape_self: g.reshape(shape_self),
   text=AS_NODE, api="via:Tensor.squeeze_")
op("squeeze_dims_inplace", "SqueezeBackward5", "self",
   lambda a, dims: np.squeeze(a, tuple(d for d in dims if a.shape[d] == 1)),
   lambda g, shape_self: g.reshape(shape_self), args="dims", text=AS_NODE, api="via:Tensor.squeeze_")
op("expand", "ExpandBackward0", "self", lambda a, shape: np.broadcast_to(a, shape),
   lambda g, shape_self: F.sum_to(g, shape_self), args="shape",
   text=lambda f, c, a, s: f.method(c[0], "expand", ", ".join(map(str, a["shape"])), s), api="method")
op("repeat", "RepeatBackward0", "self", lambda a, reps: np.tile(a, reps),
   lambda g, shape_self, reps: _repeat_backward(g, shape_self, reps), args="reps", text=AS_NODE, api="method")
op("flip", "FlipBackward0", "self", lambda a, dims: np.flip(a, dims).copy(), lambda g, dims: g.flip(dims),
   args="dims", text=AS_NODE, api="method function")
op("tril", "TrilBackward0", "self", lambda a, diagonal: np.tril(a, diagonal), lambda g, diagonal: g.tril(diagonal),
   args="diagonal", text=AS_NODE, api="method function")
op("triu", "TriuBackward0", "self", lambda a, diagonal: np.triu(a, diagonal), lambda g, diagonal: g.triu(diagonal),
   args="diagonal", text=AS_NODE, api="method function")
op("alias", "AliasBackward0", "self", lambda a: a.view(), lambda g: g, text=lambda f, c, a, s: c[0],
   api="via:Tensor.__getitem__")
op("clone", "CloneBackward0", "self", np.copy, lambda g: g, text=lambda f, c, a, s: c[0], api="method function")
op("to_copy", "ToCopyBackward0", "self", lambda a, dtype: a.astype(dtype.np),
   lambda g, dtype_self: g.to(dtype_self), args="dtype", text=AS_NODE, api="via:Tensor.to")

# indexing: a gather and the scatter that is its VJP (and whose own VJP is the gather again)
# `+ (Ellipsis,)`: a 0-d result stays a view of the input (plain a[i] would copy out a scalar)
op("select", "SelectBackward0", "self", lambda a, key: a[key + (Ellipsis,)],
   lambda g, shape_self, key: F.scatter_key(g, shape_self, key, "select"), args="key",
   text=lambda f, c, a, s: f.index(c[0], a["key"], s), api="method function")
op("slice", "SliceBackward0", "self", lambda a, key: a[key],
   lambda g, shape_self, key: F.scatter_key(g, shape_self, key, "slice"), args="key", text=AS_NODE,
   api="via:Tensor.__getitem__")
op("index", "IndexBackward0", "self", lambda a, key: a[key],
   lambda g, shape_self, key: F.scatter_key(g, shape_self, key, "index"), args="key", text=AS_NODE,
   api="via:Tensor.__getitem__")
op("select_backward", "SelectBackwardBackward0", "grad", lambda g, shape, key: K.np_scatter(g, shape, key),
   lambda g, key: F.gather_key(g, key, "select"), args="shape key", text=AS_NODE, api="internal")
op("slice_backward", "SliceBackwardBackward0", "grad", lambda g, shape, key: K.np_scatter(g, shape, key),
   lambda g, key: F.gather_key(g, key, "slice"), args="shape key", text=AS_NODE, api="internal")
# torch scatters an index's gradient into a zeros tensor: that tensor is the node's first (None) edge
op("index_backward", "IndexPutImplBackward0", "self values", lambda z, g, key: K.np_scatter(g, z.shape, key),
   lambda g: None,
   lambda g, key: F.gather_key(g, key, "index"), args="key", text=AS_NODE, api="internal")
# along a dimension: gather and the scatters are each other's VJPs (sort/topk return a gather by indices)
op("gather", "GatherBackward0", "self", lambda a, dim, index: K.np_gather(a, dim, index),
   lambda g, shape_self, dim, index: F.scatter_add(F.zeros(shape_self, dtype=g.dtype), dim, index, g),
   args="dim index", text=AS_NODE, api="method function")
op("scatter", "ScatterBackward0", "self src", lambda a, b, dim, index: K.np_scatter_along(a, b, dim, index),
   lambda g, dim, index: F.scatter(g, dim, index, 0.0),
   lambda g, dim, index: F.gather(g, dim, index), args="dim index", text=AS_NODE, api="method function")
op("scatter_value", "ScatterBackward1", "self", lambda a, dim, index, value: K.np_scatter_along(a, value, dim, index),
   lambda g, dim, index: F.scatter(g, dim, index, 0.0), args="dim index value", text=AS_NODE, api="via:scatter")
op("scatter_add", "ScatterAddBackward0", "self src", lambda a, b, dim, index: K.np_scatter_add(a, b, dim, index),
   lambda g: g,
   lambda g, dim, index: F.gather(g, dim, index), args="dim index", text=AS_NODE, api="method function")
op("index_select", "IndexSelectBackward0", "self", lambda a, dim, index: np.take(a, index, axis=dim),
   lambda g, shape_self, dim, index: F.index_add(F.zeros(shape_self, dtype=g.dtype), dim, index, g),
   args="dim index", text=AS_NODE, api="method function")
op("index_add", "IndexAddBackward0", "self source",
   lambda a, b, dim, index, alpha: K.np_index_add(a, b, dim, index, alpha),
   lambda g: g,
   lambda g, shape_source, dim, index, alpha: _times(g.index_select(dim, index).expand(shape_source), alpha),
   args="dim index alpha", text=AS_NODE, api="method function")
# sort and topk: the values are a gather by the indices; their VJP scatters into zeros (torch: one node)
op("sort", "SortBackward0", "self", lambda a, dim, indices: K.np_gather(a, dim, indices),
   lambda g, shape_self, dim, indices: F.scatter(F.zeros(shape_self, dtype=g.dtype), dim, indices, g),
   args="dim indices", text=AS_NODE, api="method function")
op("sort_stable", "SortBackward1", "self", lambda a, dim, indices: K.np_gather(a, dim, indices),
   lambda g, shape_self, dim, indices: F.scatter(F.zeros(shape_self, dtype=g.dtype), dim, indices, g),
   args="dim indices", text=AS_NODE, api="via:sort")
op("topk", "TopkBackward0", "self", lambda a, dim, indices: K.np_gather(a, dim, indices),
   lambda g, shape_self, dim, indices: F.scatter(F.zeros(shape_self, dtype=g.dtype), dim, indices, g),
   args="dim indices", text=AS_NODE, api="method function")
op("cat", "CatBackward0", "tensors", lambda *a: np.concatenate(a[:-2], axis=a[-1]),  # a: *arrays, sizes, dim
   lambda g, i, sizes, dim: F.narrow(g, dim, sum(sizes[:i]), sizes[i]), args="sizes dim", variadic=True, text=AS_NODE,
   api="function expr")
op("stack", "StackBackward0", "tensors", lambda *a_dim: np.stack(a_dim[:-1], axis=a_dim[-1]),
   lambda g, i, dim: F.select(g, dim, i), args="dim", variadic=True, text=AS_NODE, api="function expr")

# ---- in-place results (the node a tensor gets after an in-place op) -------------------------------
op("copy", "CopyBackwards", "self src", lambda a, b: np.broadcast_to(b, a.shape).astype(a.dtype),
   lambda g: F.zeros_like(g),
   lambda g, dtype_src: g.to(dtype_src), text=AS_NODE, api="via:Tensor.copy_")
op("fill", "FillBackward2", "self", lambda a, value: np.full_like(a, value), lambda g: F.zeros_like(g),
   args="value", text=AS_NODE, api="via:Tensor.fill_")
op("zero", "ZeroBackward0", "self", np.zeros_like, lambda g: F.zeros_like(g), text=AS_NODE, api="via:Tensor.zero_")
# random in-place fills: the values are drawn before dispatch and passed in; nothing flows back
op("normal", "NormalBackward0", "self", lambda a, values: values, lambda g: F.zeros_like(g), args="values",
   text=AS_NODE, api="via:Tensor.normal_")
op("uniform", "UniformBackward0", "self", lambda a, values: values, lambda g: F.zeros_like(g), args="values",
   text=AS_NODE, api="via:Tensor.uniform_")
op("exponential", "ExponentialBackward0", "self", lambda a, values: values, lambda g: F.zeros_like(g),
   args="values", text=AS_NODE, api="via:Tensor.exponential_")
op("bernoulli", "BernoulliBackward0", "self", lambda a, values: values, lambda g: F.zeros_like(g), args="values",
   text=AS_NODE, api="function")
op("bernoulli_tensor_", "BernoulliBackward1", "self p", lambda a, p, values: values, lambda g: F.zeros_like(g),
   lambda g, shape_p: F.zeros(shape_p, dtype=g.dtype), args="values", text=AS_NODE, api="via:Tensor.bernoulli_")
op("bernoulli_scalar_", "BernoulliBackward2", "self", lambda a, values: values, lambda g: F.zeros_like(g),
   args="values", text=AS_NODE, api="via:Tensor.bernoulli_")
op("random", "RandomBackward0", "self", lambda a, values: values, lambda g: F.zeros_like(g), args="values",
   text=AS_NODE, api="via:Tensor.random_")
op("copy_slices", "CopySlices", "self src", lambda a, b, key: K.np_setitem(a, key, b),
   lambda g, shape_self, key: g * F.keep_mask(shape_self, key),
   lambda g, key: F.gather_key(g, key, "index"), args="key", text=AS_NODE, api="via:Tensor.__setitem__")
# x[mask] = v / x[idx] = v: torch's index_put_ (repeated indices: the last write wins, as without accumulate)
op("index_put", "IndexPutBackward0", "self values", lambda a, b, key: K.np_setitem(a, key, b),
   lambda g, shape_self, key: g * F.keep_mask(shape_self, key),
   lambda g, key: F.gather_key(g, key, "index"), args="key", text=AS_NODE, api="via:Tensor.__setitem__")

# ---- activations and losses -----------------------------------------------------------------------
op("softmax", "SoftmaxBackward0", "self", lambda a, dim: K.np_softmax(a, dim),
   lambda g, result, dim: result * (g - (g * result).sum(dim, keepdim=True)), args="dim", text=AS_NODE,
   api="method function expr")
op("log_softmax", "LogSoftmaxBackward0", "self", lambda a, dim: K.np_log_softmax(a, dim),
   lambda g, result, dim: F.log_softmax_backward(g, result, dim), args="dim", text=AS_NODE,
   api="method function expr")
op("log_softmax_backward", "LogSoftmaxBackwardDataBackward0", "grad_output output",
   lambda g, y, dim: g - np.exp(y) * g.sum(axis=dim, keepdims=True),
   lambda g, output, dim: g - (output.exp() * g).sum(dim, keepdim=True),
   lambda g, grad_output, output, dim: -g * output.exp() * grad_output.sum(dim, keepdim=True), args="dim",
   text=AS_NODE, api="internal")
op("mse_loss", "MseLossBackward0", "self target", lambda a, b, reduction: K.reduce_np((a - b) ** 2, reduction),
   lambda g, self, target, reduction: _expand_reduced(g, self.shape, reduction) * (2 * (self - target)),
   lambda g, self, target, reduction: _expand_reduced(g, self.shape, reduction) * (2 * (target - self)),
   args="reduction", text=AS_NODE, api="via:nn.functional.mse_loss")
op("binary_cross_entropy", "BinaryCrossEntropyBackward0", "self target",
   lambda p, y, weight, reduction: K.np_bce(p, y, weight, reduction),
   lambda g, self, target, weight, reduction: F.bce_backward(g, self, target, weight, reduction),
   lambda g, self, weight, reduction: _expand_reduced(g, self.shape, reduction)
   * _weighted((1 - self).log().clamp(min=-100) - self.log().clamp(min=-100), weight),
   args="weight reduction", text=AS_NODE, api="via:nn.functional.binary_cross_entropy")
# d BCE / d p in one kernel (torch: binary_cross_entropy_backward); its own VJPs serve double backward
op("bce_backward", "BinaryCrossEntropyBackwardBackward0", "grad self target",
   lambda g, p, y, weight, reduction: K.np_bce_backward(g, p, y, weight, reduction),
   lambda g2, self, target, weight, reduction: _reduce_like(
       g2 * _weighted((self - target) / ((1 - self) * self).clamp(min=1e-12), weight), reduction),
   lambda g2, grad, self, target, weight, reduction: g2 * _expand_reduced(grad, self.shape, reduction)
   * _weighted(((1 - self) * self - (self - target) * (1 - 2 * self)) / ((1 - self) * self) ** 2, weight),
   lambda g2, grad, self, weight, reduction: g2 * _expand_reduced(grad, self.shape, reduction)
   * _weighted(-1 / ((1 - self) * self), weight),
   args="weight reduction", text=AS_NODE, api="internal")
op("bce_with_logits", "BinaryCrossEntropyWithLogitsBackward0", "self target",
   lambda x, y, weight, pos_weight, reduction: K.np_bce_logits(x, y, weight, pos_weight, reduction),
   lambda g, self, target, weight, pos_weight, reduction: _expand_reduced(g, self.shape, reduction)
   * _weighted(_bce_logits_dx(self, target, pos_weight), weight),
   lambda g, self, weight, pos_weight, reduction: _expand_reduced(g, self.shape, reduction)
   * _weighted(_bce_logits_dy(self, pos_weight), weight),
   args="weight pos_weight reduction", text=AS_NODE, api="via:nn.functional.binary_cross_entropy_with_logits")
op("nll_loss", "NllLossBackward0", "self", lambda a, target, weight, reduction, ignore_index:
   K.np_nll(a, target, weight, reduction, ignore_index),
   lambda g, shape_self, target, weight, reduction, ignore_index:
   _nll_backward(g, shape_self, target, weight, reduction, ignore_index),
   args="target weight reduction ignore_index", text=AS_NODE, api="via:nn.functional.nll_loss")
