"""timm 1.0 schedulers (``timm.scheduler``), exactly, noise included.

timm sets the lr from a closed form of t: ``step(epoch)`` after each epoch
(``t_in_epochs=True``) or ``step_update(num_updates)`` after each optimizer step.
Row 0 is the lr after construction (``warmup_lr_init`` when warming up, else the
initial lr); row t is ``_get_lr(t)``, plus noise where ``noise_range_t`` says.
With ``--steps-per-epoch K`` and ``t_in_epochs``, the lr changes only at epoch
boundaries.  timm's noise comes from torch's CPU generator seeded with
``noise_seed + t``; numpy's legacy MT19937 reproduces those draws bit for bit.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from ..._lazy import np
from .. import ops as O
from .timm_noise import _noise_mask, check_noise, timm_noises
from ..base import INIT, REPLAY, RESTART, Family, Leaf, Node, SchedulerSpec, Updates
from ..fmath import pow_, pow_integers, pow_k
from ..params import BOOL, CHOICE, FLOAT, INT, INT_LIST, RANGE, Param, at_least, greater_than
from ...errors import ParamError

T_INITIAL = Param("t_initial", INT, "length of the first cycle (epochs, or updates without t_in_epochs)",
                  check=at_least(1), horizon=True)
LR_MIN = Param("lr_min", FLOAT, "lowest learning rate", default=0.0, check=at_least(0), floor="lr")
CYCLE = (
    Param("cycle_mul", FLOAT, "each cycle is cycle_mul times longer", default=1.0, check=greater_than(0)),
    Param("cycle_decay", FLOAT, "each cycle's peak is cycle_decay times the last", default=1.0, check=at_least(0)),
    Param("cycle_limit", INT, "number of cycles; after them the lr stays at lr_min", default=1, check=at_least(0)),
)


def _warmup(prefix_default: bool):
    return (
        Param("warmup_t", INT, "warmup length", default=0, check=at_least(0), warmup=True),
        Param("warmup_lr_init", FLOAT, "lr at the start of warmup", default=0.0, check=at_least(0)),
        Param("warmup_prefix", BOOL, "warmup is added before the schedule instead of overlapping it",
              default=prefix_default),
    )


T_IN_EPOCHS = Param("t_in_epochs", BOOL, "t counts epochs (step per epoch), else optimizer updates", default=True)
NOISE = (
    Param("noise_range_t", RANGE, "add noise for t >= this, or for a <= t < b given [a, b]", default=None,
          nullable=True),
    Param("noise_pct", FLOAT, "noise limit (normal) or scale (uniform)", default=0.67, check=at_least(0)),
    Param("noise_std", FLOAT, "noise standard deviation", default=1.0, check=at_least(0)),
    Param("noise_seed", INT, "noise seed (torch's generator is seeded with noise_seed + t)", default=42),
)
K_DECAY = Param("k_decay", FLOAT, "shape exponent: t ** k / t_i ** k", default=1.0, check=greater_than(0))


def _cycle_length(p: dict) -> int:
    cycles = max(1, p.get("cycle_limit", 1))
    if p.get("cycle_mul", 1.0) == 1.0:
        t = p["t_initial"] * cycles
    else:
        try:
            t = int(math.floor(-p["t_initial"] * (p["cycle_mul"] ** cycles - 1) / (1 - p["cycle_mul"])))
        except (OverflowError, ValueError):
            raise ParamError(("cycle_mul",), f"{p['cycle_mul']!r} over cycle_limit={cycles} cycles makes the "
                             "cycles longer than any run (the length overflows)") from None
    return t + p["warmup_t"] if p.get("warmup_prefix") else t


class _TimmSchedule(Leaf):
    """A timm scheduler: SET updates of a closed form of t."""

    def before_init(self, sim) -> None:
        self.per_epoch = sim.steps_per_epoch

    def after_init(self, sim) -> None:
        p = self.p
        if p["warmup_t"]:
            targets = self.warmup_targets()
            self.warmup_steps = (targets - p["warmup_lr_init"]) / p["warmup_t"]
        else:
            self.warmup_steps = np.ones(sim.groups)

    def warmup_targets(self):
        return self.base_lrs

    def updates(self, sim, epochs, kinds, state, steps):
        p = self.p
        if len(epochs) == 1 and kinds[0] == INIT:  # construction: update_groups(base), then warmup_lr_init
            value = np.full(sim.groups, p["warmup_lr_init"]) if p["warmup_t"] else self.base_lrs
            return Updates(np.array([O.SET], dtype=np.int8), value[None, :])
        t = epochs.astype(np.int64)
        keep = np.ones(len(t), dtype=bool)
        if self.per_epoch and p.get("t_in_epochs", True):
            keep = t % self.per_epoch == 0  # step(epoch) runs at epoch boundaries; step_update does nothing
            t = t // self.per_epoch
        if keep.all():
            lr = self.lr_at(t)
        else:
            lr = np.empty((len(t), sim.groups))
            if keep.any():
                lr[keep] = self.lr_at(t[keep])
        noisy = keep & _noise_mask(p, t)
        check_noise(p, int(noisy.sum()))
        if noisy.any():
            noise = timm_noises(t[noisy], p["noise_seed"], p.get("noise_type", "normal"), p["noise_pct"],
                                p["noise_std"])[:, None]
            lr[noisy] = lr[noisy] + lr[noisy] * noise
        return Updates(O.codes(keep, O.SET), lr)

    def lr_at(self, t):
        """``_get_lr(t)`` for every t, as a (len(t), groups) array."""
        p = self.p
        warm, rest = split(t < p["warmup_t"])
        out = np.empty((len(t), len(self.base_lrs)))
        if len(t[warm]):
            out[warm] = p["warmup_lr_init"] + t[warm, None] * self.warmup_steps[None, :]
        if len(t[rest]):
            after = t[rest]
            if p.get("warmup_prefix"):
                after = after - p["warmup_t"]
            out[rest] = self.main(after)
        return out

    def main(self, t):
        raise NotImplementedError

    def cycles(self, t):
        """Cycle index i, its length t_i and the position t_curr in it, as timm computes them."""
        p = self.p
        mul, t_initial = p["cycle_mul"], p["t_initial"]
        if mul != 1:
            arg = 1 - t / t_initial * (1 - mul)
            if (arg <= 0).any():
                bad = int(t[np.argmax(arg <= 0)])
                raise self.fail(f"cycle_mul={mul!r} < 1 shrinks the cycles to a total of {t_initial / (1 - mul):g} "
                                f"steps; at t={bad} timm takes the log of a negative number and raises. "
                                "Simulate fewer steps or use cycle_mul >= 1")
            i = np.floor(np.log(arg) / math.log(mul)).astype(np.int64)
            t_i = pow_(mul, i) * t_initial
            t_curr = t - (1 - pow_(mul, i)) / (1 - mul) * t_initial
        else:
            i = t // t_initial
            t_i = np.full(len(t), float(t_initial))
            t_curr = (t - t_initial * i).astype(np.float64)
        return i, t_i, t_curr

    def peaks(self, i):
        if self.p["cycle_decay"] == 1.0:  # 1.0 ** i is 1.0: the peaks are the base lrs
            return np.broadcast_to(self.base_lrs[None, :], (len(i), len(self.base_lrs)))
        gamma = pow_integers(self.p["cycle_decay"], i)
        return self.base_lrs[None, :] * gamma[:, None]

    def live_cycles(self, t, lr_of):
        """``lr_of(i, t_i, t_curr)`` in the first ``cycle_limit`` cycles, ``lr_min`` after them (computed only
        where it is used)."""
        p = self.p
        i, t_i, t_curr = self.cycles(t)
        live = i < p["cycle_limit"]
        if live.all():
            return lr_of(i, t_i, t_curr)
        out = np.full((len(t), len(self.base_lrs)), float(p["lr_min"]))
        if live.any():
            out[live] = lr_of(i[live], t_i[live], t_curr[live])
        return out


def split(mask):
    """``(mask, ~mask)`` as selections: two slices when ``mask`` is a prefix (steps ascend), which index
    2-D arrays far faster than boolean masks."""
    k = int(np.count_nonzero(mask))
    if mask[:k].all():
        return slice(0, k), slice(k, None)
    return mask, ~mask


TIMM = Family("timm", "timm", resume=REPLAY)


def _unit(p: dict) -> str:
    """timm counts t_initial, warmup_t, decay_t in epochs unless t_in_epochs is off."""
    return "epochs" if p.get("t_in_epochs", True) else "steps"


def _spec(name: str, cli: str, summary: str, params: tuple, example: dict, **extra) -> SchedulerSpec:
    return SchedulerSpec(name=name, cli=f"timm-{cli}", aliases=(f"timm:{cli}",), summary=summary, params=params,
                         example=example, family=TIMM, default_steps=_natural, length_unit=_unit, **extra)


def _cycle_end(p: dict) -> int | None:
    """Where one cycle (cycle_limit 1) reaches lr_min; with more cycles the lr rises again by design."""
    return p["t_initial"] + (p["warmup_t"] if p["warmup_prefix"] else 0) if p["cycle_limit"] == 1 else None


#: noise (noise_range_t) makes the lr jitter up and down on purpose
CYCLED = {"decay_end": _cycle_end, "cycles": lambda p: p["cycle_limit"] != 1 or p["noise_range_t"] is not None}


def _natural(p: dict) -> int | None:
    if "t_initial" in p:
        return _cycle_length(p)
    return None


class TimmCosine(_TimmSchedule):
    spec = _spec("CosineLRScheduler", "cosine", "timm's cosine with warmup, cycles, k-decay and noise",
                 (T_INITIAL, LR_MIN, *CYCLE, *_warmup(False), T_IN_EPOCHS, *NOISE, K_DECAY),
                 {"t_initial": 100, "warmup_t": 5, "warmup_lr_init": 1e-4, "lr_min": 1e-5}, **CYCLED)

    def main(self, t):
        p = self.p
        k = p["k_decay"]

        def lr_of(i, t_i, t_curr):
            wave = 1 + np.cos(math.pi * pow_k(t_curr, k) / pow_k(t_i, k))
            return p["lr_min"] + 0.5 * (self.peaks(i) - p["lr_min"]) * wave[:, None]

        return self.live_cycles(t, lr_of)


class TimmTanh(_TimmSchedule):
    spec = _spec("TanhLRScheduler", "tanh", "timm's tanh decay (Hsueh et al. 2019) with warmup and cycles",
                 (T_INITIAL, Param("lb", FLOAT, "tanh lower bound", default=-7.0),
                  Param("ub", FLOAT, "tanh upper bound", default=3.0), LR_MIN, *CYCLE, *_warmup(False), T_IN_EPOCHS,
                  *NOISE),
                 {"t_initial": 100, "warmup_t": 5}, **CYCLED)

    def after_init(self, sim) -> None:
        if self.p["lb"] >= self.p["ub"]:
            raise ParamError(("lb",), f"{self.p['lb']!r} must be below ub={self.p['ub']!r} (timm asserts lb < ub)")
        super().after_init(sim)

    def warmup_targets(self):
        if self.p["warmup_prefix"]:
            return self.base_lrs
        return self.main(np.array([self.p["warmup_t"]]))[0]

    def main(self, t):
        p = self.p

        def lr_of(i, t_i, t_curr):
            tr = t_curr / t_i
            shape = 1 - np.tanh(p["lb"] * (1.0 - tr) + p["ub"] * tr)
            return p["lr_min"] + 0.5 * (self.peaks(i) - p["lr_min"]) * shape[:, None]

        return self.live_cycles(t, lr_of)


class TimmPoly(_TimmSchedule):
    spec = _spec("PolyLRScheduler", "poly", "timm's polynomial decay with warmup and cycles",
                 (T_INITIAL, Param("power", FLOAT, "power of the decay", default=0.5, check=at_least(0)), LR_MIN,
                  *CYCLE, *_warmup(False), T_IN_EPOCHS, *NOISE, K_DECAY),
                 {"t_initial": 100, "power": 2.0, "warmup_t": 5}, **CYCLED)

    def main(self, t):
        p = self.p
        k = p["k_decay"]

        def lr_of(i, t_i, t_curr):
            shape = pow_(1 - pow_k(t_curr, k) / pow_k(t_i, k), p["power"])
            return p["lr_min"] + (self.peaks(i) - p["lr_min"]) * shape[:, None]

        return self.live_cycles(t, lr_of)


class TimmStep(_TimmSchedule):
    spec = _spec("StepLRScheduler", "step", "timm's step decay: lr * decay_rate ** (t // decay_t)",
                 (Param("decay_t", FLOAT, "decay period", check=greater_than(0), horizon=True),
                  Param("decay_rate", FLOAT, "decay factor", default=1.0, check=at_least(0)), *_warmup(True),
                  T_IN_EPOCHS, *NOISE),
                 {"decay_t": 30, "decay_rate": 0.1, "warmup_t": 3})

    def main(self, t):
        p = self.p
        decay_t = p["decay_t"]
        steps = (t // int(decay_t)) if float(decay_t).is_integer() else np.floor_divide(t, decay_t)
        return self.base_lrs[None, :] * pow_integers(p["decay_rate"], steps)[:, None]


class TimmMultiStep(_TimmSchedule):
    spec = _spec("MultiStepLRScheduler", "multistep", "timm's multi-step decay (one epoch earlier than torch's)",
                 (Param("decay_t", INT_LIST, "decay milestones", horizon=True),
                  Param("decay_rate", FLOAT, "decay factor", default=1.0, check=at_least(0)), *_warmup(True),
                  T_IN_EPOCHS, *NOISE),
                 {"decay_t": [30, 60], "decay_rate": 0.1})

    def main(self, t):
        milestones = self.p["decay_t"]
        if all(a <= b for a, b in zip(milestones, milestones[1:])):
            count = np.searchsorted(np.asarray(milestones), t + 1, side="right").astype(np.float64)
        else:  # timm's bisect on an unsorted list: reproduce it literally
            count = np.array([bisect_right(milestones, v + 1) for v in t.tolist()], dtype=np.float64)
        return self.base_lrs[None, :] * pow_integers(self.p["decay_rate"], count)[:, None]


class TimmPlateau(Node):
    """timm's PlateauLRScheduler: torch's ReduceLROnPlateau after a warmup, with noise that is undone next epoch."""

    spec = SchedulerSpec(
        name="PlateauLRScheduler", cli="timm-plateau", aliases=("timm:plateau",), family=TIMM,
        metric_driven=True, resume=RESTART, length_unit=lambda p: "epochs",
        summary="timm's plateau decay (torch's ReduceLROnPlateau after a warmup, with noise)",
        example={"decay_rate": 0.5, "patience_t": 5, "mode": "min"},
        params=(
            Param("decay_rate", FLOAT, "factor on a plateau", default=0.1, check=at_least(0)),
            Param("patience_t", INT, "epochs without improvement before reducing", default=10, check=at_least(0)),
            Param("threshold", FLOAT, "minimum relative improvement", default=1e-4, check=at_least(0)),
            Param("cooldown_t", INT, "epochs to wait after a reduction", default=0, check=at_least(0)),
            Param("warmup_t", INT, "warmup epochs", default=0, check=at_least(0), warmup=True),
            Param("warmup_lr_init", FLOAT, "lr at the start of warmup", default=0.0, check=at_least(0)),
            Param("lr_min", FLOAT, "lowest learning rate", default=0.0, check=at_least(0), floor="lr"),
            Param("mode", CHOICE, "max: the metric should rise (timm's default); min: fall", default="max",
                  choices=("min", "max")),
            *NOISE[:1],
            Param("noise_type", CHOICE, "noise distribution", default="normal", choices=("normal", "uniform")),
            *NOISE[1:],
        ),
    )

    def run(self, lrs: list[float], metrics):
        """timm's ``step(epoch, metric)`` for epochs 1..: warmup rows, then torch's plateau on the metrics after
        the warmup (its own lr never sees the noise: timm restores the lr before the next step), plus noise."""
        from .plateau import plateau_rows

        p = self.p
        base = [float(v) for v in lrs]
        warm = p["warmup_t"]
        n = len(metrics) + 1
        rows = np.empty((n, len(base)))
        if warm:
            steps = np.array([(v - p["warmup_lr_init"]) / warm for v in base])
            rows[0] = p["warmup_lr_init"]
            epochs = np.arange(1, min(warm, n - 1) + 1, dtype=np.float64)[:, None]
            rows[1:len(epochs) + 1] = p["warmup_lr_init"] + epochs * steps[None, :]
        else:
            rows[0] = base
        if n - 1 > warm:
            inner = {"mode": p["mode"], "factor": p["decay_rate"], "patience": p["patience_t"],
                     "threshold": p["threshold"], "threshold_mode": "rel", "cooldown": p["cooldown_t"],
                     "min_lr": p["lr_min"], "eps": 1e-8}
            rows[warm:] = plateau_rows(inner, rows[warm].tolist(), np.asarray(metrics, dtype=np.float64)[warm:])
        epochs = np.arange(1, n)
        noisy = _noise_mask(p, epochs) & (epochs > warm)
        check_noise(p, int(noisy.sum()))
        if noisy.any():
            noise = timm_noises(epochs[noisy], p["noise_seed"], p["noise_type"], p["noise_pct"], p["noise_std"])
            rows[1:][noisy] = rows[1:][noisy] + rows[1:][noisy] * noise[:, None]
        return rows


CLASSES = (TimmCosine, TimmTanh, TimmPoly, TimmStep, TimmMultiStep, TimmPlateau)
