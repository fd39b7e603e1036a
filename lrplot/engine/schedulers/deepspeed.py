"""DeepSpeed's schedulers (``deepspeed/runtime/lr_schedules.py``, DeepSpeed 0.19.8), exactly.

None is a torch LRScheduler: the constructor writes the first lr itself (``last_batch_iteration = -1``), and
each ``step()`` does ``last_batch_iteration += 1`` and writes ``get_lr()``.  So row ``i`` is the value at
iteration ``i - 1``, row 0 the constructor's.  Values are absolute rates (WarmupCosineLR scales the
optimizer's lr; WarmupLR takes it as its peak when ``warmup_max_lr`` is not given, DeepSpeed >= 0.17.2:
before 0.17.2 the default peak was 0.001, give ``warmup_max_lr: 0.001`` for those).
"""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import REPLAY, Family, Leaf, SchedulerSpec, Updates
from ..params import ANY, BOOL, FLOAT, INT, Check, Param, at_least, greater_than

#: a warmup from warmup_min_lr 0 runs two steps at 0: the constructor's min lr, then iteration 0's
DEEPSPEED = Family("deepspeed", "DeepSpeed", resume=REPLAY, absolute=True, zero_steps=2)

WARMUP_STEPS = Param("warmup_num_steps", INT, "iterations of warmup (at least 2 are used)", default=1000,
                     check=Check(lambda v: v > 0, "> 0 (DeepSpeed >= 0.19.3 raises ValueError; before, 0 meant 2)"),
                     whole=True, horizon=True, warmup=True)
WARMUP_TYPE = Param("warmup_type", ANY, "warmup curve: log or linear (anything else: log, as DeepSpeed warns)",
                    default="log")
TOTAL = Param("total_num_steps", INT, "iterations until the decay ends", check=at_least(0), horizon=True)
MIN_LR = Param("warmup_min_lr", FLOAT, "lr at the start of warmup", default=0.0, per_group=True)


def _ds(name: str, cli: str, summary: str, params: tuple, example: dict, **extra) -> SchedulerSpec:
    return SchedulerSpec(name=f"deepspeed:{name}", cli=f"ds-{cli}", summary=summary, params=params,
                         example=example, family=DEEPSPEED, **extra)


def _iterations(epochs):
    """``last_batch_iteration`` after ``epochs`` calls (row i: i - 1; the constructor's row: -1)."""
    return epochs.astype(np.int64) - 1


class _Warmup(Leaf):
    """WarmupLR's warmup: ``min + delta * gamma``, gamma = log(it + 1) / log(W) or it / W, W = max(2, n)."""

    def before_init(self, sim) -> None:
        self.w = max(2, self.p["warmup_num_steps"])
        self.inverse_log = 1.0 / math.log(self.w)
        self.linear = self.p["warmup_type"] == "linear"

    def param_warnings(self) -> list[str]:
        kind = self.p["warmup_type"]
        if kind not in ("log", "linear"):
            return [f"warmup_type {kind!r} is not log or linear: DeepSpeed warns and uses log"]
        return []

    def warmup_gamma(self, it):
        if self.linear:
            return it / float(self.w)
        with np.errstate(all="ignore"):  # it = -1 (the constructor's row) is masked by the caller
            return self.inverse_log * np.log(it + 1.0)

    def marks(self, n: int) -> list[tuple[int, str]]:
        end = self.w + (1 if self.linear else 0)  # the row at the peak: log reaches it at it = W - 1, linear at W
        return [(end, "warmup ends")] if 0 < end < n else []


