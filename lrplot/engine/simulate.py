"""The Python API: build a scheduler tree from a config dict, simulate it, return arrays.

Row ``i`` of the result is the learning rate in effect after ``i`` calls to
``scheduler.step()`` (row 0: right after construction), i.e. what the optimizer
uses during epoch/iteration ``i``.
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Mapping

from .._lazy import np
from .base import OptimizerState
from .params import FLOAT, Param, ParamError, between, to_float, to_int
from .registry import lookup
from .schedulers.composite import ChainedScheduler, SequentialLR
from .schedulers.cyclic import OneCycleLR
from .runner import SimulationResult, run_metric_driven, run_tree
from .schedulers.plateau import ReduceLROnPlateau
from .schedulers.timm import TimmPlateau

METRIC_DRIVEN = (ReduceLROnPlateau, TimmPlateau)

#: Most rows lrplot simulates: 10 million float64 rows per param group is ~80 MB.
MAX_STEPS = 10_000_000
DEFAULT_STEPS = 100
DEFAULT_LR = 0.1

CONFIG_KEYS = ("scheduler", "params", "optimizer", "epochs", "metrics", "warmup", "steps_per_epoch", "start_step")
DEFAULT_WARMUP_START_FACTOR = 0.001  # torch's LinearLR needs a start_factor above 0
OPTIMIZER_KEYS = ("lr", "momentum", "betas")

_LR = Param("lr", FLOAT, "learning rate of each param group", check=between(0, math.inf), per_group=True)
_MOMENTUM = Param("momentum", FLOAT, "SGD momentum", check=between(0, 1))


def _normalise(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def build(name: Any, params: Any, path: tuple = ("params",), run: dict | None = None):
    """Validate ``params`` against the registry and return the scheduler node (not yet constructed).

    ``run`` carries the run's own ``steps_per_epoch``/``epochs`` for OneCycleLR, which takes them as parameters.
    """
    cls = lookup(name, path[:-1] + ("scheduler",))
    spec = cls.spec
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ParamError(path, f"expected a mapping of {spec.name} parameters, got {params!r}")
    by_key = {_normalise(p.name): p for p in spec.params}
    values: dict[str, Any] = {}
    for key, value in params.items():
        param = by_key.get(_normalise(str(key)))
        if param is None:
            names = [p.name for p in spec.params]
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(names) or 'none'})"
            raise ParamError(path + (key,), f"unknown parameter for {spec.name}{hint}")
        if param.name in values:
            raise ParamError(path + (key,), f"{param.name} is given twice")
        values[param.name] = param.coerce(value, path + (key,))
    for param in spec.params:
        if param.name not in values:
            if param.required:
                raise ParamError(path + (param.name,), f"missing required parameter of {spec.name} "
                                 f"({param.describe_type()}: {param.help})")
            values[param.name] = param.default
    children = []
    if spec.composite:
        for i, child in enumerate(values["schedulers"]):
            child_path = path + ("schedulers", i)
            if not isinstance(child, Mapping) or "scheduler" not in child:
                raise ParamError(child_path, "expected a mapping with 'scheduler' and optional 'params'")
            extra = set(child) - {"scheduler", "params"}
            if extra:
                raise ParamError(child_path + (sorted(extra)[0],), "unknown key (allowed: scheduler, params)")
            node = build(child["scheduler"], child.get("params"), child_path + ("params",))
            if isinstance(node, ReduceLROnPlateau):
                raise ParamError(child_path + ("scheduler",), f"{spec.name} cannot contain ReduceLROnPlateau "
                                 "(torch refuses it: its step() needs a metric)")
            if node.spec.family != "torch":
                raise ParamError(child_path + ("scheduler",), f"{spec.name} takes torch schedulers; "
                                 f"{node.spec.name} is a {node.spec.family} schedule")
            children.append(node)
    if cls is OneCycleLR and run and run.get("steps_per_epoch") and values["total_steps"] is None:
        if values["steps_per_epoch"] is None:
            values["steps_per_epoch"] = run["steps_per_epoch"]
        if values["epochs"] is None and run.get("epochs") is not None:
            values["epochs"] = to_int(run["epochs"], ("epochs",))
    if cls is OneCycleLR:
        try:
            OneCycleLR.total_steps_of(values)  # torch's "total_steps OR (epochs AND steps_per_epoch)" check
        except ParamError as err:
            raise ParamError(path + err.path, err.detail) from None
    return cls(values, children, path)


def _lrs(value: Any) -> list[float]:
    if value is None:
        return [DEFAULT_LR]
    out = _LR.coerce(value, ("optimizer", "lr"))
    return out if isinstance(out, list) else [out]


def _optimizer(optimizer: Any) -> tuple[list[float], float | None, tuple[float, float] | None]:
    if optimizer is None:
        optimizer = {}
    if isinstance(optimizer, (int, float, list)) and not isinstance(optimizer, bool):
        optimizer = {"lr": optimizer}
    if not isinstance(optimizer, Mapping):
        raise ParamError(("optimizer",), f"expected a mapping with lr and optional momentum or betas, got {optimizer!r}")
    for key in optimizer:
        if key not in OPTIMIZER_KEYS:
            raise ParamError(("optimizer", key), f"unknown optimizer key (allowed: {', '.join(OPTIMIZER_KEYS)})")
    lrs = _lrs(optimizer.get("lr"))
    momentum = optimizer.get("momentum")
    betas = optimizer.get("betas")
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
    return lrs, momentum, betas


def _steps(value: Any, node, metrics, per_epoch: int | None = None) -> int:
    """Rows to simulate: ``epochs`` (times steps_per_epoch when given), else the scheduler's natural length."""
    if value is None:
        if isinstance(node, METRIC_DRIVEN) and metrics is not None:
            return len(metrics)
        natural = node.spec.default_steps(node.p)
        if natural:
            if per_epoch and node.spec.family == "timm" and node.p.get("t_in_epochs", True):
                natural *= per_epoch  # timm's length is in epochs
            return min(natural, MAX_STEPS)
        return DEFAULT_STEPS * (per_epoch or 1)
    n = to_int(value, ("epochs",))
    if n < 1:
        raise ParamError(("epochs",), f"{n} is invalid: simulate at least 1 step")
    if per_epoch:
        n *= per_epoch
    if n > MAX_STEPS:
        raise ParamError(("epochs",), f"{n} is above lrplot's ceiling of {MAX_STEPS:,} steps")
    return n


