"""Schedulers whose chainable step multiplies the current learning rate.

Each ``updates`` reproduces torch 2.13's ``get_lr`` (for STEP/INIT events) and
``_get_closed_form_lr`` (for RESET0, SequentialLR's milestone call) with the
same float operations in the same order; the products themselves are taken by
:func:`lrplot.engine.ops.replay`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from ..._lazy import np
from .. import ops as O
from ..base import INIT, RESET0, Leaf, SchedulerSpec, Updates, check_factors
from ..expr import compile_expression
from ..fmath import pow_
from ..params import EXPR, FLOAT, INT, INT_LIST, Param, at_least, between
from ...errors import ParamError

GAMMA_HELP = "multiplicative factor of learning rate decay"


def _python_pow(base: float, exponent: float) -> float:
    try:
        return base ** exponent
    except (OverflowError, ZeroDivisionError) as exc:
        raise ParamError((), f"{base!r} ** {exponent!r} fails ({exc})") from None


def _closed_form(base_lrs, factor: float):
    """``base_lr * factor`` for every group, as SET updates of one event."""
    return base_lrs * factor


def _total_iters_mark(leaf: Leaf, n: int) -> list[tuple[int, str]]:
    """Schedules that change regime once, at total_iters."""
    t = leaf.p["total_iters"]
    return [(t, f"{leaf.spec.name} ends")] if 0 < t < n else []


def _lambdas(leaf: Leaf, sim) -> list:
    value = leaf.p["lr_lambda"]
    sources = value if isinstance(value, list) else [value] * sim.groups
    if len(sources) != sim.groups:
        raise ParamError(("lr_lambda",), f"has {len(sources)} expressions but the optimizer has {sim.groups} param groups")
    return [compile_expression(s, "epoch", ("lr_lambda",)) for s in sources]


def _lambda_factors(leaf: Leaf, sim, epochs):
    exprs = _lambdas(leaf, sim)
    e = epochs.astype(np.float64)
    cols = []
    for ex in exprs:
        f = ex.evaluate(e, ("lr_lambda",))
        check_factors("lr_lambda", f, epochs, ex.source)
        cols.append(f)
    return np.stack(cols, axis=1)


LAMBDA_HELP = ("factor as an expression in epoch, e.g. '0.95 ** epoch' (numbers, + - * / // % **, "
               "comparisons, 'a if c else b', cos sin tan exp log log10 sqrt floor ceil tanh min max abs, pi, e)")


class LambdaLR(Leaf):
    spec = SchedulerSpec(
        name="LambdaLR", cli="lambda",
        summary="lr = initial_lr * lr_lambda(epoch)",
        example={"lr_lambda": "0.95 ** epoch"}, chainable=False,
        params=(Param("lr_lambda", EXPR, LAMBDA_HELP, per_group=True),),
    )

    def updates(self, sim, epochs, kinds, state, steps):
        f = _lambda_factors(self, sim, epochs)
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), self.base_lrs[None, :] * f)


class MultiplicativeLR(Leaf):
    spec = SchedulerSpec(
        name="MultiplicativeLR", cli="multiplicative", aliases=("mult",),
        summary="lr = lr * lr_lambda(epoch) at every step",
        example={"lr_lambda": "0.9 if epoch % 10 == 0 else 1.0"},
        params=(Param("lr_lambda", EXPR, LAMBDA_HELP.replace("factor", "per-step factor"), per_group=True),),
    )

    def updates(self, sim, epochs, kinds, state, steps):
        f = _lambda_factors(self, sim, epochs)
        code = O.codes(kinds != INIT, O.MUL)
        return Updates(code, f)


class StepLR(Leaf):
    spec = SchedulerSpec(
        name="StepLR", cli="step",
        summary="multiply lr by gamma every step_size epochs",
        example={"step_size": 30, "gamma": 0.1},
        params=(
            Param("step_size", INT, "period of learning rate decay, in epochs", check=at_least(1), horizon=True),
            Param("gamma", FLOAT, GAMMA_HELP, default=0.1, check=at_least(0)),
        ),
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        s = self.p["step_size"]
        return [(k, f"x{self.p['gamma']:g}") for k in range(s, n, s)]

    def updates(self, sim, epochs, kinds, state, steps):
        s, gamma = self.p["step_size"], self.p["gamma"]
        decay = (epochs != 0) & (epochs % s == 0)
        code = O.codes(decay, O.MUL)
        a = np.full((len(epochs), sim.groups), gamma)
        reset = kinds == RESET0
        if reset.any():  # closed form: base_lr * gamma ** (last_epoch // step_size), last_epoch = 0
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, _python_pow(gamma, 0 // s))
        return Updates(code, a)


class MultiStepLR(Leaf):
    spec = SchedulerSpec(
        name="MultiStepLR", cli="multistep",
        summary="multiply lr by gamma at each milestone (a repeated milestone counts twice)",
        example={"milestones": [30, 80], "gamma": 0.5},
        params=(
            Param("milestones", INT_LIST, "epochs at which to decay, e.g. 30,80", check=at_least(0), horizon=True),
            Param("gamma", FLOAT, GAMMA_HELP, default=0.1, check=at_least(0)),
        ),
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        return [(m, f"x{self.p['gamma']:g}") for m in sorted(set(self.p["milestones"])) if 0 < m < n]

    def updates(self, sim, epochs, kinds, state, steps):
        counts = Counter(self.p["milestones"])
        gamma = self.p["gamma"]
        keys = np.array(sorted(counts), dtype=np.int64)
        factors = np.array([_python_pow(gamma, counts[k]) for k in keys.tolist()], dtype=np.float64)
        a = np.ones((len(epochs), sim.groups))
        code = np.zeros(len(epochs), dtype=np.int8)
        if len(keys):
            pos = np.clip(np.searchsorted(keys, epochs), 0, len(keys) - 1)
            hit = keys[pos] == epochs
            code[hit] = O.MUL
            a[hit] = factors[pos[hit]][:, None]
        reset = kinds == RESET0
        if reset.any():
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, _python_pow(gamma, bisect_right(sorted(self.p["milestones"]), 0)))
        return Updates(code, a)


class ConstantLR(Leaf):
    spec = SchedulerSpec(
        name="ConstantLR", cli="constant",
        summary="lr * factor until total_iters, then lr",
        example={"factor": 0.5, "total_iters": 40},
        params=(
            Param("factor", FLOAT, "factor applied until total_iters", default=1.0 / 3, check=between(0, 1)),
            Param("total_iters", INT, "number of epochs the factor is applied", default=5, check=at_least(0)),
        ),
    )

    marks = _total_iters_mark

    def updates(self, sim, epochs, kinds, state, steps):
        factor, total = self.p["factor"], self.p["total_iters"]
        first = epochs == 0
        restore = ~first & (epochs == total)
        code = O.codes(first | restore, O.MUL)
        a = np.full((len(epochs), sim.groups), factor)
        if restore.any():
            if factor == 0:
                raise self.fail(f"factor=0 cannot be undone at total_iters={total} (torch divides by zero); "
                                "use a factor > 0")
            a[restore] = 1.0 / factor
        reset = kinds == RESET0
        if reset.any():
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, factor + (0 >= total) * (1 - factor))
        return Updates(code, a)


class LinearLR(Leaf):
    spec = SchedulerSpec(
        name="LinearLR", cli="linear", aliases=("warmup",),
        summary="lr * factor, the factor moving linearly from start_factor to end_factor over total_iters",
        example={"start_factor": 0.1, "total_iters": 20},
        decay_end=lambda p: p["total_iters"] if p["end_factor"] < p["start_factor"] else None,
        params=(
            Param("start_factor", FLOAT, "factor at the first epoch", default=1.0 / 3,
                  check=between(0, 1, lo_open=True)),
            Param("end_factor", FLOAT, "factor at total_iters and after", default=1.0, check=between(0, 1)),
            Param("total_iters", INT, "number of epochs to reach end_factor", default=5, check=at_least(0)),
        ),
    )

    marks = _total_iters_mark

    def updates(self, sim, epochs, kinds, state, steps):
        start, end, total = self.p["start_factor"], self.p["end_factor"], self.p["total_iters"]
        first = epochs == 0
        moving = ~first & (kinds != INIT) & (epochs <= total)
        code = O.codes(first | moving, O.MUL)
        with np.errstate(all="ignore"):
            e = epochs.astype(np.float64)
            f = 1.0 + (end - start) / (float(total) * start + (e - 1.0) * (end - start))
        f = np.where(first, start, f)
        a = np.repeat(f[:, None], sim.groups, axis=1)
        reset = kinds == RESET0
        if reset.any():
            if total == 0:
                raise self.fail("total_iters=0 divides by zero when SequentialLR restarts it; use total_iters >= 1")
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, start + (end - start) * min(total, 0) / total)
        return Updates(code, a)


class ExponentialLR(Leaf):
    spec = SchedulerSpec(
        name="ExponentialLR", cli="exponential", aliases=("exp",),
        summary="multiply lr by gamma every epoch",
        example={"gamma": 0.95},
        params=(Param("gamma", FLOAT, GAMMA_HELP, check=at_least(0)),),
    )

    def updates(self, sim, epochs, kinds, state, steps):
        code = O.codes(kinds != INIT, O.MUL)
        a = np.full((len(epochs), sim.groups), self.p["gamma"])
        reset = kinds == RESET0
        if reset.any():
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, _python_pow(self.p["gamma"], 0))
        return Updates(code, a)


class PolynomialLR(Leaf):
    spec = SchedulerSpec(
        name="PolynomialLR", cli="polynomial", aliases=("poly",),
        summary="lr * (1 - epoch/total_iters) ** power, then constant",
        example={"total_iters": 80, "power": 2.0}, decay_end=lambda p: p["total_iters"],
        params=(
            Param("total_iters", INT, "number of epochs to decay over", default=5, check=at_least(0)),
            Param("power", FLOAT, "power of the polynomial", default=1.0, check=at_least(0)),
        ),
    )

    marks = _total_iters_mark

    def updates(self, sim, epochs, kinds, state, steps):
        total, power = self.p["total_iters"], self.p["power"]
        active = (kinds != INIT) & (epochs <= total)
        code = O.codes(active, O.MUL)
        e = epochs[active].astype(np.float64)
        if total == 0 and active.any():
            raise self.fail("total_iters=0 divides by zero; use total_iters >= 1")
        ratio = (1.0 - e / total) / (1.0 - (e - 1.0) / total)
        a = np.ones((len(epochs), sim.groups))
        a[active] = (ratio if power == 1.0 else pow_(ratio, power))[:, None]
        reset = kinds == RESET0
        if reset.any():
            if total == 0:
                raise self.fail("total_iters=0 divides by zero when SequentialLR restarts it; use total_iters >= 1")
            code[reset] = O.SET
            a[reset] = _closed_form(self.base_lrs, _python_pow(1.0 - min(total, 0) / total, power))
        return Updates(code, a)


CLASSES = (LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR)
