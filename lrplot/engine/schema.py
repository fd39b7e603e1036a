"""lrplot's own config schema: the top-level keys and how each is read and checked.

A config is a mapping such as ``{"scheduler": "StepLR", "params": {...}, "optimizer": {"lr": 0.1},
"epochs": 100}``; :func:`parse` turns it into a :class:`RunConfig` (plain values, no scheduler built).

Three lengths are kept apart by name: ``rows`` is how many optimizer steps are simulated; ``epochs`` (the
config key) counts rows, or epochs of ``steps_per_epoch`` rows each when that is given; a scheduler's own
``epochs`` parameter (OneCycleLR) is that scheduler's business.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import ParamError, shown
from .params import FLOAT, Param, between, to_float, to_int
from .trainers import parse_run

#: Most rows lrplot simulates: 10 million float64 rows per param group is ~80 MB.
MAX_STEPS = 10_000_000
#: Most values (rows x param groups, over every run of one command) lrplot computes: ~1 GB at the peak.
MAX_VALUES = 10_000_000
DEFAULT_STEPS = 100
DEFAULT_LR = 0.1

CONFIG_KEYS = ("scheduler", "params", "optimizer", "epochs", "metrics", "warmup", "steps_per_epoch", "start_step",
               "resume_at", "resume_mode", "run")
#: How a resumed run gets its scheduler back (engine/resume.py); start_step is resume_at with last-epoch.
RESUME_MODES = ("state", "last-epoch", "last-epoch-minus-1", "fresh")
OPTIMIZER_KEYS = ("lr", "momentum", "betas", "names")

_LR = Param("lr", FLOAT, "learning rate of each param group", check=between(0, math.inf), per_group=True)
_MOMENTUM = Param("momentum", FLOAT, "SGD momentum", check=between(0, 1))


@dataclass
class Optimizer:
    """The dummy optimizer: one lr per param group, and SGD momentum or Adam betas."""

    lrs: list[float]
    momentum: float | None = None
    betas: tuple[float, float] | None = None
    names: list[str] | None = None  # the param groups' names (a trainer's, e.g. weight, bn, bias)
    lr_given: bool = True  # False: DEFAULT_LR stands in


@dataclass
class RunConfig:
    """A config's top-level values, checked; the scheduler itself is built by :mod:`.tree`."""

    scheduler: Any
    params: Any
    optimizer: Optimizer
    epochs: Any  # the config key: rows, or epochs when steps_per_epoch or run is given (a float for some trainers)
    steps_per_epoch: int | None
    metrics: Any  # float64 array or None
    warmup: Any
    start_step: Any
    run: dict | None = None  # the training run (trainers.parse_run), counted into rows by trainers.plan
    resume_mode: str = "state"  # with start_step: one of RESUME_MODES


def parse(config: Any) -> RunConfig:
    if not isinstance(config, Mapping):
        raise ParamError((), f"a config must be a mapping, got {type(config).__name__}")
    for key in config:
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(CONFIG_KEYS)})"
            raise ParamError((key,), f"unknown key{hint}")
    if "scheduler" not in config:
        raise ParamError(("scheduler",), "missing: name the scheduler, e.g. scheduler: StepLR")
    epochs, run = config.get("epochs"), None
    if config.get("run") is not None:
        if config.get("steps_per_epoch") is not None:
            raise ParamError(("steps_per_epoch",), "give steps_per_epoch or a run (dataset size, batch, ...) to "
                             "count it from, not both")
        run = parse_run(config["run"], epochs)
        epochs = run["epochs"]
    elif epochs is not None:
        epochs = to_int(epochs, ("epochs",))
        if epochs < 1:
            raise ParamError(("epochs",), f"{epochs} is invalid: simulate at least 1 step")
    start, mode = _resume(config)
    return RunConfig(config["scheduler"], config.get("params"), optimizer(config.get("optimizer")), epochs,
                     _steps_per_epoch(config.get("steps_per_epoch")), _metrics(config.get("metrics")),
                     config.get("warmup"), start, run, mode)


def _resume(config: Mapping) -> tuple[Any, str]:
    """``resume_at`` (default mode: state), or ``start_step``, its older spelling with mode last-epoch."""
    if config.get("resume_at") is not None and config.get("start_step") is not None:
        raise ParamError(("start_step",), "give resume_at or start_step (its alias with resume_mode: last-epoch), "
                         "not both")
    mode = config.get("resume_mode")
    if mode is not None and mode not in RESUME_MODES:
        raise ParamError(("resume_mode",), f"{shown(mode)} is not one of {', '.join(RESUME_MODES)}")
    if config.get("start_step") is not None:
        return config["start_step"], mode or "last-epoch"
    if mode is not None and config.get("resume_at") is None:
        raise ParamError(("resume_mode",), "give the step the run resumes at too (resume_at, --resume-at)")
    return config.get("resume_at"), mode or "state"


