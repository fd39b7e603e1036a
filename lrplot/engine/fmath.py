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
