"""optax's schedules (``optax/schedules/_schedule.py`` and ``_join.py``, optax 0.2.8), as optax computes them.

A schedule is a function of the int32 step count that the optimizer's state keeps; row i is ``schedule(i)``
evaluated eagerly.  JAX computes in float32 unless ``jax_enable_x64`` is on (``dtype``).  The arithmetic is in
:mod:`.optax_math`; this module declares the schedules and checks what optax refuses.
"""

from __future__ import annotations

from ..._lazy import np
from ..base import REPLAY, Family, SchedulerSpec
from ..params import ANY, BOOL, CHOICE, FLOAT, INT, INT_LIST, SCALES, SCHEDULERS, Param
from ..spec import dtype_param
from ...errors import ParamError
from .functional import Functional
from .optax_math import (constant, cosine_decay, exponential, join, linear, piecewise_constant, piecewise_interpolate,
                         polynomial, warmup_cosine_decay)

OPTAX = Family("optax", "optax", resume=REPLAY, absolute=True, dtype="float32",
               extra_params=(dtype_param("float32", "jax.config.update('jax_enable_x64', True)"),))


# --- the schedules ---------------------------------------------------------------------------------------------

def _p(name, kind=FLOAT, help="", **extra):
    return Param(name, kind, help, **extra)


INIT = _p("init_value", help="the value at step 0")
PEAK = _p("peak_value", help="the value at the end of the warmup")
END = _p("end_value", help="the value at the end", floor="lr")
TRANSITION = _p("transition_steps", INT, "steps of the transition (<= 0: constant init_value)", horizon=True)
BEGIN = _p("transition_begin", INT, "steps before the transition starts (< 0: 0)", default=0)
WARMUP = _p("warmup_steps", INT, "steps of linear warmup from init_value to peak_value (<= 0: no warmup)",
            horizon=True, warmup=True)
DECAY = _p("decay_steps", INT, "steps until the decay ends, counted from step 0 (warmup included)", horizon=True)
EXPONENT = _p("exponent", help="power of the cosine", default=1.0)
SCALE_MAP = _p("boundaries_and_scales", SCALES, "steps and the factor the value is multiplied by there",
               default=None, nullable=True)
DECAY_RATE = _p("decay_rate", help="factor per transition_steps (0: constant)")
STAIRCASE = _p("staircase", BOOL, "decay in whole steps of transition_steps", default=False)
END_BOUND = _p("end_value", help="bound the decay at this value", default=None, nullable=True, floor="lr")
PCT_START = _p("pct_start", help="fraction of transition_steps spent rising", default=0.3)
DIV = _p("div_factor", help="peak_value / div_factor is the first value", default=25.0)
FINAL_DIV = _p("final_div_factor", help="the last value is the first / final_div_factor", default=1e4)


def _spec(name: str, summary: str, params: tuple, example: dict, length=None, **extra) -> SchedulerSpec:
    cli = name.removesuffix("_schedule").replace("_", "-")
    if length is not None:
        extra.setdefault("decay_end", length)
    return SchedulerSpec(name=f"optax:{name}", cli=f"optax-{cli}", summary=summary, params=params, example=example,
                         family=OPTAX, default_steps=lambda p: None if length is None else length(p) + 1, **extra)


def _positive(values: dict, name: str) -> None:
    if not values[name] > 0:
        raise ParamError((name,), f"{values[name]!r} is invalid: must be > 0 (optax raises ValueError)")


def _non_negative_scales(values: dict) -> None:
    for step, scale in (values.get("boundaries_and_scales") or {}).items():
        if not scale >= 0:
            raise ParamError(("boundaries_and_scales", step), f"{scale!r} is invalid: optax expects non-negative "
                             "scale factors (it raises ValueError)")


class _Optax(Functional):
    def value(self, count):
        return self.schedule(self.f)(count)

    def schedule(self, f):
        raise NotImplementedError


class Constant(_Optax):
    spec = _spec("constant_schedule", "the same value at every step", (_p("value", help="the value"),),
                 {"value": 0.1})

    def schedule(self, f):
        return constant(self.p["value"])


