"""Walks the op table: every TABLE entry has public-API cases checked by gradcheck, gradgradcheck and torch."""
import re
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradcli as gc
from gradcli.autograd.derivatives import TABLE

from .helpers import node_names, structure


# ---- value domains: keep inputs where each op is smooth ----------------------------------------------
def _any(rng, shape):
    return rng.uniform(-2, 2, shape)


def _pos(rng, shape):
    return rng.uniform(0.5, 2, shape)


def _away(rng, shape):  # away from the kink at 0 (abs, relu, sign, norm-1, masks)
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2, shape)


def _unit(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _prob(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


def _distinct(rng, shape):  # no ties (max, min, inf-norm)
    n = int(np.prod(shape, dtype=int))
    vals = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.05, 0.05, n)
    return vals.reshape(shape)


def _clamp(rng, shape):  # away from the bounds -1, 0, 0.5, 1 that the clamp cases use
    mag = np.where(rng.random(shape) < 0.5, rng.uniform(0.1, 0.4, shape), rng.uniform(1.2, 2, shape))
    return rng.choice([-1.0, 1.0], shape) * mag


def _grid(rng, shape):  # exactly representable in float32, so casts are exact in numerical checks
    return np.round(rng.uniform(-2, 2, shape) * 64) / 64


def _with_zero(rng, shape):  # one exact zero: prod's gradient there is the product of the others
    a = _away(rng, shape)
    a.reshape(-1)[1] = 0.0
    return a


DOMAINS = {"any": _any, "pos": _pos, "away": _away, "unit": _unit, "prob": _prob, "distinct": _distinct,
           "clamp": _clamp, "grid": _grid, "zero": _with_zero}


class NoGrad:
    """A float input that does not require grad."""

    def __init__(self, shape, domain="any"):
        self.shape, self.domain = shape, domain


class Const:
    """A fixed non-float argument (class indices), given to both libraries as a tensor."""

    def __init__(self, value):
        self.value = np.asarray(value)


class Case:
    """One way to reach a table entry through the public API: `fn(m, *tensors)` with m = gradcli or torch."""

    def __init__(self, fn, *args, domain="any", gradgrad=True, gradcheck=True, xfail=None, id=None, make=None,
                 kw=None, raises=None):
        self.raises = raises  # the error backward raises in both libraries (an op torch cannot differentiate)
        self.fn, self.args, self.domain = fn, args, domain
        self.gradgrad, self.gradcheck = gradgrad, gradcheck
        self.xfail = xfail or {}  # test kind ("torch", "gradcheck", "gradgrad") -> reason
        self.id, self.make, self.kw = id, make, kw or {}

    def arrays(self, seed):
        rng = np.random.default_rng(seed)
        if self.make is not None:
            return self.make(rng)
        out = []
        for i, spec in enumerate(self.args):
            if isinstance(spec, Const):
                out.append(spec.value)
                continue
            shape = spec.shape if isinstance(spec, NoGrad) else spec
            dom = spec.domain if isinstance(spec, NoGrad) else (
                self.domain[i] if isinstance(self.domain, (tuple, list)) else self.domain)
            out.append(np.asarray(DOMAINS[dom](rng, shape), np.float64))
        return out

    def tensors(self, m, arrays):
        ts = []
        for spec, a in zip(self.args, arrays):
            if isinstance(spec, Const):
                ts.append(m.tensor(a))
            else:
                ts.append(m.tensor(a, requires_grad=not isinstance(spec, NoGrad)))
        return ts


def F(m):  # noqa: N802  -- torch.nn.functional or gradcli's
    if m is gc:
        import gradcli.nn.functional as f
        return f
    return m.nn.functional


def _separated(shape_x, shape_y):
    """Inputs for maximum/minimum/clamp(min=tensor): y at least 0.3 away from every x it meets (no ties)."""
    def make(rng):
        full = np.broadcast_shapes(shape_x, shape_y)
        x = _any(rng, shape_x)
        for _ in range(1000):
            y = _any(rng, shape_y)
            if (np.abs(np.broadcast_to(x, full) - np.broadcast_to(y, full)) >= 0.3).all():
                return [x, y]
        raise AssertionError("no separated inputs found")
    return make


def _tied(rng):
    x = np.array([[1.0, -0.5, 2.0], [0.25, 0.25, -1.0]])
    return [x, np.array([1.0, 0.0, 2.0])]


# in-place and setitem helpers: each returns the modified non-leaf
def _copy_(m, x, y):
    c = x * 1
    c.copy_(y)
    return c


def _fill_(m, x):
    c = x * 1
    c.fill_(2.5)
    return c


def _zero_(m, x):
    c = x * 1
    c.zero_()
    return c


def _setitem(key, scalar=False):
    def f(m, x, *v):
        c = x * 1
        c[key] = 5.0 if scalar else v[0]
        return c
    return f


def _setitem_mask(scalar=True):
    def f(m, x, *v):
        c = x * 1
        c[c > 0] = 5.0 if scalar else v[0]
        return c
    return f


def _setitem_index(m, x, v):
    c = x * 1
    c[[0, 1], [1, 2]] = v
    return c


def _backward_create_graph(m, x):
    x.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the create_graph reference-cycle warning
        (x ** 3).sum().backward(create_graph=True)
    g, x.grad = x.grad, None
    return g


def _grad_of(index):
    return lambda m, x, g: m.autograd.grad(index(x), x, g, create_graph=True)[0]



def _seeded(m, fill, *args):
    m.manual_seed(0)  # the same stream in both libraries, so the drawn values agree
    return fill(*args)


def _everywhere(reason):
    return {"gradcheck": reason, "gradgrad": reason, "torch": reason}


CASES = {
    # ---- arithmetic
    "add": [Case(lambda m, x, y: x + y, (2, 3), (3,)),
            Case(lambda m, x, y: x + y, (2, 1), (1, 3)),
            Case(lambda m, x, y: x + y, (), (3,), id="0dim+vec"),
            Case(lambda m, x: x + 1, (2, 3), id="x+1"),
            Case(lambda m, x: 1 + x, (3,), id="1+x"),
            Case(lambda m, x, y: m.add(x, y, alpha=2), (2, 3), (2, 3), id="alpha"),
            Case(lambda m, x, y: x + y, (2, 3), NoGrad((3,)), id="one-side")],
    "sub": [Case(lambda m, x, y: x - y, (2, 3), (3,)),
            Case(lambda m, x, y: x - y, (2, 1), (1, 3)),
            Case(lambda m, x: x - 1, (3,), id="x-1"),
            Case(lambda m, x, y: m.sub(x, y, alpha=2), (2, 3), (3,), id="alpha")],
    "rsub_scalar": [Case(lambda m, x: 1 - x, (2, 3), id="1-x"),
                    Case(lambda m, x: m.rsub(x, 2.0), (3,), id="rsub(x,2.)")],
    "rsub": [Case(lambda m, x, y: m.rsub(x, y), (2, 3), (3,)),
             Case(lambda m, x, y: m.rsub(x, y, alpha=3), (3,), (3,), id="alpha")],
    "mul": [Case(lambda m, x, y: x * y, (2, 3), (3,)),
            Case(lambda m, x, y: x * y, (2, 1), (1, 3)),
            Case(lambda m, x, y: m.mul(x, y), (), (2, 2), id="0dim"),
            Case(lambda m, x: 2 * x, (3,), id="2*x"),
            Case(lambda m, x: x * x, (3,), id="x*x")],
    "mul_scalar": [Case(lambda m, x: m.autograd.grad((x ** 3).sum(), x, create_graph=True)[0], (3,),
                        id="grad-of-pow")],
    "div": [Case(lambda m, x, y: x / y, (2, 3), (3,), domain=("any", "pos")),
            Case(lambda m, x, y: x / y, (2, 1), (1, 3), domain=("any", "away")),
            Case(lambda m, x: x / 2, (3,), id="x/2")],
    "neg": [Case(lambda m, x: -x, (2, 3)),
            Case(lambda m, x: m.neg(x), (3,), id="neg")],
    "reciprocal": [Case(lambda m, x: x.reciprocal(), (2, 3), domain="pos"),
                   Case(lambda m, x: 2 / x, (3,), domain="away", id="2/x")],
    "pow": [Case(lambda m, x: x ** 2, (2, 3)),
            Case(lambda m, x: x ** 2.5, (3,), domain="pos", id="x**2.5"),
            Case(lambda m, x: x.pow(3), (3,), id="pow(3)"),
            Case(lambda m, x: x.square(), (3,), id="square"),
            Case(lambda m, x: x ** -1.5, (3,), domain="pos", id="x**-1.5"),
            Case(lambda m, x: x ** 0, (3,), id="x**0")],
    "pow_tensor": [Case(lambda m, x, y: x ** y, (2, 3), (3,), domain=("pos", "any")),
                   Case(lambda m, x, y: x ** y, (3,), (), domain=("pos", "any"), id="0dim-exponent"),
                   Case(lambda m, x, y: m.pow(x, y), (2, 1), (1, 3), domain=("pos", "any"), id="torch.pow")],
    "pow_scalar_base": [Case(lambda m, x: 2 ** x, (2, 3)),
                        Case(lambda m, x: 0.5 ** x, (3,), id="0.5**x")],
    # ---- elementwise
    "exp": [Case(lambda m, x: x.exp(), (2, 3)), Case(lambda m, x: m.exp(x), (), id="0dim")],
    "log": [Case(lambda m, x: x.log(), (2, 3), domain="pos"), Case(lambda m, x: m.log(x), (3,), domain="pos")],
    "log1p": [Case(lambda m, x: x.log1p(), (2, 3), domain="pos"), Case(lambda m, x: x.log1p(), (), domain="pos",
                                                                         id="0dim")],
    "sqrt": [Case(lambda m, x: x.sqrt(), (2, 3), domain="pos"), Case(lambda m, x: m.sqrt(x), (), domain="pos")],
    "abs": [Case(lambda m, x: x.abs(), (2, 3), domain="away"), Case(lambda m, x: abs(x), (3,), domain="away"),
            Case(lambda m, x: x.abs(), (), domain="away", id="0dim")],
    "sign": [Case(lambda m, x: x.sign(), (2, 3), domain="away"),
             Case(lambda m, x: x.sign() * x, (3,), domain="away", id="sign*x")],
    "sin": [Case(lambda m, x: x.sin(), (2, 3)), Case(lambda m, x: x.sin(), (), id="0dim")],
    "cos": [Case(lambda m, x: x.cos(), (2, 3)), Case(lambda m, x: m.cos(x), (), id="0dim")],
    "tanh": [Case(lambda m, x: x.tanh(), (2, 3)), Case(lambda m, x: x.tanh(), (), id="0dim"),
             Case(lambda m, x: F(m).tanh(x), (3,), id="F.tanh")],
    "sigmoid": [Case(lambda m, x: x.sigmoid(), (2, 3)),
                Case(lambda m, x: m.sigmoid(x), (3,), id="torch.sigmoid"),
                Case(lambda m, x: F(m).sigmoid(x), (3,), id="F.sigmoid"),
                Case(lambda m, x: x.sigmoid(), (), id="0dim")],
    "relu": [Case(lambda m, x: x.relu(), (2, 3), domain="away"),
             Case(lambda m, x: m.relu(x), (3,), domain="away", id="torch.relu"),
             Case(lambda m, x: F(m).relu(x), (3,), domain="away", id="F.relu"),
             Case(lambda m, x: x.relu(), (), domain="away", id="0dim")],
    "leaky_relu": [Case(lambda m, x: F(m).leaky_relu(x), (2, 3), domain="away"),
                   Case(lambda m, x: F(m).leaky_relu(x, 0.2), (3,), domain="away", id="slope0.2")],
    "erf": [Case(lambda m, x: m.erf(x), (2, 3)), Case(lambda m, x: x.erf(), (3,), id="method"),
            Case(lambda m, x: x.erf(), (), id="0dim")],
    "gelu": [Case(lambda m, x: F(m).gelu(x), (2, 3)),
             Case(lambda m, x: F(m).gelu(x, approximate="tanh"), (3,), id="tanh")],
    "clamp": [Case(lambda m, x: x.clamp(min=0), (2, 3), domain="clamp", id="min=0"),
              Case(lambda m, x: x.clamp(-1, 1), (2, 3), domain="clamp", id="-1,1"),
              Case(lambda m, x: x.clamp(max=0.5), (3,), domain="clamp", id="max=.5"),
              Case(lambda m, x: m.clamp(x, -1.0, 1.0), (3,), domain="clamp", id="torch.clamp"),
              Case(lambda m, x: x.clip(-1, 1), (3,), domain="clamp", id="clip")],
    "maximum": [Case(lambda m, x, y: m.maximum(x, y), (2, 3), (2, 3), make=_separated((2, 3), (2, 3))),
                Case(lambda m, x, y: m.max(x, y), (2, 3), (3,), make=_separated((2, 3), (3,)), id="max(x,y)"),
                Case(lambda m, x, y: m.maximum(x, y), (2, 3), (3,), make=_tied, gradcheck=False, gradgrad=False,
                     id="ties")],
    "minimum": [Case(lambda m, x, y: m.minimum(x, y), (2, 3), (2, 3), make=_separated((2, 3), (2, 3))),
                Case(lambda m, x, y: m.min(x, y), (2, 3), (3,), make=_separated((2, 3), (3,)), id="min(x,y)"),
                Case(lambda m, x, y: m.minimum(x, y), (2, 3), (3,), make=_tied, gradcheck=False, gradgrad=False,
                     id="ties")],
    "where": [Case(lambda m, x, y: m.where(x > 0, x, y), (2, 3), (3,), domain="away"),
              Case(lambda m, x: m.where(x > 0, x, 0.0), (2, 3), domain="away", id="scalar-other"),
              Case(lambda m, x, y: m.where(y > 0, x, y), (2, 1), (1, 3), domain="away", id="bcast")],
    "floor": [Case(lambda m, x: x.floor(), (2, 3)), Case(lambda m, x: m.floor(x) * x, (3,), id="times-x")],
    "ceil": [Case(lambda m, x: x.ceil(), (2, 3))],
    "round": [Case(lambda m, x: x.round(), (2, 3)), Case(lambda m, x: m.round(x) + x, (3,), id="plus-x")],
    "round_decimals": [Case(lambda m, x: x.round(decimals=2), (2, 3))],
    "trunc": [Case(lambda m, x: x.trunc(), (2, 3))],
    "tan": [Case(lambda m, x: x.tan(), (2, 3), domain="unit"), Case(lambda m, x: m.tan(x), (), domain="unit",
                                                                      id="0dim")],
    "log2": [Case(lambda m, x: x.log2(), (2, 3), domain="pos")],
    "log10": [Case(lambda m, x: m.log10(x), (2, 3), domain="pos")],
    "expm1": [Case(lambda m, x: x.expm1(), (2, 3))],
    "asin": [Case(lambda m, x: x.asin(), (2, 3), domain="unit"), Case(lambda m, x: m.arcsin(x), (3,), domain="unit")],
    "acos": [Case(lambda m, x: x.acos(), (2, 3), domain="unit")],
    "atan": [Case(lambda m, x: m.atan(x), (2, 3))],
    "sinh": [Case(lambda m, x: x.sinh(), (2, 3))],
    "hypot": [Case(lambda m, x, y: m.hypot(x, y), (2, 3), (3,), domain=("away", "away")),
              Case(lambda m, x, y: x.hypot(y), (), (2,), domain=("away", "away"), id="method")],
    "cosh": [Case(lambda m, x: m.cosh(x), (2, 3))],
    "masked_fill": [Case(lambda m, x: x.masked_fill(m.tensor([[True, False, True], [False, False, True]]), 0.5),
                         (2, 3)),
                    Case(lambda m, x: m.masked_fill(x, m.tensor([True, False, True]), -1.0), (2, 3), id="bcast-mask")],
    "masked_fill_tensor": [Case(lambda m, x, v: x.masked_fill(m.tensor([True, False, True]), v), (2, 3), ())],
    # ---- reductions
    "sum": [Case(lambda m, x: x.sum(), (2, 3)), Case(lambda m, x: m.sum(x), (), id="0dim")],
    "sum_dim": [Case(lambda m, x: x.sum(0), (2, 3)),
                Case(lambda m, x: x.sum(1, keepdim=True), (2, 3), id="keepdim"),
                Case(lambda m, x: x.sum((0, 2)), (2, 3, 2), id="dims"),
                Case(lambda m, x: x.sum(-1), (2, 3), id="neg-dim"),
                Case(lambda m, x: x.sum(()), (2, 3), id="dim=()")],
    "mean": [Case(lambda m, x: x.mean(), (2, 3)), Case(lambda m, x: x.mean(), (), id="0dim")],
    "mean_dim": [Case(lambda m, x: x.mean(0), (2, 3)),
                 Case(lambda m, x: x.mean((0, 1), keepdim=True), (2, 3, 2), id="dims-keepdim")],
    "prod": [Case(lambda m, x: x.prod(), (2, 3), domain="away"),
             Case(lambda m, x: x.prod(), (2, 3), domain="zero", id="with-zero")],
    "prod_dim": [Case(lambda m, x: x.prod(1), (2, 3), domain="away"),
                 Case(lambda m, x: x.prod(0, keepdim=True), (2, 3), domain="zero", id="keepdim-zero")],
    "var": [Case(lambda m, x: x.var(), (2, 3)),
            Case(lambda m, x: x.var(0), (2, 3), id="dim"),
            Case(lambda m, x: x.var(1, unbiased=False), (2, 3), id="biased"),
            Case(lambda m, x: x.var(correction=0), (4,), id="correction=0")],
    "std": [Case(lambda m, x: x.std(), (2, 3)),
            Case(lambda m, x: x.std(1, keepdim=True), (2, 3), id="keepdim")],
    "norm": [Case(lambda m, x: x.norm(), (2, 3)),
             Case(lambda m, x: x.norm(1, 0), (2, 3), domain="away", id="p1-dim0"),
             Case(lambda m, x: x.norm(3), (3,), domain="away", id="p3"),
             Case(lambda m, x: x.norm(float("inf")), (2, 3), domain="distinct", id="inf"),
             Case(lambda m, x: m.norm(x, dim=1), (2, 3), id="dim1")],
    "max_all": [Case(lambda m, x: x.max(), (2, 3), domain="distinct"),
                Case(lambda m, x: m.max(x), (3,), domain="distinct", id="torch.max")],
    "min_all": [Case(lambda m, x: x.min(), (2, 3), domain="distinct"),
                Case(lambda m, x: m.min(x), (3,), domain="distinct", id="torch.min")],
    "amax": [Case(lambda m, x: x.amax(), (2, 3), domain="distinct"),
             Case(lambda m, x: m.amax(x, 0), (2, 3), domain="distinct", id="dim"),
             Case(lambda m, x: x.amax((0, 1), keepdim=True), (2, 3), domain="distinct", id="dims-keepdim")],
    "amin": [Case(lambda m, x: x.amin(), (2, 3), domain="distinct"),
             Case(lambda m, x: m.amin(x, 1), (2, 3), domain="distinct", id="dim")],
    "max_dim": [Case(lambda m, x: x.max(0).values, (2, 3), domain="distinct"),
                Case(lambda m, x: x.max(1, keepdim=True)[0], (2, 3), domain="distinct", id="keepdim")],
    "min_dim": [Case(lambda m, x: x.min(1).values, (2, 3), domain="distinct"),
                Case(lambda m, x: m.min(x, 0, keepdim=True).values, (2, 3), domain="distinct", id="keepdim")],
    "cross": [Case(lambda m, x, y: m.cross(x, y, dim=1), (2, 3), (2, 3)),
              Case(lambda m, x, y: x.cross(y, dim=0), (3,), NoGrad((3,)), id="one-side"),
              Case(lambda m, x, y: m.cross(x, y, dim=-1), (2, 3), (1, 3), id="bcast")],
    "unique": [Case(lambda m, x: m.unique(x), (2, 3), gradcheck=False, gradgrad=False,
                    raises=NotImplementedError("the derivative for '_unique2' is not implemented."))],
    # ---- linear algebra
    "mm": [Case(lambda m, x, y: x.mm(y), (2, 3), (3, 4)),
           Case(lambda m, x, y: x @ y, (2, 3), (3, 2), id="@"),
           Case(lambda m, x, y: m.matmul(x, y), (1, 3), NoGrad((3, 2)), id="matmul-one-side"),
           Case(lambda m, x, w: F(m).linear(x, w), (2, 3), (4, 3), id="F.linear-nobias")],
    "mv": [Case(lambda m, x, v: x @ v, (2, 3), (3,)), Case(lambda m, x, v: m.mv(x, v), (3, 2), (2,), id="mv")],
    "dot": [Case(lambda m, x, y: x @ y, (3,), (3,)), Case(lambda m, x, y: m.dot(x, y), (4,), (4,), id="dot")],
    "bmm": [Case(lambda m, x, y: m.bmm(x, y), (2, 2, 3), (2, 3, 2))],
    "addmm": [Case(lambda m, b, x, y: m.addmm(b, x, y), (3,), (2, 4), (4, 3)),
              Case(lambda m, x, w, b: F(m).linear(x, w, b), (2, 3), (4, 3), (4,), id="F.linear"),
              Case(lambda m, x, w, b: F(m).linear(x, w, b), NoGrad((2, 3)), (4, 3), (4,), id="F.linear-const-x")],
    # ---- convolution (the create_graph gradients are ConvolutionBackwardBackward0 nodes, one per gradient)
    "convolution": [
        Case(lambda m, x, w, b: F(m).conv2d(x, w, b), (2, 2, 4, 4), (3, 2, 2, 2), (3,)),
        Case(lambda m, x, w: F(m).conv2d(x, w, stride=2, padding=1), (1, 2, 5, 4), (2, 2, 3, 3), id="stride-pad"),
        Case(lambda m, x, w, b: F(m).conv2d(x, w, b, dilation=(2, 1), groups=2), (1, 4, 5, 4), (2, 2, 2, 2), (2,),
             id="dilation-groups"),
        Case(lambda m, x, w: F(m).conv2d(x, w), (2, 3, 3), NoGrad((2, 2, 2, 2)), id="unbatched-const-weight"),
        Case(lambda m, x, w, b: F(m).conv2d(x, w, b), NoGrad((1, 2, 3, 3)), (2, 2, 2, 2), (2,), id="const-input")],
    "convolution_backward": [
        Case(lambda m, x, w, g: m.autograd.grad(F(m).conv2d(x, w), x, g, create_graph=True)[0],
             (1, 2, 4, 4), (3, 2, 2, 2), (1, 3, 3, 3), id="grad_input"),
        Case(lambda m, x, w, g: m.autograd.grad(F(m).conv2d(x, w, stride=2, padding=1), w, g, create_graph=True)[0],
             (1, 2, 4, 3), (3, 2, 2, 2), (1, 3, 3, 2), id="grad_weight"),
        Case(lambda m, x, w, b, g: m.autograd.grad(F(m).conv2d(x, w, b), b, g, create_graph=True)[0],
             (1, 2, 3, 3), (3, 2, 2, 2), (3,), (1, 3, 2, 2), id="grad_bias"),
        Case(lambda m, x, w, g: m.autograd.grad(F(m).conv2d(x, w, groups=2, dilation=2), x, g, create_graph=True)[0],
             (1, 4, 5, 5), (2, 2, 2, 2), (1, 2, 3, 3), id="grad_input-groups"),
        Case(lambda m, x, w: m.autograd.grad((F(m).conv2d(x, w) ** 2).sum(), w, create_graph=True)[0],
             (1, 2, 3, 3), (2, 2, 2, 2), id="grad_weight-of-square")],
    # ---- pooling
    "max_pool2d": [Case(lambda m, x: F(m).max_pool2d(x, 2), (2, 2, 4, 4), domain="distinct"),
                   Case(lambda m, x: F(m).max_pool2d(x, 3, stride=2, padding=1), (1, 2, 5, 5), domain="distinct",
                        id="stride-pad"),
                   Case(lambda m, x: F(m).max_pool2d(x, (2, 3), stride=(1, 2), dilation=2, ceil_mode=True),
                        (1, 1, 6, 7), domain="distinct", id="dilation-ceil"),
                   Case(lambda m, x: m.nn.MaxPool2d(2)(x), (2, 4, 4), domain="distinct", id="unbatched-module")],
    "max_pool2d_backward": [
        Case(lambda m, x, g: m.autograd.grad(F(m).max_pool2d(x, 2), x, g, create_graph=True)[0],
             (1, 2, 4, 4), (1, 2, 2, 2), domain=("distinct", "any")),
        Case(lambda m, x: m.autograd.grad(F(m).max_pool2d(x, 2, 1).sum(), x, create_graph=True)[0],
             (1, 1, 3, 3), domain="distinct", id="ones-overlapping")],
    # ---- shapes and views
    "view": [Case(lambda m, x: x.view(3, 2), (2, 3)),
             Case(lambda m, x: x.reshape(6), (2, 3), id="reshape"),
             Case(lambda m, x: x.reshape(2, 3), (2, 3), id="reshape-same"),
             Case(lambda m, x: x.flatten(), (2, 3, 2), id="flatten"),
             Case(lambda m, x: x.view(-1), (2, 3), id="view(-1)")],
    "unsafe_view": [Case(lambda m, x: x.t().reshape(6), (2, 3), id="reshape-noncontig"),
                    Case(lambda m, x, y: m.matmul(x, y), (2, 2, 3), (3, 2), id="3d@2d"),
                    Case(lambda m, x, v: x @ v, (2, 2, 3), (3,), id="3d@1d"),
                    Case(lambda m, x, y: x @ y, (2, 2, 3), (2, 3, 2), id="3d@3d"),
                    Case(lambda m, x, y: x @ y, (2, 2, 3), (3, 2), id="3d@2d-op"),
                    Case(lambda m, x, y: x @ y, (2, 1, 2, 3), (3, 3, 2), id="4d@3d-bcast"),
                    Case(lambda m, v, x: v @ x, (3,), (2, 3, 2), id="1d@3d")],
    "t": [Case(lambda m, x: x.t(), (2, 3)), Case(lambda m, x: m.t(x), (3,), id="1d")],
    "transpose": [Case(lambda m, x: x.transpose(0, 1), (2, 3)),
                  Case(lambda m, x: x.mT, (2, 2, 3), id="mT"),
                  Case(lambda m, x: m.transpose(x, -1, 0), (2, 3, 2), id="neg-dim")],
    "permute": [Case(lambda m, x: x.permute(2, 0, 1), (2, 3, 2)),
                Case(lambda m, x: x.T, (2, 3), id=".T"),
                Case(lambda m, x: m.movedim(x, 0, 2), (2, 3, 2), id="movedim")],
    "unsqueeze": [Case(lambda m, x: x.unsqueeze(0), (2, 3)),
                  Case(lambda m, x: x[None], (3,), id="x[None]"),
                  Case(lambda m, x: x.unsqueeze(-1), (3,), id="neg-dim")],
    "squeeze": [Case(lambda m, x: x.squeeze(), (2, 1, 3))],
    "squeeze_dim": [Case(lambda m, x: x.squeeze(1), (2, 1, 3)),
                    Case(lambda m, x: x.squeeze(0), (2, 3), id="no-op-dim")],
    "squeeze_dims": [Case(lambda m, x: x.squeeze((0, 2)), (1, 3, 1))],
    "squeeze_mm": [Case(lambda m, v, x: m.matmul(v, x), (3,), (3, 2)),
                   Case(lambda m, v, x: v @ x, (2,), (2, 4), id="@"),
                   Case(lambda m, x: (x * 1).squeeze_(0), (1, 3), id="squeeze_(0)"),
                   Case(lambda m, x: (x * 1).squeeze_(1), (2, 3), id="squeeze_(1)-no-op")],
    "unsqueeze_inplace": [Case(lambda m, x: (x * 1).unsqueeze_(0), (2, 3)),
                          Case(lambda m, x: (x * 1).unsqueeze_(-1), (3,), id="neg-dim")],
    "squeeze_inplace": [Case(lambda m, x: (x * 1).squeeze_(), (2, 1, 3))],
    "squeeze_dims_inplace": [Case(lambda m, x: (x * 1).squeeze_((0, 2)), (1, 3, 1))],
    "expand": [Case(lambda m, x: x.expand(3, 4), (3, 1)),
               Case(lambda m, x: x.expand(2, 3, 4), (3, 1), id="new-dims"),
               Case(lambda m, x, y: x.expand_as(y), (3,), NoGrad((2, 3)), id="expand_as")],
    "repeat": [Case(lambda m, x: x.repeat(2, 1, 2), (2, 3)), Case(lambda m, x: x.repeat(3), (2,), id="1d"),
               Case(lambda m, x: x.repeat(1, 2), (3, 1), id="same-ndim")],
    "flip": [Case(lambda m, x: x.flip(0), (2, 3)), Case(lambda m, x: m.flip(x, (0, -1)), (2, 3, 2), id="dims")],
    "tril": [Case(lambda m, x: x.tril(), (3, 3)), Case(lambda m, x: m.tril(x, -1), (2, 3, 3), id="batched-k")],
    "triu": [Case(lambda m, x: x.triu(1), (3, 4)), Case(lambda m, x: m.triu(x), (3, 3), id="torch.")],
    "alias": [Case(lambda m, x: x[...], (2, 3)), Case(lambda m, x: x[:, :], (2, 3), id="full-slices")],
    "clone": [Case(lambda m, x: x.clone(), (2, 3)),
              Case(lambda m, x: x.t().contiguous(), (2, 3), id="contiguous")],
    "to_copy": [Case(lambda m, x: x.float(), (2, 3), domain="grid", gradgrad=False, kw={"eps": 2 ** -6}),
                Case(lambda m, x: x.to(m.float32).double(), (3,), domain="grid", gradgrad=False,
                     kw={"eps": 2 ** -6}, id="f32-f64")],
    "select": [Case(lambda m, x: x[0], (2, 3)),
               Case(lambda m, x: x[:, 1], (2, 3), id="x[:,1]"),
               Case(lambda m, x: x[1, 2], (2, 3), id="x[1,2]"),
               Case(lambda m, x: x[-1], (3,), id="x[-1]"),
               Case(lambda m, x: m.select(x, 1, 0), (2, 3), id="torch.select")],
    "slice": [Case(lambda m, x: x[0:1], (2, 3)),
              Case(lambda m, x: x[:, 1:], (2, 3), id="x[:,1:]"),
              Case(lambda m, x: x[::2], (5,), id="step"),
              Case(lambda m, x: x[:], (3,), id="x[:]"),
              Case(lambda m, x: x.narrow(0, 1, 2), (4,), id="narrow")],
    "index": [Case(lambda m, x: x[[0, 2]], (3, 2)),
              Case(lambda m, x: x[[0, 0, 1]], (3,), id="repeated"),
              Case(lambda m, x: x[x > 0], (2, 3), domain="away", id="mask"),
              Case(lambda m, x: x[:, [1, 0]], (2, 3), id="x[:,[1,0]]")],
    "select_backward": [Case(_grad_of(lambda x: x[0]), (2, 3), (3,))],
    "slice_backward": [Case(_grad_of(lambda x: x[1:]), (3, 2), (2, 2))],
    "index_backward": [Case(_grad_of(lambda x: x[[0, 2]]), (3,), (2,)),
                       Case(_grad_of(lambda x: x[x > 0]), (2, 3), (3,), domain="away",
                            make=lambda rng: [np.array([[1., -1., 2.], [-.5, .5, -2.]]), _any(rng, (3,))],
                            id="mask")],
    # create_graph gradients of activations are nodes of their own in torch
    "sigmoid_backward": [Case(_grad_of(lambda x: x.sigmoid()), (2, 3), (2, 3)),
                         Case(lambda m, x: m.autograd.grad(x.sigmoid().sum(), x, create_graph=True)[0], (3,),
                              id="ones-grad")],
    "leaky_relu_backward": [Case(lambda m, x, g: m.autograd.grad(F(m).leaky_relu(x, 0.2), x, g, create_graph=True)[0],
                                 (2, 3), (2, 3), domain="away")],
    "tanh_backward": [Case(_grad_of(lambda x: x.tanh()), (2, 3), (2, 3)),
                      # the graph a create_graph through TanhBackwardBackward0 builds: torch's -2 * output first
                      Case(lambda m, x, c: m.autograd.grad((m.autograd.grad(x.tanh().sum(), x, create_graph=True)[0]
                                                            * c).sum(), x, create_graph=True)[0], (3,), NoGrad((3,)),
                           id="third-order-graph")],
    "threshold_backward": [Case(_grad_of(lambda x: x.relu()), (2, 3), (2, 3), domain="away"),
                           Case(lambda m, x: m.autograd.grad(x.relu().sum(), x, create_graph=True)[0], (3,),
                                domain="away", id="ones-grad")],
    # ---- along a dimension by an index tensor
    "gather": [Case(lambda m, x: x.gather(1, m.tensor([[0, 0], [2, 1]])), (2, 3)),
               Case(lambda m, x: m.gather(x, 0, m.tensor([[1, 0, 1]])), (2, 3), id="dim0-repeated"),
               Case(lambda m, x: x.gather(1, m.tensor([[1]])), (3, 3), id="leading-block")],
    "scatter": [Case(lambda m, x, s: x.scatter(0, m.tensor([[0, 1, 2], [2, 0, 1]]), s), (3, 3), (2, 3)),
                Case(lambda m, x, s: m.scatter(x, 1, m.tensor([[1], [0]]), s), (2, 3), (2, 1), id="dim1")],
    "scatter_value": [Case(lambda m, x: x.scatter(1, m.tensor([[0, 2], [1, 1]]), 2.5), (2, 3))],
    "scatter_add": [Case(lambda m, x, s: x.scatter_add(0, m.tensor([[0, 1, 2], [0, 0, 1]]), s), (3, 3), (2, 3)),
                    Case(lambda m, x, s: m.scatter_add(x, 1, m.tensor([[2, 2]]), s), (2, 3), (1, 2), id="dim1")],
    "index_select": [Case(lambda m, x: x.index_select(1, m.tensor([2, 0, 2])), (2, 3)),
                     Case(lambda m, x: m.index_select(x, 0, m.tensor([1])), (3, 2), id="torch.")],
    "index_add": [Case(lambda m, x, s: x.index_add(0, m.tensor([0, 2, 0]), s), (3, 2), (3, 2)),
                  Case(lambda m, x, s: m.index_add(x, 1, m.tensor([1, 0]), s, alpha=2.0), (2, 3), (2, 2),
                       id="alpha")],
    "sort": [Case(lambda m, x: x.sort().values, (2, 3), domain="distinct"),
             Case(lambda m, x: m.sort(x, 0, descending=True)[0], (3, 2), domain="distinct", id="desc")],
    "sort_stable": [Case(lambda m, x: x.sort(stable=True, dim=0).values, (3, 2), domain="distinct")],
    "topk": [Case(lambda m, x: x.topk(2).values, (2, 3), domain="distinct"),
             Case(lambda m, x: m.topk(x, 1, dim=0, largest=False)[0], (3, 2), domain="distinct", id="smallest")],
    "cat": [Case(lambda m, x, y: m.cat([x, y]), (2,), (3,)),
            Case(lambda m, x, y: m.cat([x, y], 1), (2, 1), (2, 3), id="dim1"),
            Case(lambda m, x, y: m.cat((x, y), -1), (2, 2), NoGrad((2, 1)), id="const-part")],
    "stack": [Case(lambda m, x, y: m.stack([x, y]), (3,), (3,)),
              Case(lambda m, x, y: m.stack([x, y], 1), (2, 2), (2, 2), id="dim1")],
    # ---- in-place results
    "copy": [Case(_copy_, (2, 3), (2, 3)), Case(_copy_, (2, 3), (3,), id="bcast"),
             Case(_backward_create_graph, (3,), id="grad-after-backward(create_graph)")],
    "fill": [Case(_fill_, (2, 3))],
    "zero": [Case(_zero_, (2, 3))],
    "normal": [Case(lambda m, x: _seeded(m, (x * 1).normal_, 0.5, 2.0) * 0 + x, (2, 3), gradcheck=False,
                    gradgrad=False, id="zero-grad-path"),
               Case(lambda m, x: _seeded(m, (x * 1).normal_), (3,), gradcheck=False, gradgrad=False, id="direct")],
    "exponential": [Case(lambda m, x: _seeded(m, (x * 1).exponential_, 2.5) * 0 + x, (2, 3), gradcheck=False,
                         gradgrad=False, id="zero-grad-path"),
                    Case(lambda m, x: _seeded(m, (x * 1).exponential_), (20,), gradcheck=False, gradgrad=False,
                         id="direct")],
    "bernoulli": [Case(lambda m, x: _seeded(m, m.bernoulli, x.sigmoid()) * x, (2, 3), gradcheck=False,
                       gradgrad=False)],
    "bernoulli_tensor_": [Case(lambda m, x: _seeded(m, (x * 1).bernoulli_, m.tensor([0.2, 0.8, 0.5])) + x, (2, 3),
                               gradcheck=False, gradgrad=False)],
    "bernoulli_scalar_": [Case(lambda m, x: _seeded(m, (x * 1).bernoulli_, 0.4) + x, (2, 3), gradcheck=False,
                               gradgrad=False)],
    "random": [Case(lambda m, x: _seeded(m, (x * 1).random_, 0, 10) + x, (2, 3), gradcheck=False, gradgrad=False)],
    "uniform": [Case(lambda m, x: _seeded(m, (x * 1).uniform_, -1.0, 1.0) * 0 + x, (2, 3), gradcheck=False,
                     gradgrad=False, id="zero-grad-path"),
                Case(lambda m, x: _seeded(m, (x * 1).uniform_), (20,), gradcheck=False, gradgrad=False,
                     id="direct")],
    "copy_slices": [Case(_setitem(0), (2, 3), (3,)),
                    Case(_setitem((slice(None), 1), scalar=True), (2, 3), id="scalar"),
                    Case(_setitem(slice(1, 3)), (4,), (2,), id="slice"),
                    Case(_setitem((0, slice(None))), (2, 3), (3,), id="tuple-key")],
    "index_put": [Case(_setitem_mask(), (2, 3), domain="away"),
                  Case(_setitem_mask(scalar=False), (2, 3), (), domain="away", id="0dim-value"),
                  Case(_setitem_index, (2, 3), (2,), id="index-lists")],
    # ---- activations and losses
    "rsqrt": [Case(lambda m, x: x.rsqrt(), (2, 3), domain="pos"), Case(lambda m, x: m.rsqrt(x), (), domain="pos")],
    "cumsum": [Case(lambda m, x: m.cumsum(x, 0), (3, 2)), Case(lambda m, x: x.cumsum(-1), (2, 3), id="method")],
    "logsumexp": [Case(lambda m, x: m.logsumexp(x, 1), (2, 3)),
                  Case(lambda m, x: x.logsumexp(0, keepdim=True), (3, 2), id="keepdim")],
    "softmax": [Case(lambda m, x: m.softmax(x, 1), (2, 3)),
                Case(lambda m, x: x.softmax(-1), (3,), id="method"),
                Case(lambda m, x: F(m).softmax(x, dim=0), (2, 3), id="F")],
    "log_softmax": [Case(lambda m, x: m.log_softmax(x, 1), (2, 3)),
                    Case(lambda m, x: F(m).log_softmax(x, dim=-1), (3,), id="F")],
    "mse_loss": [Case(lambda m, x, y: F(m).mse_loss(x, y), (2, 3), (2, 3)),
                 Case(lambda m, x, y: F(m).mse_loss(x, y), (2, 3), NoGrad((2, 3)), id="const-target"),
                 Case(lambda m, x, y: F(m).mse_loss(x, y, reduction="sum"), (3,), (3,), id="sum"),
                 Case(lambda m, x, y: F(m).mse_loss(x, y, reduction="none"), (3,), (3,), id="none")],
    "binary_cross_entropy": [
        Case(lambda m, p, y: F(m).binary_cross_entropy(p, y), (2, 3), (2, 3), domain="prob"),
        Case(lambda m, p, y: F(m).binary_cross_entropy(p, y), (3,), NoGrad((3,), "prob"), domain="prob",
             id="const-target"),
        Case(lambda m, p, y, w: F(m).binary_cross_entropy(p, y, weight=w, reduction="sum"), (3,), (3,),
             NoGrad((3,), "pos"), domain="prob", id="weight-sum")],
    # create_graph gradients of BCE and log_softmax are fused nodes of their own in torch
    "bce_backward": [
        Case(lambda m, p, y: m.autograd.grad(F(m).binary_cross_entropy(p, y), p, create_graph=True)[0],
             (2, 3), NoGrad((2, 3), "prob"), domain="prob"),
        Case(lambda m, p, y: m.autograd.grad(F(m).binary_cross_entropy(p, y, reduction="none").sum(), p,
                                             create_graph=True)[0], (3,), NoGrad((3,), "prob"), domain="prob",
             id="none")],
    "log_softmax_backward": [
        Case(lambda m, x, g: m.autograd.grad(m.log_softmax(x, 1), x, g, create_graph=True)[0], (2, 3), (2, 3))],
    "bce_with_logits": [
        Case(lambda m, x, y: F(m).binary_cross_entropy_with_logits(x, y), (2, 3), (2, 3), domain=("any", "prob")),
        Case(lambda m, x, y: F(m).binary_cross_entropy_with_logits(x, y), (3,), NoGrad((3,), "prob"),
             id="const-target"),
        Case(lambda m, x, y, pw: F(m).binary_cross_entropy_with_logits(x, y, pos_weight=pw), (2, 3), (2, 3),
             NoGrad((3,), "pos"), domain=("any", "prob"), id="pos_weight")],
    "nll_loss": [Case(lambda m, x, t: F(m).nll_loss(x, t), (3, 4), Const([0, 3, 1])),
                 Case(lambda m, x, t: F(m).nll_loss(x, t, reduction="sum"), (2, 3), Const([2, 0]), id="sum"),
                 Case(lambda m, x, t: F(m).nll_loss(x, t, reduction="none"), (2, 3), Const([2, 0]), id="none"),
                 Case(lambda m, x, t: F(m).nll_loss(x, t, ignore_index=1), (3, 3), Const([1, 0, 2]), id="ignore"),
                 Case(lambda m, x, t: F(m).cross_entropy(x, t), (2, 3), Const([2, 0]), id="cross_entropy")],
}

# Public ops with no table entry of their own: torch shows most of them as one node of their own.
UNTABLED = {
    "outer": Case(lambda m, x, y: m.outer(x, y), (2,), (3,)),
    "chunk": Case(lambda m, x: x.chunk(2)[1], (4,),
                  xfail={"torch": "x.chunk(2)[1] is SplitBackward0 in torch; gradcli records SliceBackward0"}),
    "split": Case(lambda m, x: x.split(2)[1], (5,),
                  xfail={"torch": "x.split(2)[1] is SplitBackward0 in torch; gradcli records SliceBackward0"}),
    "clamp-tensor": Case(lambda m, x, lo: x.clamp(min=lo), (2, 3), (3,), make=_separated((2, 3), (3,)),
                         xfail={"torch": "x.clamp(min=<tensor>) is ClampBackward0 with edges (x, min, None) in "
                                         "torch; gradcli records MaximumBackward0"}),
    "div-floor": Case(lambda m, x: m.div(x, 2, rounding_mode="floor"), (3,),
                      xfail={"torch": "div(x, 2, rounding_mode='floor') on a requires-grad x gives "
                                      "grad_fn=DivBackward2 (zero gradient) in torch; gradcli returns a tensor "
                                      "with requires_grad=False"}),
    "square-sum": Case(lambda m, x: (x.square() * 3).sum(0).mean(), (2, 3)),
    "softmax-nll": Case(lambda m, x, t: F(m).nll_loss(F(m).log_softmax(x, 1), t), (2, 3), Const([1, 2])),
    "seed-graph": Case(lambda m, w, x: (x + w) * (w + 1), (1,), (1,)),
    "mlp": Case(lambda m, x, w1, w2: ((x @ w1).tanh() @ w2).sigmoid().sum(), (2, 3), (3, 4), (4,)),
}


def _case_id(key, i, case):
    return f"{key}:{case.id or i}"


def _params(kind):
    out = []
    for key, cases in CASES.items():
        for i, case in enumerate(cases):
            if kind == "gradcheck" and not case.gradcheck or kind == "gradgrad" and not (case.gradgrad and
                                                                                          case.gradcheck):
                continue
            marks = [pytest.mark.xfail(reason=f"engine bug: {case.xfail[kind]}", strict=True)] \
                if kind in case.xfail else []
            out.append(pytest.param(key, case, id=_case_id(key, i, case), marks=marks))
    return out


def _untabled(kind):
    return [pytest.param(name, case, id=name, marks=[pytest.mark.xfail(
        reason=f"engine bug: {case.xfail[kind]}", strict=True)] if kind in case.xfail else [])
        for name, case in UNTABLED.items()]


def _seed(label):
    return zlib.crc32(label.encode())


def _gc_inputs(key, case):
    arrays = case.arrays(_seed(key))
    return case.tensors(gc, arrays)


# ---- the registry is complete ------------------------------------------------------------------------
def test_every_table_entry_has_a_case():
    missing = sorted(set(TABLE) - set(CASES))
    assert not missing, f"op-table entries without a test case: {missing}"


def test_no_case_for_a_removed_entry():
    stale = sorted(set(CASES) - set(TABLE))
    assert not stale, f"test cases for keys no longer in TABLE: {stale}"


@pytest.mark.parametrize("key", sorted(TABLE))
def test_every_entry_declares_its_formula_text_and_api(key):
    """text= (a function name, AS_NODE, or a builder over the operands) and api= are part of every entry; the
    exposure it declares exists: Tensor.<key>, gradcli.<key>, a one-liner name, or the `via:` path."""
    from gradcli.autograd.derivatives import AS_NODE
    from gradcli.tools.expression import EXPRESSION_FUNCTIONS
    od = TABLE[key]
    assert od.text is AS_NODE or isinstance(od.text, str) or callable(od.text)
    assert od.api, f"{key}: api= declares no exposure"
    for token in od.api:
        if token == "method":
            assert callable(getattr(gc.Tensor, key, None)), key
        elif token == "function":
            assert callable(getattr(gc, key, None)), key
        elif token == "expr":
            assert key in EXPRESSION_FUNCTIONS
        elif token.startswith("via:"):
            target = gc
            for part in token[4:].split("."):
                target = getattr(target, part)  # AttributeError: the path names nothing
            assert callable(target), token
        else:
            assert token == "internal", f"{key}: unknown api token {token!r}"
    if od.api == ("internal",):
        assert key not in vars(gc), f"{key} is internal but exported"


@pytest.mark.parametrize("key", sorted(TABLE))
def test_cases_reach_their_entry(key):
    """At least one case of each key builds a graph containing that entry's node."""
    names = set()
    for i, case in enumerate(CASES.get(key, ())):
        try:
            out = case.fn(gc, *_gc_inputs(_case_id(key, i, case), case))
        except Exception:  # noqa: BLE001 - a crashing case is reported by its own tests
            continue
        names |= node_names(out.grad_fn)
    assert TABLE[key].name in names


# ---- numerical checks (float64, no torch needed) -------------------------------------------------------
@pytest.mark.parametrize("key,case", _params("gradcheck"))
def test_gradcheck(key, case):
    inputs = _gc_inputs(key, case)
    assert gc.autograd.gradcheck(lambda *xs: case.fn(gc, *xs), tuple(inputs), **case.kw)


@pytest.mark.parametrize("key,case", _params("gradgrad"))
def test_gradgradcheck(key, case):
    inputs = _gc_inputs(key, case)
    assert gc.autograd.gradgradcheck(lambda *xs: case.fn(gc, *xs), tuple(inputs), **case.kw)


@pytest.mark.parametrize("name,case", _untabled("gradcheck"))
def test_untabled_gradcheck(name, case):
    inputs = case.tensors(gc, case.arrays(_seed(name)))
    assert gc.autograd.gradcheck(lambda *xs: case.fn(gc, *xs), tuple(inputs), **case.kw)


# ---- torch parity: value, gradients, node name and next_functions -------------------------------------
def _compare_with_torch(label, case):
    torch = pytest.importorskip("torch")
    arrays = case.arrays(_seed(label))
    xs, ts = case.tensors(gc, arrays), case.tensors(torch, arrays)
    out, ref = case.fn(gc, *xs), case.fn(torch, *ts)
    assert repr(out.dtype) == repr(ref.dtype)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-9)
    assert out.requires_grad == ref.requires_grad
    assert out.is_leaf == ref.is_leaf
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    assert structure(out.grad_fn, xs) == structure(ref.grad_fn, ts)
    if not ref.requires_grad:
        return
    if case.raises is not None:
        for o in (out, ref):
            with pytest.raises(type(case.raises), match="^" + re.escape(str(case.raises)) + "$"):
                o.sum().backward()
        return
    go = np.random.default_rng(_seed(label) + 1).standard_normal(tuple(ref.shape))
    out.backward(gc.tensor(go.astype(out.detach().numpy().dtype)))
    ref.backward(torch.tensor(go, dtype=ref.dtype))
    for i, (x, t) in enumerate(zip(xs, ts)):
        if not t.requires_grad:
            continue
        assert (x.grad is None) == (t.grad is None), f"input {i}"
        if t.grad is not None:
            assert repr(x.grad.dtype) == repr(t.grad.dtype)
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-9,
                                       err_msg=f"gradient of input {i}")


