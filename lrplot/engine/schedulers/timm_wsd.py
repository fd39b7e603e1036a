"""timm's WSDLRScheduler (timm 1.0.31, ``timm/scheduler/wsd_lr.py``): warmup, stable, decay, exactly.

timm's ``sched: wsd`` and ``sched: rsqrt`` both build it (see config/shapes/timm.py).  The warmup is always a
prefix: ``_get_lr(t)`` is ``warmup_lr_init + t * step`` for ``t < warmup_t``, then, with ``t_s = t - warmup_t``,

    stable = max(base_lr * stable_fn(t_s), lr_min)
    lr     = stable                                   while t_s <= t_initial - decay_t
    lr     = lr_min + (stable - lr_min) * decay_fn(frac),  frac = min((t_s - t_initial + decay_t) / decay_t, 1)

so lr_min is reached at ``t = warmup_t + t_initial`` and held after.  Noise and per-update stepping are the
timm base class's (see timm.py).
"""

from __future__ import annotations

import math

from ..._lazy import np
from ..fmath import pow_
from ..params import CHOICE, FLOAT, INT, Param, at_least, between, greater_than
from ..base import SchedulerSpec
from .timm import LR_MIN, NOISE, T_IN_EPOCHS, TIMM, _TimmSchedule, _unit, split
from ...errors import ParamError

STABLE_FNS = ("constant", "rsqrt", "power")
DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _length(p: dict) -> int:
    """``get_cycle_length()``: the warmup, then the stable and decay phases."""
    return p["warmup_t"] + p["t_initial"]


class TimmWSD(_TimmSchedule):
    spec = SchedulerSpec(
        name="WSDLRScheduler", cli="timm-wsd", aliases=("timm:wsd",), family=TIMM, length_unit=_unit,
        summary="timm's warmup-stable-decay (WSD; rsqrt/power stable, 1-sqrt/linear/cosine/power/exp decay)",
        example={"t_initial": 100, "decay_t": 20, "warmup_t": 5, "warmup_lr_init": 1e-4},
        default_steps=_length, decay_end=_length, cycles=lambda p: p["noise_range_t"] is not None,
        params=(
            Param("t_initial", INT, "length of the stable + decay phases (after the warmup; epochs, or updates "
                  "without t_in_epochs)", check=at_least(1), horizon=True),
            Param("decay_t", INT, "length of the decay phase: the last decay_t of t_initial", check=at_least(1)),
            LR_MIN,
            Param("stable_fn", CHOICE, "stable phase: constant (WSD), rsqrt (1 + t/timescale) ** -0.5, power "
                  "(1 + t/timescale) ** -stable_power", default="constant", choices=STABLE_FNS),
            Param("stable_timescale", FLOAT, "timescale of rsqrt/power (default: warmup_t)", default=None,
                  nullable=True),
            Param("stable_power", FLOAT, "exponent of the power stable phase", default=0.5, check=greater_than(0)),
            Param("decay_fn", CHOICE, "decay shape, from 1 to 0 over the decay phase", default="1-sqrt",
                  choices=DECAY_FNS),
            Param("decay_power", FLOAT, "exponent of the power decay: 1 - frac ** decay_power", default=0.5,
                  check=greater_than(0)),
            Param("decay_ratio", FLOAT, "exp decay: to this fraction, normalised to reach lr_min", default=0.1,
                  check=between(0, 1, lo_open=True, hi_open=True)),
            Param("warmup_t", INT, "warmup length, before t_initial", default=0, check=at_least(0), warmup=True),
            Param("warmup_lr_init", FLOAT, "lr at the start of warmup", default=0.0, check=at_least(0)),
            T_IN_EPOCHS, *NOISE,
        ),
    )

    def after_init(self, sim) -> None:
        p = self.p
        if p["decay_t"] > p["t_initial"]:
            raise ParamError(("decay_t",), f"{p['decay_t']} must be in (0, t_initial] with t_initial="
                             f"{p['t_initial']} (timm raises ValueError)")
        self.timescale = p["stable_timescale"]
        if p["stable_fn"] != "constant":
            if self.timescale is None:
                self.timescale = p["warmup_t"]
            if self.timescale <= 0:
                raise ParamError(("stable_timescale",), f"stable_fn={p['stable_fn']} needs a positive "
                                 f"stable_timescale; it defaults to warmup_t ({p['warmup_t']}): set it when there "
                                 "is no warmup (timm raises ValueError)")
        super().after_init(sim)

    def main(self, t):
        p = self.p
        t_s = t - p["warmup_t"]
        if p["stable_fn"] == "constant":
            stable = np.ones(len(t))
        else:
            power = 0.5 if p["stable_fn"] == "rsqrt" else p["stable_power"]
            stable = pow_(1.0 + t_s / self.timescale, -power)
        lr_min = p["lr_min"]
        stable_lrs = np.maximum(self.base_lrs[None, :] * stable[:, None], lr_min)
        t_decay = t_s - (p["t_initial"] - p["decay_t"])
        _, decaying = split(t_decay <= 0)
        if not len(t_decay[decaying]):
            return stable_lrs
        frac = np.minimum(t_decay[decaying] / p["decay_t"], 1.0)
        ended = frac == 1.0  # after the decay: one value, computed once
        decay = np.empty(len(frac))
        decay[ended] = self.decay(np.ones(1))[0]
        decay[~ended] = self.decay(frac[~ended])
        out = stable_lrs.copy()
        out[decaying] = lr_min + (stable_lrs[decaying] - lr_min) * decay[:, None]
        return out

    def decay(self, frac):
        """``_decay(frac)``: from 1 at the start of the decay to 0 at its end."""
        fn = self.p["decay_fn"]
        if fn == "linear":
            return 1.0 - frac
        if fn == "1-sqrt":
            return 1.0 - np.sqrt(frac)
        if fn == "cosine":
            return 0.5 * (1.0 + np.cos(math.pi * frac))
        if fn == "power":
            return 1.0 - pow_(frac, self.p["decay_power"])
        r = self.p["decay_ratio"]  # exp: r ** frac decays to r at frac == 1, normalised to reach 0
        return (pow_(r, frac) - r) / (1.0 - r)

    def marks(self, n: int) -> list[tuple[int, str]]:
        p = self.p
        scale = self.per_epoch if self.per_epoch and p["t_in_epochs"] else 1
        w, decay = p["warmup_t"], p["warmup_t"] + p["t_initial"] - p["decay_t"]
        return [(m * scale, label) for m, label in ((w, "stable starts"), (decay, "decay starts")) if 0 < m * scale < n]


CLASSES = (TimmWSD,)
