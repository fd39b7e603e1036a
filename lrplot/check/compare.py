"""A run's logged lr against the prediction: aligned as the logger logs, compared as precisely as it stores."""

from __future__ import annotations

from dataclasses import dataclass

from .._lazy import np
from ..engine.findings import ERROR, INFO, Finding
from ..errors import LrplotError

DEFAULT_RTOL = 1e-6
RULE = "log-diverges"


@dataclass
class Comparison:
    log: object  # config.logs.Log
    alignment: str
    rows: "np.ndarray"  # the predicted row of each compared entry
    logged: "np.ndarray"  # (entries, groups compared)
    predicted: "np.ndarray"
    rel: "np.ndarray"  # relative difference, per entry (worst group)
    rtol: float
    beyond: int  # logged entries past the prediction's last row

    @property
    def diverged(self) -> bool:
        return bool((self.rel > self.rtol).any()) or self.beyond > 0

    @property
    def first(self) -> int | None:
        bad = np.flatnonzero(self.rel > self.rtol)
        return int(bad[0]) if len(bad) else None


def compare(result, log, rtol: float | None = None) -> Comparison:
    """The alignment the values fit best (most entries within ``rtol``; the logger's documented one on a tie)."""
    rtol = DEFAULT_RTOL if rtol is None else rtol
    if not rtol >= 0:
        raise LrplotError(f"--log-rtol: {rtol!r} is invalid: give a relative tolerance >= 0")
    groups = _groups(result, log)
    best = None
    for said, to_rows, *spare in log.alignments:
        rows = np.asarray(to_rows(log.steps, result.steps_per_epoch), dtype=np.int64) - int(result.steps[0])
        inside = (rows >= 0) & (rows < len(result.lr))
        beyond = int((rows >= len(result.lr) + (spare[0] if spare else 0)).sum())
        predicted = _as_stored(result.lr[rows[inside]][:, groups], log.precision)
        logged = log.values[inside][:, :len(groups)]
        with np.errstate(all="ignore"):
            diff = np.abs(logged - predicted) / np.where(predicted != 0, np.abs(predicted), 1.0)
        diff = np.where(np.isnan(logged), 0.0, np.where(np.isnan(diff), np.inf, diff))
        rel = diff.max(axis=1) if diff.size else np.zeros(0)
        candidate = Comparison(log, said, rows[inside] + int(result.steps[0]), logged, predicted, rel, rtol, beyond)
        score = (int((rel <= rtol).sum()) - beyond, -float(np.median(rel)) if len(rel) else 0.0)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None or not len(best[1].rows):
        raise LrplotError(f"--log: {log.name}: none of its {len(log.steps):,} logged steps falls inside the predicted "
                          f"run (steps {int(result.steps[0])}..{int(result.steps[-1])}): is it the same run?")
    return best[1]


def _groups(result, log) -> list[int]:
    logged, predicted = log.values.shape[1], result.lr.shape[1]
    if logged <= predicted:  # the first groups (a logger that logs one: group 0)
        return list(range(logged))
    raise LrplotError(f"--log: {log.name} logs {logged} learning rates ({', '.join(log.columns[:6])}) but the "
                      f"prediction has {predicted} param groups: give one --lr per group")


def _as_stored(values, precision):
    """The prediction as the logger would have stored it."""
    if precision == "float32":
        return values.astype(np.float32).astype(np.float64)
    if precision == "%.6g":
        return np.array([[float(f"{v:.6g}") for v in row] for row in values.tolist()]).reshape(values.shape)
    return values


def findings(c: Comparison) -> list:
    n = len(c.rows)
    if not c.diverged:
        return [Finding(RULE, INFO, f"the logged lr ({c.log.format}, {n:,} entries) matches the prediction within "
                        f"{c.rtol:g} ({c.alignment}; largest difference {float(c.rel.max()):.2g})", "", (),
                        int(c.rows[-1]))]
    out = []
    first = c.first
    if first is not None:
        worst = int(np.argmax(c.rel))
        out.append(Finding(RULE, ERROR, f"the logged lr departs from the prediction at step {int(c.rows[first]):,}: "
                           f"logged {float(c.logged[first][0])!r}, predicted {float(c.predicted[first][0])!r} "
                           f"(relative difference {float(c.rel[first]):.3g}); the largest is {float(c.rel[worst]):.3g} "
                           f"at step {int(c.rows[worst]):,}; {int((c.rel > c.rtol).sum()):,} of {n:,} entries differ "
                           f"({c.log.format}, {c.alignment})", "check the run's settings against the config (batch, "
                           "devices, accumulation, epochs, resume), or raise --log-rtol if the logger rounds",
                           (), int(c.rows[first])))
    if c.beyond:
        out.append(Finding(RULE, ERROR, f"{c.beyond:,} logged entries lie past the predicted run's last step "
                           f"{int(c.rows.max() if len(c.rows) else 0):,}: the run was longer than configured",
                           "give the run's length (epochs, --max-steps, --dataset-size) as it was trained", ()))
    return out


def log_findings(result, opts: dict) -> list:
    from ..config.logs import read_log

    comparison = compare(result, read_log(opts["log"]), opts.get("log_rtol"))
    return findings(comparison)
