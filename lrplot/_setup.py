"""Process setup, called only by entry points (the ``lrplot`` command) and the test conftest.

A library must not change its host's process; a command owns its process and sets it up here, before
numpy runs:

* ``NPY_DISABLE_CPU_FEATURES``: numpy's AVX-512/AVX2 kernels for pow/exp/log/tanh differ from C libm
  (what Python's math and ``**`` use, so what torch's Python schedulers compute) in the last bit.
* ``OPENBLAS_NUM_THREADS=1``: lrplot never calls BLAS; starting its thread pool halves numpy's import time.

Both only take effect if numpy has not been executed yet (a lazy numpy waiting in sys.modules has not).

``owns_process()`` tells lrplot's renderer it may skip imports a host could want (``render/mpl.py``).
"""

from __future__ import annotations

import os

from ._lazy import loaded

NUMPY_ENVIRONMENT = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 X86_V3", "OPENBLAS_NUM_THREADS": "1"}
_owned = False


def owns_process() -> bool:
    """Whether an entry point (the ``lrplot`` command) set this process up, so lrplot owns it."""
    return _owned


def prepare_process() -> bool:
    """Set numpy's environment; returns False when numpy already runs (values may then differ by 1 ulp)."""
    global _owned
    _owned = True
    if loaded("numpy"):
        return False
    for key, value in NUMPY_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    return True
