"""A run resumed at step S: the optimizer restored from a checkpoint, the scheduler brought back one of four ways.

``resume_mode`` (``--resume-mode``):

* ``state``: the scheduler's state_dict restored (HF Trainer, Lightning, any loop that saves it): seamless.
* ``last-epoch``: rebuilt as ``Scheduler(optimizer, ..., last_epoch=S)`` (``--start-step``).  How a family
  honours it is declared (``SchedulerSpec.resume_strategy``):
  ``rebuild`` (torch): constructed again on the restored groups (initial_lr comes from them); the constructor
  steps once more, to last_epoch S + 1.  ChainedScheduler's children get last_epoch, SequentialLR's are built
  fresh (as code usually does).  ``replay`` (timm, DeepSpeed): ``step(S)`` on a fresh scheduler reproduces
  the curve.  ``restart`` (plateau): the counters restart from the current lr.
* ``last-epoch-minus-1``: ``last_epoch=S - 1``, the idiom torch's own tests use (torch's strategy only).
* ``fresh``: rebuilt without its state (last_epoch -1) on the restored optimizer, whose groups keep their
  initial_lr: closed forms start over (warmup restarts), chainable ones continue from the current lr.
"""

from __future__ import annotations

from dataclasses import replace

from .._lazy import np
from ..errors import ParamError
from .base import REBUILD, REPLAY, RESTART, OptimizerState
from .findings import WARNING, Finding
from .runner import SimulationResult, run_metric_driven, run_tree

STATE, LAST_EPOCH, MINUS_1, FRESH = "state", "last-epoch", "last-epoch-minus-1", "fresh"
RULE = "resume-departs"


def resumed(build_node, full: SimulationResult, start: int, n: int, per_epoch, optimizer,
            mode: str = LAST_EPOCH) -> SimulationResult:
    """``build_node()`` makes a fresh scheduler tree like the one that produced ``full``."""
    node = build_node()
    state = OptimizerState(optimizer.lrs, optimizer.momentum, optimizer.betas, optimizer.names)
    state.restore(full.constructed)
    state.lr = full.lr[start].tolist()
    if full.momentum is not None:
        state.momentum = full.momentum[start].tolist()
    if mode == STATE:
        result = _replay(node, state, full, start, n, per_epoch)
    elif mode == FRESH:
        result = _fresh(node, state, full, start, n, per_epoch)
    elif mode == MINUS_1:
        if node.spec.resume_strategy != REBUILD:
            raise ParamError(("resume_mode",), f"last-epoch-minus-1 builds a torch scheduler with last_epoch=S-1; "
                             f"{node.spec.name} is not built that way (use state, last-epoch or fresh)")
        if start < 1:
            raise ParamError(("resume_at",), "last-epoch-minus-1 needs a resume step >= 1")
        result = _rebuild(node, state, full, start, n, per_epoch, start - 1)
    else:
        result = _STRATEGIES[node.spec.resume_strategy](node, state, full, start, n, per_epoch)
    result.steps = np.arange(start, n, dtype=np.int64)
    result.marks = [(m, label) for m, label in full.marks if m > start]
    result.optimizer_lr, result.steps_per_epoch, result.uninterrupted = full.optimizer_lr, per_epoch, full
    result.group_names = full.group_names
    result.title = full.title
    result.warnings = list(full.warnings)
    departs = departure(result, full, start, mode)
    result.findings = list(full.findings) + departs
    result.warnings += [f.message for f in departs]
    result.node = full.node
    result.resume_mode = mode
    return result


def departure(result: SimulationResult, full: SimulationResult, start: int, mode: str) -> list[Finding]:
    """Where the resumed run first leaves the uninterrupted one, and by how much at most."""
    before = full.lr[start:]
    jump = ~np.isclose(result.lr, before, rtol=1e-12, atol=0)
    if not jump.any():
        return []
    first = int(np.argmax(jump.any(axis=1)))
    g = int(np.argmax(jump[first]))
    with np.errstate(all="ignore"):
        rel = np.abs(result.lr - before) / np.where(before != 0, np.abs(before), np.inf)
    rel = np.where(np.isfinite(rel), rel, 0.0)
    worst = np.unravel_index(int(np.argmax(rel)), rel.shape)
    at, got, want = start + first, float(result.lr[first, g]), float(full.lr[start + first, g])
    return [Finding(RULE, WARNING, f"resumed at step {start} ({mode}), the schedule departs from the uninterrupted "
                    f"run at step {at} (lr {got!r} instead of {want!r}); the largest difference is "
                    f"{float(rel[worst]):.3g} times the uninterrupted lr, at step {start + int(worst[0])}",
                    "restore the scheduler's state_dict with the optimizer's (resume mode state)"
                    if mode != STATE else "", ("resume_mode",), at)]


def _rebuild(node, state, full, start, n, per_epoch, last_epoch=None):
    node.resume_at(start if last_epoch is None else last_epoch)
    return run_tree(node, state, n - start, per_epoch)


def _fresh(node, state, full, start, n, per_epoch):
    if node.spec.metric_driven:
        return _restart(node, state, full, start, n, per_epoch)
    return run_tree(node, state, n - start, per_epoch)


def _replay(node, state, full, start, n, per_epoch):
    return replace(full, lr=full.lr[start:], momentum=None if full.momentum is None else full.momentum[start:],
                   metrics=None if full.metrics is None else full.metrics[start:], warnings=[],
                   reductions=[m for m in full.reductions if m > start])


def _restart(node, state, full, start, n, per_epoch):
    result = run_metric_driven(node, state, n - start, None if full.synthetic_metrics else full.metrics[start:])
    if full.synthetic_metrics:
        result.metrics = full.metrics[start:]
    result.reductions = [m + start for m in result.reductions]
    return result


_STRATEGIES = {REBUILD: _rebuild, REPLAY: _replay, RESTART: _restart}
