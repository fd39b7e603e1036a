"""transformers' metric-driven ``get_scheduler`` types (transformers 5.x), exactly.

``reduce_lr_on_plateau``: ``get_reduce_on_plateau_schedule(optimizer, **kwargs)`` is torch's
ReduceLROnPlateau built with the kwargs, so it is lrplot's under the ``hf`` family's name.

``greedy``: ``GreedyLR`` (transformers/optimization.py), which raises the lr when the metric keeps
improving and lowers it when the metric stalls.  Like ReduceLROnPlateau its state depends on every
metric, so it is a plain loop over the metric series, in Python floats, with the same operations in the
same order as transformers.
"""

from __future__ import annotations

import math
from collections import deque

from ..base import RESTART, Node, SchedulerSpec
from ..params import BOOL, CHOICE, FLOAT, INT, Param, at_least, between
from .hf import HF
from .plateau import ReduceLROnPlateau
from ...errors import ParamError


class HFReduceLROnPlateau(ReduceLROnPlateau):
    """``get_scheduler("reduce_lr_on_plateau", optimizer, scheduler_specific_kwargs=...)``: torch's, unchanged."""

    spec = SchedulerSpec(
        name="hf:reduce_lr_on_plateau", cli="hf-reduce-lr-on-plateau", family=HF,
        summary="torch's ReduceLROnPlateau, as get_scheduler builds it (stepped with an eval metric)",
        example={"factor": 0.5, "patience": 5}, metric_driven=True, resume=RESTART, takes_last_epoch=False,
        params=ReduceLROnPlateau.spec.params,
    )


