"""timm's lr noise, drawn as timm draws it: torch's CPU generator seeded with ``noise_seed + t``.

numpy's legacy MT19937 produces the same 32-bit words as torch's CPU generator for the same seed; torch's
``randn(1)`` (Box-Muller in double, the sine half cached) and ``rand(1)`` (24 bits) are rebuilt from them.
A run draws for all its noisy steps at once (:func:`timm_noises`: ~1 us a step, where one RandomState per
step took ~180 us and one re-seeded RandomState ~30 us); :func:`timm_noise` is the one-step form.
"""

from __future__ import annotations

import math

from ..._lazy import np
from ...errors import ParamError

_MT = None  # one MT19937, re-seeded per draw: constructing a RandomState costs ~7x more than seeding it
_WORDS = 32  # generator words computed per draw at once: 8 Box-Muller pairs, 16 normals before redrawing alone
_SEEDS_AT_ONCE = 8192  # seeds per block of mt19937_words: its state words stay in the cache
MAX_DRAWS = 10_000  # resampling attempts per noisy step: timm itself would loop (nearly) forever
MAX_NOISY_STEPS = 2_000_000  # every noisy step seeds its own generator (~1 us): bound the time it takes


def check_noise(p: dict, noisy_steps: int) -> None:
    """Refuse noise settings under which timm's resampling loop never (or nearly never) ends."""
    if p.get("noise_range_t") is None or noisy_steps == 0:
        return
    if noisy_steps > MAX_NOISY_STEPS:
        raise ParamError(("noise_range_t",), f"noise on {noisy_steps:,} steps: every noisy step seeds its own "
                         f"generator, as timm does, and lrplot does at most {MAX_NOISY_STEPS:,}; narrow noise_range_t "
                         "or simulate fewer steps")
    if p.get("noise_type", "normal") != "normal":
        return
    pct, std = p["noise_pct"], p["noise_std"]
    if pct <= 0:
        raise ParamError(("noise_pct",), f"{pct!r}: timm redraws normal noise until |noise| < noise_pct, which "
                         "never happens with noise_pct <= 0 (timm would loop forever); use noise_pct > 0")
    accept = math.erf(pct / (std * math.sqrt(2.0))) if std > 0 else 1.0
    if accept * MAX_DRAWS < 1:
        raise ParamError(("noise_std",), f"{std!r} with noise_pct={pct!r}: timm would redraw about "
                         f"{1 / max(accept, 1e-300):.1e} times per step; lower noise_std or raise noise_pct")


def timm_noise(t: int, seed: int, kind: str, pct: float, std: float) -> float:
    """``Scheduler._calculate_noise``: torch.Generator().manual_seed(seed + t), then randn/rand, reproduced."""
    global _MT
    if _MT is None:
        _MT = np.random.RandomState()
    state = _MT
    state.seed((seed + t) & 0xFFFFFFFF)
    batches = iter(lambda: state.randint(0, 2**32, size=8, dtype=np.uint64).tolist(), None)
    return _draw((word for batch in batches for word in batch), t, kind, pct, std)


def timm_noises(ts, seed: int, kind: str, pct: float, std: float):
    """:func:`timm_noise` for every ``t`` in ``ts`` (an array of float64 noises), drawn for all at once.

    The generators' first words come from :func:`mt19937_words`; timm's accept/reject loop runs as rounds
    over the draws still rejected, with the same float operations (math's log1p/sin/cos, IEEE sqrt, float32
    rounding); the rare draw rejected more often than the words computed allow is redone alone.
    """
    ts = np.asarray(ts, dtype=np.int64)
    out = np.empty(len(ts))
    for start in range(0, len(ts), _SEEDS_AT_ONCE):
        block = ts[start:start + _SEEDS_AT_ONCE]
        words = mt19937_words((block + seed) & 0xFFFFFFFF, _WORDS if kind == "normal" else 1)
        out[start:start + len(block)] = _draws(words, block, seed, kind, pct, std)
    return out


