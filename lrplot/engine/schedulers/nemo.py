"""NVIDIA NeMo's schedulers (``nemo/core/optim/lr_scheduler.py``, NeMo 3.0), exactly: ``nemo:<ClassName>``.

Each ``_get_lr`` below is NeMo's anneal, vectorised with the same float operations in the same order
(``**`` and ``math.pow`` through :func:`~lrplot.engine.fmath.pow_`, Python's ``max(a, b)`` as "b if b > a
else a").  The phases around it (warmup, hold, constant, min_lr past max_steps) are nemo_policies.py's.
NeMo's quirks are kept: WarmupAnnealing and CosineAnnealing with constant_steps give every group the first
group's lr; SquareRootAnnealing's decay ignores the warmup; a hold-based anneal without hold_steps counts
from step 0; NoamAnnealing never reaches min_lr by max_steps (it ignores max_steps but for warmup_ratio).
"""

from __future__ import annotations

import math

from ..._lazy import np
from ..fmath import pow_
from ..params import BOOL, FLOAT, INT, Param, at_least
from . import nemo_policies as P
from .nemo_policies import (CONSTANT_RATIO, CONSTANT_STEPS, HOLD, MAX_STEPS, OPEN_MAX_STEPS, WARMUP, lengths,
                            min_lr, nemo_spec)

POWER = Param("power", FLOAT, "power of the polynomial decay", default=1.0)
CYCLE = Param("cycle", BOOL, "restart the decay every max_steps - warmup (past the hold)", default=False)
EXAMPLE = {"max_steps": 100, "warmup_steps": 10}
HELD = {"max_steps": 100, "warmup_steps": 10, "hold_steps": 20}


def _above(value, floor):
    """Python's ``max(value, floor)``: the floor only where it is greater."""
    return np.where(floor > value, floor, value)


class WarmupPolicy(P.WarmupPolicy):
    spec = nemo_spec("WarmupPolicy", "linear warmup, then the optimizer's lr (min_lr after max_steps)",
                     (*WARMUP, OPEN_MAX_STEPS, min_lr()), EXAMPLE)
    needs_max_steps = False


class WarmupHoldPolicy(P.WarmupHoldPolicy):
    spec = nemo_spec("WarmupHoldPolicy", "linear warmup, hold, then the optimizer's lr (min_lr after max_steps)",
                     (*WARMUP, *HOLD, OPEN_MAX_STEPS, min_lr()), HELD)
    needs_max_steps = False


class WarmupAnnealHoldPolicy(P.WarmupAnnealHoldPolicy):
    spec = nemo_spec("WarmupAnnealHoldPolicy", "linear warmup, the optimizer's lr, then min_lr for the last "
                     "constant_steps", (*WARMUP, CONSTANT_STEPS, CONSTANT_RATIO, MAX_STEPS, min_lr()),
                     {"max_steps": 100, "warmup_steps": 10, "constant_steps": 20},
                     decay_end=lambda p: p["max_steps"] - lengths(p)[2])


class SquareRootConstantPolicy(P.SquareRootConstantPolicy):
    spec = nemo_spec("SquareRootConstantPolicy", "1/sqrt(constant_steps) (absolute) up to constant_steps, then "
                     "the optimizer's lr", (CONSTANT_STEPS, CONSTANT_RATIO, OPEN_MAX_STEPS, min_lr()),
                     {"max_steps": 100, "constant_steps": 10})
    needs_max_steps = False


class SquareAnnealing(P.WarmupPolicy):
    spec = nemo_spec("SquareAnnealing", "linear warmup, then (1 - progress)^2 decay to min_lr",
                     (MAX_STEPS, *WARMUP, min_lr(1e-5)), EXAMPLE)

    def anneal(self, s):
        """``_square_annealing(initial_lr, step - warmup_steps, max_steps - warmup_steps, min_lr)``."""
        steps = self.m - self.w
        self.no_zero(s, steps, "max_steps - warmup_steps")
        mult = pow_((steps - (s - self.w)) / steps, 2.0)
        return _above(self.base_lrs[None, :] * mult[:, None], self.min_lr)


class SquareRootAnnealing(P.WarmupPolicy):
    spec = nemo_spec("SquareRootAnnealing", "linear warmup, then sqrt(1 - step / max_steps) decay (from step 0)",
                     (MAX_STEPS, *WARMUP, min_lr()), EXAMPLE)

    def anneal(self, s):
        """``_squareroot_annealing(initial_lr, step, max_steps, min_lr)``: the step, not step - warmup_steps."""
        self.no_zero(s, self.m, "max_steps")
        mult = pow_((self.m - s) / self.m, 0.5)
        return _above(self.base_lrs[None, :] * mult[:, None], self.min_lr)

    def param_warnings(self) -> list[str]:
        if lengths(self.p)[0]:
            return [("NeMo's square-root decay counts from step 0, not from the warmup's end: the lr drops "
                     "right after the warmup")]
        return []


