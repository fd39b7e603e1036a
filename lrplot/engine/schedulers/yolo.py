"""The YOLO trainers' schedule, per iteration (batch): ultralytics 8.4.190 and YOLOv5 (train.py, 7.0.14).

Both build a per-epoch ``LambdaLR`` (linear ``lf`` or ``cos_lr``'s one_cycle) and override it for the first
``nw`` iterations with a warmup by ``np.interp``: the ``bias`` group warms *down* from ``warmup_bias_lr``, the
others up from 0, towards ``initial_lr * lf(epoch)``; momentum warms from ``warmup_momentum``.  The two lines
differ in declared ways, kept as class attributes here: ultralytics steps its LambdaLR at the start of each
epoch (epoch e runs at lf(e)), caps warmup to leave the last epoch, has no floor, clamps lf at 0, and finds
the bias group by name; YOLOv5 steps after each epoch (epoch e >= 1 runs at lf(e - 1), except the epoch in
which warmup ends, which keeps lf(e)), keeps a 100-iteration floor, and takes group 0 as the bias group.

Rows are iterations ``ni = i + nb * epoch``; ``nb`` (batches per epoch) is the run's steps per epoch.
Values are computed with the trainers' float operations in the same order (``interp`` as numpy's
``arr_interp``: ``(b - a) / nw * ni + a``, exactly ``b`` at ``ni == nw``).
"""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import REPLAY, Family, Leaf, SchedulerSpec, Updates
from ..params import BOOL, FLOAT, INT, Param, at_least, between
from ...errors import ParamError

ULTRALYTICS = Family("ultralytics", "ultralytics", resume=REPLAY, trainer="ultralytics",
                     param_groups=("weight", "bn", "bias"), default_momentum=0.937, default_lr=0.01)
YOLOV5 = Family("yolov5", "YOLOv5", resume=REPLAY, trainer="yolov5", param_groups=("bias", "weight", "bn"),
                default_momentum=0.937, default_lr=0.01)


DEFAULT_EPOCHS = 100  # both trainers' default epochs


def _params() -> tuple:
    return (
        Param("epochs", INT, "epochs of the run (the lf horizon); default --epochs, else "
              f"{DEFAULT_EPOCHS}", default=None, nullable=True, check=at_least(1), cli=False, run_flag="--epochs"),
        Param("nb", INT, "iterations (batches) per epoch; default --steps-per-epoch, or the run's count",
              default=None, nullable=True, check=at_least(1), cli=False, run_flag="--steps-per-epoch"),
        Param("lrf", FLOAT, "final lr as a fraction of lr0: lf falls from 1 to lrf over the epochs", default=0.01),
        Param("cos_lr", BOOL, "cosine lf (one_cycle) instead of linear", default=False),
        Param("warmup_epochs", FLOAT, "warmup length in epochs (fractions allowed)", default=3.0, check=at_least(0),
              warmup="epochs"),
        Param("warmup_bias_lr", FLOAT, "the bias group's lr at iteration 0 (it warms down from it)", default=0.1),
        Param("warmup_momentum", FLOAT, "momentum at iteration 0 (it warms up to momentum)", default=0.8,
              check=between(0, 1)),
        Param("momentum", FLOAT, "the momentum warmup's target (the trainer's momentum argument); default: "
              "the optimizer's (--momentum)", default=None, nullable=True, check=between(0, 1), cli=False),
    )


def _iterations(p: dict) -> int | None:
    """The run's length: epochs x nb iterations."""
    return p["epochs"] * p["nb"] if p.get("epochs") and p.get("nb") else None


