"""The schedules torchtune and axolotl add over transformers (torchtune 0.6.1, axolotl 0.19.0), exactly.

torchtune's ``get_cosine_schedule_with_warmup`` and axolotl's three cosine variants are torch LambdaLRs with
one lambda of the step (lr = initial lr of the group * factor), written here with the same float operations
in the same order as the Python originals.  axolotl's ``RexLR`` is an LRScheduler whose constructor steps
once more than LambdaLR's: row ``i`` is its value at step ``i + 1``.
"""

from __future__ import annotations

import math

from ..._lazy import np
from ..base import Family, SchedulerSpec
from ..params import FLOAT, INT, Param, at_least
from ...errors import ParamError
from .hf import TRAINING, WARMUP, _HFSchedule

TORCHTUNE = Family("torchtune", "torchtune")
AXOLOTL = Family("axolotl", "axolotl")
CYCLES = Param("num_cycles", FLOAT, "number of cosine waves (0.5: down from the peak to 0)", default=0.5)


def _spec(family: Family, name: str, cli: str, summary: str, params: tuple, example: dict) -> SchedulerSpec:
    return SchedulerSpec(name=f"{family.name}:{name}", cli=f"{family.name}-{cli}", summary=summary, params=params,
                         example=example, family=family, default_steps=lambda p: p.get("num_training_steps"),
                         decay_end=lambda p: p.get("num_training_steps"))


def _progress(t, w: int, total: int):
    return (t - w).astype(np.float64) / float(max(1, total - w))


class TorchtuneCosine(_HFSchedule):
    spec = _spec(TORCHTUNE, "get_cosine_schedule_with_warmup", "cosine-with-warmup",
                 "linear warmup, then cosine (no clamp: past num_training_steps the wave goes on)",
                 (WARMUP, TRAINING, CYCLES), {"num_warmup_steps": 10, "num_training_steps": 100})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        multiple = 0.5 * (1.0 + np.cos(math.pi * self.p["num_cycles"] * 2.0 * _progress(t, w, total)))
        return np.where(t < w, t / float(max(1, w)), np.maximum(0.0, multiple))


class QuadraticWarmupCosine(_HFSchedule):
    spec = _spec(AXOLOTL, "get_cosine_schedule_with_quadratic_warmup", "cosine-quadratic-warmup",
                 "quadratic warmup ((t / w) ** 2), then cosine (lr_quadratic_warmup: true)",
                 (WARMUP, TRAINING, CYCLES), {"num_warmup_steps": 10, "num_training_steps": 100})

    def factor(self, t):
        w, total = self.p["num_warmup_steps"], self.p["num_training_steps"]
        wave = np.maximum(0.0, 0.5 * (1.0 + np.cos(math.pi * float(self.p["num_cycles"]) * 2.0 *
                                                    _progress(t, w, total))))
        return np.where(t < w, (t.astype(np.float64) / float(max(1, w))) ** 2, wave)


MIN_RATIO = Param("min_lr_ratio", FLOAT, "final lr as a fraction of the optimizer's (cosine_min_lr_ratio)",
                  default=0.0, floor="ratio")


class CosineMinLR(_HFSchedule):
    spec = _spec(AXOLOTL, "get_cosine_schedule_with_min_lr", "cosine-min-lr",
                 "linear warmup, then cosine to min_lr_ratio (no clamp past num_training_steps)",
                 (WARMUP, TRAINING, MIN_RATIO), {"num_warmup_steps": 10, "num_training_steps": 100,
                                                 "min_lr_ratio": 0.1})

    def factor(self, t):
        w, total, r = self.p["num_warmup_steps"], self.p["num_training_steps"], self.p["min_lr_ratio"]
        scaling = 0.5 * (1.0 + np.cos(math.pi * _progress(t, w, total)))
        return np.where(t < w, t.astype(np.float64) / float(max(1, w)), (1 - r) * scaling + r)