def _draws(words, ts, seed: int, kind: str, pct: float, std: float):
    if kind != "normal":  # torch.rand(1): 24 random bits
        x = (words[:, 0] & np.uint32((1 << 24) - 1)) * (1.0 / (1 << 24))
        return 2 * (x.astype(np.float32).astype(np.float64) - 0.5) * pct
    out = np.empty(len(ts))
    pending = np.arange(len(ts))
    cached = None
    for k in range(_WORDS // 2):  # candidate k: the cosine (even k) or the cached sine (odd k) of pair k // 2
        if k % 2 == 0:
            w = words[pending, 2 * k:2 * k + 4].astype(np.uint64)
            bits = np.uint64((1 << 53) - 1)
            u1 = (((w[:, 0] << np.uint64(32)) | w[:, 1]) & bits) * (1.0 / (1 << 53))
            u2 = (((w[:, 2] << np.uint64(32)) | w[:, 3]) & bits) * (1.0 / (1 << 53))
            radius = np.sqrt(-2.0 * _libm(math.log1p, -u2))
            theta = 2.0 * math.pi * u1
            cached = radius * _libm(math.sin, theta)
            value = radius * _libm(math.cos, theta)
        else:
            value = cached
        noise = (value * 1.0 + 0.0).astype(np.float32).astype(np.float64) * std
        accept = np.abs(noise) < pct
        out[pending[accept]] = noise[accept]
        pending, cached = pending[~accept], cached[~accept]
        if not len(pending):
            return out
    for i in pending.tolist():  # rejected more often than the words computed allow: drawn alone
        out[i] = timm_noise(int(ts[i]), seed, kind, pct, std)
    return out


def _libm(function, values):
    """``function`` (from math, i.e. C's libm, as torch's Python arithmetic) on every value: numpy's own
    kernels may differ in the last bit."""
    return np.fromiter(map(function, values.tolist()), dtype=np.float64, count=len(values))


def _draw(words, t: int, kind: str, pct: float, std: float) -> float:
    """torch's ``randn(1)``/``rand(1)`` (timm's accept/reject loop included) from the generator's 32-bit words."""
    if kind != "normal":  # torch.rand(1): 24 random bits
        x = (next(words) & ((1 << 24) - 1)) * (1.0 / (1 << 24))
        return 2 * (float(np.float32(x)) - 0.5) * pct
    cached = None
    for _ in range(2 * MAX_DRAWS):  # torch.randn(1): Box-Muller in double, the sine half cached for the next draw
        if cached is not None:
            value, cached = cached, None
        else:
            u1 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) * (1.0 / (1 << 53))
            u2 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) * (1.0 / (1 << 53))
            radius = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            cached = radius * math.sin(theta)
            value = radius * math.cos(theta)
        noise = float(np.float32(value * 1.0 + 0.0)) * std
        if abs(noise) < pct:
            return noise
    raise ParamError(("noise_std",), f"no noise below noise_pct={pct!r} in {MAX_DRAWS:,} draws at t={t} "
                     "(timm would keep drawing); lower noise_std or raise noise_pct")


def mt19937_words(seeds, count: int):
    """The first ``count`` (<= 227) outputs of MT19937 seeded with ``init_genrand(seed)``, one row per seed.

    What ``RandomState(seed)`` (and torch's ``manual_seed``) then draws, for many seeds at once: the seeding
    recurrence runs over the state words the first outputs read (0..count and 397..396+count), then one twist
    and the tempering of those outputs.
    """
    key = np.asarray(seeds, dtype=np.uint32).copy()
    low = np.empty((count + 1, len(key)), dtype=np.uint32)  # state words 0..count
    high = np.empty((count, len(key)), dtype=np.uint32)  # state words 397..396+count
    low[0] = key
    shifted = np.empty_like(key)
    for i in range(1, 397 + count):  # key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >> 30)) + i  (mod 2**32)
        np.right_shift(key, 30, out=shifted)
        np.bitwise_xor(key, shifted, out=key)
        np.multiply(key, np.uint32(1812433253), out=key)
        np.add(key, np.uint32(i), out=key)
        if i <= count:
            low[i] = key
        if i >= 397:
            high[i - 397] = key
    y = (low[:-1] & np.uint32(0x80000000)) | (low[1:] & np.uint32(0x7FFFFFFF))
    y = high ^ (y >> np.uint32(1)) ^ ((y & np.uint32(1)) * np.uint32(0x9908B0DF))
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y.T


def _noise_mask(p: dict, t):
    rng = p.get("noise_range_t")
    if rng is None:
        return np.zeros(len(t), dtype=bool)
    if isinstance(rng, list):
        return (rng[0] <= t) & (t < rng[1]) if len(rng) > 1 else t >= rng[0]
    return t >= rng
