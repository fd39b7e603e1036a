"""Keras 3's learning-rate schedules (``keras/src/optimizers/schedules/learning_rate_schedule.py``, Keras 3.15,
JAX backend), as Keras computes them: row i is ``schedule(i)`` for the optimizer's int32 ``iterations``.

Keras computes in ``floatx`` (float32 unless ``keras.config.set_floatx("float64")``: ``dtype``).  Its ``cos``,
``floor`` and ``ceil`` cast their input to ``result_type(dtype, float)``, which is float32 even in float64, so
under float64 those three run in float32 (a staircase steps where float32 rounds, a cosine carries float32
rounding); the initial learning rate is a weak-typed tensor, so a product with a float32 value stays float32.
The functions below repeat that, operation by operation.
"""

from __future__ import annotations

import math

from ..._lazy import np
from ..base import REPLAY, Family, SchedulerSpec
from ..params import ANY, BOOL, FLOAT, FLOAT_LIST, Param
from ..spec import dtype_param
from ...errors import ParamError
from .functional import Functional
from .optax_math import cos as _cos64

KERAS = Family("keras", "Keras", resume=REPLAY, absolute=True, dtype="float32",
               extra_params=(dtype_param("float32", "keras.config.set_floatx('float64'), with jax_enable_x64 "
                                         "under JAX"),
                             Param("name", ANY, "the schedule's name (ignored)", default=None, nullable=True,
                                   cli=False, hidden=True)))


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def _cos(x):
    """``keras.ops.cos``: float32 always (and XLA's float32 cosine: see optax_math.cos)."""
    return _cos64(_f32(x))


def _log(x):
    """``jnp.log``, float32 as XLA rounds it (through float64, like ``_cos``)."""
    return np.log(x.astype(np.float64)).astype(np.float32) if x.dtype == np.float32 else np.log(x)


def _floor(x):
    return np.floor(_f32(x))


def _ceil(x):
    return np.ceil(_f32(x))


INITIAL = Param("initial_learning_rate", FLOAT, "the learning rate at step 0")
DECAY_STEPS = Param("decay_steps", FLOAT, "steps of one decay period", horizon=True)
DECAY_RATE = Param("decay_rate", FLOAT, "the decay rate")
STAIRCASE = Param("staircase", BOOL, "decay in whole periods", default=False)
ALPHA = Param("alpha", FLOAT, "the last value as a fraction of the peak", default=0.0, floor="ratio")


def _spec(name: str, summary: str, params: tuple, example: dict, length=None, **extra) -> SchedulerSpec:
    cli = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    if length is not None:
        extra.setdefault("decay_end", length)
    return SchedulerSpec(name=f"keras:{name}", cli=f"keras-{cli}", summary=summary, params=params, example=example,
                         family=KERAS, default_steps=lambda p: None if length is None else int(length(p)) + 1,
                         **extra)


def _positive(values: dict, name: str) -> dict:
    if not values[name] > 0:
        raise ParamError((name,), f"{values[name]!r} is invalid: must be > 0 (Keras raises ValueError)")
    return values


class _Keras(Functional):
    positive = "decay_steps"

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        return _positive(values, cls.positive) if cls.positive else values

    def value(self, count):
        f, p = self.f, self.p
        return self.compute(f, p, p["initial_learning_rate"], count.astype(f))

    def compute(self, f, p, initial, step):
        raise NotImplementedError


def _periods(f, p, step):
    """``step / decay_steps``, floored (in float32, as ``ops.floor`` is) with ``staircase``."""
    q = step / f(p["decay_steps"])
    return _floor(q) if p["staircase"] else q


class ExponentialDecay(_Keras):
    spec = _spec("ExponentialDecay", "initial_learning_rate * decay_rate ** (step / decay_steps)",
                 (INITIAL, DECAY_STEPS, DECAY_RATE, STAIRCASE),
                 {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9})

    def compute(self, f, p, initial, step):
        return initial * np.power(f(p["decay_rate"]), _periods(f, p, step))


class PiecewiseConstantDecay(_Keras):
    spec = _spec("PiecewiseConstantDecay", "values[i] while step <= boundaries[i]; values[-1] after the last",
                 (Param("boundaries", FLOAT_LIST, "the steps where the value changes (each the last of its piece; "
                        "Keras casts them to the step's int32)"),
                  Param("values", FLOAT_LIST, "one value per piece: one more than boundaries")),
                 {"boundaries": [30, 60], "values": [0.1, 0.01, 0.001]}, length=lambda p: max(p["boundaries"]) + 10)
    positive = None

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        if len(values["boundaries"]) != len(values["values"]) - 1:
            raise ParamError(("values",), f"has {len(values['values'])} values for {len(values['boundaries'])} "
                             "boundaries: give one more value than boundaries (Keras raises ValueError)")
        return values

    def pieces(self) -> int:
        return len(self.p["values"])

    def value(self, count):
        f, values = self.f, [self.f(v) for v in self.p["values"]]
        bounds = [int(b) for b in self.p["boundaries"]]  # ops.cast(b, int32) truncates
        result = (count <= bounds[0]) * values[0] + np.zeros(len(count), f)
        result = result + (count > bounds[-1]).astype(f) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            result = result + ((count > low) & (count <= high)).astype(f) * value
        return result


