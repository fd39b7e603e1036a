"""timm's lr noise, drawn as timm draws it: torch's CPU generator seeded with ``noise_seed + t``.

numpy's legacy MT19937 produces the same 32-bit words as torch's CPU generator for the same seed; torch's
``randn(1)`` (Box-Muller in double, the sine half cached) and ``rand(1)`` (24 bits) are rebuilt from them.
"""

from __future__ import annotations

import math

from ..._lazy import np
from ...errors import ParamError

_MT = None  # one MT19937, re-seeded per draw: constructing a RandomState costs ~7x more than seeding it
MAX_DRAWS = 10_000  # resampling attempts per noisy step: timm itself would loop (nearly) forever
MAX_NOISY_STEPS = 2_000_000  # noise is drawn one step at a time: bound the time it takes


def check_noise(p: dict, noisy_steps: int) -> None:
    """Refuse noise settings under which timm's resampling loop never (or nearly never) ends."""
    if p.get("noise_range_t") is None or noisy_steps == 0:
        return
    if noisy_steps > MAX_NOISY_STEPS:
        raise ParamError(("noise_range_t",), f"noise on {noisy_steps:,} steps: lrplot draws noise one step at a "
                         f"time and does at most {MAX_NOISY_STEPS:,}; narrow noise_range_t or simulate fewer steps")
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
    words = iter(())

    def u32() -> int:
        nonlocal words
        try:
            return next(words)
        except StopIteration:
            words = iter(state.randint(0, 2**32, size=8, dtype=np.uint64).tolist())
            return next(words)

    if kind != "normal":  # torch.rand(1): 24 random bits
        x = (u32() & ((1 << 24) - 1)) * (1.0 / (1 << 24))
        return 2 * (float(np.float32(x)) - 0.5) * pct
    cached = None
    for _ in range(2 * MAX_DRAWS):  # torch.randn(1): Box-Muller in double, the sine half cached for the next draw
        if cached is not None:
            value, cached = cached, None
        else:
            u1 = (((u32() << 32) | u32()) & ((1 << 53) - 1)) * (1.0 / (1 << 53))
            u2 = (((u32() << 32) | u32()) & ((1 << 53) - 1)) * (1.0 / (1 << 53))
            radius = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            cached = radius * math.sin(theta)
            value = radius * math.cos(theta)
        noise = float(np.float32(value * 1.0 + 0.0)) * std
        if abs(noise) < pct:
            return noise
    raise ParamError(("noise_std",), f"no noise below noise_pct={pct!r} in {MAX_DRAWS:,} draws at t={t} "
                     "(timm would keep drawing); lower noise_std or raise noise_pct")


def _noise_mask(p: dict, t):
    rng = p.get("noise_range_t")
    if rng is None:
        return np.zeros(len(t), dtype=bool)
    if isinstance(rng, list):
        return (rng[0] <= t) & (t < rng[1]) if len(rng) > 1 else t >= rng[0]
    return t >= rng
