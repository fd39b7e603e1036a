"""The four policies NeMo's schedulers are built on (``nemo/core/optim/lr_scheduler.py``, NeMo 3.0), exactly.

Every NeMo scheduler is a torch LRScheduler whose ``get_lr`` is a closed form of ``step = last_epoch`` (0 at
construction), split into phases: a warmup, a hold or constant stretch, the anneal a subclass defines
(``_get_lr``), and ``min_lr`` past ``max_steps``.  A policy here says which steps fall in which phase (as the
``if`` chain of its ``get_lr`` does, in the same order); a phase computes its rows with the float operations
of the Python original, vectorised.  Where NeMo raises (a ZeroDivisionError, its asserts, a ValueError), lrplot
refuses, and only when a simulated row reaches that step, as NeMo would.  nemo.py holds the schedulers.
"""

from __future__ import annotations

from ..._lazy import np
from ...errors import ParamError
from .. import ops as O
from ..base import Family, Leaf, SchedulerSpec, Updates
from ..params import FLOAT, INT, Param, at_least
from ..spec import LAST_EPOCH

#: torch's rebuild-on-resume (they are LRSchedulers); values scale the optimizer's lr (but T5's).
NEMO = Family("nemo", "NeMo", extra_params=(LAST_EPOCH,))


def _steps(name: str, text: str, **extra) -> Param:
    return Param(name, INT, text, default=None, nullable=True, check=at_least(0), **extra)


def _ratio(name: str, text: str) -> Param:
    return Param(name, FLOAT, text, default=None, nullable=True, check=at_least(0))


WARMUP_STEPS = _steps("warmup_steps", "steps of linear warmup (none: no warmup)", warmup=True)
WARMUP_RATIO = _ratio("warmup_ratio", "warmup as a fraction of max_steps: int(ratio * max_steps) steps")
HOLD_STEPS = _steps("hold_steps", "steps at the peak lr after the warmup")
HOLD_RATIO = _ratio("hold_ratio", "hold as a fraction of max_steps: int(ratio * max_steps) steps")
CONSTANT_STEPS = _steps("constant_steps", "steps at min_lr at the end, before max_steps")
CONSTANT_RATIO = _ratio("constant_ratio", "constant_steps as a fraction of max_steps")
#: NeMo's prepare_lr_scheduler gives the scheduler the trainer's max_steps: lrplot fills it from the run's
#: ``--max-steps`` (``run: {max_steps}``) when the parameters do not give it, as OneCycleLR's epochs.
MAX_STEPS = Param("max_steps", INT, "total steps, after which the lr is min_lr (required; default: the run's "
                  "--max-steps)", default=None, nullable=True, check=at_least(0), horizon=True, cli=False,
                  run_flag="--max-steps")
OPEN_MAX_STEPS = Param("max_steps", INT, "total steps, after which the lr is min_lr (default: the run's "
                       "--max-steps, else never)", default=None, nullable=True, check=at_least(0), horizon=True,
                       cli=False, run_flag="--max-steps")
WARMUP = (WARMUP_STEPS, WARMUP_RATIO)
HOLD = (HOLD_STEPS, HOLD_RATIO)


def min_lr(default: float = 0.0) -> Param:
    return Param("min_lr", FLOAT, "the lowest lr, and the lr after max_steps", default=default, check=at_least(0),
                 floor="lr")


def resolved(p: dict, steps: str, ratio: str) -> int:
    """NeMo's ``__init__``: the steps if given, else ``int(ratio * max_steps)``, else 0."""
    if p.get(steps) is not None:
        return p[steps]
    if p.get(ratio) is not None:
        return int(p[ratio] * p["max_steps"])
    return 0


def lengths(p: dict) -> tuple[int, int, int]:
    """(warmup_steps, hold_steps, constant_steps) as NeMo stores them: hold counts the warmup, or is 0."""
    w = resolved(p, "warmup_steps", "warmup_ratio")
    held = p.get("hold_steps") is not None or p.get("hold_ratio") is not None
    h = resolved(p, "hold_steps", "hold_ratio") + w if held else 0
    return w, h, resolved(p, "constant_steps", "constant_ratio")


def either(values: dict, steps: str, ratio: str) -> None:
    """NeMo's two asserts on a length: steps or ratio, not both; a ratio needs max_steps."""
    if values.get(steps) is not None and values.get(ratio) is not None:
        raise ParamError((ratio,), f"give {steps} or {ratio}, not both (NeMo asserts)")
    if values.get(ratio) is not None and values.get("max_steps") is None:
        raise ParamError((ratio,), "a ratio needs max_steps (NeMo asserts)")


def kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() and i and not name[i - 1].isupper() else c.lower()
                   for i, c in enumerate(name))


def nemo_spec(name: str, summary: str, params: tuple, example: dict, **extra) -> SchedulerSpec:
    extra.setdefault("default_steps", lambda p: p.get("max_steps"))
    extra.setdefault("decay_end", lambda p: p.get("max_steps"))
    return SchedulerSpec(name=f"nemo:{name}", cli=f"nemo-{kebab(name)}", summary=summary, params=params,
                         example=example, family=NEMO, **extra)


