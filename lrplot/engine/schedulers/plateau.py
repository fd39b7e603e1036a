"""ReduceLROnPlateau, driven by a sequence of metric values.

Its state (best value, bad epochs, cooldown) depends on every metric, so it is
a plain loop over steps; it is also the one scheduler torch refuses inside
SequentialLR and ChainedScheduler.
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

    def run(self, lrs: list[float], metrics) -> list[list[float]]:
        """Rows of learning rates: row 0 as constructed, row i+1 after ``step(metrics[i])``."""
        state = self.start(len(lrs))
        lr = [float(x) for x in lrs]
        rows = [list(lr)]
        for current in metrics:
            lr = self.step(state, lr, current)
            rows.append(list(lr))
        return rows

    def start(self, groups: int) -> dict:
        p = self.p
        min_lr = p["min_lr"] if isinstance(p["min_lr"], list) else [p["min_lr"]] * groups
        if len(min_lr) != groups:
            raise ParamError(("min_lr",), f"has {len(min_lr)} values but the optimizer has {groups} param groups")
        return {"best": math.inf if p["mode"] == "min" else -math.inf, "bad": 0, "cooldown": 0, "min_lr": min_lr}

    def step(self, state: dict, lr: list[float], current: float) -> list[float]:
        """torch's ``ReduceLROnPlateau.step(current)`` on the groups' ``lr``; returns the new rates."""
        p = self.p
        mode, threshold, threshold_mode = p["mode"], p["threshold"], p["threshold_mode"]
        best = state["best"]
        if mode == "min" and threshold_mode == "rel":
            better = current < best * (1.0 - threshold)
        elif mode == "min":
            better = current < best - threshold
        elif threshold_mode == "rel":
            better = current > best * (threshold + 1.0)
        else:
            better = current > best + threshold
        if better:
            state["best"] = current
            state["bad"] = 0
        else:
            state["bad"] += 1
        if state["cooldown"] > 0:
            state["cooldown"] -= 1
            state["bad"] = 0
        lr = list(lr)
        if state["bad"] > p["patience"]:
            for g in range(len(lr)):
                new_lr = max(lr[g] * p["factor"], state["min_lr"][g])
                if lr[g] - new_lr > p["eps"]:
                    lr[g] = new_lr
            state["cooldown"] = p["cooldown"]
            state["bad"] = 0
        return lr


CLASSES = (ReduceLROnPlateau,)
