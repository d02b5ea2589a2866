"""Binds ops as Tensor methods and operators (torch's method names, in-place variants included)."""
from . import api, ops
from .inplace import bernoulli_, copy_, exponential_, fill_, inplace, normal_, random_, setitem, uniform_, zero_
from .tensor import Tensor, storage

# Tensor methods: the op table's entries declared `api="method ..."`, and these functions of ops.py that
# are not table entries (comparisons, views, non-differentiable ops) or pick among several entries
_SAME = api.names("method") + """
clip max min argmax argmin reshape flatten expand_as narrow matmul contiguous to square eq ne lt le gt ge isnan
isinf chunk split movedim swapaxes outer floor_divide remainder equal allclose logical_not isfinite clamp_min
clamp_max argsort multinomial view_as type_as all any nonzero count_nonzero isclose logical_and logical_or
logical_xor arcsin arccos arctan unsqueeze_ squeeze_ bitwise_and bitwise_or bitwise_xor bitwise_not""".split()


def _method(f):
    def m(self, *a, **k):
        return f(self, *a, **k)
    m.__name__ = f.__name__
    return m


def _install():
    for name in _SAME:
        setattr(Tensor, name, getattr(ops, name))
    T = Tensor
    T.__add__ = T.__radd__ = ops.binop("add", ops._ALPHA1)
    T.__sub__ = ops.binop("sub", ops._ALPHA1)
    T.__rsub__ = lambda self, other: ops.rsub(self, other)
    T.__mul__ = T.__rmul__ = ops.binop("mul")
    T.__truediv__ = ops.binop("div", floating=True)
    T.__rtruediv__ = ops.rdiv
    T.__floordiv__ = ops.floor_divide
    T.__rfloordiv__ = lambda self, other: ops.floor_divide(ops.as_tensor_arg(other) if not isinstance(
        other, (int, float)) else ops.full_like(self, other), self)
    T.__mod__ = ops.remainder
    T.__neg__ = ops.neg
    T.__pos__ = lambda self: self
    T.__abs__ = ops.abs
    T.__pow__ = ops.pow
    T.__rpow__ = lambda self, other: ops.pow(other, self)
    T.__matmul__ = ops.matmul
    T.__rmatmul__ = lambda self, other: ops.matmul(ops.tensor(other), self)
    T.__eq__, T.__ne__, T.__lt__, T.__le__, T.__gt__, T.__ge__ = ops.eq, ops.ne, ops.lt, ops.le, ops.gt, ops.ge
    T.__and__ = T.__rand__ = ops.bitwise_and
    T.__or__ = T.__ror__ = ops.bitwise_or
    T.__xor__ = T.__rxor__ = ops.bitwise_xor
    T.__invert__ = ops.bitwise_not
    T.__getitem__ = ops._getitem
    T.__setitem__ = setitem
    T.T = property(ops.numpy_T)
    T.mT = property(lambda self: ops.transpose(self, -2, -1))
    T.float = lambda self: ops.to(self, ops.dtypes.float32)
    T.double = lambda self: ops.to(self, ops.dtypes.float64)
    T.long = lambda self: ops.to(self, ops.dtypes.int64)
    T.int = lambda self: ops.to(self, ops.dtypes.int32)
    T.bool = lambda self: ops.to(self, ops.dtypes.bool_)
    T.half = lambda self: ops.to(self, ops.dtypes.float16)
    T.short = lambda self: ops.to(self, ops.dtypes.int16)
    T.char = lambda self: ops.to(self, ops.dtypes.int8)
    T.byte = lambda self: ops.to(self, ops.dtypes.uint8)
    T.type = lambda self, dtype=None: (f"torch.{self.dtype.legacy}" if dtype is None else ops.to(self, dtype))
    T.new_tensor = lambda self, data, dtype=None, requires_grad=False: ops.tensor(
        data, dtype=dtype or self.dtype, requires_grad=requires_grad)
    T.new_zeros = lambda self, *size, dtype=None: ops.zeros(*size, dtype=dtype or self.dtype)
    T.new_ones = lambda self, *size, dtype=None: ops.ones(*size, dtype=dtype or self.dtype)
    T.zero_ = zero_
    T.fill_ = fill_
    T.copy_ = copy_
    T.normal_ = normal_
    T.uniform_ = uniform_
    T.exponential_ = exponential_
    T.bernoulli_ = bernoulli_
    T.random_ = random_
    T.bernoulli = ops.bernoulli
    for name in ("add", "sub", "mul", "div", "pow", "clamp", "exp", "log", "sqrt", "neg", "abs", "tanh",
                 "sigmoid", "relu", "reciprocal", "square", "sin", "cos", "erf", "log1p", "rsqrt", "clamp_min",
                 "clamp_max"):
        setattr(T, name + "_", inplace(getattr(ops, name)))
    for name in ("scatter", "scatter_add", "index_add", "masked_fill", "floor", "ceil", "round", "trunc", "tan",
                 "tril", "triu", "expm1", "log2", "log10", "asin", "acos", "atan", "sinh", "cosh"):  # in place: through the recorded out-of-place op
        setattr(T, name + "_", inplace(getattr(ops, name)))
    T.where = lambda self, condition, other: ops.where(condition, self, other)  # x.where(c, y): x where c
    T.clip_ = T.clamp_
    T.arcsin_, T.arccos_, T.arctan_ = T.asin_, T.acos_, T.atan_
    T.negative_ = T.neg_
    for op_name, name in (("__iadd__", "add"), ("__isub__", "sub"), ("__imul__", "mul"),
                          ("__itruediv__", "div")):
        setattr(T, op_name, inplace(getattr(ops, name)))
    T.zeros_like = ops.zeros_like
    T.data_ptr = lambda self: storage(self).__array_interface__["data"][0]  # shared storage: equal pointers


# torch's top-level in-place functions (torch.exp_(x) is x.exp_()), with the methods' version and leaf checks
INPLACE_FUNCTIONS = """abs_ acos_ arccos_ arcsin_ arctan_ asin_ atan_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ detach_
erf_ exp_ expm1_ fill_ floor_ log10_ log1p_ log2_ log_ neg_ negative_ reciprocal_ relu_ round_ rsqrt_
sigmoid_ sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ zero_""".split()

_install()