class WarmupPolicy(Leaf):
    """``WarmupPolicy.get_lr``: warmup while ``0 < step <= warmup_steps``, min_lr past max_steps, else the anneal."""

    length_params = ("warmup_steps", "warmup_ratio"), ("hold_steps", "hold_ratio"), ("constant_steps", "constant_ratio")
    needs_max_steps = True  # a keyword-only argument without default (the policies' default None)

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        if values["max_steps"] is None:
            values["max_steps"] = run.get("max_steps")
        if values["max_steps"] is None and cls.needs_max_steps:
            raise ParamError(("max_steps",), f"missing required parameter of {cls.spec.name} (the total steps; "
                             "or the run's max_steps)")
        for steps, ratio in cls.length_params:
            if steps in values:
                either(values, steps, ratio)
        return values

    def before_init(self, sim) -> None:
        self.w, self.h, self.c = lengths(self.p)
        self.m, self.min_lr = self.p.get("max_steps"), self.p.get("min_lr", 0.0)

    def warmup_rows(self, per_epoch):
        return lengths(self.p)[0] or None  # warmup_ratio's steps too

    def phases(self, t) -> tuple:
        warm = (t <= self.w) & (self.w > 0)
        past = ~warm & (t > self.m) if self.m is not None else np.zeros(len(t), dtype=bool)
        return (warm, self.warmup), (past, self.floor), (~warm & ~past, self.anneal)

    def updates(self, sim, epochs, kinds, state, steps):
        t = epochs.astype(np.int64)
        out = np.empty((len(t), sim.groups), dtype=np.float64)
        for mask, phase in self.phases(t):
            if mask.any():
                with np.errstate(all="ignore"):
                    out[mask] = phase(t[mask])
        return Updates(np.full(len(t), O.SET, dtype=np.int8), out)

    # the phases: rows of the steps ``s`` they are given (k, groups), or what broadcasts to it
    def warmup(self, s):
        """``_get_warmup_lr``: ``initial_lr * ((step + 1) / (warmup_steps + 1))``."""
        return self.base_lrs[None, :] * ((s + 1) / (self.w + 1))[:, None]

    def floor(self, s):
        return self.min_lr

    def anneal(self, s):
        return self.base_lrs

    def refuse(self, s, param: str, why: str, error: str = "ZeroDivisionError"):
        """What NeMo raises at the first of the steps ``s``, as lrplot's error about ``param``."""
        raise ParamError((param,), f"{why}: {self.spec.name} raises {error} at step {int(s[0])}")

    def no_zero(self, s, denominator: int, text: str) -> None:
        if denominator == 0:
            self.refuse(s, "max_steps", f"{text} is 0")

    def no_max_steps(self, s):
        self.refuse(s, "max_steps", "None, and NeMo compares step > None", "TypeError")

    def marks(self, n: int) -> list[tuple[int, str]]:
        points = [(self.w, "warmup ends"), (self.h if self.h > self.w else 0, "hold ends"), (self.m, "max_steps"),
                  (self.m - self.c if self.c and self.m is not None else 0, "constant starts")]
        return [(at, label) for at, label in points if at is not None and 0 < at < n]


class WarmupHoldPolicy(WarmupPolicy):
    """``WarmupHoldPolicy.get_lr``: warmup, then the peak while ``warmup_steps <= step < hold_steps``."""

    def phases(self, t) -> tuple:
        warm = (t <= self.w) & (self.w > 0)
        hold = ~warm & (t >= self.w) & (t < self.h)
        rest = ~warm & ~hold
        if self.m is None:
            return (warm, self.warmup), (hold, self.hold), (rest, self.no_max_steps)
        past = rest & (t > self.m)
        return (warm, self.warmup), (hold, self.hold), (past, self.floor), (rest & ~past, self.anneal)

    counts_from_hold = False  # the anneal measures (step - hold_steps): NeMo's 0 without a hold

    def hold(self, s):
        return self.base_lrs

    def param_warnings(self) -> list[str]:
        p = self.p
        if self.counts_from_hold and lengths(p)[0] and p["hold_steps"] is None and p["hold_ratio"] is None:
            return [("without hold_steps NeMo's hold_steps is 0, not warmup_steps: the anneal counts from step 0, "
                     "so the lr drops right after the warmup")]
        return []


class WarmupAnnealHoldPolicy(WarmupPolicy):
    """``WarmupAnnealHoldPolicy.get_lr``: warmup, anneal, then ``_get_constant_lr`` for the last constant_steps."""

    def before_init(self, sim) -> None:
        super().before_init(sim)
        self.d = self.m - (self.c + self.w)  # decay_steps

    def phases(self, t) -> tuple:
        warm = (self.w > 0) & (t <= self.w)
        const = ~warm & (self.c > 0) & (self.w + self.d < t) & (t <= self.m)
        past = ~warm & ~const & (t > self.m)
        return (warm, self.warmup), (const, self.constant), (past, self.floor), (~warm & ~const & ~past, self.anneal)

    def constant(self, s):
        return self.min_lr


class SquareRootConstantPolicy(WarmupPolicy):
    """``SquareRootConstantPolicy.get_lr``: ``1 / sqrt(constant_steps)`` (absolute) while ``step <= constant_steps``."""

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        super().complete(values, run)
        if values["constant_steps"] is None:
            raise ParamError(("constant_steps",), "required: NeMo computes 1 / constant_steps ** 0.5 from the argument "
                             "even when constant_ratio is given (TypeError)")
        if values["constant_steps"] == 0:
            raise ParamError(("constant_steps",), "0 is invalid: NeMo computes 1 / 0 ** 0.5 (ZeroDivisionError)")
        return values

    def before_init(self, sim) -> None:
        super().before_init(sim)
        self.constant_lr = 1 / (self.p["constant_steps"] ** 0.5)

    def phases(self, t) -> tuple:
        const = t <= self.c
        if self.m is None:
            return (const, self.constant), (~const, self.no_max_steps)
        past = ~const & (t > self.m)
        return (const, self.constant), (past, self.floor), (~const & ~past, self.anneal)

    def constant(self, s):
        return self.constant_lr
