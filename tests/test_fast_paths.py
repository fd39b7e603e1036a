"""The fast paths give the bits of the literal, step-by-step code they replace.

ReduceLROnPlateau (and timm's PlateauLRScheduler around it) runs event by event, and timm's noise is drawn for
many steps at once; each is compared here with a literal transcription of what the library does, one step
and one generator at a time, on random configurations and metric series (the golden fixtures hold the
libraries' own values for fewer cases).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import lrplot
from lrplot.engine import ops as O
from lrplot.engine.schedulers import timm_noise as N
from lrplot.engine.schedulers.plateau import plateau_rows


class ReferencePlateau:
    """torch 2.x ``ReduceLROnPlateau.step(metric)``, transcribed line by line."""

    def __init__(self, p: dict, groups: int) -> None:
        self.p = p
        self.min_lrs = p["min_lr"] if isinstance(p["min_lr"], list) else [p["min_lr"]] * groups
        self.best = math.inf if p["mode"] == "min" else -math.inf
        self.bad = self.cooldown_counter = 0

    def step(self, lr: list[float], current: float) -> list[float]:
        p, lr = self.p, list(lr)
        if p["mode"] == "min" and p["threshold_mode"] == "rel":
            better = current < self.best * (1.0 - p["threshold"])
        elif p["mode"] == "min":
            better = current < self.best - p["threshold"]
        elif p["threshold_mode"] == "rel":
            better = current > self.best * (p["threshold"] + 1.0)
        else:
            better = current > self.best + p["threshold"]
        if better:
            self.best, self.bad = current, 0
        else:
            self.bad += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.bad = 0
        if self.bad > p["patience"]:
            for g in range(len(lr)):
                new_lr = max(lr[g] * p["factor"], self.min_lrs[g])
                if lr[g] - new_lr > p["eps"]:
                    lr[g] = new_lr
            self.cooldown_counter = p["cooldown"]
            self.bad = 0
        return lr


def reference_plateau(p: dict, lrs: list[float], metrics: list[float]) -> np.ndarray:
    scheduler = ReferencePlateau(p, len(lrs))
    rows = [[float(x) for x in lrs]]
    for current in metrics:
        rows.append(scheduler.step(rows[-1], current))
    return np.array(rows).reshape(len(metrics) + 1, len(lrs))


def _metrics(rng: random.Random, n: int) -> list[float]:
    kind = rng.choice(["noisy-decreasing", "walk", "constant", "zigzag", "negative", "ties", "monotone", "spiky",
                       "bursts"])
    if kind == "bursts":  # dense improvements, then long stalls: the loop switches between its two ways
        burst, rest = rng.choice([5, 30, 200]), rng.choice([10, 40, 300])
        return [1.0 - 0.01 * (i // (burst + rest)) - 1e-4 * min(i % (burst + rest), burst) for i in range(n)]
    if kind == "noisy-decreasing":
        return [1.0 / (1 + 0.01 * i) + rng.gauss(0, 0.02) for i in range(n)]
    if kind == "walk":
        x, out = 0.0, []
        for _ in range(n):
            x += rng.gauss(0, 1)
            out.append(x)
        return out
    if kind == "constant":
        return [0.5] * n
    if kind == "zigzag":
        return [1.0 - 0.001 * i + (0.05 if i % 2 else 0.0) for i in range(n)]
    if kind == "negative":
        return [-1.0 - 0.01 * i + rng.gauss(0, 0.05) for i in range(n)]
    if kind == "ties":
        return [float(rng.choice([1, 2, 3])) for _ in range(n)]
    if kind == "monotone":
        return [2.0 - i / n for i in range(n)]
    return [rng.choice([1.0, 1.0, 1.0, 0.5 ** (i // 50)]) for i in range(n)]


def _params(rng: random.Random, groups: int) -> dict:
    return {
        "mode": rng.choice(["min", "max"]), "threshold_mode": rng.choice(["rel", "abs"]),
        "threshold": rng.choice([0.0, 1e-4, 0.01, 0.3, 1.0, 2.0]), "patience": rng.choice([0, 1, 2, 5, 10]),
        "cooldown": rng.choice([0, 0, 1, 3, 7]), "factor": rng.choice([0.1, 0.5, 0.9, 0.999, 0.0]),
        "min_lr": rng.choice([0.0, 1e-3, [1e-4 * (g + 1) for g in range(groups)]]),
        "eps": rng.choice([1e-8, 0.0, 1e-3]),
    }


@pytest.mark.parametrize("seed", range(300))
def test_plateau_matches_the_step_by_step_loop(seed):
    rng = random.Random(seed)
    groups = rng.choice([1, 1, 2, 3])
    n = rng.choice([0, 1, 2, 5, 50, 400, 2000, 6000])
    p = _params(rng, groups)
    lrs = [rng.choice([0.1, 1.0, 3e-4, 0.0]) for _ in range(groups)]
    metrics = _metrics(rng, n)
    got = plateau_rows(p, lrs, np.array(metrics))
    np.testing.assert_array_equal(got, reference_plateau(p, lrs, metrics), err_msg=str(p))


def test_plateau_without_improvement_reduces_every_period():
    p = {"mode": "min", "threshold_mode": "rel", "threshold": 1e-4, "patience": 2, "cooldown": 3, "factor": 0.5,
         "min_lr": 0.0, "eps": 1e-8}
    rows = plateau_rows(p, [1.0], np.ones(20))
    # step 0 improves (best was inf), steps 1..3 are bad: reductions at 3, then every cooldown + patience + 1
    assert np.flatnonzero(np.diff(rows[:, 0])).tolist() == [3, 9, 15]
    np.testing.assert_array_equal(rows, reference_plateau(p, [1.0], [1.0] * 20))


def reference_timm_noise(t: int, seed: int, kind: str, pct: float, std: float) -> float:
    """timm's ``_calculate_noise`` with torch's generator rebuilt as a fresh RandomState for every draw."""
    state = np.random.RandomState((seed + t) & 0xFFFFFFFF)
    words = iter(lambda: int(state.randint(0, 2**32, dtype=np.uint64)), None)  # one 32-bit word a call
    if kind != "normal":
        return 2 * (float(np.float32((next(words) & ((1 << 24) - 1)) / (1 << 24))) - 0.5) * pct
    while True:
        u1 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) / (1 << 53)
        u2 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) / (1 << 53)
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        for value in (radius * math.cos(2.0 * math.pi * u1), radius * math.sin(2.0 * math.pi * u1)):
            noise = float(np.float32(value)) * std
            if abs(noise) < pct:
                return noise


def test_mt19937_words_are_randomstate_draws():
    seeds = [0, 1, 42, 2**31, 2**32 - 1, 123456789]
    words = N.mt19937_words(np.array(seeds, dtype=np.int64), 40)
    for seed, row in zip(seeds, words.tolist()):
        assert row == np.random.RandomState(seed).randint(0, 2**32, size=40, dtype=np.uint64).tolist()


@pytest.mark.parametrize("kind,pct,std,seed", [
    ("normal", 0.67, 1.0, 42), ("normal", 0.05, 1.0, 7), ("normal", 0.3, 0.2, 0), ("normal", 0.02, 1.0, 3),
    ("uniform", 0.67, 1.0, 42), ("uniform", 0.1, 1.0, 2**32 - 5)])
def test_timm_noises_equal_a_fresh_randomstate_per_draw(kind, pct, std, seed):
    ts = np.concatenate([np.arange(0, 1500), np.arange(10**6, 10**6 + 100), [2**32 - seed % 2**32 + 5]])
    got = N.timm_noises(ts, seed, kind, pct, std)
    want = [reference_timm_noise(int(t), seed, kind, pct, std) for t in ts.tolist()]
    assert got.tolist() == want
    assert [N.timm_noise(int(t), seed, kind, pct, std) for t in ts[:300].tolist()] == want[:300]


def reference_timm_plateau(p: dict, lrs: list[float], metrics: list[float]) -> np.ndarray:
    """timm's PlateauLRScheduler.step(epoch, metric) for epochs 1.., transcribed."""
    warm = p["warmup_t"]
    steps = [(v - p["warmup_lr_init"]) / warm for v in lrs] if warm else [1.0] * len(lrs)
    lr = [p["warmup_lr_init"]] * len(lrs) if warm else list(lrs)
    inner = ReferencePlateau({"mode": p["mode"], "factor": p["decay_rate"], "patience": p["patience_t"],
                              "threshold": p["threshold"], "threshold_mode": "rel", "cooldown": p["cooldown_t"],
                              "min_lr": p["lr_min"], "eps": 1e-8}, len(lrs))
    rows, restore = [list(lr)], None
    for epoch, metric in enumerate(metrics, start=1):
        if epoch <= warm:
            lr = [p["warmup_lr_init"] + epoch * s for s in steps]
        else:
            if restore is not None:
                lr, restore = restore, None
            lr = inner.step(lr, metric)
            low, high = p["noise_range_t"]
            if low <= epoch < high:
                noise = reference_timm_noise(epoch, p["noise_seed"], p["noise_type"], p["noise_pct"],
                                             p["noise_std"])
                restore = list(lr)
                lr = [v + v * noise for v in lr]
        rows.append(list(lr))
    return np.array(rows)