class CosineAnnealing(P.WarmupAnnealHoldPolicy):
    spec = nemo_spec("CosineAnnealing", "linear warmup, cosine decay to min_lr (with constant_steps: Megatron's "
                     "warmup from 0, and min_lr for the last constant_steps)",
                     (MAX_STEPS, *WARMUP, CONSTANT_STEPS, CONSTANT_RATIO, min_lr()), EXAMPLE,
                     decay_end=lambda p: p["max_steps"] - lengths(p)[2])

    def warmup(self, s):
        return super().warmup(s) if self.c == 0 else self.megatron(s)

    def constant(self, s):
        return self.megatron(s)

    def anneal(self, s):
        if (self.base_lrs < self.min_lr).any():
            self.refuse(s, "min_lr", f"an optimizer lr {float(self.base_lrs.min())!r} is below min_lr {self.min_lr!r}",
                        "ValueError")
        if self.c:
            return self.megatron(s)
        steps = self.m - self.w  # _cosine_annealing(initial_lr, step - warmup_steps, max_steps - warmup_steps)
        self.no_zero(s, steps, "max_steps - warmup_steps")
        mult = 0.5 * (1 + np.cos(math.pi * (s - self.w) / steps))
        return (self.base_lrs[None, :] - self.min_lr) * mult[:, None] + self.min_lr

    def megatron(self, s):
        """``_linear_warmup_with_cosine_annealing`` with ``max_lr = base_lrs[0]`` for every group."""
        top, low, w, d = float(self.base_lrs[0]), self.min_lr, self.w, self.d
        if not top > low:
            self.refuse(s, "min_lr", f"{low!r} is not below the first group's lr {top!r}", "AssertionError")
        warm = (w > 0) & (s <= w)
        after = ~warm & (s > w + d)
        if d == 0 and (~warm & ~after).any():
            self.refuse(s[~warm & ~after], "max_steps", "max_steps - constant_steps - warmup_steps is 0")
        up = top * s.astype(np.float64) / float(w or 1)
        coeff = 0.5 * (np.cos(math.pi * ((s - w).astype(np.float64) / float(d or 1))) + 1.0)
        return np.where(warm, up, np.where(after, low, low + coeff * (top - low)))[:, None]


class NoamAnnealing(P.WarmupPolicy):
    spec = nemo_spec("NoamAnnealing", "Noam: d_model^-0.5 * min(step^-0.5, step * warmup^-1.5), times the "
                     "optimizer's lr", (Param("d_model", INT, "model dimension: the lr scales by d_model^-0.5",
                                              check=at_least(1)), *WARMUP, OPEN_MAX_STEPS, min_lr()),
                     {"d_model": 512, "warmup_steps": 10},
                     default_steps=lambda p: p.get("max_steps") or 10 * (p.get("warmup_steps") or 100),
                     decay_end=lambda p: None)
    needs_max_steps = False

    def phases(self, t) -> tuple:
        return (np.ones(len(t), dtype=bool), self.noam),

    def noam(self, s):
        """``get_lr`` with ``step = max(1, last_epoch)``, then ``_noam_annealing``."""
        if (self.base_lrs < self.min_lr).any():
            self.refuse(s, "min_lr", f"an optimizer lr {float(self.base_lrs.min())!r} is below min_lr {self.min_lr!r}",
                        "ValueError")
        step = np.maximum(s, 1)
        x = step.astype(np.float64)
        rise = pow_(x, -0.5)
        if self.w > 0:
            warm = x * (self.w ** (-1.5))
            rise = np.where(warm < rise, warm, rise)
        out = self.base_lrs[None, :] * ((self.p["d_model"] ** (-0.5)) * rise)[:, None]
        return np.where((step > self.w)[:, None], _above(out, self.min_lr), out)


class NoamHoldAnnealing(P.WarmupHoldPolicy):
    spec = nemo_spec("NoamHoldAnnealing", "linear warmup, hold, then Noam-like decay (warmup / (step - hold))"
                     "^decay_rate", (MAX_STEPS, *WARMUP, *HOLD, Param("decay_rate", FLOAT, "power of the decay "
                                     "(0.5: Noam, 1.0: Squeezeformer)", default=0.5), min_lr()), HELD)

    def anneal(self, s):
        """``_noam_hold_annealing`` with NeMo's hold_steps less the warmup (0 without a hold)."""
        if not self.w:
            self.refuse(s, "warmup_steps", "0 (Noam scheduler cannot be used without warmup steps)", "ValueError")
        rate = self.p["decay_rate"]
        hold = self.h - self.w if self.h > 0 else 0
        t_warmup = max(1, self.w ** rate)
        t_hold = pow_((s - hold).astype(np.float64), rate)
        t_hold = np.where(t_hold > 1, t_hold, 1.0)
        return _above((self.base_lrs[None, :] * t_warmup) / t_hold[:, None], self.min_lr)