class HFGreedy(Node):
    """transformers' GreedyLR: lr / factor after more than ``patience`` improvements in a row, lr * factor after
    more than ``patience`` epochs without one; back to the initial lrs after ``reset_start`` reductions at min_lr."""

    spec = SchedulerSpec(
        name="hf:greedy", cli="hf-greedy", family=HF, metric_driven=True, resume=RESTART, takes_last_epoch=False,
        summary="GreedyLR: divide lr by factor while the metric improves, multiply by it when it stalls",
        example={"factor": 0.9, "patience": 3, "min_lr": 1e-4}, cycles=lambda p: True,
        params=(
            Param("mode", CHOICE, "min: the metric should fall (a loss); max: rise (an accuracy)",
                  default="min", choices=("min", "max")),
            Param("factor", FLOAT, "lr * factor on a plateau, lr / factor on improvement (transformers raises "
                  "for >= 1)", default=0.95, check=between(0, 1, lo_open=True, hi_open=True)),
            Param("patience", INT, "improving (or stalled) epochs in a row before the lr changes", default=10,
                  check=at_least(0)),
            Param("threshold", FLOAT, "minimum change that counts as an improvement", default=1e-6,
                  check=at_least(0)),
            Param("threshold_mode", CHOICE, "abs: absolute (GreedyLR's default); rel: relative to best",
                  default="abs", choices=("rel", "abs")),
            Param("cooldown", INT, "epochs to wait after a reduction before counting again", default=0,
                  check=at_least(0)),
            Param("warmup", INT, "epochs to wait after an increase before counting again (a counter, not a "
                  "warmup length)", default=0, check=at_least(0)),
            Param("min_lr", FLOAT, "lower bound on the learning rate", default=1e-3, check=at_least(0),
                  per_group=True, floor="lr"),
            Param("max_lr", FLOAT, "upper bound on the learning rate", default=1.0, check=at_least(0),
                  per_group=True),
            Param("eps", FLOAT, "changes of at most eps are skipped", default=1e-8, check=at_least(0)),
            Param("smooth", BOOL, "judge a running mean of the last window_size metrics", default=False),
            Param("window_size", INT, "metrics in the running mean (with smooth)", default=50),
            Param("reset_start", INT, "reductions with every group at min_lr before the lrs reset to their "
                  "initial values", default=500),
            Param("verbose", BOOL, "print each change (printing only)", default=False, cli=False, hidden=True),
        ),
    )

    def run(self, lrs: list[float], metrics) -> list[list[float]]:
        """Rows of learning rates: row 0 as constructed, row i+1 after ``step(metrics[i])``."""
        p = self.p
        groups = len(lrs)
        self.min_lrs = self._per_group("min_lr", groups)
        self.max_lrs = self._per_group("max_lr", groups)
        if p["smooth"] and p["window_size"] < 1 and len(metrics):
            raise ParamError(("window_size",), f"{p['window_size']} with smooth: the running mean of an empty window "
                             "divides by zero at the first step (transformers raises ZeroDivisionError)")
        self.init_lrs = [float(x) for x in lrs]  # _init_lrs: the groups' lr at construction
        metrics = metrics.tolist() if hasattr(metrics, "tolist") else list(metrics)  # Python floats, as transformers
        lr = list(self.init_lrs)
        self.reset(lr)
        rows = [list(lr)]
        for current in metrics:
            self.step(lr, float(current))
            rows.append(list(lr))
        return rows

    def _per_group(self, name: str, groups: int) -> list:
        value = self.p[name]
        if not isinstance(value, list):
            return [value] * groups
        if len(value) != groups:
            raise ParamError((name,), f"has {len(value)} values but the optimizer has {groups} param groups "
                             f"(transformers raises: expected {groups} {name}s)")
        return list(value)

    def reset(self, lr: list[float]) -> None:
        """``__init__``'s counters, and ``_reset()``: the initial lrs and a fresh start."""
        p = self.p
        lr[:] = self.init_lrs
        self.best = math.inf if p["mode"] == "min" else -math.inf
        self.bad = self.good = self.cooldown = self.warmup = 0
        self.reset_start = p["reset_start"]
        self.window: deque = deque()  # StreamingAverage(window_size)
        self.window_sum = 0.0

    def smoothed(self, value: float) -> float:
        """``StreamingAverage.streamavg``: a running sum, the oldest value subtracted once the window is full."""
        self.window.append(value)
        self.window_sum += value
        if len(self.window) > self.p["window_size"]:
            self.window_sum -= self.window.popleft()
        return self.window_sum / len(self.window)

    def better(self, current: float) -> bool:
        p, best = self.p, self.best
        if p["mode"] == "min":
            return current < best * (1.0 - p["threshold"]) if p["threshold_mode"] == "rel" else \
                current < best - p["threshold"]
        return current > best * (1.0 + p["threshold"]) if p["threshold_mode"] == "rel" else \
            current > best + p["threshold"]

    def step(self, lr: list[float], current: float) -> None:
        """``GreedyLR.step(current)`` on the groups' ``lr``, in place."""
        p = self.p
        if p["smooth"]:
            current = self.smoothed(current)  # fed even during cooldown and warmup
        if self.cooldown > 0:
            self.cooldown -= 1
            self.bad = self.good = 0
        elif self.warmup > 0:
            self.warmup -= 1
            self.bad = self.good = 0
        else:
            if self.better(current):
                self.best = current
                self.bad = 0
                self.good += 1
            else:
                self.bad += 1
                self.good = 0
            if self.good > p["patience"]:
                self.increase(lr)
                self.warmup = p["warmup"]
                self.good = 0
            elif self.bad > p["patience"]:
                self.reduce(lr)
                self.cooldown = p["cooldown"]  # also right after a reset
                self.bad = 0

    def reduce(self, lr: list[float]) -> None:
        p = self.p
        all_at_min = True
        for g in range(len(lr)):
            new_lr = max(lr[g] * p["factor"], self.min_lrs[g])
            if lr[g] - new_lr > p["eps"]:
                lr[g] = new_lr
            if lr[g] > self.min_lrs[g]:
                all_at_min = False
        if all_at_min:  # a group whose lr starts below min_lr counts as at min_lr
            self.reset_start -= 1
            if self.reset_start <= 0:
                self.reset(lr)

    def increase(self, lr: list[float]) -> None:
        p = self.p
        for g in range(len(lr)):
            new_lr = min(lr[g] / p["factor"], self.max_lrs[g])
            if new_lr - lr[g] > p["eps"]:
                lr[g] = new_lr
        self.reset_start = p["reset_start"]


CLASSES = (HFReduceLROnPlateau, HFGreedy)