@pytest.mark.parametrize("key,case", _params("torch"))
def test_matches_torch(key, case):
    _compare_with_torch(key, case)


@pytest.mark.parametrize("name,case", _untabled("torch"))
def test_untabled_matches_torch(name, case):
    _compare_with_torch(name, case)


# ---- property: broadcasting elementwise binary ops against torch ---------------------------------------
BINARY = {
    "add": lambda m, x, y: x + y,
    "sub": lambda m, x, y: x - y,
    "mul": lambda m, x, y: x * y,
    "div": lambda m, x, y: x / y,
    "rsub": lambda m, x, y: m.rsub(x, y),
    "maximum": lambda m, x, y: m.maximum(x, y),
    "minimum": lambda m, x, y: m.minimum(x, y),
    "where": lambda m, x, y: m.where(x > y, x, y),
    "pow": lambda m, x, y: x ** y,
}
# a few repeated values make ties (maximum/minimum split the gradient evenly there, like torch)
_values = st.one_of(st.sampled_from([-1.5, -1.0, 0.5, 1.0, 2.0]), st.floats(-3, 3, allow_nan=False))


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_broadcast_binary_matches_torch(name, data):
    torch = pytest.importorskip("torch")
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=_values))
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=_values))
    if name == "div":
        b = np.where(b >= 0, b + 0.5, b - 0.5)
    if name == "pow":
        a = np.asarray(np.abs(a) + 0.5)  # 0-d stays an array (a numpy scalar is a different input)
    go = data.draw(hnp.arrays(np.float64, shapes.result_shape, elements=st.floats(-2, 2)))
    x, y = gc.tensor(a, requires_grad=True), gc.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = BINARY[name](gc, x, y), BINARY[name](torch, tx, ty)
    assert tuple(out.shape) == tuple(ref.shape) == shapes.result_shape
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    out.backward(gc.tensor(go))
    ref.backward(torch.tensor(go))
    for mine, theirs in ((x, tx), (y, ty)):
        assert tuple(mine.grad.shape) == tuple(theirs.grad.shape)
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_broadcast_binary_gradcheck(data):
    """Without torch: random broadcast shapes still pass a float64 gradcheck for x * y + x / (|y| + 1)."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=st.floats(-2, 2)))
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=st.floats(-2, 2)))
    x, y = gc.tensor(a, requires_grad=True), gc.tensor(b, requires_grad=True)
    assert gc.autograd.gradcheck(lambda p, q: p * q + p / (q * q + 1), (x, y))


def test_unbroadcast_reduces_to_input_shapes():
    """PYTORCH_BEHAVIOUR 2.4: (a[2,3]*b[3]*c[1,3]*s[]).sum() -> b.grad [3] = 4s-ish, c.grad [1,3], s.grad 0-dim."""
    a = gc.ones(2, 3, requires_grad=True)
    b = gc.ones(3, requires_grad=True)
    c = gc.ones(1, 3, requires_grad=True)
    s = gc.tensor(2.0, requires_grad=True)
    (a * b * c * s).sum().backward()
    assert tuple(b.grad.shape) == (3,) and b.grad.tolist() == [4.0, 4.0, 4.0]
    assert tuple(c.grad.shape) == (1, 3) and c.grad.tolist() == [[4.0, 4.0, 4.0]]
    assert tuple(s.grad.shape) == () and s.grad.item() == 6.0
    assert a.grad.tolist() == [[2.0] * 3] * 2


def test_domains_keep_away_from_kinks():
    """The value domains are what the cases assume (so a gradcheck failure is the engine's, not the data's)."""
    rng = np.random.default_rng(0)
    assert (np.abs(_away(rng, (100,))) >= 0.3).all()
    assert (_pos(rng, (100,)) >= 0.5).all()
    v = _clamp(rng, (200,))
    for bound in (-1, 0, 0.5, 1):
        assert (np.abs(v - bound) >= 0.09).all()
    assert len(set(_distinct(rng, (2, 3)).reshape(-1).tolist())) == 6
    g = _grid(rng, (50,))
    assert (g.astype(np.float32).astype(np.float64) == g).all()
    x, y = _separated((2, 3), (3,))(rng)
    assert (np.abs(x - y) >= 0.3).all()
