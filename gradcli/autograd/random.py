"""torch's CPU generator: mt19937 seeded like manual_seed, and torch's exact transforms of its draws."""
import math
from fractions import Fraction

import numpy as np

__all__ = ["Generator"]

_MASK64 = (1 << 64) - 1
_F32 = np.float32
_TWO_PI = 2.0 * math.pi
# torch draws 64 bits (two 32-bit words) instead of one word for wide integer ranges
_WIDE_RANGE = 1 << 28
_CHUNK = 1 << 16

# Cephes coefficients of the AVX log/sincos torch uses to fill float32 normals (avx_mathfun.h)
_LOG_P = [_F32(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                            1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                            3.3333331174E-1)]
_LOG_Q1, _LOG_Q2, _SQRTHF = _F32(-2.12194440e-4), _F32(0.693359375), _F32(0.707106781186547524)
_DP = [_F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)]
_SIN_P = [_F32(-1.9515295891E-4), _F32(8.3321608736E-3), _F32(-1.6666654611E-1)]
_COS_P = [_F32(2.443315711809948E-005), _F32(-1.388731625493765E-003), _F32(4.166664568298827E-002)]
_U35, _TOP = np.uint64(35), np.uint64(1 << 63)
_FOPI, _HALF, _ONE = _F32(1.27323954473516), _F32(0.5), _F32(1.0)


def _fma32(a, b, c):
    """Single-rounded float32 a*b+c (torch's build contracts these into FMA instructions).

    The float64 product of two float32 is exact, so only the float64 sum can round; that double rounding
    can differ from one rounding only when the sum lands exactly on a float32 tie, which is fixed up below."""
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    # a float32 tie has bit 28 set and bits 0-27 clear: shifted left by 35 it is exactly the top bit
    tie = np.left_shift(s.view(np.uint64), _U35) == _TOP
    if tie.any():
        idx = np.nonzero(tie)
        ps = np.multiply(np.broadcast_to(a, s.shape)[idx], np.broadcast_to(b, s.shape)[idx], dtype=np.float64)
        cs = np.broadcast_to(np.asarray(c, np.float64), s.shape)[idx]
        ss = s[idx]
        bb = ss - ps
        err = (ps - (ss - bb)) + (cs - bb)
        s[idx] = np.where(err != 0, np.nextafter(ss, np.where(err > 0, np.inf, -np.inf)), ss)
    return s.astype(_F32)


def _fma64(a, b, c):
    """float64 a*b+c with one rounding (up to a rare last-bit tie), via an exact two-product."""
    p = a * b
    split = 134217729.0  # 2**27 + 1: Veltkamp splitting of each factor into 26-bit halves
    ah = a * split
    ah = ah - (ah - a)
    bh = np.asarray(b * split)
    bh = bh - (bh - b)
    e = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def _log_f32(x):
    """avx_mathfun's log256_ps for 0 < x <= 1, operation for operation, with the multiply-adds its build
    fuses. A product that is exact in float32 needs no emulated FMA: fused or not, it rounds once."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7E).astype(_F32)
    x = ((bits & 0x007FFFFF) | 0x3F000000).view(_F32)
    small = x < _SQRTHF
    e -= small
    x = (x - _ONE) + x * small
    z = x * x
    y = _fma32(x, _LOG_P[0], _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fma32(y, x, p)
    y = _fma32(y * x, z, e * _LOG_Q1)
    y = y - z * _HALF
    return (x + y) + e * _LOG_Q2  # e has at most 5 bits and Q2 9: the product is exact


def _sincos_f32(x):
    """avx_mathfun's sincos256_ps for 0 <= x < 2*pi, with its fused multiply-adds."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    # y <= 8 has 4 bits and DP1, DP2 8 and 11: those two products are exact, DP3's is not
    x = _fma32(y, _DP[2], (x + y * _DP[0]) + y * _DP[1])
    z = x * x
    yc = _fma32(z, _COS_P[0], _COS_P[1])
    yc = _fma32(yc, z, _COS_P[2])
    yc = _fma32(yc * z, z, -(z * _HALF)) + _ONE
    ys = _fma32(z, _SIN_P[0], _SIN_P[1])
    ys = _fma32(ys, z, _SIN_P[2])
    ys = _fma32(ys * z, x, x)
    # select the polynomial and flip signs on the bit patterns, as the vector code does
    pick = -((j & 2) == 0).view(np.int8).astype(np.int32)
    ys, yc = ys.view(np.int32), yc.view(np.int32)
    s = (ys & pick) | (yc & ~pick)
    c = (yc & pick) | (ys & ~pick)
    s ^= (j & 4) << 29
    c ^= (~(j - 2) & 4) << 29
    return s.view(_F32), c.view(_F32)