class WarmupLR(_Warmup):
    spec = _ds("WarmupLR", "warmup", "warmup from warmup_min_lr to warmup_max_lr, then constant",
               (MIN_LR, Param("warmup_max_lr", FLOAT, "lr after warmup (default: the optimizer's lr, DeepSpeed "
                              ">= 0.17.2; 0.001 before)", default=None, nullable=True, per_group=True),
                WARMUP_STEPS, WARMUP_TYPE),
               {"warmup_num_steps": 100}, default_steps=lambda p: max(2, p.get("warmup_num_steps") or 1000) * 2,
               reads_optimizer_lr=lambda p: p.get("warmup_max_lr") is None)

    def before_init(self, sim) -> None:
        super().before_init(sim)
        self.min = self.group_values(sim, "warmup_min_lr")
        self.max = np.array(sim.state.lr) if self.p["warmup_max_lr"] is None else \
            self.group_values(sim, "warmup_max_lr")
        self.delta = self.max - self.min

    def gamma(self, it):
        return np.where(it < self.w, self.warmup_gamma(it), 1.0)

    def updates(self, sim, epochs, kinds, state, steps):
        it = _iterations(epochs)
        lr = self.min[None, :] + self.delta[None, :] * self.gamma(it)[:, None]
        lr = np.where((it < 0)[:, None], self.min[None, :], lr)
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr)


class WarmupDecayLR(WarmupLR):
    spec = _ds("WarmupDecayLR", "warmup-decay", "warmup, then linear decay to warmup_min_lr at total_num_steps",
               (TOTAL, MIN_LR, Param("warmup_max_lr", FLOAT, "lr after warmup", default=0.001, per_group=True),
                WARMUP_STEPS, WARMUP_TYPE),
               {"total_num_steps": 1000, "warmup_num_steps": 100}, default_steps=lambda p: p.get("total_num_steps"),
               decay_end=lambda p: p["total_num_steps"])

    def param_warnings(self) -> list[str]:
        out = super().param_warnings()
        if self.p["total_num_steps"] < max(2, self.p["warmup_num_steps"]):
            out.append(f"total_num_steps {self.p['total_num_steps']} is less than warmup_num_steps "
                       f"{max(2, self.p['warmup_num_steps'])} (DeepSpeed warns)")
        return out

    def gamma(self, it):
        total = self.p["total_num_steps"]
        decay = np.maximum(0.0, (total - it).astype(np.float64) / float(max(1.0, total - self.w)))
        return np.where(it < self.w, self.warmup_gamma(it), decay)

    def marks(self, n: int) -> list[tuple[int, str]]:
        end = self.p["total_num_steps"] + 1
        return super().marks(n) + ([(end, "decay ends")] if 0 < end < n else [])


class WarmupCosineLR(_Warmup):
    spec = _ds("WarmupCosineLR", "warmup-cosine", "warmup, then cosine decay, as ratios of the optimizer's lr",
               (TOTAL, Param("warmup_min_ratio", FLOAT, "ratio at the start of warmup", default=0.0),
                WARMUP_STEPS, Param("cos_min_ratio", FLOAT, "ratio at the end of the cosine", default=0.0001,
                                    floor="ratio"),
                WARMUP_TYPE),
               {"total_num_steps": 1000, "warmup_num_steps": 100}, default_steps=lambda p: p.get("total_num_steps"),
               reads_optimizer_lr=lambda p: True, decay_end=lambda p: p["total_num_steps"])

    def ratio(self, it):
        with np.errstate(all="ignore"):  # rows masked below (the constructor's) may be -inf * 0
            return self._ratio(it)

    def _ratio(self, it):
        p = self.p
        warm = p["warmup_min_ratio"] + self.warmup_gamma(it) * (1. - p["warmup_min_ratio"])
        real_last = (it - self.w + 1).astype(np.float64)
        progress = np.minimum(1.0, real_last / float(max(1, p["total_num_steps"] - self.w)))
        cosine = (1 + np.cos(math.pi * progress)) / 2
        cosine = np.maximum(0.0, p["cos_min_ratio"] + (1. - p["cos_min_ratio"]) * cosine)
        return np.where(it < self.w, warm, cosine)

    def updates(self, sim, epochs, kinds, state, steps):
        it = _iterations(epochs)
        lr = self.base_lrs[None, :] * self.ratio(it)[:, None]
        lr = np.where((it < 0)[:, None], 0.0, lr)
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr)


