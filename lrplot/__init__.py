"""lrplot: preview learning-rate schedules exactly as PyTorch computes them, without torch.

>>> import lrplot
>>> result = lrplot.simulate("StepLR", epochs=100, lr=0.1, step_size=30, gamma=0.1)
>>> result.lr.shape
(100, 1)

Attributes are imported lazily so that ``lrplot --help`` does not pay for numpy.
"""

from __future__ import annotations

from .errors import LrplotError

__version__ = "0.1.0"
__all__ = ["simulate", "from_config", "plot", "Result", "LrplotWarning", "run_config", "SimulationResult",
           "LrplotError", "SCHEDULERS", "__version__"]


def __getattr__(name: str):
    if name in ("simulate", "from_config", "plot", "Result", "LrplotWarning"):
        from . import api

        return getattr(api, name)
    if name in ("run_config", "SimulationResult"):
        from .engine import simulate as _simulate

        return getattr(_simulate, name)
    if name == "SCHEDULERS":
        from .engine.registry import SCHEDULERS

        return SCHEDULERS
    raise AttributeError(f"module 'lrplot' has no attribute {name!r}")
