"""The Python API: a config dict (or a scheduler name and keywords) in, a :class:`SimulationResult` out.

Row ``i`` of the result is the learning rate in effect after ``i`` calls to
``scheduler.step()`` (row 0: right after construction), i.e. what the optimizer
uses during epoch/iteration ``i``.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import ParamError
from . import schema, trainers
from .base import OptimizerState
from .horizons import horizon_findings
from .resume import resumed
from .._lazy import np
from .runner import SimulationResult, at_rows, run_metric_driven, run_tree
from .schema import MAX_STEPS, MAX_VALUES
from .tree import build
from .warmup import with_warmup


def run_config(config: Mapping[str, Any], budget: int = MAX_VALUES) -> SimulationResult:
    """Simulate a config dict shaped like lrplot's YAML (see the README).

    ``budget`` bounds rows x param groups (x 2 when resuming: both runs are kept); a run over it is refused
    before anything is allocated.
    """
    run = schema.parse(config)
    family = _family(run.scheduler)
    if run.run is not None:
        trainers.choose(run.run, family)
    plan = trainers.plan(run.run) if run.run is not None else None
    per_epoch = plan.steps_per_epoch if plan else run.steps_per_epoch
    node = _node(run, per_epoch)
    spec = node.spec
    if run.metrics is not None and not spec.metric_driven:
        raise ParamError(("metrics",), f"only metric-driven schedulers (ReduceLROnPlateau, PlateauLRScheduler) "
                         f"use metrics, not {spec.name}")
    stepped = plan is not None and (plan.scheduler_calls > 1 or plan.interval != "step" or plan.frequency > 1)
    n = plan.total_steps if plan else schema.rows(run, spec, node.p)
    if stepped and (spec.metric_driven or run.start_step is not None):
        raise ParamError(("run",), "a scheduler not stepped once per optimizer step (accelerate's processes, an "
                         "epoch interval, a frequency) is simulated without metrics and without a resume")
    resumed_at, mode = run.start_step, run.resume_mode
    if resumed_at is None and node.p.get("last_epoch", -1) != -1:
        resumed_at, mode = node.p["last_epoch"], "last-epoch"  # a saved config built with last_epoch=S
    start = schema.start_step(resumed_at, n, "start_step" if "start_step" in config else "resume_at")
    opt = schema.with_trainer_groups(run.optimizer, spec.family)
    index = plan.scheduler_steps(np.arange(n, dtype=np.int64)) if stepped else None
    schema.check_budget(n if index is None else max(n, int(index[-1]) + 1), len(opt.lrs), 2 if start else 1, budget)
    state = OptimizerState(opt.lrs, opt.momentum, opt.betas, opt.names)
    if spec.metric_driven:
        result = run_metric_driven(node, state, n, run.metrics)
    elif index is not None:  # scheduler steps, picked at each optimizer step
        result = at_rows(run_tree(node, state, int(index[-1]) + 1, None), index)
    else:
        result = run_tree(node, state, n, per_epoch)
    result.optimizer_lr = list(opt.lrs)
    result.group_names = list(opt.names or [])
    result.steps_per_epoch = per_epoch
    result.node = node
    if per_epoch:
        result.findings += horizon_findings(node, n, per_epoch, plan is not None and plan.interval == "epoch")
        result.warnings += [f.message for f in result.findings]  # findings are said on every run
    if start:
        result = resumed(lambda: _node(run, per_epoch), result, start, n, per_epoch, opt, mode)
    result.plan = plan
    result.notes = [note for each in node.walk() for note in each.notes] + result.notes
    return result


def _run_keywords(name: Any, keywords: dict) -> dict:
    """The training run's keys among ``keywords`` (taken out of them), unless the scheduler has the parameter."""
    from .registry import lookup

    try:
        own = {p.name for p in lookup(name).spec.params}
    except (ParamError, TypeError):
        own = set()
    return {key: keywords.pop(key) for key in trainers.RUN_KEYS if key in keywords and key not in own}


