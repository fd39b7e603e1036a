"""Driving a built scheduler tree: construction, the vectorised stepping phase, the result arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._lazy import np
from ..errors import LrplotError, NotFinite
from . import ops as O
from .base import STEP, OptimizerState, Simulation
from ..errors import ParamError
from .schedulers.plateau import synthetic_metrics


@dataclass
class SimulationResult:
    """What a simulation produced; arrays are float64."""

    scheduler: str
    params: dict[str, Any]
    steps: Any  # (n,) int64: 0..n-1
    lr: Any  # (n, groups)
    momentum: Any = None  # (n, groups) when the scheduler cycles momentum
    momentum_name: str = "momentum"  # or "beta1" for an Adam-style optimizer
    metrics: Any = None  # (n,) for ReduceLROnPlateau: metrics[i] is passed to step() after row i
    synthetic_metrics: bool = False
    warnings: list[str] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)  # regime changes, for the plot
    reductions: list[int] = field(default_factory=list)  # metric-driven: steps whose lr a metric reduced
    title: str = ""  # the scheduler and its parameters, e.g. StepLR(step_size=30, gamma=0.1)
    steps_per_epoch: int | None = None  # rows are iterations; epoch = step // steps_per_epoch
    uninterrupted: Any = None  # with start_step: the run that was not interrupted, for comparison
    constructed: dict = field(default_factory=dict, repr=False)  # optimizer groups right after construction
    optimizer_lr: list[float] = field(default_factory=list)  # the optimizer's lr per group, as configured
    group_names: list[str] = field(default_factory=list)  # the param groups' names, when a trainer names them
    plan: Any = None  # trainers.Plan when a training run was counted: rows are its optimizer steps
    notes: list[str] = field(default_factory=list)  # how a config's values were resolved, for stderr
    prelude: list[str] = field(default_factory=list)  # what was done to the data before counting, for stderr
    findings: list = field(default_factory=list)  # findings.Finding: the engine's own observations (horizons)
    node: Any = field(default=None, repr=False)  # the scheduler tree that produced it (check reads its params)
    resume_mode: str | None = None  # with uninterrupted: how the scheduler came back (engine/resume.py)

    @property
    def groups(self) -> int:
        return self.lr.shape[1]

    def __len__(self) -> int:
        return len(self.steps)


def run_tree(node, state: OptimizerState, n: int, per_epoch: int | None = None) -> SimulationResult:
    sim = Simulation(state, per_epoch)
    node.construct(sim)
    constructed = state.snapshot()
    row0 = list(state.lr)
    momentum0 = list(state.momentum)
    routed = np.arange(1, n, dtype=np.int64)
    if n > 1:
        node.route(sim, routed, np.full(n - 1, STEP, dtype=np.int8))
    parts = []
    for leaf in sim.leaves:
        collected = leaf.collect(sim)
        if collected is not None:
            parts.append((leaf.index, *collected))
    groups = state.groups
    lr = np.empty((n, groups))
    momentum = np.empty((n, groups)) if sim.momentum_cycled else None
    steps, code, a, b = _merge([(i, s, u.code, u.a, u.b) for i, s, u in parts], groups)
    every_step = steps is routed  # one leaf updated at every step: rows are its updates
    for g in range(groups):
        column = O.replay(n, row0[g], steps, code, a[:, g], None if b is None else b[:, g], every_step)
        if groups == 1:
            lr = column[:, None]  # no copy
        else:
            lr[:, g] = column
    if momentum is not None:
        m_steps, _, m_vals, _ = _merge([(i, s, u.code, u.momentum, None) for i, s, u in parts
                                        if u.momentum is not None], groups)
        every_step = m_steps is routed
        for g in range(groups):
            momentum[:, g] = O.replay(n, momentum0[g], m_steps, np.full(len(m_steps), O.SET, np.int8), m_vals[:, g],
                                      every_step=every_step)
    warnings = [w for each in node.walk() for w in each.param_warnings()] + _check_finite(lr, node)
    return SimulationResult(node.spec.name, node.visible_params(), np.arange(n, dtype=np.int64), lr, momentum,
                            "beta1" if state.use_beta1 else "momentum", warnings=warnings, marks=node.marks(n),
                            constructed=constructed, title=node.describe())


def at_rows(result: SimulationResult, index) -> SimulationResult:
    """Rows of optimizer steps from a run of scheduler steps: row i is scheduler row ``index[i]``."""
    result.lr = result.lr[index]
    if result.momentum is not None:
        result.momentum = result.momentum[index]
    result.steps = np.arange(len(index), dtype=np.int64)
    marks = []
    for step, label in result.marks:  # the first optimizer step that sees the scheduler's step (index ascends)
        row = int(np.searchsorted(index, step))
        if row < len(index) and index[row] == step:
            marks.append((row, label))
    result.marks = marks
    return result


def _merge(parts, groups: int):
    """Concatenate leaves' updates in torch's call order: by step, then by leaf (construction order)."""
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros((0, groups)), None
    if len(parts) == 1:
        _, steps, code, a, b = parts[0]
        return steps, code, np.broadcast_to(a, (len(steps), groups)), b
    parts = [p for p in parts if len(p[1])]
    if len(parts) <= 1:
        return _merge(parts, groups)
    if all(p[1][-1] <= q[1][0] for p, q in zip(parts, parts[1:])):  # one after the other (SequentialLR)
        b = None
        if any(p[4] is not None for p in parts):
            b = np.concatenate([np.zeros((len(p[1]), groups)) if p[4] is None else p[4] for p in parts])
        return (np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]),
                np.concatenate([np.broadcast_to(p[3], (len(p[1]), groups)) for p in parts]), b)
    keys = [p[1] * len(parts) + k for k, p in enumerate(parts)]  # each leaf's steps are sorted
    big = max(range(len(parts)), key=lambda k: len(keys[k]))
    if 8 * (sum(map(len, keys)) - len(keys[big])) < len(keys[big]):  # a few updates among many: inserted
        return _insert(parts, keys, big, groups)
    if len(parts) <= 4:  # where each update goes: its index plus the other leaves' updates before it
        places = [np.arange(len(key)) + sum(np.searchsorted(other, key) for j, other in enumerate(keys) if j != k)
                  for k, key in enumerate(keys)]
    else:
        order = np.argsort(np.concatenate(keys), kind="stable")
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        places = np.split(inverse, np.cumsum([len(key) for key in keys])[:-1])
    total = sum(len(key) for key in keys)
    steps, code, a = np.empty(total, np.int64), np.empty(total, np.int8), np.empty((total, groups))
    b = np.zeros((total, groups)) if any(p[4] is not None for p in parts) else None
    for place, (_, p_steps, p_code, p_a, p_b) in zip(places, parts):
        steps[place], code[place], a[place] = p_steps, p_code, p_a
        if p_b is not None:
            b[place] = p_b
    return steps, code, a, b


def _insert(parts, keys, big: int, groups: int):
    """The other leaves' (few) updates inserted among the largest leaf's, in call order."""
    others = [k for k in range(len(parts)) if k != big]
    key = np.concatenate([keys[k] for k in others])
    order = np.argsort(key, kind="stable")
    at = np.searchsorted(keys[big], key[order])

    def merged(column: int, blank):
        small = np.concatenate([blank(k) if parts[k][column] is None else
                                np.broadcast_to(parts[k][column], (len(keys[k]), *blank(k).shape[1:]))
                                for k in others])[order]
        main = parts[big][column]
        main = blank(big) if main is None else np.broadcast_to(main, (len(keys[big]), *blank(big).shape[1:]))
        return np.insert(main, at, small, axis=0)

    b = None
    if any(p[4] is not None for p in parts):
        b = merged(4, lambda k: np.zeros((len(keys[k]), groups)))
    return (merged(1, lambda k: np.zeros(len(keys[k]), np.int64)), merged(2, lambda k: np.zeros(len(keys[k]), np.int8)),
            merged(3, lambda k: np.zeros((len(keys[k]), groups))), b)


def run_metric_driven(node, state: OptimizerState, n: int, metrics) -> SimulationResult:
    synthetic = metrics is None
    if synthetic:
        metrics = synthetic_metrics(n, node.p["mode"])
    elif len(metrics) < n - 1:
        raise ParamError(("metrics",), f"has {len(metrics)} values but {n} steps were asked for, which step "
                         f"{n - 1} times; give at least {n - 1} metrics or simulate at most "
                         f"{len(metrics) + 1} steps")
    if len(metrics) < n:  # the last row's metric is never passed to step(): unknown, drawn as a gap
        metrics = np.append(metrics, np.nan)
    metrics = metrics[:n]
    bad = ~np.isfinite(metrics[: n - 1])
    if bad.any():
        i = int(np.argmax(bad))
        raise ParamError(("metrics", i), f"{float(metrics[i])!r} is not a finite number")
    constructed = state.snapshot()
    rows = node.run(state.lr, metrics[: n - 1])  # a float64 array; run() returns rows of lr
    lr = np.array(rows, dtype=np.float64).reshape(n, state.groups)
    drops = np.flatnonzero((lr[1:] < lr[:-1]).any(axis=1)) + 1
    return SimulationResult(node.spec.name, node.visible_params(), np.arange(n, dtype=np.int64), lr, None,
                            "beta1" if state.use_beta1 else "momentum", metrics=metrics,
                            synthetic_metrics=synthetic, reductions=drops.tolist(),
                            constructed=constructed, title=node.describe())


def _check_finite(lr, node) -> list[str]:
    """Non-finite rates are an error; negative ones are what torch computes, so they are kept and reported."""
    low, high = (float(lr.min()), float(lr.max())) if lr.size else (0.0, 0.0)  # nan, inf show in these
    if math.isfinite(low) and math.isfinite(high) and low >= 0:
        return []
    flat, groups = lr.reshape(-1), lr.shape[1]  # the first bad value in row-major order: its row and value
    bad = ~np.isfinite(flat)
    if bad.any():
        first = int(np.argmax(bad))
        raise NotFinite(f"{node.spec.name}: the learning rate becomes {float(flat[first])!r} at "
                        f"step {first // groups}; check the parameters (factors must keep it finite)", first // groups)
    first = int(np.argmax(flat < 0))
    return [f"the learning rate goes negative at step {first // groups} ({float(flat[first])!r}); "
            "torch computes the same, but no optimizer should see it"]