class Polynomial(_Optax):
    spec = _spec("polynomial_schedule", "polynomial from init_value to end_value over transition_steps",
                 (INIT, END, _p("power", help="power of the polynomial"), TRANSITION, BEGIN),
                 {"init_value": 0.1, "end_value": 0.001, "power": 2.0, "transition_steps": 100},
                 length=lambda p: max(0, p["transition_begin"]) + p["transition_steps"])

    def schedule(self, f):
        p = self.p
        return polynomial(f, p["init_value"], p["end_value"], p["power"], p["transition_steps"], p["transition_begin"])


class Linear(_Optax):
    spec = _spec("linear_schedule", "linear from init_value to end_value over transition_steps",
                 (INIT, END, TRANSITION, BEGIN), {"init_value": 0.1, "end_value": 0.001, "transition_steps": 100},
                 length=lambda p: max(0, p["transition_begin"]) + p["transition_steps"])

    def schedule(self, f):
        p = self.p
        return linear(f, p["init_value"], p["end_value"], p["transition_steps"], p["transition_begin"])


class _Piecewise(_Optax):
    """Schedules of ``boundaries_and_scales``: optax refuses a negative scale; each piece is evaluated."""

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        _non_negative_scales(values)
        return values

    def pieces(self) -> int:
        return 1 + len(self.p["boundaries_and_scales"] or {})


class PiecewiseConstant(_Piecewise):
    spec = _spec("piecewise_constant_schedule", "init_value, multiplied by each scale at its step",
                 (INIT, SCALE_MAP), {"init_value": 0.1, "boundaries_and_scales": {30: 0.1, 60: 0.1}},
                 length=lambda p: max(p["boundaries_and_scales"] or {0: 0}) + 10)

    def schedule(self, f):
        return piecewise_constant(f, self.p["init_value"], self.p["boundaries_and_scales"])


class PiecewiseInterpolate(_Piecewise):
    spec = _spec("piecewise_interpolate_schedule", "linear or cosine interpolation between scaled values at steps",
                 (_p("interpolate_type", CHOICE, "how values are joined", choices=("linear", "cosine")), INIT,
                  SCALE_MAP), {"interpolate_type": "cosine", "init_value": 0.1,
                               "boundaries_and_scales": {50: 0.1, 100: 0.1}},
                 length=lambda p: max(p["boundaries_and_scales"] or {0: 0}))

    def schedule(self, f):
        p = self.p
        return piecewise_interpolate(f, p["interpolate_type"], p["init_value"], p["boundaries_and_scales"])


class ExponentialDecay(_Optax):
    spec = _spec("exponential_decay", "init_value * decay_rate ** ((step - transition_begin) / transition_steps)",
                 (INIT, TRANSITION, DECAY_RATE, BEGIN, STAIRCASE, END_BOUND),
                 {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.9})

    def schedule(self, f):
        p = self.p
        return exponential(f, p["init_value"], p["transition_steps"], p["decay_rate"], p["transition_begin"],
                           p["staircase"], p["end_value"])


class CosineDecay(_Optax):
    spec = _spec("cosine_decay_schedule", "cosine from init_value down to alpha * init_value over decay_steps",
                 (INIT, _p("decay_steps", INT, "steps of the decay", horizon=True),
                  _p("alpha", help="the last value as a fraction of init_value", default=0.0, floor="ratio"),
                  EXPONENT), {"init_value": 0.1, "decay_steps": 100}, length=lambda p: p["decay_steps"])

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        _positive(values, "decay_steps")
        return values

    def schedule(self, f):
        p = self.p
        return cosine_decay(f, p["init_value"], p["decay_steps"], p["alpha"], p["exponent"])


class WarmupConstant(_Optax):
    spec = _spec("warmup_constant_schedule", "linear warmup to peak_value, then constant",
                 (INIT, PEAK, WARMUP), {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10},
                 length=lambda p: p["warmup_steps"] * 2)

    def schedule(self, f):
        return linear(f, self.p["init_value"], self.p["peak_value"], self.p["warmup_steps"])


class WarmupCosineDecay(_Optax):
    spec = _spec("warmup_cosine_decay_schedule", "linear warmup, then cosine decay to end_value at decay_steps "
                 "(warmup included)", (INIT, PEAK, WARMUP, DECAY, _p("end_value", help="the value at the end",
                                                                       default=0.0, floor="lr"), EXPONENT),
                 {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 100},
                 length=lambda p: p["decay_steps"])

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        return _cosine_kwargs_checked(values, ())

    def schedule(self, f):
        return warmup_cosine_decay(f, **{k: v for k, v in self.p.items() if k != "dtype"})


