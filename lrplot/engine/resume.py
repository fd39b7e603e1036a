"""A run resumed at step S: the optimizer restored from a checkpoint, the scheduler rebuilt.

How the scheduler comes back is declared per family (``SchedulerSpec.resume_strategy``):

* ``rebuild`` (torch): ``Scheduler(optimizer, ..., last_epoch=S)`` on the restored groups (initial_lr comes
  from them); its construction steps once more, to last_epoch S + 1.  ChainedScheduler's children get
  last_epoch, SequentialLR's children are built fresh (as code usually does).
* ``replay`` (timm): ``step(S)`` on a fresh scheduler reproduces the uninterrupted curve.
* ``restart`` (plateau): the counters restart from the current lr.
"""

from __future__ import annotations

from dataclasses import replace

from .._lazy import np
from .base import REBUILD, REPLAY, RESTART, OptimizerState
from .runner import SimulationResult, run_metric_driven, run_tree


def resumed(build_node, full: SimulationResult, start: int, n: int, per_epoch, optimizer) -> SimulationResult:
    """``build_node()`` makes a fresh scheduler tree like the one that produced ``full``."""
    node = build_node()
    state = OptimizerState(optimizer.lrs, optimizer.momentum, optimizer.betas, optimizer.names)
    state.restore(full.constructed)
    state.lr = full.lr[start].tolist()
    if full.momentum is not None:
        state.momentum = full.momentum[start].tolist()
    result = _STRATEGIES[node.spec.resume_strategy](node, state, full, start, n, per_epoch)
    result.steps = np.arange(start, n, dtype=np.int64)
    result.marks = [(m, label) for m, label in full.marks if m > start]
    result.optimizer_lr, result.steps_per_epoch, result.uninterrupted = full.optimizer_lr, per_epoch, full
    result.group_names = full.group_names
    result.title = full.title
    result.warnings = list(full.warnings)
    jump = ~np.isclose(result.lr, full.lr[start:], rtol=1e-12, atol=0)
    if jump.any():
        first = int(np.argmax(jump.any(axis=1)))
        result.warnings.append(
            f"resumed at step {start}, the schedule departs from the uninterrupted run at step {start + first} "
            f"(lr {float(result.lr[first][jump[first]][0])!r} instead of {float(full.lr[start + first][jump[first]][0])!r})")
    return result


def _rebuild(node, state, full, start, n, per_epoch):
    node.resume_at(start)
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