def _metrics(value: Any):
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) and not hasattr(value, "__len__"):
        raise ParamError(("metrics",), f"expected a list of numbers, got {value!r}")
    out = np.array([to_float(v, ("metrics", i)) for i, v in enumerate(list(value))], dtype=np.float64)
    if len(out) == 0:
        raise ParamError(("metrics",), "the list is empty: give one metric value per step")
    return out


def run_config(config: Mapping[str, Any]) -> SimulationResult:
    """Simulate a config dict shaped like lrplot's YAML (see the README)."""
    if not isinstance(config, Mapping):
        raise ParamError((), f"a config must be a mapping, got {type(config).__name__}")
    for key in config:
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(CONFIG_KEYS)})"
            raise ParamError((key,), f"unknown key{hint}")
    if "scheduler" not in config:
        raise ParamError(("scheduler",), "missing: name the scheduler, e.g. scheduler: StepLR")
    per_epoch = _steps_per_epoch(config.get("steps_per_epoch"))
    node = _node(config, per_epoch)
    lrs, momentum, betas = _optimizer(config.get("optimizer"))
    metrics = _metrics(config.get("metrics"))
    if metrics is not None and not isinstance(node, METRIC_DRIVEN):
        raise ParamError(("metrics",), f"only ReduceLROnPlateau and PlateauLRScheduler use metrics, "
                         f"not {node.spec.name}")
    n = _steps(config.get("epochs"), node, metrics, per_epoch)
    start = _start_step(config.get("start_step"), n)
    state = OptimizerState(lrs, momentum, betas)
    if isinstance(node, METRIC_DRIVEN):
        result = run_metric_driven(node, state, n, metrics)
    else:
        result = run_tree(node, state, n, per_epoch)
    result.optimizer_lr = list(lrs)
    result.steps_per_epoch = per_epoch
    if per_epoch:
        result.warnings += _horizon_warnings(node, n, per_epoch)
    if start:
        result = _resumed(config, result, start, n, per_epoch, (lrs, momentum, betas))
    return result


