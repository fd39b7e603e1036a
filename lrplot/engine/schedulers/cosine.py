"""Cosine annealing, chainable (CosineAnnealingLR) and with warm restarts."""

from __future__ import annotations

import math

from ..._lazy import np
from .. import ops as O
from ..base import INIT, RESET0, STEP, UNDO, Leaf, SchedulerSpec, Updates
from ..params import FLOAT, INT, Param, at_least

ETA_MIN_HELP = "minimum learning rate"


class CosineAnnealingLR(Leaf):
    """torch's recursive form, which climbs back up after T_max.

    torch 2.13's extra branch for ``_step_count == 1 and last_epoch > 0`` is only
    reachable when resuming with ``last_epoch >= 0`` outside initial mode, which
    lrplot's constructions never do.
    """

    spec = SchedulerSpec(
        name="CosineAnnealingLR", cli="cosine", aliases=("cos",),
        summary="cosine from the initial lr down to eta_min over T_max epochs (and back up after)",
        example={"T_max": 100, "eta_min": 1e-6}, decay_end=lambda p: p["T_max"],
        params=(
            Param("T_max", INT, "half period: epochs from the initial lr to eta_min", check=at_least(1), horizon=True),
            Param("eta_min", FLOAT, ETA_MIN_HELP, default=0.0, check=at_least(0), floor="lr"),
        ),
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        t = self.p["T_max"]
        return [(k, "T_max" if (k // t) % 2 else "peak") for k in range(t, n, t)]

    def updates(self, sim, epochs, kinds, state, steps):
        t_max, eta_min = self.p["T_max"], self.p["eta_min"]
        count, groups = len(epochs), sim.groups
        consecutive = count > 1 and epochs[-1] - epochs[0] == count - 1 and (np.diff(epochs) == 1).all()
        restart = np.zeros(count, dtype=bool)  # the step after reaching eta_min: torch's additive branch
        if consecutive:  # epochs e0, e0+1, ...: the restarts are every 2 * T_max from the first one
            restart[(t_max + 1 - int(epochs[0])) % (2 * t_max):: 2 * t_max] = True
        else:
            restart = (epochs - 1 - t_max) % (2 * t_max) == 0
        code = np.full(count, O.AFFINE, dtype=np.int8)
        code[restart] = O.ADD
        code[kinds == INIT] = 0
        with np.errstate(all="ignore"):
            if consecutive:  # cos(pi*(e-1)/T) is the previous element of cos(pi*e/T)
                cos = np.cos(math.pi * np.arange(epochs[0] - 1, epochs[-1] + 1, dtype=np.float64) / t_max)
                cos += 1
                ratio = cos[1:] / cos[:-1]
            else:
                e = epochs.astype(np.float64)
                ratio = (1 + np.cos(math.pi * e / t_max)) / (1 + np.cos(math.pi * (e - 1.0) / t_max))
        a = np.repeat(ratio[:, None], groups, axis=1) if groups > 1 else ratio[:, None]
        add = (self.base_lrs - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        a[restart] = add[None, :]
        b = np.broadcast_to(np.float64(eta_min), (count, groups))  # read only: replay copies what it changes
        reset = kinds == RESET0
        if reset.any():
            code[reset] = O.SET
            a[reset] = eta_min + (self.base_lrs - eta_min) * (1 + math.cos(math.pi * 0 / t_max)) / 2
        return Updates(code, a, b)


class CosineAnnealingWarmRestarts(Leaf):
    """Closed form of the step index; restarts every T_i epochs, T_i growing by T_mult."""

    spec = SchedulerSpec(
        name="CosineAnnealingWarmRestarts", cli="cosine-restarts",
        aliases=("sgdr", "warm-restarts"),
        summary="cosine from the initial lr to eta_min, restarting after T_0, T_0*T_mult, ... epochs",
        example={"T_0": 20, "T_mult": 2, "eta_min": 0.001}, chainable=False, cycles=lambda p: True,
        params=(
            Param("T_0", INT, "epochs until the first restart", check=at_least(1), horizon=True),
            Param("T_mult", INT, "factor by which the period grows after each restart", default=1,
                  check=at_least(1)),
            Param("eta_min", FLOAT, ETA_MIN_HELP, default=0.0, check=at_least(0), floor="lr"),
        ),
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        out, at, period = [], self.p["T_0"], self.p["T_0"]
        while at < n:
            out.append((at, "restart"))
            period *= self.p["T_mult"]
            at += period
        return out

    def _command(self, sim, kind, where):
        """Scalar mirror of torch's ``step()``: T_cur/T_i move on STEP/INIT only."""
        if kind == UNDO:
            self.epoch -= 1
            return
        if not hasattr(self, "t_cur"):  # torch's __init__: T_cur = last_epoch
            self.t_cur, self.t_i = self.last_epoch, self.p["T_0"]
        if kind == RESET0:
            self.epoch = 0
        elif self.epoch < 0:  # torch: step() with last_epoch < 0 is step(epoch=0), a fresh start
            self.epoch, self.t_cur, self.t_i = 0, 0, self.p["T_0"]
        else:
            self.epoch += 1
            self.t_cur += 1
            if self.t_cur >= self.t_i:
                self.t_cur %= self.t_i
                self.t_i *= self.p["T_mult"]
        lr = self._lr(np.array([self.t_cur]), np.array([self.t_i]))
        sim.state.apply(O.SET, lr[0], None, None)

    def _lr(self, t_cur, t_i):
        eta_min = self.p["eta_min"]
        with np.errstate(all="ignore"):
            cos = np.cos(math.pi * t_cur.astype(np.float64) / t_i.astype(np.float64))
        return eta_min + (self.base_lrs[None, :] - eta_min) * (1 + cos[:, None]) / 2

    def updates(self, sim, epochs, kinds, state, steps):
        t_cur0, t_i0 = self.t_cur, self.t_i
        if self.epoch < 0 and kinds[0] == STEP:  # the first STEP is a fresh start
            t_cur0, t_i0 = -1, self.p["T_0"]
        raw = t_cur0 + np.cumsum(kinds == STEP)  # RESET0 (_update_lr(0)) leaves T_cur alone; never decreases
        code = np.full(len(epochs), O.SET, dtype=np.int8)
        t_mult = self.p["T_mult"]
        if t_mult == 1:  # every cycle the same T_i: each (T_cur, T_i) once, then looked up
            t_cur = raw % t_i0
            if len(raw) <= t_i0:
                return Updates(code, self._lr(t_cur, np.full(len(raw), t_i0, dtype=np.int64)))
            one_cycle = np.arange(t_i0, dtype=np.int64)
            return Updates(code, self._lr(one_cycle, np.full(t_i0, t_i0, dtype=np.int64))[t_cur])
        # the few, geometrically growing cycles: raw ascends, so each cycle is a slice
        cycles, top = [(0, t_i0)], int(raw.max())
        while cycles[-1][0] + cycles[-1][1] <= top:
            begin, length = cycles[-1]
            cycles.append((begin + length, length * t_mult))
        t_cur = raw.copy()
        t_i = np.empty(len(raw), dtype=np.int64)
        edges = np.searchsorted(raw, [begin for begin, _ in cycles[1:]], side="left").tolist() + [len(raw)]
        low = 0
        for (begin, length), high in zip(cycles, edges):
            t_cur[low:high] -= begin
            t_i[low:high] = length
            low = high
        return Updates(code, self._lr(t_cur, t_i))

CLASSES = (CosineAnnealingLR, CosineAnnealingWarmRestarts)