def optimizer(value: Any) -> Optimizer:
    if value is None:
        value = {}
    if isinstance(value, (int, float, list)) and not isinstance(value, bool):
        value = {"lr": value}
    if not isinstance(value, Mapping):
        raise ParamError(("optimizer",), f"expected a mapping with lr and optional momentum or betas, got {value!r}")
    for key in value:
        if key not in OPTIMIZER_KEYS:
            raise ParamError(("optimizer", key), f"unknown optimizer key (allowed: {', '.join(OPTIMIZER_KEYS)})")
    lr = value.get("lr")
    lrs = [DEFAULT_LR] if lr is None else _LR.coerce(lr, ("optimizer", "lr"))
    lrs = lrs if isinstance(lrs, list) else [lrs]
    momentum, betas = value.get("momentum"), value.get("betas")
    if momentum is not None and betas is not None:
        raise ParamError(("optimizer", "betas"), "give momentum (SGD) or betas (Adam), not both")
    if momentum is not None:
        momentum = _MOMENTUM.coerce(momentum, ("optimizer", "momentum"))
    if betas is not None:
        if not isinstance(betas, (list, tuple)) or len(betas) != 2:
            raise ParamError(("optimizer", "betas"), f"expected two numbers [beta1, beta2], got {betas!r}")
        betas = tuple(to_float(b, ("optimizer", "betas", i)) for i, b in enumerate(betas))
        for i, b in enumerate(betas):
            if not 0 <= b < 1:
                raise ParamError(("optimizer", "betas", i), f"{b!r} is invalid: must be in [0, 1)")
    names = value.get("names")
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise ParamError(("optimizer", "names"), f"expected a list of param group names, got {shown(names)}")
        if len(lrs) == 1:
            lrs = lrs * len(names)
        if len(names) != len(lrs) or len(set(names)) != len(names):
            raise ParamError(("optimizer", "names"), f"{len(names)} names for {len(lrs)} param groups: give one "
                             "distinct name per group")
    return Optimizer(lrs, momentum, betas, names, lr is not None)


def with_trainer_groups(opt: Optimizer, family) -> Optimizer:
    """A trainer's family builds its own param groups (YOLO: weight, bn, bias): one lr is given to each, and
    the trainer's momentum is the default."""
    if not family.param_groups:
        return opt
    names = opt.names or list(family.param_groups)
    lrs = opt.lrs if opt.lr_given or family.default_lr is None else [family.default_lr]
    lrs = lrs * len(names) if len(lrs) == 1 else lrs
    if len(lrs) != len(names):
        raise ParamError(("optimizer", "lr"), f"{len(opt.lrs)} values, but the {family.library} trainer has "
                         f"{len(names)} param groups ({', '.join(names)}): give one lr, or one per group")
    momentum = opt.momentum if opt.momentum is not None or opt.betas is not None else family.default_momentum
    return Optimizer(lrs, momentum, opt.betas, names)


def rows(config: RunConfig, spec, params: dict) -> int:
    """How many rows to simulate: the config's ``epochs``, else the scheduler's natural length."""
    per_epoch = config.steps_per_epoch
    if config.epochs is None:
        if spec.metric_driven and config.metrics is not None:
            return len(config.metrics)
        try:
            natural = spec.default_steps(params)
        except ParamError as err:
            raise ParamError(("params",) + err.path, err.detail) from None
        if natural:
            if per_epoch and spec.length_unit(params) == "epochs":
                natural *= per_epoch
            if natural > MAX_STEPS:
                raise ParamError(("epochs",), f"{spec.name} runs {natural:,} steps, above lrplot's ceiling of "
                                 f"{MAX_STEPS:,}; give the number of steps to show (--epochs / epochs:)")
            return natural
        return DEFAULT_STEPS * (per_epoch or 1)
    n = config.epochs * (per_epoch or 1)
    if n > MAX_STEPS:
        raise ParamError(("epochs",), f"{n} is above lrplot's ceiling of {MAX_STEPS:,} steps")
    return n


def check_budget(rows: int, groups: int, runs: int, budget: int) -> None:
    values = rows * groups * runs
    if values > budget:
        what = f"{rows:,} steps x {groups} param groups" + (f" x {runs} runs" if runs > 1 else "")
        left = "" if budget == MAX_VALUES else f" ({budget:,} left after the runs before it)"
        raise ParamError(("epochs",), f"{what} = {values:,} values, above lrplot's limit of {MAX_VALUES:,}"
                         f"{left}; simulate fewer steps or fewer groups")


def start_step(value: Any, n: int, key: str = "start_step") -> int:
    if value is None:
        return 0
    start = to_int(value, (key,))
    if not 0 <= start < n:
        raise ParamError((key,), f"{start} is invalid: resume at a step in [0, {n - 1}] "
                         f"(the run has {n} steps)")
    return start


def _steps_per_epoch(value: Any) -> int | None:
    if value is None:
        return None
    k = to_int(value, ("steps_per_epoch",))
    if k < 1:
        raise ParamError(("steps_per_epoch",), f"{k} is invalid: must be >= 1")
    return k


def _metrics(value: Any):
    from .._lazy import np

    if value is None:
        return None
    if not isinstance(value, (list, tuple)) and not hasattr(value, "__len__"):
        raise ParamError(("metrics",), f"expected a list of numbers, got {value!r}")
    out = _float_array(value)
    if out is None:  # anything but floats: each value checked (and named when wrong)
        out = np.array([to_float(v, ("metrics", i)) for i, v in enumerate(list(value))], dtype=np.float64)
    if len(out) == 0:
        raise ParamError(("metrics",), "the list is empty: give one metric value per step")
    return out


def _float_array(value: Any):
    """A list (or array) of finite Python/numpy floats as a float64 array, checked in C; None for anything else."""
    from .._lazy import np

    if isinstance(value, np.ndarray):
        if value.dtype != np.float64 or value.ndim != 1:  # float64 elements are Python floats; others are checked
            return None
        out = value.astype(np.float64)
    elif isinstance(value, list) and set(map(type, value)) <= {float}:
        out = np.array(value, dtype=np.float64)
    else:
        return None
    bad = ~np.isfinite(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise ParamError(("metrics", i), f"{float(out[i])!r} is not a finite number")
    return out
