"""ReduceLROnPlateau, driven by a sequence of metric values.

Its state (best value, bad epochs, cooldown) depends on every metric; it is run
event by event (improvements found by vectorised search, reductions counted
between them, see :func:`plateau_rows`), bit for bit as torch steps it.  It is
also the one scheduler torch refuses inside SequentialLR and ChainedScheduler.
"""

from __future__ import annotations

import math

from ..._lazy import np
from ..base import RESTART, Node, SchedulerSpec
from ..params import CHOICE, FLOAT, INT, Param, at_least, between
from ...errors import ParamError


def synthetic_metrics(n: int, mode: str = "min"):
    """A deterministic validation curve that improves, then plateaus.

    Loss falls quadratically from 1.0 to 0.25 over the first third of the run
    and stays flat after that (for ``mode='max'``: accuracy = 1 - loss).
    """
    knee = max(1, n // 3)
    i = np.minimum(np.arange(n, dtype=np.float64), knee)
    loss = 0.25 + 0.75 * (1.0 - i / knee) ** 2
    return loss if mode == "min" else 1.0 - loss


class ReduceLROnPlateau(Node):
    spec = SchedulerSpec(
        name="ReduceLROnPlateau", cli="plateau", aliases=("reduce-on-plateau",),
        summary="multiply lr by factor when the metric stops improving for patience epochs",
        example={"factor": 0.5, "patience": 5}, metric_driven=True, resume=RESTART, takes_last_epoch=False,
        params=(
            Param("mode", CHOICE, "min: the metric should fall (a loss); max: rise (an accuracy)",
                  default="min", choices=("min", "max")),
            Param("factor", FLOAT, "new lr = lr * factor", default=0.1, check=between(0, 1, hi_open=True)),
            Param("patience", INT, "epochs without improvement before reducing", default=10, check=at_least(0)),
            Param("threshold", FLOAT, "minimum change that counts as an improvement", default=1e-4,
                  check=at_least(0)),
            Param("threshold_mode", CHOICE, "rel: relative to best; abs: absolute", default="rel",
                  choices=("rel", "abs")),
            Param("cooldown", INT, "epochs to wait after a reduction before counting again", default=0,
                  check=at_least(0)),
            Param("min_lr", FLOAT, "lower bound on the learning rate", default=0.0, check=at_least(0),
                  per_group=True),
            Param("eps", FLOAT, "reductions smaller than eps are skipped", default=1e-8, check=at_least(0)),
        ),
    )

    def run(self, lrs: list[float], metrics):
        """Rows of learning rates: row 0 as constructed, row i+1 after ``step(metrics[i])``."""
        return plateau_rows(self.p, lrs, metrics)


def plateau_rows(p: dict, lrs: list[float], metrics):
    """torch's ``ReduceLROnPlateau`` stepped with every metric: a ``(len(metrics) + 1, groups)`` array.

    Event by event instead of step by step: while ``best`` stands, a step improves exactly when the metric
    beats one bound (``best * (1 - threshold)``, ...), so the next improvement is a vectorised search, and the
    steps before it only count bad epochs and cooldown, whose reductions fall ``cooldown + patience + 1``
    apart.  Each reduction then runs torch's own float operations on every group.
    """
    groups = len(lrs)
    min_lr = p["min_lr"] if isinstance(p["min_lr"], list) else [p["min_lr"]] * groups
    if len(min_lr) != groups:
        raise ParamError(("min_lr",), f"has {len(min_lr)} values but the optimizer has {groups} param groups")
    values = np.asarray(metrics, dtype=np.float64)
    reductions = _reductions(p, values)
    rows = np.empty((len(values) + 1, groups))
    factor, eps = p["factor"], p["eps"]
    for g in range(groups):
        lr = float(lrs[g])
        changed_at, changed_to = [0], [lr]
        for step in reductions:
            new_lr = max(lr * factor, min_lr[g])
            if not lr - new_lr > eps:
                break  # the lr did not move, so no later reduction moves it either
            lr = new_lr
            changed_at.append(step + 1)
            changed_to.append(lr)
        index = np.searchsorted(np.array(changed_at), np.arange(len(values) + 1), side="right") - 1
        rows[:, g] = np.array(changed_to)[index]
    return rows


def _reductions(p: dict, metrics) -> list[int]:
    """The steps (indexes into ``metrics``) at which ``num_bad_epochs > patience`` reduces the lr."""
    mode, threshold, threshold_mode = p["mode"], p["threshold"], p["threshold_mode"]
    patience, cooldown = p["patience"], p["cooldown"]
    period = cooldown + patience + 1  # steps from one reduction to the next while nothing improves
    if mode == "min":
        bound = (lambda b: b * (1.0 - threshold)) if threshold_mode == "rel" else (lambda b: b - threshold)
    else:
        bound = (lambda b: b * (threshold + 1.0)) if threshold_mode == "rel" else (lambda b: b + threshold)
    below = mode == "min"
    n = len(metrics)
    # improves_on_previous[k]: step k + 1 improves if step k set best (torch's comparison, elementwise)
    previous_bound = bound(metrics[:-1])
    improves_on_previous = (metrics[1:] < previous_bound) if below else (metrics[1:] > previous_bound)
    run_breaks = np.flatnonzero(~improves_on_previous) + 1  # steps that do not improve on their predecessor
    reductions: list[int] = []
    best = math.inf if below else -math.inf
    bad = cooldown_left = 0
    i = 0
    while i < n:
        j = _first_better(metrics, i, bound(best), below)
        if j > i:  # steps i..j-1 do not improve: count bad epochs and cooldown
            bad, cooldown_left = _stall(i, j, bad, cooldown_left, patience, cooldown, period, reductions)
        if j == n:
            break
        # step j improves, and so does every following step that improves on its predecessor
        end = j + 1
        if end < n and improves_on_previous[j]:
            k = int(run_breaks.searchsorted(end + 1))
            end = int(run_breaks[k]) if k < len(run_breaks) else n
        best, bad = float(metrics[end - 1]), 0
        cooldown_left = max(0, cooldown_left - (end - j))
        if j - i < _DENSE and end < n:  # improvements close together: step by step until a long stall
            end, best, bad, cooldown_left = _step_by_step(metrics, end, best, bad, cooldown_left, bound, below,
                                                          patience, cooldown, reductions)
        i = end
    return reductions


_DENSE = 8  # an improvement this close to the previous event: the next ones are stepped one by one ...
_SPARSE = 32  # ... until this many steps in a row do not improve


def _step_by_step(metrics, start: int, best: float, bad: int, cooldown_left: int, bound, below: bool,
                  patience: int, cooldown: int, reductions: list[int]):
    """torch's step on the counters, one metric at a time, from ``start`` until ``_SPARSE`` steps in a row do
    not improve (where events are dense this is cheaper than searching); returns the state after it."""
    n, since = len(metrics), 0
    limit = bound(best)
    for block in range(start, n, 1024):
        for k, current in enumerate(metrics[block:block + 1024].tolist(), start=block):
            if (current < limit) if below else (current > limit):
                best, bad, since = current, 0, 0
                limit = bound(best)
            else:
                bad, since = bad + 1, since + 1
            if cooldown_left > 0:
                cooldown_left, bad = cooldown_left - 1, 0
            if bad > patience:
                reductions.append(k)
                cooldown_left, bad = cooldown, 0
            if since >= _SPARSE:
                return k + 1, best, bad, cooldown_left
    return n, best, bad, cooldown_left


def _first_better(metrics, start: int, bound: float, below: bool) -> int:
    """The first step from ``start`` whose metric beats ``bound`` (``len(metrics)`` if none): windows that grow."""
    n, width = len(metrics), 64  # one numpy call finds most: a call costs more than comparing 64 values
    while start < n:
        window = metrics[start:start + width]
        hit = (window < bound) if below else (window > bound)
        first = int(hit.argmax())
        if hit[first]:
            return start + first
        start, width = start + width, width * 8
    return n


def _stall(start: int, stop: int, bad: int, cooldown_left: int, patience: int, cooldown: int, period: int,
           reductions: list[int]) -> tuple[int, int]:
    """Steps ``start..stop-1`` without improvement: append their reductions, return (bad, cooldown_left)."""
    cooling = min(cooldown_left, stop - start)  # each cooling step: bad += 1, then cooldown_left -= 1, bad = 0
    if cooling:
        start, bad, cooldown_left = start + cooling, 0, cooldown_left - cooling
    if start == stop:
        return bad, cooldown_left
    first = start + patience - bad  # where bad reaches patience + 1
    if first >= stop:
        return bad + stop - start, 0
    reductions.extend(range(first, stop, period))
    since = stop - 1 - reductions[-1]  # steps after the last reduction
    return (0, cooldown - since) if since <= cooldown else (since - cooldown, 0)


CLASSES = (ReduceLROnPlateau,)
