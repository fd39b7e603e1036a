"""CyclicLR and OneCycleLR: closed forms of the step index that also cycle momentum."""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import Leaf, SchedulerSpec, Updates
from ..expr import compile_expression
from ..fmath import pow_
from ..params import BOOL, CHOICE, EXPR, FLOAT, INT, Param, at_least, between, greater_than
from ...errors import EndOfSchedule, ParamError

CYCLE_MOMENTUM_HELP = "cycle momentum (or Adam's beta1) inversely to the learning rate"


def _set_momentum_groups(leaf: Leaf, sim, base_m, max_m) -> None:
    for g in range(sim.groups):
        sim.state.momentum[g] = float(max_m[g])
        sim.state.extra[g]["max_momentum"] = float(max_m[g])
        sim.state.extra[g]["base_momentum"] = float(base_m[g])


class CyclicLR(Leaf):
    spec = SchedulerSpec(
        name="CyclicLR", cli="cyclic", aliases=("clr",),
        summary="triangular cycles between base_lr and max_lr (Smith 2017)",
        example={"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10, "mode": "triangular2"},
        chainable=False, cycles=lambda p: True,
        params=(
            Param("base_lr", FLOAT, "lower learning-rate boundary (replaces the optimizer's lr)",
                  check=at_least(0), per_group=True),
            Param("max_lr", FLOAT, "upper learning-rate boundary", check=at_least(0), per_group=True),
            Param("step_size_up", INT, "steps in the increasing half of a cycle", default=2000, check=at_least(1),
                  horizon=True),
            Param("step_size_down", INT, "steps in the decreasing half (default: step_size_up)",
                  default=None, nullable=True, check=at_least(0)),
            Param("mode", CHOICE, "amplitude policy (ignored when scale_fn is given)", default="triangular",
                  choices=("triangular", "triangular2", "exp_range")),
            Param("gamma", FLOAT, "exp_range: amplitude scales by gamma ** step", default=1.0, check=at_least(0)),
            Param("scale_fn", EXPR, "custom amplitude as an expression in x (overrides mode)", default=None,
                  nullable=True, expr_var="x"),
            Param("scale_mode", CHOICE, "what scale_fn's x is: the cycle number or the step "
                  "(mode sets it when scale_fn is not given)", default="cycle", choices=("cycle", "iterations")),
            Param("cycle_momentum", BOOL, CYCLE_MOMENTUM_HELP, default=True),
            Param("base_momentum", FLOAT, "lower momentum boundary", default=0.8,
                  per_group=True),
            Param("max_momentum", FLOAT, "upper momentum boundary", default=0.9,
                  per_group=True),
        ),
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        up = self.p["step_size_up"]
        down = self.p["step_size_down"] if self.p["step_size_down"] is not None else up
        return [(k, "cycle") for k in range(up + down, n, up + down)]

    def before_init(self, sim) -> None:
        self.base = self.group_values(sim, "base_lr")
        self.max = self.group_values(sim, "max_lr")
        if self.fresh:
            for g in range(sim.groups):
                sim.state.lr[g] = float(self.base[g])
        if self.p["cycle_momentum"]:
            sim.momentum_cycled = True
            self.base_m = self.group_values(sim, "base_momentum")
            self.max_m = self.group_values(sim, "max_momentum")
            if self.fresh:
                _set_momentum_groups(self, sim, self.base_m, self.max_m)

    def after_init(self, sim) -> None:
        self.base_lrs = self.base  # torch sets self.base_lrs = base_lrs after super().__init__

    def _scale(self, x):
        """scale_fn at x (the cycle number or the step), as torch's mode defines it."""
        custom = self.p["scale_fn"]
        if custom is not None:
            f = compile_expression(custom, "x", ("scale_fn",)).evaluate(x.astype(np.float64), ("scale_fn",))
            bad = ~np.isfinite(f)
            if bad.any():
                i = int(np.argmax(bad))
                raise ParamError(("scale_fn",), f"{custom!r} gives {float(f[i])!r} at x={int(x[i])}; "
                                 "it must give a finite number")
            return f
        mode = self.p["mode"]
        if mode == "triangular":
            return np.ones(len(x))
        if mode == "triangular2":
            if len(x) and int(x.max()) - 1 > 1023:
                raise self.fail(f"mode='triangular2' overflows after 1024 cycles (torch raises OverflowError at "
                                f"cycle {int(x.max())}); use fewer steps or a longer cycle")
            return 1 / np.ldexp(1.0, (x - 1).astype(np.int64))
        with np.errstate(all="ignore"):
            f = pow_(self.p["gamma"], x.astype(np.float64))
        if not np.isfinite(f).all():
            raise self.fail(f"gamma={self.p['gamma']!r} ** step overflows; use gamma <= 1")
        return f

    def _scale_mode(self) -> str:
        if self.p["scale_fn"] is not None:
            return self.p["scale_mode"]
        return "iterations" if self.p["mode"] == "exp_range" else "cycle"

    def updates(self, sim, epochs, kinds, state, steps):
        up = float(self.p["step_size_up"])
        down = float(self.p["step_size_down"]) if self.p["step_size_down"] is not None else up
        total = up + down
        ratio = up / total
        e = epochs.astype(np.float64)
        cycle = np.floor(1 + e / total)
        x = 1.0 + e / total - cycle
        with np.errstate(all="ignore"):
            scale_factor = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
        arg = cycle if self._scale_mode() == "cycle" else e
        scale = self._scale(arg.astype(np.int64))[:, None]
        # The construction step still sees base_lrs = initial_lr; torch swaps in base_lr afterwards.
        height = (self.max - self.base_lrs)[None, :] * scale_factor[:, None]
        lr = self.base_lrs[None, :] + height * scale
        momentum = None
        if self.p["cycle_momentum"]:
            height_m = (self.max_m - self.base_m)[None, :] * scale_factor[:, None]
            momentum = self.max_m[None, :] - height_m * scale
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr, None, momentum)


class OneCycleLR(Leaf):
    spec = SchedulerSpec(
        name="OneCycleLR", cli="onecycle", aliases=("1cycle",),
        summary="one cycle: warm up to max_lr, then anneal far below the start (Smith 2018)",
        example={"max_lr": 0.1, "total_steps": 100},
        params=(
            Param("max_lr", FLOAT, "peak learning rate", check=greater_than(0), per_group=True),
            Param("total_steps", INT, "steps in the cycle (or give epochs and steps_per_epoch)", default=None, horizon=True,
                  nullable=True, check=at_least(1)),
            Param("epochs", INT, "epochs in the cycle, with steps_per_epoch", default=None, nullable=True,
                  check=at_least(1), cli=False, run_flag="--epochs"),
            Param("steps_per_epoch", INT, "steps per epoch, with epochs", default=None, nullable=True,
                  check=at_least(1), cli=False, run_flag="--steps-per-epoch"),
            Param("pct_start", FLOAT, "fraction of the cycle spent increasing the lr", default=0.3,
                  check=between(0, 1)),
            Param("anneal_strategy", CHOICE, "annealing shape", default="cos", choices=("cos", "linear")),
            Param("cycle_momentum", BOOL, CYCLE_MOMENTUM_HELP, default=True),
            Param("base_momentum", FLOAT, "lowest momentum (at the lr peak)", default=0.85, per_group=True),
            Param("max_momentum", FLOAT, "highest momentum", default=0.95, per_group=True),
            Param("div_factor", FLOAT, "initial lr = max_lr / div_factor", default=25.0, check=greater_than(0)),
            Param("final_div_factor", FLOAT, "final lr = initial lr / final_div_factor", default=1e4,
                  check=greater_than(0)),
            Param("three_phase", BOOL, "anneal back to the initial lr before the final annealing",
                  default=False),
        ),
        default_steps=lambda p: OneCycleLR.total_steps_of(p), chainable=False,
        raises_after=lambda p: OneCycleLR.total_steps_of(p),
        decay_end=lambda p: OneCycleLR.total_steps_of(p) - 1,
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        ends = [phase[0] for phase in getattr(self, "phases", [])[:-1]]
        peak = self.p["max_lr"]
        labels = [f"peak {peak:g}" if isinstance(peak, (int, float)) else "peak", "annihilation starts"]
        return [(int(round(e)), label) for e, label in zip(ends, labels) if 0 < round(e) < n]

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        """torch takes ``epochs``/``steps_per_epoch`` from the caller: lrplot fills them from the run."""
        if run.get("steps_per_epoch") and values["total_steps"] is None:
            if values["steps_per_epoch"] is None:
                values["steps_per_epoch"] = run["steps_per_epoch"]
            if values["epochs"] is None and run.get("epochs") is not None:
                values["epochs"] = run["epochs"]
        cls.total_steps_of(values)  # torch's "total_steps OR (epochs AND steps_per_epoch)" check
        return values

    @staticmethod
    def total_steps_of(p: dict) -> int:
        if p.get("total_steps") is not None:
            return p["total_steps"]
        if p.get("epochs") is not None and p.get("steps_per_epoch") is not None:
            return p["epochs"] * p["steps_per_epoch"]
        raise ParamError(("total_steps",), "OneCycleLR needs total_steps, or epochs and steps_per_epoch")

    def before_init(self, sim) -> None:
        p = self.p
        self.total = self.total_steps_of(p)
        pct, total = p["pct_start"], self.total
        if p["three_phase"]:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct * total) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = self.group_values(sim, "max_lr")
        wanted = ("max_lr", "min_lr") + (("max_momentum", "base_momentum") if p["cycle_momentum"] else ())
        if not self.fresh:  # resumed: torch's get_lr reads these from the groups
            missing = [key for key in wanted if any(key not in extra for extra in sim.state.extra)]
            if missing:
                raise self.resumes_without(missing[0])
        if self.fresh:  # a resumed OneCycleLR reads these from the restored optimizer
            for g in range(sim.groups):
                initial = float(max_lrs[g]) / p["div_factor"]
                sim.state.initial_lr[g] = initial
                sim.state.extra[g]["max_lr"] = float(max_lrs[g])
                sim.state.extra[g]["min_lr"] = initial / p["final_div_factor"]
        if p["cycle_momentum"]:
            sim.momentum_cycled = True
            if self.fresh:
                _set_momentum_groups(self, sim, self.group_values(sim, "base_momentum"),
                                     self.group_values(sim, "max_momentum"))

    def _group_value(self, state, key: str):
        if key == "initial_lr":
            return np.array(state.initial_lr, dtype=np.float64)
        return np.array([extra[key] for extra in state.extra], dtype=np.float64)

    def _anneal(self, start, end, pct, cos=None):
        """torch's ``_annealing_cos``/``_annealing_linear``; ``cos``: ``cos(pi * pct) + 1`` when already known."""
        if self.p["anneal_strategy"] == "cos":
            return end + (start - end) / 2.0 * (np.cos(math.pi * pct) + 1 if cos is None else cos)
        return (end - start) * pct + start

    def updates(self, sim, epochs, kinds, state, steps):
        if len(epochs) and int(epochs.max()) > self.total:
            raise EndOfSchedule((), f"{self.spec.name}: stepped {self.total + 1} times but total_steps is "
                                f"{self.total}; torch raises here. Simulate at most {self.total + 1} steps or raise "
                                "total_steps", self.total)
        count, groups = len(epochs), sim.groups
        step_num = epochs.astype(np.float64)
        lr = np.empty((count, groups))
        momentum = np.empty((count, groups)) if self.p["cycle_momentum"] else None
        ascending = count < 2 or bool((epochs[1:] >= epochs[:-1]).all())  # phases are then slices
        done = None if ascending else np.zeros(count, dtype=bool)
        start_step, low = 0.0, 0
        for i, (end_step, lr_a, lr_b, m_a, m_b) in enumerate(self.phases):
            last = i == len(self.phases) - 1
            if ascending:
                high = count if last else max(low, int(np.searchsorted(step_num, end_step, side="right")))
                sel = slice(low, high)
                empty = high == low
                low = high
            else:
                sel = ~done & ((step_num <= end_step) | last)
                empty = not sel.any()
                done |= sel
            if not empty:
                if end_step == start_step:
                    raise self.fail(f"a phase of zero length (pct_start={self.p['pct_start']!r}) divides by zero "
                                    f"at step {int(step_num[sel][0])}, as in torch; change pct_start")
                pct = ((step_num[sel] - start_step) / (end_step - start_step))[:, None]
                cos = np.cos(math.pi * pct) + 1 if self.p["anneal_strategy"] == "cos" else None  # lr's and momentum's
                lr[sel] = self._anneal(self._group_value(state, lr_a)[None, :],
                                       self._group_value(state, lr_b)[None, :], pct, cos)
                if momentum is not None:
                    momentum[sel] = self._anneal(self._group_value(state, m_a)[None, :],
                                                 self._group_value(state, m_b)[None, :], pct, cos)
            start_step = end_step
        return Updates(np.full(count, O.SET, dtype=np.int8), lr, None, momentum)


def _momentum_warnings(node) -> list[str]:
    """torch accepts any momentum (its own tests use up to 22); an optimizer outside [0, 1] rarely means it."""
    out = []
    for name in ("base_momentum", "max_momentum"):
        value = node.p.get(name)
        values = value if isinstance(value, list) else [value]
        if node.p.get("cycle_momentum", True) and any(v is not None and not 0 <= v <= 1 for v in values):
            out.append(f"{node.spec.name} {name}={value}: outside [0, 1]; torch accepts it, an SGD or Adam "
                       "optimizer would misbehave")
    return out


CyclicLR.param_warnings = _momentum_warnings
OneCycleLR.param_warnings = _momentum_warnings

CLASSES = (CyclicLR, OneCycleLR)