def _box_muller_f32(u, mean, std):
    """torch's 16-wide float32 Box-Muller: lanes 0-7 give the cos half, lanes 8-15 the sin half."""
    u = u.reshape(-1, 16)
    # contiguous halves: numpy is several times slower on the strided column slices
    radius = np.sqrt(_F32(-2) * _log_f32(_ONE - u[:, :8].ravel()))
    s, c = _sincos_f32(_F32(_TWO_PI) * u[:, 8:].ravel())
    out = np.empty_like(u)
    out[:, :8], out[:, 8:] = (radius * c).reshape(-1, 8), (radius * s).reshape(-1, 8)
    if std != 1.0 or mean != 0.0:
        out = _fma32(out, _F32(std), _F32(mean))
    return out.reshape(-1)


def _box_muller_f64(u, mean, std):
    """torch's scalar float64 Box-Muller, then std::fma. numpy's own SIMD log differs from glibc's in the
    last bit for about 0.3% of inputs, so log goes through math.log; numpy 2's float64 sin/cos call libm."""
    u = u.reshape(-1, 16)
    u1 = (1.0 - u[:, :8]).ravel()
    log = np.fromiter(map(math.log, u1.tolist()), np.float64, u1.size).reshape(-1, 8)
    radius = np.sqrt(-2.0 * log)
    theta = _TWO_PI * u[:, 8:]
    out = np.empty_like(u)
    out[:, :8], out[:, 8:] = radius * np.cos(theta), radius * np.sin(theta)
    if std != 1.0 or mean != 0.0:
        out = _fma64(out, std, mean)
    return out.reshape(-1)


