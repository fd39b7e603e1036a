"""Hugging Face transformers schedules (``get_scheduler``, transformers 5.x), exactly.

Each is torch's LambdaLR with a lambda of the step; ``factor`` below evaluates
that lambda over the whole step array with the same float operations in the
same order as the Python original (``float(...)``, ``max(0.0, ...)``, ``**``).
Like transformers, ``polynomial`` and ``min_lr`` scale by the optimizer's
default lr (lrplot: the first param group's), not each group's.
"""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import Family, Leaf, SchedulerSpec, Updates
from ..fmath import pow_
from ..params import CHOICE, FLOAT, INT, Param, at_least, between
from ...errors import ParamError

WARMUP = Param("num_warmup_steps", INT, "steps of linear warmup from 0", default=0, check=at_least(0), warmup=True)
TRAINING = Param("num_training_steps", INT, "total training steps", check=at_least(1), horizon=True)
CYCLES = Param("num_cycles", FLOAT, "number of cosine waves (0.5: down from the peak to 0)", default=0.5,
               check=at_least(0))


def _training_steps(p: dict) -> int | None:
    return p.get("num_training_steps")


class _HFSchedule(Leaf):
    """LambdaLR(optimizer, lambda step: factor(step)): lr = initial lr of the group * factor."""

    def before_init(self, sim) -> None:
        self.default_lr = sim.state.default_lr  # optimizer.defaults['lr']

    def updates(self, sim, epochs, kinds, state, steps):
        with np.errstate(all="ignore"):
            factor = np.asarray(self.factor(epochs.astype(np.int64)), dtype=np.float64)
        factor = np.broadcast_to(factor, (len(epochs),))
        bad = ~np.isfinite(factor)
        if bad.any():
            raise self.fail(f"the schedule divides by zero at step {int(epochs[np.argmax(bad)])} (as transformers "
                            "would); check num_warmup_steps/num_training_steps")
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), self.base_lrs[None, :] * factor[:, None])

    def factor(self, t):
        raise NotImplementedError

    def warmup(self, t, one=1):
        """``float(current_step) / float(max(1, num_warmup_steps))``."""
        return t.astype(np.float64) / float(max(one, self.p["num_warmup_steps"]))

    def marks(self, n: int) -> list[tuple[int, str]]:
        w = self.p.get("num_warmup_steps") or 0
        return [(w, "warmup ends")] if 0 < w < n else []


HF = Family("hf", "Hugging Face transformers")  # LambdaLR underneath: torch's resume; warmup is built in


def _hf(name: str, summary: str, params: tuple, example: dict, **extra):
    cli_name = name.replace("_", "-")
    if any(p.name == "num_training_steps" for p in params):
        extra.setdefault("decay_end", _training_steps)
    return SchedulerSpec(name=f"hf:{name}", cli=f"hf-{cli_name}", summary=summary, params=params,
                         example=example, family=HF, default_steps=_training_steps, **extra)


def _cosine(progress, cycles):
    """``0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))``."""
    return 0.5 * (1.0 + np.cos(math.pi * float(cycles) * 2.0 * progress))


def _max0(factor):
    """``max(0, factor)`` / ``max(0.0, factor)``: the factor only where it is above 0 (so -0.0 and NaN give 0)."""
    return np.where(factor > 0.0, factor, 0.0)


class HFLinear(_HFSchedule):
    spec = _hf("linear", "linear warmup, then linear decay to 0 at num_training_steps",
               (WARMUP, TRAINING), {"num_warmup_steps": 10, "num_training_steps": 100})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        decay = _max0((total - t).astype(np.float64) / float(max(1, total - w)))
        return np.where(t < w, self.warmup(t), decay)


class HFCosine(_HFSchedule):
    spec = _hf("cosine", "linear warmup, then cosine decay to 0", (WARMUP, TRAINING, CYCLES),
               {"num_warmup_steps": 10, "num_training_steps": 100})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        progress = (t - w).astype(np.float64) / float(max(1, total - w))
        factor = _cosine(progress, self.p["num_cycles"]) * (1 - 0.0) + 0.0
        return np.where(t < w, self.warmup(t), _max0(factor))


