"""A simulation result for notebooks: the engine's arrays, plus reading a value, a DataFrame and a picture.

The engine's :class:`~lrplot.engine.runner.SimulationResult` knows nothing of pictures or pandas; this
subclass adds them here, above the render layer, so the engine stays free of both.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..engine.runner import SimulationResult
from ..errors import LrplotError, shown


class Result(SimulationResult):
    """What :func:`lrplot.simulate` and :func:`lrplot.from_config` return.

    >>> import lrplot
    >>> result = lrplot.simulate("StepLR", epochs=100, lr=0.1, step_size=30, gamma=0.5)
    >>> result
    <lrplot result: StepLR(step_size=30, gamma=0.5), steps 0..99, 1 param group>
    >>> result.at(30)
    0.05
    """

    @classmethod
    def of(cls, simulated: SimulationResult) -> "Result":
        """The engine's result, with the notebook methods (its arrays are shared, not copied)."""
        if isinstance(simulated, cls):
            return simulated
        result = cls.__new__(cls)
        result.__dict__.update(simulated.__dict__)
        return result

    def __repr__(self) -> str:
        groups = self.lr.shape[1]
        first, last = int(self.steps[0]), int(self.steps[-1])
        return (f"<lrplot result: {self.title or self.scheduler}, steps {first}..{last}, "
                f"{groups} param group{'s' if groups != 1 else ''}>")

    def at(self, step: int, group: int | str | None = None) -> Any:
        """The learning rate in effect during optimizer step ``step`` (row ``step``: after ``step`` calls to
        ``scheduler.step()``); a float, or a tuple with one per param group when there are several and
        ``group`` (an index or a trainer's group name) is not given.

        >>> import lrplot
        >>> lrplot.simulate("cosine", T_max=100, lr=[0.1, 0.01]).at(50)
        (0.05000000000000004, 0.005000000000000004)
        """
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise LrplotError(f"at: step {shown(step, 40)} is not a whole number of steps")
        first, last = int(self.steps[0]), int(self.steps[-1])
        if not first <= step <= last:
            raise LrplotError(f"at: step {int(step):,} is outside the simulated steps {first:,}..{last:,}")
        row = self.lr[int(step) - first]
        if group is None:
            return float(row[0]) if len(row) == 1 else tuple(float(v) for v in row)
        return float(row[self._group_index(group)])

    def _group_index(self, group: int | str) -> int:
        names = list(self.group_names or [])
        if isinstance(group, str) and group in names:
            return names.index(group)
        if isinstance(group, numbers.Integral) and not isinstance(group, bool) and 0 <= group < self.lr.shape[1]:
            return int(group)
        allowed = f"0..{self.lr.shape[1] - 1}" + (f" or one of {', '.join(names)}" if names else "")
        raise LrplotError(f"at: group {shown(group, 40)} is not a param group ({allowed})")

    def to_pandas(self):
        """The CSV's columns as a ``pandas.DataFrame`` indexed by step (pandas is optional).

        >>> import lrplot
        >>> lrplot.simulate("StepLR", epochs=4, step_size=2).to_pandas()  # doctest: +SKIP
              lr
        step
        0     0.1
        1     0.1
        2     0.01...
        """
        try:
            import pandas
        except ImportError:
            raise LrplotError("to_pandas needs pandas, which lrplot does not install: pip install pandas") \
                from None
        from ..render.table import columns

        cols = columns(self)
        frame = pandas.DataFrame({name: values for name, values in cols[1:]},
                                 index=pandas.Index(cols[0][1], name=cols[0][0]))
        return frame

    def plot(self, ax=None, **options: Any):
        """Draw the learning rate on ``ax`` (a matplotlib Axes) and return it; without ``ax``, a new Figure
        with every panel (momentum, metric) is made and returned.  Never uses pyplot, the host's backend or
        its rcParams.  ``options``: ``title``, ``log_y``, ``marks``, ``size`` (inches), ``dpi``."""
        from .drawing import plot

        return plot([self], ax=ax, **options)

    def _repr_png_(self) -> bytes:
        """Jupyter shows a result as its picture."""
        from .drawing import png

        return png([self])