class PolynomialDecay(_Keras):
    spec = _spec("PolynomialDecay", "polynomial from initial_learning_rate to end_learning_rate over decay_steps",
                 (INITIAL, DECAY_STEPS, Param("end_learning_rate", FLOAT, "the last value", default=0.0001,
                                              floor="lr"),
                  Param("power", FLOAT, "power of the polynomial", default=1.0),
                  Param("cycle", BOOL, "start again at each multiple of decay_steps", default=False)),
                 {"initial_learning_rate": 0.1, "decay_steps": 100}, length=lambda p: p["decay_steps"],
                 cycles=lambda p: p["cycle"])

    def compute(self, f, p, initial, step):
        decay_steps = np.asarray(p["decay_steps"], dtype=f)
        if p["cycle"]:
            ceil = _ceil(step / p["decay_steps"])
            multiplier = np.where(step == 0, np.float32(1.0), ceil)  # ceil is float32: where keeps it
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        q = step / decay_steps
        end = f(p["end_learning_rate"])
        return (initial - end) * np.power(1 - q, f(p["power"])) + end


class InverseTimeDecay(_Keras):
    spec = _spec("InverseTimeDecay", "initial_learning_rate / (1 + decay_rate * step / decay_steps)",
                 (INITIAL, DECAY_STEPS, DECAY_RATE, STAIRCASE),
                 {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5})

    def compute(self, f, p, initial, step):
        return initial / (f(1) + f(p["decay_rate"]) * _periods(f, p, step))


class CosineDecay(_Keras):
    spec = _spec("CosineDecay", "optional linear warmup to warmup_target, then cosine decay to alpha * the peak",
                 (INITIAL, DECAY_STEPS, ALPHA,
                  Param("warmup_target", FLOAT, "the lr at the end of the warmup (none: no warmup)", default=None,
                        nullable=True),
                  Param("warmup_steps", FLOAT, "steps of warmup, before decay_steps", default=0, warmup=True)),
                 {"initial_learning_rate": 0.0, "decay_steps": 90, "warmup_target": 0.1, "warmup_steps": 10},
                 length=lambda p: p["decay_steps"] + (p["warmup_steps"] if p["warmup_target"] is not None else 0))

    def decayed(self, f, p, step, decay_steps, peak):
        cosine = 0.5 * (1.0 + _cos(f(math.pi) * (step / decay_steps)))
        return peak * ((1 - p["alpha"]) * cosine + p["alpha"])

    def compute(self, f, p, initial, step):
        decay_steps = f(p["decay_steps"])
        if p["warmup_target"] is None:
            return self.decayed(f, p, np.minimum(step, decay_steps), decay_steps, initial)
        target, warmup = f(p["warmup_target"]), f(p["warmup_steps"])
        step = np.minimum(step, decay_steps + warmup)
        warm = (target - initial) * (step / warmup) + initial
        return np.where(step < warmup, warm, self.decayed(f, p, step - warmup, decay_steps, target))


class CosineDecayRestarts(_Keras):
    spec = _spec("CosineDecayRestarts", "cosine decays with warm restarts, each t_mul times longer and m_mul "
                 "times higher", (INITIAL, Param("first_decay_steps", FLOAT, "steps of the first decay",
                                                 horizon=True),
                                  Param("t_mul", FLOAT, "each period is t_mul times longer", default=2.0),
                                  Param("m_mul", FLOAT, "each restart peaks m_mul times the last", default=1.0),
                                  ALPHA),
                 {"initial_learning_rate": 0.1, "first_decay_steps": 20}, cycles=lambda p: True)
    positive = "first_decay_steps"

    def compute(self, f, p, initial, step):
        t_mul, m_mul, alpha = f(p["t_mul"]), f(p["m_mul"]), f(p["alpha"])
        fraction = step / f(p["first_decay_steps"])
        if t_mul == 1.0:
            restart = _floor(fraction)
            fraction = fraction - restart
        else:
            restart = _floor(_log(1.0 - fraction * (1.0 - t_mul)) / _log(np.asarray(t_mul)))
            sum_r = (1.0 - np.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / np.power(t_mul, restart)
        m_fac = np.power(m_mul, restart)
        cosine = 0.5 * m_fac * (1.0 + _cos(f(math.pi) * fraction))
        return initial * ((1 - alpha) * cosine + alpha)


CLASSES = (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
           CosineDecayRestarts)