class CosineDecayConstant(_HFSchedule):
    spec = _spec(AXOLOTL, "get_cosine_schedule_with_warmup_decay_constant", "cosine-decay-constant",
                 "linear warmup, cosine to min_lr_ratio by constant_lr_ratio of the run, then constant",
                 (WARMUP, TRAINING, Param("constant_lr_ratio", FLOAT, "fraction of the run after which the lr "
                                          "stays at min_lr_ratio (cosine_constant_lr_ratio)"),
                  Param("min_lr_ratio", FLOAT, "final lr as a fraction of the optimizer's (cosine_min_lr_ratio)",
                        floor="ratio"),
                  CYCLES),
                 {"num_warmup_steps": 10, "num_training_steps": 100, "constant_lr_ratio": 0.8, "min_lr_ratio": 0.1})

    def factor(self, t):
        w, total, r = self.p["num_warmup_steps"], self.p["num_training_steps"], self.p["min_lr_ratio"]
        constant = int(total * self.p["constant_lr_ratio"])
        progress = (np.minimum(t, constant) - w).astype(np.float64) / float(max(1, constant - w))
        wave = np.maximum(0, (1 - r) * 0.5 * (1.0 + np.cos(math.pi * float(self.p["num_cycles"]) * 2.0 * progress)))
        return np.where(t < w, t.astype(np.float64) / float(max(1, w)), wave + r)

    def marks(self, n: int) -> list[tuple[int, str]]:
        constant = int(self.p["num_training_steps"] * self.p["constant_lr_ratio"])
        return super().marks(n) + ([(constant, "constant starts")] if 0 < constant < n else [])


class RexLR(_HFSchedule):
    spec = SchedulerSpec(
        name="axolotl:RexLR", cli="axolotl-rex", summary="linear warmup, then the REX decay from max_lr to min_lr",
        params=(Param("max_lr", FLOAT, "the peak lr (only min_lr / max_lr enters the curve)"),
                Param("min_lr", FLOAT, "the final lr, the same for every group", check=at_least(0)),
                Param("total_steps", INT, "steps until min_lr", default=0, check=at_least(0), horizon=True),
                Param("num_warmup_steps", INT, "steps of linear warmup", default=0, check=at_least(0), warmup=True)),
        decay_end=lambda p: p["total_steps"],
        example={"max_lr": 0.1, "min_lr": 0.001, "total_steps": 100, "num_warmup_steps": 10}, family=AXOLOTL,
        default_steps=lambda p: p.get("total_steps") or None)

    def before_init(self, sim) -> None:
        p = self.p
        if p["min_lr"] > p["max_lr"]:
            raise ParamError(("min_lr",), f'Value of "min_lr" should be less than value of "max_lr". Got '
                             f'min_lr={p["min_lr"]} and max_lr={p["max_lr"]} (axolotl raises)')
        if p["num_warmup_steps"] > p["total_steps"]:
            raise ParamError(("num_warmup_steps",), f"{p['num_warmup_steps']} must be less than or equal to "
                             f"total_steps ({p['total_steps']}) (axolotl raises)")
        super().before_init(sim)

    def updates(self, sim, epochs, kinds, state, steps):
        p = self.p
        step = epochs.astype(np.int64) + 1  # the constructor passes last_epoch=0, then torch steps once
        w, total, low, high = p["num_warmup_steps"], p["total_steps"], p["min_lr"], p["max_lr"]
        after, remaining = step - w, total - w
        warm = (1 <= step) & (step <= w)
        floor = (after >= remaining) | (after == -1) | (remaining <= 0)
        if not (warm | floor).all() and high == 0:
            raise self.fail("min_lr / max_lr divides by zero (max_lr is 0), as in axolotl")
        z = (remaining - np.mod(after, max(remaining, 1))).astype(np.float64) / (remaining if remaining > 0 else 1)
        ratio = low / high if high else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            rex = ratio + (1.0 - ratio) * (z / (0.1 + 0.9 * z))
        base = self.base_lrs[None, :]
        warm_lr = base * step[:, None] / float(max(w, 1))
        lr = np.where(warm[:, None], warm_lr, np.where(floor[:, None], low, base * rex[:, None]))
        from .. import ops as O
        from ..base import Updates

        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr)

    def marks(self, n: int) -> list[tuple[int, str]]:
        w = self.p["num_warmup_steps"] - 1
        return [(w, "warmup ends")] if 0 < w < n else []


TORCHTUNE_CLASSES = (TorchtuneCosine,)
AXOLOTL_CLASSES = (QuadraticWarmupCosine, CosineMinLR, CosineDecayConstant, RexLR)
CLASSES = TORCHTUNE_CLASSES + AXOLOTL_CLASSES
