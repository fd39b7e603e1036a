"""The Python API, for notebooks and scripts: the command line's answers as objects.

>>> import lrplot
>>> result = lrplot.simulate("cosine", T_max=100, warmup=5)
>>> result.at(5), len(result)
(0.1, 100)

:func:`simulate` takes a scheduler and its parameters, :func:`from_config` any file ``lrplot from-config``
reads, :func:`plot` draws either; each result converts itself (:meth:`Result.to_pandas`, :meth:`Result.at`)
and shows itself in Jupyter.  Warnings (a schedule that ends early, a horizon in the wrong unit) are kept in
``result.warnings`` and also raised as :class:`LrplotWarning`, so a notebook shows them.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ..config import flags as F
from ..engine import simulate as _engine
from ..errors import LrplotError, shown
from .drawing import PICTURE_KEYWORDS
from .result import Result

__all__ = ["simulate", "from_config", "plot", "Result", "LrplotWarning"]


class LrplotWarning(UserWarning):
    """Something about the schedule a user should know: the command line says it on stderr."""


def _finished(simulated) -> Result:
    result = Result.of(simulated)
    for message in result.warnings:
        warnings.warn(message, LrplotWarning, stacklevel=3)
    return result


def simulate(scheduler: Any, /, **keywords: Any) -> Result:
    """Simulate a scheduler by name (or a config dict); see :func:`lrplot.engine.simulate.simulate` for the
    keywords: ``epochs``, ``lr``, ``warmup``, ``steps_per_epoch``, ``start_step``/``resume_mode``, ``run`` (or
    its keys, e.g. ``dataset_size=50_000, batch_size=32``), and the scheduler's own parameters.

    >>> import lrplot
    >>> lrplot.simulate("StepLR", step_size=30, gamma=0.1).at(30)
    0.010000000000000002
    >>> lrplot.simulate("cosine", T_max=10, dataset_size=1000, batch_size=32, epochs=3).plan.total_steps
    96
    """
    return _finished(_engine.simulate(scheduler, **keywords))


#: The keywords :func:`from_config` takes: the command line's run options, by their Python names.
CONFIG_KEYWORDS = tuple(F.OPTIONS) + ("transformers", "deepspeed") + tuple(F.SHAPE_OPTIONS)


def from_config(path: str | Path, /, **run: Any) -> Result:
    """Simulate a config file exactly as ``lrplot from-config`` does: lrplot's YAML or any trainer's file it
    reads (HF TrainingArguments, Lightning, Hydra, timm, YOLO, DeepSpeed, NeMo, Keras, ...).  ``run`` holds
    what the command line's flags would give, by name: ``dataset_size``, ``batch_size``, ``devices``,
    ``grad_accum``, ``epochs``, ``lr``, ``warmup``, ``start_step``, ``resume_mode``, ...

    >>> import lrplot
    >>> lrplot.from_config("configs/warmup-cosine.yaml").title  # doctest: +SKIP
    'SequentialLR(LinearLR(...), CosineAnnealingLR(...), milestones=[5])'
    """
    unknown = sorted(set(run) - set(CONFIG_KEYWORDS))
    if unknown:
        raise LrplotError(f"from_config: {shown(unknown[0], 40)} is not a run option "
                          f"(allowed: {', '.join(CONFIG_KEYWORDS)})")
    if not isinstance(path, (str, Path)):
        raise LrplotError(f"from_config: expected a file path, got {type(path).__name__}")
    from ..config.runfile import simulate_file

    result, _translation = simulate_file(str(path), _as_flags(run))
    return _finished(result)


def _as_flags(run: dict) -> dict:
    """Python values in the shapes the command line's flags give them (lists of texts for --lr, --betas)."""
    opts = dict(run)
    for key in ("lr", "betas"):
        value = opts.get(key)
        if value is not None:
            opts[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return opts


def plot(what: Any, /, ax=None, **keywords: Any):
    """Draw a result, several results (overlaid), or a scheduler simulated from ``keywords``; return ``ax``,
    or the new Figure when no ``ax`` is given.  Picture keywords: ``labels``, ``title``, ``log_y``,
    ``marks``, ``size`` (inches), ``dpi``; the rest go to :func:`simulate`.

    >>> import lrplot
    >>> figure = lrplot.plot("cosine", T_max=100, warmup=5)
    >>> type(figure).__name__
    'Figure'
    """
    from .drawing import plot as draw

    picture = {key: keywords.pop(key) for key in PICTURE_KEYWORDS if key in keywords}
    if isinstance(what, (list, tuple)) and what and all(isinstance(r, _engine.SimulationResult) for r in what):
        if keywords:
            raise LrplotError(f"plot: {sorted(keywords)[0]!r} applies to a scheduler, not to results already made")
        results = [Result.of(r) for r in what]
    elif isinstance(what, _engine.SimulationResult):
        if keywords:
            raise LrplotError(f"plot: {sorted(keywords)[0]!r} applies to a scheduler, not to a result already made")
        results = [Result.of(what)]
    else:
        results = [simulate(what, **keywords)]
    return draw(results, ax=ax, **picture)