class Generator:
    """torch.Generator (CPU): the same mt19937 stream and the same values as torch for the same seed."""

    def __init__(self, seed=0):
        self.manual_seed(seed)

    def manual_seed(self, seed):
        self._seed = int(seed) & _MASK64
        # torch's mt19937 runs the reference init_genrand on the seed's low 32 bits; numpy's own seeding
        # of MT19937 hashes the seed, so the key is built here and handed over as the state
        key = np.empty(624, np.uint32)
        x = self._seed & 0xFFFFFFFF
        key[0] = x
        for i in range(1, 624):
            x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
            key[i] = x
        self._set_bits({"bit_generator": "MT19937", "state": {"key": key, "pos": 624}})
        # the scalar normal draws Box-Muller pairs and keeps the second value for the next call
        self._next_normal = None
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & _MASK64
        self.manual_seed(s)
        return s

    def get_state(self):
        if self._mt is None:  # not drawn from yet: the state it would start from, without making it
            st = self._mt_state
            bits = {**st, "state": {**st["state"], "key": st["state"]["key"].copy()}}
        else:
            bits = self._mt.state
        return (self._seed, bits, self._next_normal)

    def set_state(self, state):
        self._seed, bits, self._next_normal = state
        self._set_bits(bits)
        return self

    def _set_bits(self, state):
        self._mt, self._mt_state = None, state

    @property
    def _bits(self):
        # made on the first draw, not at import: numpy.random (with the secrets and hashlib it imports) is
        # ~10 ms of every command's cold start, and most commands never draw a random number
        if self._mt is None:
            self._mt = np.random.MT19937()
            self._mt.state = self._mt_state
        return self._mt

    # ---- raw draws ---------------------------------------------------------------------------------------
    def _u32(self, n):
        return self._bits.random_raw(n) if n else np.zeros(0, np.uint64)

    def _u64(self, n):
        r = self._u32(2 * n)
        # the first 32-bit word is the high half, as in torch's random64()
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _uniform01(self, n, dtype):
        """torch's uniform_real_distribution(0, 1): 24 low bits per word for float32, 53 of 64 for float64.
        Either way the value is exact in its dtype."""
        if np.dtype(dtype) == np.float64:
            return (self._u64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
        return (self._u32(n).astype(np.uint32) & np.uint32(0xFFFFFF)).astype(_F32) * _F32(2.0 ** -24)

    # ---- distributions -----------------------------------------------------------------------------------
    def uniform(self, shape, low=0.0, high=1.0, dtype=np.float32):
        """Tensor.uniform_(low, high): x*(high-low)+low in the accumulate type (float64 for float32)."""
        dtype = np.dtype(dtype)
        n = math.prod(shape)
        if low == 0.0 and high == 1.0:  # x*1+0 is x, already below 1: rand() skips the arithmetic
            ftype = np.float64 if dtype == np.float64 else _F32
            return self._uniform01(n, ftype).astype(dtype, copy=False).reshape(shape)
        if dtype == np.float64:
            # one fused multiply-add in torch's build (for float32 the float64 product is exact anyway)
            v = _fma64(self._uniform01(n, dtype), float(high) - float(low), float(low))
            v[v == high] = low
        else:
            lo, hi = _F32(low), _F32(high)
            v = (self._uniform01(n, dtype) * np.float64(hi - lo) + np.float64(lo)).astype(_F32)
            # torch clamps a value rounded up onto the excluded upper bound back to the lower one
            v[v == hi] = lo
        return v.astype(dtype, copy=False).reshape(shape)

    def normal(self, shape, mean=0.0, std=1.0, dtype=np.float32):
        """Tensor.normal_(mean, std): vectorised Box-Muller in blocks of 16 from 16 elements on, where an
        incomplete last block is redrawn over the last 16 slots; scalar cached Box-Muller below that."""
        dtype = np.dtype(dtype)
        n = math.prod(shape)
        if n < 16:
            v = np.array([self._normal_scalar(mean, std) for _ in range(n)], np.float64)
            return v.astype(dtype).reshape(shape)
        wide = dtype == np.float64
        fill = _box_muller_f64 if wide else _box_muller_f32
        ftype = np.float64 if wide else _F32
        u = self._uniform01(n, ftype)
        full = n - n % 16
        out = np.empty(n, ftype)
        # chunks small enough for the temporaries to stay in cache: about twice as fast at a million
        for i in range(0, full, _CHUNK):
            j = min(i + _CHUNK, full)
            out[i:j] = fill(u[i:j], mean, std)
        if n % 16:
            out[n - 16:] = fill(self._uniform01(16, ftype), mean, std)
        return out.astype(dtype, copy=False).reshape(shape)

    def _normal_scalar(self, mean, std):
        if self._next_normal is not None:
            v, self._next_normal = self._next_normal, None
        else:
            u1, u2 = self._uniform01(2, np.float64)
            r = math.sqrt(-2.0 * math.log1p(-float(u2)))
            theta = _TWO_PI * float(u1)
            self._next_normal = r * math.sin(theta)
            v = r * math.cos(theta)
        if std == 1.0 and mean == 0.0:
            return v
        # torch's v*std+mean is one fused multiply-add
        return float(Fraction(v) * Fraction(std) + Fraction(mean))

    def exponential(self, shape, lambd=1.0, dtype=np.float32):
        """Tensor.exponential_(lambd): -1/lambd * log1p(-u) on a 53-bit uniform, with libm's log1p (numpy's
        differs from it in the last bit now and then)."""
        u = self._uniform01(math.prod(shape), np.float64)
        k = -1.0 / lambd
        return np.array([k * math.log1p(-x) for x in u.tolist()], np.float64).astype(dtype).reshape(shape)

    def bernoulli(self, shape, p):
        """Tensor.bernoulli_(p) for a number p: a float64 uniform draw below p (dropout's mask)."""
        return (self._uniform01(math.prod(shape), np.float64) < p).reshape(shape)

    def bernoulli_probs(self, p):
        """torch.bernoulli(p) for a tensor of probabilities: a uniform draw in p's own dtype below p."""
        return self._uniform01(p.size, p.dtype).reshape(p.shape) < p

    def randint(self, shape, low, high):
        """uniform_int_from_to: draw % range + low, drawing 64 bits when the range is 2**28 or wider."""
        n, span = math.prod(shape), high - low
        draws = self._u64(n) if span >= _WIDE_RANGE else self._u32(n)
        return ((draws % np.uint64(span)).astype(np.int64) + low).reshape(shape)

    def randperm(self, n):
        """Fisher-Yates as torch's CPU randperm does it: swap i with i + draw % (n - i)."""
        if n <= 1:
            return np.arange(n, dtype=np.int64)
        offs = (self._u32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        perm = list(range(n))
        for i, z in enumerate(offs):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, np.int64)