class HFCosineWithRestarts(_HFSchedule):
    spec = _hf("cosine_with_restarts", "linear warmup, then num_cycles hard-restarting cosine decays",
               (WARMUP, TRAINING, Param("num_cycles", INT, "number of hard restarts", default=1, check=at_least(0))),
               {"num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 3},
               cycles=lambda p: p["num_cycles"] > 1)

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        progress = (t - w).astype(np.float64) / float(max(1, total - w))
        wave = _max0(0.5 * (1.0 + np.cos(math.pi * np.mod(float(self.p["num_cycles"]) * progress, 1.0))))
        return np.where(t < w, self.warmup(t), np.where(progress >= 1.0, 0.0, wave))


class HFPolynomial(_HFSchedule):
    spec = _hf("polynomial", "linear warmup, then polynomial decay from the optimizer's lr to lr_end",
               (WARMUP, TRAINING, Param("lr_end", FLOAT, "final learning rate", default=1e-7, check=at_least(0), floor="lr"),
                Param("power", FLOAT, "power of the decay", default=1.0, check=at_least(0))),
               {"num_warmup_steps": 10, "num_training_steps": 100, "power": 2.0})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        lr_end, power, lr_init = self.p["lr_end"], self.p["power"], self.default_lr
        if not lr_init > lr_end:
            raise ParamError(("lr_end",), f"{lr_end!r} must be smaller than the optimizer's lr {lr_init!r} "
                             "(transformers raises)")
        decay_steps = total - w
        middle = (t >= w) & (t <= total)
        if decay_steps == 0 and middle.any():
            raise self.fail("num_training_steps == num_warmup_steps divides by zero (as in transformers)")
        pct_remaining = 1 - (t - w) / (decay_steps if decay_steps else 1)
        decay = (lr_init - lr_end) * pow_(np.where(middle, pct_remaining, 1.0), power) + lr_end
        return np.where(t < w, self.warmup(t), np.where(t > total, lr_end / lr_init, decay / lr_init))


class HFConstant(_HFSchedule):
    spec = _hf("constant", "the optimizer's lr, unchanged", (), {})

    def factor(self, t):
        return np.ones(len(t))


class HFConstantWithWarmup(_HFSchedule):
    spec = _hf("constant_with_warmup", "linear warmup, then constant", (WARMUP,), {"num_warmup_steps": 10})

    def factor(self, t):
        return np.where(t < self.p["num_warmup_steps"], self.warmup(t, one=1.0), 1.0)


class HFInverseSqrt(_HFSchedule):
    spec = _hf("inverse_sqrt", "linear warmup, then 1/sqrt decay",
               (WARMUP, Param("timescale", INT, "decay timescale (default: num_warmup_steps, or 10000)", default=None,
                              nullable=True, check=at_least(1))),
               {"num_warmup_steps": 10})

    def factor(self, t):
        w = self.p["num_warmup_steps"]
        timescale = self.p["timescale"] if self.p["timescale"] is not None else (w or 10000)
        shift = timescale - w
        decay = 1.0 / np.sqrt((t + shift) / timescale)
        return np.where(t < w, self.warmup(t), decay)


MIN_LR = Param("min_lr", FLOAT, "final lr (give this or min_lr_rate)", default=None, nullable=True, check=at_least(0),
               floor="lr")
MIN_LR_RATE = Param("min_lr_rate", FLOAT, "final lr as a fraction of the optimizer's lr", default=None,
                    nullable=True, check=at_least(0))


def _min_lr_rate(leaf) -> float:
    min_lr, rate = leaf.p["min_lr"], leaf.p["min_lr_rate"]
    if min_lr is not None and rate is not None:
        raise ParamError(("min_lr",), "give min_lr or min_lr_rate, not both (transformers raises)")
    if min_lr is not None:
        return min_lr / leaf.default_lr
    if rate is None:
        raise ParamError(("min_lr_rate",), "one of min_lr or min_lr_rate is required (transformers raises)")
    return rate


class HFCosineWithMinLR(_HFSchedule):
    spec = _hf("cosine_with_min_lr", "linear warmup, then cosine decay to min_lr",
               (WARMUP, TRAINING, CYCLES, MIN_LR, MIN_LR_RATE),
               {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        rate = _min_lr_rate(self)
        progress = (t - w).astype(np.float64) / float(max(1, total - w))
        factor = _cosine(progress, self.p["num_cycles"]) * (1 - rate) + rate
        return np.where(t < w, self.warmup(t), _max0(factor))


class HFCosineWarmupWithMinLR(_HFSchedule):
    spec = _hf("cosine_warmup_with_min_lr", "warmup starting at one step (or warmup_lr_rate), then cosine to min_lr",
               (WARMUP, TRAINING, CYCLES, MIN_LR, MIN_LR_RATE,
                Param("warmup_lr_rate", FLOAT, "first warmup factor (default: 1/num_warmup_steps)", default=None,
                      nullable=True, check=at_least(0))),
               {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1})

    def factor(self, t):
        rate = _min_lr_rate(self)
        tf = t.astype(np.float64)
        w, total = float(self.p["num_warmup_steps"]), float(self.p["num_training_steps"])
        warm_rate = self.p["warmup_lr_rate"]
        if warm_rate is None:
            warm = (tf + 1.0) / max(1.0, w)
        else:
            warm = warm_rate + (1.0 - warm_rate) * tf / max(1, w - 1)
        progress = (tf - w + 1.0) / max(1.0, total - w)
        factor = 0.5 * (1.0 + np.cos(math.pi * self.p["num_cycles"] * 2.0 * progress)) * (1 - rate) + rate
        return np.where(tf < w, warm, _max0(factor))


class HFWarmupStableDecay(_HFSchedule):
    spec = _hf("warmup_stable_decay", "warmup, a stable plateau, then decay to min_lr_ratio (WSD)",
               (WARMUP, Param("num_decay_steps", INT, "steps of the final decay", check=at_least(0)),
                Param("num_training_steps", INT, "total steps (gives the stable part)", default=None, nullable=True,
                      check=at_least(1)),
                Param("num_stable_steps", INT, "steps at the peak (overrides num_training_steps)", default=None,
                      nullable=True, check=at_least(0)),
                Param("warmup_type", CHOICE, "warmup shape", default="linear", choices=("linear", "cosine", "1-sqrt")),
                Param("decay_type", CHOICE, "decay shape", default="cosine", choices=("linear", "cosine", "1-sqrt")),
                Param("min_lr_ratio", FLOAT, "final lr as a fraction of the peak", default=0.0, check=between(0, 1),
                      floor="ratio"),
                CYCLES),
               {"num_warmup_steps": 10, "num_decay_steps": 20, "num_training_steps": 100},
               decay_end=lambda p: p["num_training_steps"] if p["num_stable_steps"] is None else
               p["num_warmup_steps"] + p["num_stable_steps"] + p["num_decay_steps"])

    def stable_steps(self) -> int:
        p = self.p
        if p["num_stable_steps"] is not None:
            return p["num_stable_steps"]
        if p["num_training_steps"] is None:
            raise ParamError(("num_training_steps",), "give num_training_steps or num_stable_steps "
                             "(transformers raises)")
        return p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]

    def factor(self, t):
        p = self.p
        w, d, s, r = p["num_warmup_steps"], p["num_decay_steps"], self.stable_steps(), p["min_lr_ratio"]
        out = np.where(t < w + s, 1.0, float(r))  # stable, or after the decay: min_lr_ratio
        warming = t < w
        decaying = ~warming & (t >= w + s) & (t < w + s + d)  # warmup first, as transformers' if/elif
        if warming.any():  # each shape only where it applies (cos and sqrt of a million steps cost)
            up = t[warming].astype(np.float64) / float(max(1, w))
            shape = {"linear": lambda: up, "cosine": lambda: 0.5 * (1.0 - np.cos(math.pi * up)),
                     "1-sqrt": lambda: 1.0 - np.sqrt(1.0 - up)}[p["warmup_type"]]()
            out[warming] = _max0(shape * (1.0 - r) + r)
        if decaying.any():
            down = (t[decaying] - w - s).astype(np.float64) / float(max(1, d))
            shape = {"linear": lambda: 1.0 - down, "cosine": lambda: _cosine(down, p["num_cycles"]),
                     "1-sqrt": lambda: 1.0 - np.sqrt(down)}[p["decay_type"]]()
            out[decaying] = _max0(shape * (1.0 - r) + r)
        return out

    def marks(self, n: int) -> list[tuple[int, str]]:
        w, s = self.p["num_warmup_steps"], self.stable_steps()
        return [(m, label) for m, label in ((w, "stable starts"), (w + s, "decay starts")) if 0 < m < n]


CLASSES = (HFLinear, HFCosine, HFCosineWithRestarts, HFPolynomial, HFConstant, HFConstantWithWarmup, HFInverseSqrt,
           HFCosineWithMinLR, HFCosineWarmupWithMinLR, HFWarmupStableDecay)