def _cosine_kwargs_checked(kwargs: dict, path: tuple) -> dict:
    if not kwargs["decay_steps"] - kwargs["warmup_steps"] > 0:
        raise ParamError(path + ("decay_steps",), f"{kwargs['decay_steps']!r} is invalid: decay_steps must be "
                         f"greater than warmup_steps {kwargs['warmup_steps']!r} (the cosine after the warmup needs "
                         "positive steps; optax raises ValueError)")
    return kwargs


class WarmupExponentialDecay(_Optax):
    spec = _spec("warmup_exponential_decay_schedule", "linear warmup, then exponential decay from peak_value",
                 (INIT, PEAK, WARMUP, TRANSITION, DECAY_RATE, BEGIN, STAIRCASE, END_BOUND),
                 {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "transition_steps": 10,
                  "decay_rate": 0.8})

    def schedule(self, f):
        p = self.p
        return join(f, [linear(f, p["init_value"], p["peak_value"], p["warmup_steps"]),
                        exponential(f, p["peak_value"], p["transition_steps"], p["decay_rate"], p["transition_begin"],
                                    p["staircase"], p["end_value"])], [p["warmup_steps"]])


def _onecycle_steps(values: dict) -> None:
    """What optax refuses: a non-positive transition_steps, a zero divisor, a negative scale."""
    if not values["transition_steps"] > 0:
        raise ParamError(("transition_steps",), f"{values['transition_steps']!r} is invalid: must be > 0 (optax "
                         "raises ValueError)")
    for name in ("div_factor", "final_div_factor"):
        if values[name] == 0:
            raise ParamError((name,), "0 is invalid: optax divides by it (ZeroDivisionError)")
        if values[name] < 0:
            raise ParamError((name,), f"{values[name]!r} is invalid: the scale factors it gives must be "
                             "non-negative (optax raises ValueError)")


class LinearOnecycle(_Optax):
    spec = _spec("linear_onecycle_schedule", "one cycle: linear rise to peak_value, linear fall, then a long tail",
                 (TRANSITION, PEAK, PCT_START, _p("pct_final", help="fraction of transition_steps at which the fall "
                                                  "ends", default=0.85), DIV, FINAL_DIV),
                 {"transition_steps": 100, "peak_value": 0.1}, length=lambda p: p["transition_steps"],
                 cycles=lambda p: False)

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        _onecycle_steps(values)
        return values

    def schedule(self, f):
        p, steps = self.p, self.p["transition_steps"]
        return piecewise_interpolate(f, "linear", p["peak_value"] / p["div_factor"], {
            int(p["pct_start"] * steps): p["div_factor"], int(p["pct_final"] * steps): 1.0 / p["div_factor"],
            steps: 1.0 / p["final_div_factor"]})


class CosineOnecycle(_Optax):
    spec = _spec("cosine_onecycle_schedule", "one cycle: cosine rise to peak_value, then cosine fall",
                 (TRANSITION, PEAK, PCT_START, DIV, FINAL_DIV), {"transition_steps": 100, "peak_value": 0.1},
                 length=lambda p: p["transition_steps"])

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        _onecycle_steps(values)
        return values

    def schedule(self, f):
        p, steps = self.p, self.p["transition_steps"]
        return piecewise_interpolate(f, "cosine", p["peak_value"] / p["div_factor"], {
            int(p["pct_start"] * steps): p["div_factor"], int(steps): 1.0 / (p["div_factor"] * p["final_div_factor"])})


_COSINE_KWARGS = {p.name: p for p in WarmupCosineDecay.spec.params if p.name != "dtype"}


def _sgdr_kwargs(value, path: tuple) -> list[dict]:
    """sgdr_schedule's list of warmup_cosine_decay_schedule keyword dicts (JSON text from a flag)."""
    if isinstance(value, str):
        import json  # only for flags' JSON text: not at start-up

        try:
            value = json.loads(value)
        except ValueError:
            raise ParamError(path, "expected a JSON list of warmup_cosine_decay_schedule arguments, e.g. "
                             '\'[{"init_value": 0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 100}]\'') from None
    if not isinstance(value, list) or not value or len(value) > 10_000:
        raise ParamError(path, "expected a non-empty list (at most 10000) of warmup_cosine_decay_schedule arguments")
    out = []
    for i, kwargs in enumerate(value):
        if not isinstance(kwargs, dict):
            raise ParamError(path + (i,), "expected a mapping of warmup_cosine_decay_schedule arguments")
        unknown = sorted(set(kwargs) - set(_COSINE_KWARGS))
        if unknown:
            raise ParamError(path + (i, unknown[0]), f"unknown argument (allowed: {', '.join(_COSINE_KWARGS)})")
        one = {}
        for name, param in _COSINE_KWARGS.items():
            if name not in kwargs and param.required:
                raise ParamError(path + (i, name), "missing (optax raises TypeError)")
            one[name] = param.coerce(kwargs[name], path + (i, name)) if name in kwargs else param.default
        out.append(_cosine_kwargs_checked(one, path + (i,)))
    return out