def _node(config: Mapping[str, Any], per_epoch: int | None):
    node = build(config["scheduler"], config.get("params"),
                 run={"steps_per_epoch": per_epoch, "epochs": config.get("epochs")})
    if config.get("warmup") is not None:
        node = _with_warmup(node, config["warmup"])
    return node


def _start_step(value: Any, n: int) -> int:
    if value is None:
        return 0
    start = to_int(value, ("start_step",))
    if not 0 <= start < n:
        raise ParamError(("start_step",), f"{start} is invalid: resume at a step in [0, {n - 1}] "
                         f"(the run has {n} steps)")
    return start


def _resumed(config, full: SimulationResult, start: int, n: int, per_epoch, optimizer) -> SimulationResult:
    """The run resumed at ``start``: the optimizer restored from a checkpoint, the scheduler rebuilt.

    torch: ``Scheduler(optimizer, ..., last_epoch=start)`` (initial_lr comes from the restored groups), whose
    construction steps once more, to last_epoch start + 1.  Chained schedulers get last_epoch on each child,
    SequentialLR's children are built fresh (as code usually does).  timm resumes with step(start_epoch),
    which reproduces the uninterrupted curve; plateau schedulers restart their counters from the current lr.
    """
    node = _node(config, per_epoch)
    lrs, momentum, betas = optimizer
    state = OptimizerState(lrs, momentum, betas)
    state.restore(full.constructed)
    state.lr = full.lr[start].tolist()
    if full.momentum is not None:
        state.momentum = full.momentum[start].tolist()
    if node.spec.family == "timm" and not isinstance(node, METRIC_DRIVEN):
        result = _slice(full, start)
    elif isinstance(node, METRIC_DRIVEN):
        result = run_metric_driven(node, state, n - start, None if full.synthetic_metrics else full.metrics[start:])
        if full.synthetic_metrics:
            result.metrics = full.metrics[start:]
    else:
        targets = node.children if isinstance(node, ChainedScheduler) else [node]
        for target in targets:
            target.last_epoch = start
        result = run_tree(node, state, n - start, per_epoch)
    result.steps = np.arange(start, n, dtype=np.int64)
    result.marks = [(m, label) for m, label in full.marks if m > start]
    result.optimizer_lr, result.steps_per_epoch, result.uninterrupted = full.optimizer_lr, per_epoch, full
    result.warnings = list(full.warnings)
    jump = ~np.isclose(result.lr, full.lr[start:], rtol=1e-12, atol=0)
    if jump.any():
        first = int(np.argmax(jump.any(axis=1)))
        result.warnings.append(
            f"resumed at step {start}, the schedule departs from the uninterrupted run at step {start + first} "
            f"(lr {float(result.lr[first][jump[first]][0])!r} instead of {float(full.lr[start + first][jump[first]][0])!r})")
    return result


def _slice(result: SimulationResult, start: int) -> SimulationResult:
    from dataclasses import replace

    return replace(result, lr=result.lr[start:], momentum=None if result.momentum is None else result.momentum[start:],
                   metrics=None if result.metrics is None else result.metrics[start:], warnings=[])


def _steps_per_epoch(value: Any) -> int | None:
    if value is None:
        return None
    k = to_int(value, ("steps_per_epoch",))
    if k < 1:
        raise ParamError(("steps_per_epoch",), f"{k} is invalid: must be >= 1")
    return k