@pytest.mark.parametrize("seed", range(12))
def test_timm_plateau_matches_the_step_by_step_loop(seed):
    rng = random.Random(seed)
    n = rng.choice([3, 40, 150])
    params = {"decay_rate": rng.choice([0.5, 0.1]), "patience_t": rng.choice([0, 2, 4]),
              "threshold": rng.choice([1e-4, 0.05]), "cooldown_t": rng.choice([0, 2]),
              "warmup_t": rng.choice([0, 3, 200]), "warmup_lr_init": 1e-4, "lr_min": rng.choice([0.0, 1e-3]),
              "mode": rng.choice(["min", "max"]), "noise_range_t": [rng.choice([0, 5]), rng.choice([30, 1000])],
              "noise_type": rng.choice(["normal", "uniform"]), "noise_pct": 0.5, "noise_std": 1.0,
              "noise_seed": rng.choice([42, 7])}
    metrics = _metrics(rng, n - 1)
    result = lrplot.simulate("PlateauLRScheduler", epochs=n, lr=[0.1, 0.02], metrics=metrics, params=params)
    np.testing.assert_array_equal(result.lr, reference_timm_plateau(params, [0.1, 0.02], metrics))


def reference_replay(n: int, start: float, steps, codes, a, b) -> list[float]:
    """Each update applied in order to one Python float, as torch's param_group['lr'] sees them."""
    lr, rows, k = start, [], 0
    for row in range(n):
        while k < len(steps) and steps[k] <= row:
            code, x, off = int(codes[k]), float(a[k]), float(b[k])
            if code == O.MUL:
                lr = lr * x
            elif code == O.SET:
                lr = x
            elif code == O.AFFINE:
                lr = x * (lr - off) + off
            elif code == O.ADD:
                lr = lr + x
            k += 1
        rows.append(lr)
    return rows