def _family(name: Any):
    """The family of the named scheduler (None when the name is not one: building it says why)."""
    from .registry import lookup

    try:
        return lookup(name).spec.family
    except ParamError:
        return None


def _node(run: schema.RunConfig, per_epoch: int | None):
    """The scheduler tree; OneCycleLR may take the run's ``per_epoch`` and (whole) epochs."""
    epochs = run.epochs
    if run.run is not None:
        epochs = int(epochs) if epochs is not None and epochs == int(epochs) else None
    max_steps = run.run.get("max_steps") if isinstance(run.run, dict) else None  # NeMo copies the trainer's
    node = build(run.scheduler, run.params, run={"steps_per_epoch": per_epoch, "epochs": epochs,
                                                 "max_steps": max_steps})
    if run.warmup is not None:
        node = with_warmup(node, run.warmup)
    return node


def simulate(scheduler: Any, /, *, epochs: int | None = None, lr: Any = None, momentum: float | None = None,
             betas: Any = None, metrics: Any = None, params: Mapping[str, Any] | None = None,
             warmup: Any = None, steps_per_epoch: int | None = None, start_step: int | None = None,
             resume_at: int | None = None, resume_mode: str | None = None, run: Mapping[str, Any] | None = None,
             **scheduler_params: Any) -> SimulationResult:
    """Simulate a scheduler: ``simulate("StepLR", epochs=100, lr=0.1, step_size=30, gamma=0.1)``.

    The first argument is a scheduler name (any name ``lrplot list`` shows) or a whole config dict shaped
    like lrplot's YAML; the keywords below override the dict's keys.

    - ``epochs``: rows, or epochs of ``steps_per_epoch`` rows; ``lr`` (one per param group), ``momentum``,
      ``betas``: the dummy optimizer; ``metrics``: what a metric-driven scheduler is stepped with.
    - ``warmup``: N linear warmup steps (or ``{"steps": N, "start_factor": f}``); ``steps_per_epoch``: rows
      are iterations of an epoch-stepped scheduler.
    - ``start_step`` / ``resume_at`` with ``resume_mode``: a resumed run, drawn against the uninterrupted one.
    - ``run``: the training run to count (``{"dataset_size": ..., "batch_size": ..., "devices": ...,
      "grad_accum": ..., "drop_last": ..., "max_steps": ..., "trainer": ..., "split_batches": ...}``); these
      keys also work as keywords of their own (``dataset_size=50_000``) unless the scheduler has a
      parameter of that name (NeMo's ``max_steps``).
    - every other keyword is a scheduler parameter; one whose name is also a keyword above (OneCycleLR's
      ``epochs``, GreedyLR's ``warmup``) goes in ``params``.
    """
    config = dict(scheduler) if isinstance(scheduler, Mapping) else {"scheduler": scheduler}
    run_keys = _run_keywords(config.get("scheduler"), scheduler_params)
    if run_keys:
        run = {**run_keys, **(run or {})}
    if params or scheduler_params or not isinstance(scheduler, Mapping):
        config["params"] = {**(config.get("params") or {}), **(params or {}), **scheduler_params}
    optimizer = dict(config.get("optimizer") or {})
    for key, value in (("lr", lr), ("momentum", momentum), ("betas", betas)):
        if value is not None:
            optimizer[key] = list(value) if isinstance(value, tuple) else value
    if optimizer or not isinstance(scheduler, Mapping):
        config["optimizer"] = optimizer
    for key, value in (("epochs", epochs), ("metrics", metrics), ("warmup", warmup),
                       ("steps_per_epoch", steps_per_epoch), ("start_step", start_step), ("resume_at", resume_at),
                       ("resume_mode", resume_mode)):
        if value is not None:
            config[key] = value
    if run is not None:
        config["run"] = {**(config.get("run") or {}), **run} if isinstance(run, Mapping) else run
    return run_config(config)


__all__ = ["simulate", "run_config", "build", "SimulationResult", "MAX_STEPS", "MAX_VALUES"]