class WarmupAnnealing(P.WarmupPolicy):
    spec = nemo_spec("WarmupAnnealing", "linear warmup, then linear decay to min_lr (every group from the first "
                     "group's lr)", (MAX_STEPS, *WARMUP, min_lr()), EXAMPLE)

    def anneal(self, s):
        steps = self.m - self.w
        self.no_zero(s, steps, "max_steps - warmup_steps")
        delta = float(self.base_lrs[0]) - self.min_lr
        return (self.min_lr + (1 - (s - self.w) / steps) * delta)[:, None]


class InverseSquareRootAnnealing(P.WarmupPolicy):
    spec = nemo_spec("InverseSquareRootAnnealing", "linear warmup, then lr / sqrt((step + 1) / (warmup + 1))",
                     (MAX_STEPS, *WARMUP, min_lr()), EXAMPLE)

    def anneal(self, s):
        return self.base_lrs[None, :] / pow_((s + 1) / (self.w + 1), 0.5)[:, None]


class T5InverseSquareRootAnnealing(P.SquareRootConstantPolicy):
    spec = nemo_spec("T5InverseSquareRootAnnealing", "T5: 1/sqrt(max(step, constant_steps)), absolute (the "
                     "optimizer's lr is ignored)", (MAX_STEPS, CONSTANT_STEPS, CONSTANT_RATIO, min_lr()),
                     {"max_steps": 100, "constant_steps": 10}, reads_optimizer_lr=lambda p: False)

    def anneal(self, s):
        return (1 / pow_(s.astype(np.float64), 0.5))[:, None]


class PolynomialDecayAnnealing(P.WarmupPolicy):
    spec = nemo_spec("PolynomialDecayAnnealing", "linear warmup, then (1 - progress)^power decay to min_lr",
                     (MAX_STEPS, *WARMUP, POWER, CYCLE, min_lr()), {**EXAMPLE, "power": 2.0})

    def anneal(self, s):
        return self.poly(s, s - self.w, self.m - self.w)

    def poly(self, s, step, steps):
        """``_poly_decay(initial_lr, step, decay_steps, power, min_lr, cycle)``."""
        self.no_zero(s, steps, "the decay's length (max_steps less the warmup and hold)")
        if self.p["cycle"]:
            steps = steps * np.where(step == 0, 1.0, np.ceil(step / steps))
        else:
            step = np.minimum(step, steps)
        left = 1.0 - step / steps
        power = self.p["power"]
        if power < 0 and (left == 0).any():
            self.refuse(s[left == 0], "power", f"{power!r} raises 0 to a negative power", "ValueError (math.pow)")
        return (self.base_lrs[None, :] - self.min_lr) * pow_(left, power)[:, None] + self.min_lr


class PolynomialHoldDecayAnnealing(P.WarmupHoldPolicy):
    spec = nemo_spec("PolynomialHoldDecayAnnealing", "linear warmup, hold, then (1 - progress)^power decay to "
                     "min_lr", (MAX_STEPS, *WARMUP, *HOLD, POWER, CYCLE, min_lr()), {**HELD, "power": 2.0},
                     cycles=lambda p: bool(p.get("cycle")))
    counts_from_hold = True
    poly = PolynomialDecayAnnealing.poly

    def anneal(self, s):
        return self.poly(s, s - self.h, self.m - max(self.w, self.h))


class WarmupHoldAnnealOneMinusSquareRoot(P.WarmupHoldPolicy):
    spec = nemo_spec("WarmupHoldAnnealOneMinusSquareRoot", "linear warmup, hold, then 1 - sqrt(progress) decay "
                     "(floored at min_lr)", (MAX_STEPS, *WARMUP, *HOLD, min_lr()), HELD)
    counts_from_hold = True

    def anneal(self, s):
        self.no_zero(s, self.m - self.h, "max_steps - hold_steps - warmup_steps")
        mult = 1 - pow_((s - self.h) / (self.m - self.h), 0.5)
        out = self.base_lrs[None, :] * mult[:, None]
        return np.where(out > self.min_lr, out, self.min_lr)  # max(min_lr, initial_lr * mult)


class WarmupHoldAnnealLinear(P.WarmupHoldPolicy):
    spec = nemo_spec("WarmupHoldAnnealLinear", "linear warmup, hold, then linear decay to min_lr",
                     (MAX_STEPS, *WARMUP, *HOLD, min_lr()), HELD)
    counts_from_hold = True

    def anneal(self, s):
        self.no_zero(s, self.m - self.h, "max_steps - hold_steps - warmup_steps")
        ratio = (s - self.h) / (self.m - self.h)
        return self.base_lrs[None, :] - (self.base_lrs[None, :] - self.min_lr) * ratio[:, None]


CLASSES = (WarmupPolicy, WarmupHoldPolicy, SquareAnnealing, SquareRootAnnealing, CosineAnnealing, NoamAnnealing,
           NoamHoldAnnealing, WarmupAnnealing, InverseSquareRootAnnealing, T5InverseSquareRootAnnealing,
           PolynomialDecayAnnealing, PolynomialHoldDecayAnnealing, WarmupHoldAnnealOneMinusSquareRoot,
           WarmupHoldAnnealLinear, WarmupAnnealHoldPolicy, SquareRootConstantPolicy)