@pytest.mark.parametrize("seed", range(80))
def test_replay_matches_applying_each_update(seed):
    """Every path of ops.replay (cumprod runs, strided and gathered segment blocks, column-wise and scalar
    recurrences, folded and no-op updates) against the updates applied one by one."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([2, 50, 3000, 20000]))
    period = int(rng.choice([7, 40, 101]))
    per_step = int(rng.choice([1, 1, 2]))
    steps = np.repeat(np.arange(1, n), per_step)
    if rng.random() < 0.3:  # some steps without updates
        steps = np.sort(rng.choice(steps, size=max(1, len(steps) // 2), replace=False))
    count = len(steps)
    mix = rng.choice(["mul", "affine", "mixed", "cosine", "uneven"])
    weights = {"mul": [0.05, 0.9, 0.05, 0, 0], "affine": [0, 0.05, 0.05, 0.9, 0], "mixed": [0.1, 0.3, 0.1, 0.4, 0.1],
               "cosine": [0, 0, 0, 1, 0], "uneven": [0, 0.1, 0, 0.8, 0.1]}[mix]
    codes = rng.choice([0, O.MUL, O.SET, O.AFFINE, O.ADD], size=count, p=weights).astype(np.int8)
    if mix == "uneven":  # restarts after period or period + 3 updates: equal segments, unevenly spaced
        codes[np.cumsum(rng.choice([period, period + 3], size=count // period + 1))[:-1] % max(count, 1)] = O.SET
    else:  # evenly spaced restarts: many segments of one length, side by side
        codes[::period] = O.SET
    a = rng.uniform(0.9, 1.1, count)
    a[codes == O.SET] = rng.uniform(0, 1, int((codes == O.SET).sum()))
    if mix not in ("cosine", "uneven"):
        a[rng.random(count) < 0.01] = 0.0
    b = np.full(count, float(rng.choice([0.0, 1e-3, 0.5]))) if rng.random() < 0.8 else rng.uniform(0, 0.1, count)
    got = O.replay(n, 0.3, steps, codes, a, b)
    assert got.tolist() == reference_replay(n, 0.3, steps.tolist(), codes, a, b)
    if count == n - 1 and (steps == np.arange(1, n)).all():
        assert O.replay(n, 0.3, steps, codes, a, b, every_step=True).tolist() == got.tolist()