class _YoloSchedule(Leaf):
    """lr of group g at iteration ni: the epoch's ``initial_lr * lf``, or the warmup's interp before ``nw``."""

    steps_at_epoch_start = True  # ultralytics: scheduler.step() at each epoch's start; YOLOv5: after it
    clamp_lf = True  # ultralytics' lf has max(..., 0); YOLOv5's linear lf has not

    def warmup_rows(self, per_epoch):
        nb = self.p.get("nb") or per_epoch
        return self.warmup_iterations(nb) if nb else None

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        """The trainer's epochs and nb come from the run (--epochs, --steps-per-epoch) when not given."""
        if values["epochs"] is None:
            values["epochs"] = run.get("epochs") or DEFAULT_EPOCHS
        if values["nb"] is None:
            values["nb"] = run.get("steps_per_epoch")
        elif run.get("steps_per_epoch") not in (None, values["nb"]):
            raise ParamError(("nb",), f"{values['nb']} differs from the run's {run['steps_per_epoch']} iterations "
                             "per epoch; give one")
        return values

    def warmup_iterations(self, nb: int) -> int:
        raise NotImplementedError

    def is_bias(self, g: int, names: list[str]) -> bool:
        raise NotImplementedError

    def before_init(self, sim) -> None:
        nb = self.p["nb"]
        if not nb:
            raise ParamError((), f"{self.spec.name}: the warmup is counted in iterations: give the batches per "
                             "epoch (--steps-per-epoch, the trainer's nb) or the run (--dataset-size, --batch-size)")
        self.nb = nb
        self.nw = self.warmup_iterations(nb)
        names = sim.state.names or [str(g) for g in range(sim.groups)]
        self.start = np.array([self.p["warmup_bias_lr"] if self.is_bias(g, names) else 0.0
                               for g in range(sim.groups)], dtype=np.float64)
        self.momentum_start = list(sim.state.momentum)  # the constructor's, kept when there is no warmup
        target = self.p["momentum"]
        self.momentum_target = self.momentum_start[0] if target is None else target
        self.cycles_momentum = not sim.state.use_beta1  # Adam's betas have no "momentum" key: untouched
        if self.cycles_momentum:
            sim.momentum_cycled = True

    def lf_table(self, count: int):
        """lf(0..count-1): linear ``max(1 - x / E, 0) * (1 - lrf) + lrf`` with numpy's float64 operations (the
        same IEEE operations as Python's on exact integers), or cos_lr's ``one_cycle(1, lrf, E)``
        ``max((1 - cos(x * pi / E)) / 2, 0) * (lrf - 1) + 1`` through math.cos, as the trainers call it."""
        E, lrf = self.p["epochs"], self.p["lrf"]
        if self.p["cos_lr"]:
            waves = [(1 - math.cos(x * math.pi / E)) / 2 for x in range(count)]
            return np.array([(max(w, 0) if self.clamp_lf else w) * (lrf - 1) + 1 for w in waves], dtype=np.float64)
        line = 1 - np.arange(count, dtype=np.float64) / E
        return (np.maximum(line, 0) if self.clamp_lf else line) * (1.0 - lrf) + lrf

    def updates(self, sim, epochs, kinds, state, steps):
        ni = epochs.astype(np.int64)
        epoch = ni // self.nb
        table = self.lf_table(int(epoch.max()) + 1)
        base = self.base_lrs[None, :]
        target = base * table[epoch][:, None]  # the warmup's target: initial_lr * lf(epoch)
        if self.steps_at_epoch_start:
            scheduled = target
        else:  # stepped after each epoch: lf(epoch - 1), but the epoch where warmup ends keeps lf(epoch)
            scheduled = base * table[np.maximum(epoch - 1, 0)][:, None]
            keep = (epoch == 0) | (epoch == self.nw // self.nb)
            scheduled[keep] = target[keep]
        nw = self.nw
        warm = np.flatnonzero(ni < nw) if nw else np.zeros(0, dtype=np.int64)  # the ramp, up to (not at) nw
        x = ni[warm].astype(np.float64)[:, None]
        lr = scheduled  # a fresh array (or target, whose rows are read before they are written)
        if nw:
            at_end = ni == nw
            lr[at_end] = target[at_end]
        with np.errstate(all="ignore"):
            lr[warm] = (target[warm] - self.start[None, :]) / float(nw or 1) * x + self.start[None, :]
        momentum = None
        if self.cycles_momentum:
            a, b = self.p["warmup_momentum"], self.momentum_target
            m = np.full(len(ni), b if nw else self.momentum_start[0])
            m[warm] = (b - a) / float(nw or 1) * x[:, 0] + a
            momentum = np.broadcast_to(m[:, None], (len(ni), sim.groups))
        return Updates(np.full(len(ni), O.SET, dtype=np.int8), lr, None, momentum)

    def marks(self, n: int) -> list[tuple[int, str]]:
        return [(self.nw, "warmup ends")] if 0 < getattr(self, "nw", 0) < n else []


class UltralyticsSchedule(_YoloSchedule):
    spec = SchedulerSpec(
        name="ultralytics:BaseTrainer", cli="yolo", aliases=("ultralytics",),
        summary="ultralytics 8.4 YOLO trainer: per-epoch linear or cos_lr lf, per-iteration warmup (bias group "
                "warms down from warmup_bias_lr)",
        params=_params(), family=ULTRALYTICS, default_steps=_iterations, example={"epochs": 20, "nb": 7},
        takes_last_epoch=False)

    def warmup_iterations(self, nb: int) -> int:
        """``_get_warmup_iterations``: at least the last epoch is left out of warmup; no floor."""
        warmup = min(self.p["warmup_epochs"], max(self.p["epochs"] - 1, 0))
        return round(warmup * nb) if warmup > 0 else 0

    def is_bias(self, g: int, names: list[str]) -> bool:
        return names[g] == "bias" or names[g].startswith("bias_")  # param_group == "bias" (MuSGD's x3 too)


class YoloV5Schedule(_YoloSchedule):
    spec = SchedulerSpec(
        name="yolov5:train", cli="yolov5",
        summary="YOLOv5 train.py: per-epoch linear or cos_lr lf stepped after each epoch, warmup of at least "
                "100 iterations (group 0, the biases, warms down)",
        params=_params(), family=YOLOV5, default_steps=_iterations, example={"epochs": 20, "nb": 7},
        takes_last_epoch=False)
    steps_at_epoch_start = False
    clamp_lf = False

    def warmup_iterations(self, nb: int) -> int:
        """``max(round(warmup_epochs * nb), 100)``: never below 100 iterations, never capped by the run."""
        return max(round(self.p["warmup_epochs"] * nb), 100)

    def is_bias(self, g: int, names: list[str]) -> bool:
        return g == 0  # train.py: ``j == 0``


CLASSES = (UltralyticsSchedule, YoloV5Schedule)