class OneCycle(Leaf):
    spec = _ds("OneCycle", "one-cycle", "a triangle from cycle_min_lr up to cycle_max_lr and back, then decay",
               (Param("cycle_min_lr", FLOAT, "lr at the ends of the cycle", per_group=True),
                Param("cycle_max_lr", FLOAT, "lr at the peak", per_group=True),
                Param("decay_lr_rate", FLOAT, "after the cycle: lr = cycle_min_lr / (1 + rate * t / decay_step_size)",
                      default=0.0),
                Param("cycle_first_step_size", FLOAT, "iterations up", default=2000, check=greater_than(0),
                      horizon=True),
                Param("cycle_second_step_size", FLOAT, "iterations down (default: cycle_first_step_size)",
                      default=None, nullable=True, check=at_least(0)),
                Param("cycle_first_stair_count", INT, "steps of a staircase up (0: continuous)", default=0),
                Param("cycle_second_stair_count", INT, "steps of a staircase down (default: the first's)",
                      default=None, nullable=True),
                Param("decay_step_size", FLOAT, "iterations per decay interval (0: no decay)", default=0),
                Param("cycle_momentum", BOOL, "cycle Adam's beta1 inversely (an optimizer with betas only)",
                      default=True),
                Param("cycle_min_mom", FLOAT, "beta1 at the lr peak", default=0.8, per_group=True),
                Param("cycle_max_mom", FLOAT, "beta1 at the ends of the cycle", default=0.9, per_group=True),
                Param("decay_mom_rate", FLOAT, "after the cycle: beta1 = cycle_max_mom * (1 + rate * t / "
                      "decay_step_size)", default=0.0)),
               {"cycle_min_lr": 0.001, "cycle_max_lr": 0.01, "cycle_first_step_size": 100},
               default_steps=lambda p: int(math.ceil(1.5 * ((p.get("cycle_first_step_size") or 2000) + (
                   p["cycle_second_step_size"] if p.get("cycle_second_step_size") is not None
                   else p.get("cycle_first_step_size") or 2000)))), cycles=lambda p: True)

    def before_init(self, sim) -> None:
        p = self.p
        self.first = float(p["cycle_first_step_size"])
        self.second = float(p["cycle_second_step_size"]) if p["cycle_second_step_size"] is not None else self.first
        self.total = self.first + self.second
        self.step_ratio = self.first / self.total
        self.first_stairs = p["cycle_first_stair_count"]
        self.second_stairs = self.first_stairs if p["cycle_second_stair_count"] is None \
            else p["cycle_second_stair_count"]
        self.min = self.group_values(sim, "cycle_min_lr")
        self.max = self.group_values(sim, "cycle_max_lr")
        self.skip_decay = math.isclose(p["decay_step_size"], 0)
        self.skip_lr_decay = self.skip_decay or math.isclose(p["decay_lr_rate"], 0)
        self.skip_mom_decay = self.skip_decay or math.isclose(p["decay_mom_rate"], 0)
        self.cycles_momentum = bool(p["cycle_momentum"]) and sim.state.use_beta1
        for g in range(sim.groups):
            sim.state.lr[g] = float(self.min[g])
        if self.cycles_momentum:
            sim.momentum_cycled = True
            self.min_m = self.group_values(sim, "cycle_min_mom")
            self.max_m = self.group_values(sim, "cycle_max_mom")
            for g in range(sim.groups):
                sim.state.momentum[g] = float(self.min_m[g])

    def param_warnings(self) -> list[str]:
        if self.p["cycle_momentum"] and not getattr(self, "cycles_momentum", True):
            return ["cycle_momentum is ignored: DeepSpeed cycles only an optimizer with betas (give --betas)"]
        return []

    def scale(self, batch):
        """``_get_scale_factor`` at ``batch_iteration`` (floats, in DeepSpeed's order)."""
        b = batch.astype(np.float64)
        cycle = np.floor(1 + b / self.total)
        x = 1. + b / self.total - cycle
        up = x <= self.step_ratio
        scale = np.where(up, x / self.step_ratio, (x - 1) / (self.step_ratio - 1))
        stairs = np.where(up, self.first_stairs, self.second_stairs)
        if (stairs > 0).any():
            position = np.mod(b, self.total)
            stair = np.where(position <= self.first, position * stairs / self.first,
                             (self.total - position) * stairs / (self.second if self.second else 1.0))
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(stairs > 0, np.floor(stair) / stairs, scale)
        return scale

    def updates(self, sim, epochs, kinds, state, steps):
        with np.errstate(all="ignore"):  # a branch np.where discards may divide by zero
            return self._updates(epochs)

    def _updates(self, epochs):
        it = _iterations(epochs)
        in_cycle = it < self.total
        scale = self.scale(epochs)[:, None]
        lr = self.min[None, :] + (self.max - self.min)[None, :] * scale
        decay_interval = (it - self.total + 1) / (self.p["decay_step_size"] or 1.0)
        if not self.skip_lr_decay:
            decayed = self.min[None, :] / (1 + self.p["decay_lr_rate"] * decay_interval)[:, None]
        else:
            decayed = np.broadcast_to(self.min[None, :], lr.shape)
        lr = np.where(in_cycle[:, None], lr, decayed)
        lr = np.where((it < 0)[:, None], self.min[None, :], lr)
        momentum = None
        if self.cycles_momentum:
            momentum = self.max_m[None, :] - (self.max_m - self.min_m)[None, :] * scale
            if not self.skip_mom_decay:
                after = self.max_m[None, :] * (1 + self.p["decay_mom_rate"] * decay_interval)[:, None]
            else:
                after = np.broadcast_to(self.max_m[None, :], lr.shape)
            momentum = np.where(in_cycle[:, None], momentum, after)
            momentum = np.where((it < 0)[:, None], self.min_m[None, :], momentum)
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr, None, momentum)

    def marks(self, n: int) -> list[tuple[int, str]]:
        peak, end = int(math.ceil(self.first)), int(math.ceil(self.total)) + 1
        return [(m, label) for m, label in ((peak, "peak"), (end, "cycle ends")) if 0 < m < n]


