"""Float functions that must agree bit for bit with Python's ``math``/``**`` (C libm).

numpy special-cases scalar exponents (``x ** 2`` becomes ``x * x``, ``x ** 0.5``
a square root), which can differ from libm's ``pow`` in the last bit.  Passing
the exponent as an array takes the general path.  (numpy's AVX-512 kernels for
pow/exp/log also differ from libm in the last bit; the CLI turns them off, see
:mod:`lrplot.cli.main`.)
"""

from __future__ import annotations

from .._lazy import np


def pow_(base, exponent):
    """``base ** exponent`` elementwise, as Python's float ``**`` computes it."""
    exponent = np.asarray(exponent, dtype=np.float64)
    with np.errstate(all="ignore"):
        if exponent.ndim == 0:  # a scalar exponent would take numpy's x*x / sqrt shortcuts
            base = np.asarray(base, dtype=np.float64)
            exponent = np.full(base.shape, float(exponent))
        return np.power(base, exponent)


def pow_integers(base, exponent):
    """``base ** exponent`` for integer-valued exponents (a step count, a cycle index): each distinct exponent
    is computed once, in a table over their range, when that range is much shorter than the array (the same
    ``pow`` on the same operands: the same bits)."""
    exponent = np.asarray(exponent, dtype=np.float64)
    if exponent.ndim != 1 or len(exponent) < 256:
        return pow_(base, exponent)
    low, high = float(exponent.min()), float(exponent.max())
    if not high - low < len(exponent) // 4:  # also false for nan
        return pow_(base, exponent)
    table = pow_(base, np.arange(low, high + 1.0))
    return table[(exponent - low).astype(np.intp)]


def pow_k(base, exponent: float):
    """``base ** exponent``; ``x ** 1.0`` is ``x`` itself (libm's pow is within half an ulp, and x is exact)."""
    return np.asarray(base, dtype=np.float64) if exponent == 1.0 else pow_(base, exponent)