class Sgdr(_Optax):
    spec = _spec("sgdr_schedule", "warm restarts: warmup_cosine_decay_schedules one after another",
                 (_p("cosine_kwargs", ANY, "a list of warmup_cosine_decay_schedule arguments, one per cycle (JSON "
                     "from the command line)"),),
                 {"cosine_kwargs": [{"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 5, "decay_steps": 50},
                                    {"init_value": 0.0, "peak_value": 0.05, "warmup_steps": 5, "decay_steps": 50}]},
                 length=lambda p: sum(k["decay_steps"] for k in p["cosine_kwargs"]), cycles=lambda p: True)

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        return {**values, "cosine_kwargs": _sgdr_kwargs(values["cosine_kwargs"], ("cosine_kwargs",))}

    def pieces(self) -> int:
        return 2 * len(self.p["cosine_kwargs"])

    def schedule(self, f):
        schedules, boundaries, step = [], [], 0
        for kwargs in self.p["cosine_kwargs"]:
            schedules.append(warmup_cosine_decay(f, **kwargs))
            step += kwargs["decay_steps"]
            boundaries.append(step)
        return join(f, schedules, boundaries[:-1])


class Join(_Optax):
    spec = _spec("join_schedules", "optax schedules one after another, each counting from its boundary",
                 (_p("schedules", SCHEDULERS, "the optax schedules, in order"),
                  _p("boundaries", INT_LIST, "the steps where the next schedule starts (one fewer than schedules)")),
                 {"schedules": [{"scheduler": "optax:linear_schedule", "params": {
                     "init_value": 0.0, "end_value": 0.1, "transition_steps": 10}},
                     {"scheduler": "optax:cosine_decay_schedule", "params": {"init_value": 0.1, "decay_steps": 90}}],
                  "boundaries": [10]}, composite=True, children_family=OPTAX, cycles=lambda p: True)

    def param_warnings(self) -> list[str]:
        n, b = len(self.children), len(self.p["boundaries"])
        if b != n - 1:
            return [f"join_schedules has {n} schedules and {b} boundaries: optax pairs them with zip(), so "
                    f"{'the schedules past ' + str(b + 1) if b < n - 1 else 'the boundaries past ' + str(n - 1)} "
                    "are never used"]
        # ``where(step < boundary, output, next)`` in order: schedule k runs from its boundary to the smallest later
        bounds = self.p["boundaries"]  # one, so never when that is not above it (optax's values are kept)
        unused = [str(k + 1) for k in range(1, len(bounds)) if min(bounds[k:]) <= bounds[k - 1]]
        return [f"join_schedules boundaries {bounds}: each boundary takes over from its step on, in order, so "
                + (f"schedule {unused[0]} is" if len(unused) == 1 else f"schedules {' and '.join(unused)} are")
                + " never used (give increasing boundaries)"] if unused else []

    def before_init(self, sim) -> None:
        """JAX's x64 switch is global: float64 anywhere in the tree is float64 everywhere."""
        x64 = any(node.p.get("dtype") == "float64" for node in self.walk())
        self.f = np.float64 if x64 else np.float32
        for child in self.walk():
            child.f = self.f

    def pieces(self) -> int:
        return sum(child.pieces() for child in self.children)

    def schedule(self, f):
        return join(f, [child.schedule(f) for child in self.children], self.p["boundaries"])


CLASSES = (Constant, Linear, Polynomial, PiecewiseConstant, PiecewiseInterpolate, ExponentialDecay, CosineDecay,
           WarmupConstant, WarmupCosineDecay, WarmupExponentialDecay, LinearOnecycle, CosineOnecycle, Sgdr, Join)