class LRRangeTest(Leaf):
    spec = _ds("LRRangeTest", "lr-range-test", "lr grows linearly (or in stairs) from lr_range_test_min_lr",
               (Param("lr_range_test_min_lr", FLOAT, "the first lr", default=1e-3, per_group=True),
                Param("lr_range_test_step_size", INT, "iterations per unit of growth", default=2000,
                      check=greater_than(0), whole=True),
                Param("lr_range_test_step_rate", FLOAT, "growth per step_size: lr = min * (1 + rate * t / size)",
                      default=1.0),
                Param("lr_range_test_staircase", BOOL, "grow in whole steps of step_size", default=False)),
               {"lr_range_test_min_lr": 0.001, "lr_range_test_step_size": 100},
               default_steps=lambda p: 10 * (p.get("lr_range_test_step_size") or 2000), cycles=lambda p: True)

    def before_init(self, sim) -> None:
        self.min = self.group_values(sim, "lr_range_test_min_lr")
        for g in range(sim.groups):
            sim.state.lr[g] = float(self.min[g])

    def updates(self, sim, epochs, kinds, state, steps):
        interval = epochs.astype(np.float64) / self.p["lr_range_test_step_size"]
        if self.p["lr_range_test_staircase"]:
            interval = np.floor(interval)
        lr = self.min[None, :] * (1 + self.p["lr_range_test_step_rate"] * interval)[:, None]
        lr = np.where((epochs == 0)[:, None], self.min[None, :], lr)
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr)


CLASSES = (WarmupLR, WarmupDecayLR, WarmupCosineLR, OneCycle, LRRangeTest)
