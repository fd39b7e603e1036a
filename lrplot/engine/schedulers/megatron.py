"""Megatron-Core's OptimizerParamScheduler (``megatron/core/optimizer_param_scheduler.py``, 0.16.1), exactly.

Not a torch LRScheduler: the constructor calls ``step(0)``, and each ``step(increment)`` adds ``increment`` to
``num_steps`` and writes ``get_lr()`` into every param group.  Row i is the lr after i calls, so ``num_steps``
is ``i * increment``: Megatron-LM steps by 1 per iteration, or by the global batch size when it counts samples
(``--train-samples``; then every length here is in samples).  Values are absolute rates: every group gets the
class's max_lr/min_lr schedule (a group's own max_lr/min_lr keys are not modelled).  The float operations
are the Python original's, in its order.
"""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import REPLAY, Family, Leaf, SchedulerSpec, Updates
from ..fmath import pow_
from ..params import CHOICE, FLOAT, INT, MAX_INT, Param, at_least
from ...errors import ParamError

MEGATRON = Family("megatron", "Megatron-Core", resume=REPLAY, absolute=True)
STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")


def _rows(p: dict, steps) -> float:
    """Rows (``step()`` calls) until ``num_steps`` reaches ``steps``."""
    return steps / (p.get("increment") or 1)


