"""optax's schedule functions on numpy (``optax/schedules/_schedule.py``, ``_join.py``, optax 0.2.8).

Each takes ``f``, the float type (numpy float32 or float64), and returns ``schedule(count)`` for an int32 count
array.  They repeat optax's operations in its order and with its promotions: an int32 count meeting a float
becomes the default float type (float32, or float64 under x64) but an int32 count divided by an int stays
float32 even under x64 (JAX keeps the width), a Python float meeting an array takes the array's type (JAX's weak
types; numpy 2 does the same, so Python floats are left as they are below), and a schedule that optax returns as
a plain Python number stays one.
"""

from __future__ import annotations

import math

from ..._lazy import np


def _divided(count, n):
    """``count / n`` for an int32 count and a Python int: float32 in JAX, with or without x64."""
    return count.astype(np.float32) / np.float32(n)


def cos(x):
    """``jnp.cos``; in float32 XLA's is within an ulp of the correctly rounded cosine (numpy's float32 cos is not),
    so float32 goes through float64 and is rounded once."""
    if x.dtype == np.float32:
        return np.cos(x.astype(np.float64)).astype(np.float32)
    return np.cos(x)


def _typed(value, dtype):
    return np.asarray(value, dtype=dtype)


def _where(condition, a, b, f, a_weak=False, b_weak=False):
    """``jnp.where``: a weak value (a Python float, or a result computed only from weak values and the count)
    takes the other side's type; both weak: the default float f."""
    a_weak, b_weak = a_weak or not isinstance(a, np.ndarray), b_weak or not isinstance(b, np.ndarray)
    if a_weak != b_weak:
        dtype = b.dtype if a_weak else a.dtype
    else:
        dtype = f if a_weak else np.result_type(a, b)
    return np.where(condition, _typed(a, dtype), _typed(b, dtype))


def _weak(schedule):
    """Mark a schedule whose result JAX types weakly (under x64 a strong float32 then wins a jnp.where)."""
    schedule.weak = True
    return schedule


def constant(value):
    """A schedule optax returns as ``lambda count: value``: a Python number, weakly typed."""
    return _weak(lambda count: value)


def polynomial(f, init_value, end_value, power, transition_steps, transition_begin=0):
    if transition_steps <= 0:
        return constant(init_value)
    transition_begin = max(0, transition_begin)

    def schedule(count):
        count = np.clip(count - transition_begin, 0, transition_steps)
        frac = 1 - _divided(count, transition_steps)
        powered = frac if isinstance(power, int) and power == 1 else np.power(frac, power)  # integer_pow(x, 1): x
        return (init_value - end_value) * powered + end_value
    return schedule


def linear(f, init_value, end_value, transition_steps, transition_begin=0):
    return polynomial(f, init_value, end_value, 1, transition_steps, transition_begin)


def piecewise_constant(f, init_value, boundaries_and_scales):
    @_weak
    def schedule(count):
        v = init_value
        for threshold, scale in sorted((boundaries_and_scales or {}).items()):
            indicator = np.maximum(0.0, np.sign(threshold - count).astype(f))  # maximum(0.0, int32): the float type
            v = v * indicator + (1 - indicator) * scale * v
        return v
    return schedule


def exponential(f, init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None):
    if transition_steps <= 0 or decay_rate == 0:
        return constant(init_value)
    transition_begin = max(0, transition_begin)

    def schedule(count):
        decreased = count - transition_begin
        p = _divided(decreased, transition_steps)
        if staircase:
            p = np.floor(p)
        value = _where(decreased <= 0, init_value, init_value * np.power(decay_rate, p), f, a_weak=True)
        if end_value is not None:
            value = (np.maximum if decay_rate < 1.0 else np.minimum)(value, end_value)
        return value
    return schedule


def cosine_decay(f, init_value, decay_steps, alpha=0.0, exponent=1.0):
    decay_steps = float(decay_steps)

    @_weak
    def schedule(count):
        count = np.minimum(count.astype(f), decay_steps)  # minimum(int32, float): the float type
        cosine = 0.5 * (1 + cos(math.pi * count / decay_steps))
        return init_value * ((1 - alpha) * np.power(cosine, exponent) + alpha)
    return schedule


def _linear_interpolate(start, end, pct):
    return (end - start) * pct + start


def _cosine_interpolate(start, end, pct):
    return end + (start - end) / 2.0 * (cos(math.pi * pct) + 1)


def piecewise_interpolate(f, interpolate_type, init_value, boundaries_and_scales):
    items = sorted((boundaries_and_scales or {}).items())
    bounds = [0] + [b for b, _ in items]
    values = [f(init_value)]
    for _, scale in items:  # jnp.cumprod of the stacked values
        values.append(f(values[-1] * f(scale)))
    interpolate = _linear_interpolate if interpolate_type == "linear" else _cosine_interpolate

    def schedule(count):
        out = np.zeros(len(count), dtype=f)
        for k in range(len(bounds) - 1):
            inside = (bounds[k] <= count) & (count < bounds[k + 1])
            pct = _divided(count - bounds[k], max(bounds[k + 1] - bounds[k], 1))  # weak int64 bounds: float32
            out = np.where(inside, interpolate(values[k], values[k + 1], pct), out)  # indicator.dot: one term
        return np.where(bounds[-1] <= count, out + values[-1], out)
    return schedule


def join(f, schedules, boundaries):
    def schedule(count):
        output, weak = schedules[0](count), getattr(schedules[0], "weak", False)
        for boundary, later in zip(boundaries, schedules[1:]):
            later_weak = getattr(later, "weak", False)
            output = _where(count < boundary, output, later(count - boundary), f, weak, later_weak)
            weak = weak and later_weak
        return output
    schedule.weak = all(getattr(s, "weak", False) for s in schedules[:len(boundaries) + 1])
    return schedule


def warmup_cosine_decay(f, init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0):
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join(f, [linear(f, init_value, peak_value, warmup_steps),
                    cosine_decay(f, peak_value, decay_steps - warmup_steps, alpha, exponent)], [warmup_steps])