def _with_warmup(node, warmup: Any):
    """``SequentialLR([LinearLR(start_factor, total_iters=N), node], milestones=[N])``, as written by hand."""
    if not isinstance(warmup, Mapping):
        warmup = {"steps": warmup}
    extra = set(warmup) - {"steps", "start_factor"}
    if extra:
        raise ParamError(("warmup", sorted(extra)[0]), "unknown key (allowed: steps, start_factor)")
    steps = to_int(warmup.get("steps"), ("warmup", "steps")) if warmup.get("steps") is not None else None
    if steps is None or steps < 1:
        raise ParamError(("warmup", "steps"), f"{steps!r} is invalid: give the number of warmup steps, >= 1")
    factor = warmup.get("start_factor", DEFAULT_WARMUP_START_FACTOR)
    factor = to_float(factor, ("warmup", "start_factor"))
    if not 0 < factor <= 1:
        raise ParamError(("warmup", "start_factor"), f"{factor!r} is invalid: must be in (0, 1] (torch's LinearLR)")
    if node.spec.family != "torch" or isinstance(node, (ReduceLROnPlateau, SequentialLR, ChainedScheduler)):
        why = ("has its own warmup parameters" if node.spec.family != "torch" else
               "cannot follow a LinearLR inside SequentialLR (torch refuses or raises)")
        raise ParamError(("warmup",), f"warmup wraps a torch scheduler in SequentialLR; {node.spec.name} {why}")
    linear = build("LinearLR", {"start_factor": factor, "end_factor": 1.0, "total_iters": steps}, ("warmup",))
    params = {"schedulers": [{"scheduler": "LinearLR", "params": dict(linear.p)},
                             {"scheduler": node.spec.name, "params": dict(node.p)}],
              "milestones": [steps]}
    return SequentialLR(params, [linear, node], ("params",))


def _horizon_warnings(node, n: int, per_epoch: int) -> list[str]:
    """A horizon in epochs given to a scheduler stepped per iteration is a classic bug: say so."""
    if per_epoch <= 1:
        return []
    epochs = n / per_epoch
    out = []
    for leaf in _walk(node):
        for param in leaf.spec.params:
            value = leaf.p.get(param.name)
            if not param.horizon or value in (None, []):
                continue
            v = max(value) if isinstance(value, list) else value
            if 0 < v <= epochs:
                out.append(f"{leaf.spec.name} {param.name}={value} looks like epochs, but the scheduler steps every "
                           f"iteration ({per_epoch} per epoch, {n:,} steps); did you mean {param.name}="
                           f"{_times(value, per_epoch)}?")
    return out


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _times(value, k: int):
    return [v * k for v in value] if isinstance(value, list) else value * k


def simulate(scheduler: Any, /, *, epochs: int | None = None, lr: Any = None, momentum: float | None = None,
             betas: Any = None, metrics: Any = None, params: Mapping[str, Any] | None = None,
             **scheduler_params: Any) -> SimulationResult:
    """Simulate a scheduler.

    ``simulate("StepLR", epochs=100, lr=0.1, step_size=30, gamma=0.1)`` or
    ``simulate({"scheduler": "StepLR", "params": {...}, ...})``.  ``epochs`` is the
    number of rows; torch parameters go as keywords or in ``params`` (use
    ``params`` for OneCycleLR's own ``epochs``).
    """
    if isinstance(scheduler, Mapping):
        config = dict(scheduler)
        if params or scheduler_params:
            config["params"] = {**(config.get("params") or {}), **(params or {}), **scheduler_params}
        optimizer = dict(config.get("optimizer") or {})
        for key, value in (("lr", lr), ("momentum", momentum), ("betas", betas)):
            if value is not None:
                optimizer[key] = list(value) if isinstance(value, tuple) else value
        if optimizer:
            config["optimizer"] = optimizer
        if epochs is not None:
            config["epochs"] = epochs
        if metrics is not None:
            config["metrics"] = metrics
        return run_config(config)
    optimizer: dict[str, Any] = {}
    if lr is not None:
        optimizer["lr"] = list(lr) if isinstance(lr, tuple) else lr
    if momentum is not None:
        optimizer["momentum"] = momentum
    if betas is not None:
        optimizer["betas"] = list(betas)
    config = {"scheduler": scheduler, "params": {**(params or {}), **scheduler_params}, "optimizer": optimizer}
    if epochs is not None:
        config["epochs"] = epochs
    if metrics is not None:
        config["metrics"] = metrics
    return run_config(config)


__all__ = ["simulate", "run_config", "build", "SimulationResult", "MAX_STEPS", "SequentialLR", "ChainedScheduler"]