def _default_rows(p: dict) -> int | None:
    if not p.get("lr_decay_steps"):
        return None
    rows = -(-p["lr_decay_steps"] // (p.get("increment") or 1))
    return rows + max(1, rows // 10)  # a tenth past lr_decay_steps, where min_lr takes over


class OptimizerParamScheduler(Leaf):
    spec = SchedulerSpec(
        name="megatron:OptimizerParamScheduler", cli="megatron-optimizer-param-scheduler",
        aliases=("megatron", "megatron-lr"),
        summary="Megatron's schedule: linear warmup from init_lr to max_lr, then a decay style to min_lr",
        params=(
            Param("max_lr", FLOAT, "the peak lr, reached at the end of the warmup (Megatron-LM's --lr)"),
            Param("lr_decay_steps", INT, "steps (or samples) until the decay reaches min_lr; min_lr after",
                  horizon=True),
            Param("lr_decay_style", CHOICE, "the decay after the warmup", default="linear", choices=STYLES),
            Param("lr_warmup_steps", INT, "steps (or samples) of linear warmup from init_lr to max_lr", default=0,
                  warmup=True),
            Param("min_lr", FLOAT, "the lowest lr, where the decay ends", default=0.0, floor="lr"),
            Param("init_lr", FLOAT, "the lr where the warmup starts (Megatron-LM's --lr-warmup-init)",
                  default=0.0),
            Param("wsd_decay_steps", INT, "WSD: the last steps (or samples) before lr_decay_steps, the anneal",
                  default=None, nullable=True),
            Param("lr_wsd_decay_style", CHOICE, "WSD: the anneal's shape (Megatron-LM's default: exponential)",
                  default=None, nullable=True, choices=WSD_STYLES),
            Param("increment", INT, "num_steps added per step() call: 1, or the global batch size when "
                  "Megatron-LM counts samples", default=1, check=at_least(1)),
        ),
        family=MEGATRON,
        example={"max_lr": 3e-4, "min_lr": 3e-5, "lr_warmup_steps": 100, "lr_decay_steps": 1000,
                 "lr_decay_style": "cosine"},
        default_steps=_default_rows,
        decay_end=lambda p: None if p["lr_decay_style"] == "constant" else _rows(p, p["lr_decay_steps"]),
    )

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        """The constructor's assertions, in its order."""
        v = values

        def refuse(name: str, detail: str) -> ParamError:
            return ParamError((name,), f"{detail} (Megatron's OptimizerParamScheduler asserts it)")

        if not v["min_lr"] >= 0.0:
            raise refuse("min_lr", f"{v['min_lr']!r} is negative: min_lr must be >= 0")
        if not v["max_lr"] >= v["min_lr"]:
            raise refuse("max_lr", f"{v['max_lr']!r} is below min_lr {v['min_lr']!r}: max_lr must be >= min_lr")
        if not v["init_lr"] <= v["max_lr"]:
            raise refuse("init_lr", f"{v['init_lr']!r} is above max_lr {v['max_lr']!r}: init_lr must be <= max_lr")
        if not v["lr_decay_steps"] > 0:
            raise refuse("lr_decay_steps", f"{v['lr_decay_steps']!r} must be > 0")
        if not v["lr_warmup_steps"] < v["lr_decay_steps"]:
            raise refuse("lr_warmup_steps", f"{v['lr_warmup_steps']!r} must be below lr_decay_steps "
                         f"{v['lr_decay_steps']!r}")
        if v["lr_decay_style"] == "WSD" and v["wsd_decay_steps"] is None:
            raise refuse("wsd_decay_steps", "lr_decay_style WSD needs wsd_decay_steps")
        return values

    def param_warnings(self) -> list[str]:
        p, out = self.p, []
        if p["lr_decay_style"] != "WSD":
            out += [f"{name} is ignored: lr_decay_style is {p['lr_decay_style']}, not WSD"
                    for name in ("wsd_decay_steps", "lr_wsd_decay_style") if p[name] is not None]
        if p["lr_warmup_steps"] < 0:
            out.append(f"lr_warmup_steps {p['lr_warmup_steps']} is negative: no warmup, and the decay is measured "
                       "from that step (Megatron accepts it)")
        return out

    def before_init(self, sim) -> None:
        p = self.p
        self.max_lr = float(p["max_lr"])
        self.init_lr, self.min_lr = p["init_lr"], p["min_lr"]
        self.warmup, self.decay, self.style = p["lr_warmup_steps"], p["lr_decay_steps"], p["lr_decay_style"]

    def updates(self, sim, epochs, kinds, state, steps):
        with np.errstate(all="ignore"):  # branches np.where discards may divide by zero
            lr = self.get_lr(self.num_steps(epochs))
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), np.repeat(lr[:, None], sim.groups, axis=1))

    def num_steps(self, epochs):
        increment = self.p["increment"]
        if len(epochs) and int(epochs.max()) * increment > MAX_INT:
            raise self.fail(f"num_steps passes 2**53 at step {MAX_INT // increment + 1}: lrplot takes integers up "
                            "to 2**53")
        return epochs.astype(np.int64) * increment

    def get_lr(self, n):
        """``get_lr`` at every ``num_steps`` in ``n`` (int64), branch by branch as the Python original."""
        max_lr, min_lr, init_lr, warmup, decay = self.max_lr, self.min_lr, self.init_lr, self.warmup, self.decay
        nf = n.astype(np.float64)
        warming = (n <= warmup) if warmup > 0 else np.zeros(len(n), dtype=bool)
        ramp = init_lr + (max_lr - init_lr) * nf / float(warmup if warmup > 0 else 1)
        if self.style == "constant":
            return np.where(warming, ramp, max_lr)
        if self.style == "inverse-square-root":
            rooted = max_lr * float(max(warmup, 1)) ** 0.5 / pow_(np.maximum(n, 1).astype(np.float64), 0.5)
            after = np.where(rooted > min_lr, rooted, min_lr)  # max(min_lr, lr)
        else:
            ratio = (n - warmup).astype(np.float64) / float(decay - warmup)
            after = min_lr + self.coeff(n, ratio, ~warming & (n <= decay)) * (max_lr - min_lr)
        return np.where(warming, ramp, np.where(n > decay, min_lr, after))

    def coeff(self, n, ratio, used):
        if self.style == "linear":
            return 1.0 - ratio
        if self.style == "cosine":
            return 0.5 * (np.cos(math.pi * ratio) + 1.0)
        wsd, kind = self.p["wsd_decay_steps"], self.p["lr_wsd_decay_style"]
        start = self.decay - wsd
        annealing = n > start
        if kind is None and (annealing & used).any():
            at = int(n[np.argmax(annealing & used)])
            raise self.fail(f"lr_wsd_decay_style is not given, and the run reaches the WSD anneal (num_steps {at}), "
                            "where Megatron asserts coeff is not None (Megatron-LM passes exponential)")
        r = (n - start).astype(np.float64) / float(wsd if wsd else 1)
        if kind == "linear":
            c = 1.0 - r
        elif kind == "cosine":
            c = 0.5 * (np.cos(math.pi * r) + 1.0)
        elif kind == "exponential":
            c = (2.0 * pow_(np.full(len(r), 0.5), r)) - 1.0
        else:  # minus_sqrt (or no anneal at all)
            c = 1.0 - np.sqrt(r)
        return np.where(annealing, c, 1.0)

    def marks(self, n: int) -> list[tuple[int, str]]:
        p = self.p
        out = []
        if p["lr_warmup_steps"] > 0:
            out.append((math.ceil(_rows(p, p["lr_warmup_steps"])), "warmup ends"))
        start = p["lr_decay_steps"] - (p["wsd_decay_steps"] or 0)
        if p["lr_decay_style"] == "WSD" and max(0, p["lr_warmup_steps"]) < start < p["lr_decay_steps"]:
            out.append((math.floor(_rows(p, start)) + 1, "anneal starts"))
        if p["lr_decay_style"] != "constant":
            out.append((math.floor(_rows(p, p["lr_decay_steps"])) + 1, "decay ends"))
        return [(row, label) for row, label in out if 0 < row < n]


CLASSES = (OptimizerParamScheduler,)
