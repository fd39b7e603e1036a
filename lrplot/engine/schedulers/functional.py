"""Schedules that are a function of the optimizer's step count (optax, Keras): row i is ``schedule(i)``.

Their values are absolute learning rates, the same for every param group, and they compute in the float type
of their inputs: float32 unless the user turned on float64 (``dtype``).  Each subclass writes ``value(count)``
with the library's operations in the library's order, in ``self.f`` (numpy float32 or float64), so that the
float32 rounding happens where the library's does; ``count`` is int32, as the libraries keep it.
"""

from __future__ import annotations

from ..._lazy import np
from .. import ops as O
from ..base import Leaf, Updates


#: pieces x rows evaluated at most (a piecewise schedule or a join evaluates each piece over every step)
MAX_EVALUATIONS = 100_000_000


class Functional(Leaf):
    """Row i is ``value(i)`` for every param group; ``dtype`` picks float32 or float64 arithmetic."""

    def pieces(self) -> int:
        """How many times ``value`` evaluates something over the whole step array (its pieces, its joins)."""
        return 1

    def before_init(self, sim) -> None:
        self.f = np.float32 if self.p.get("dtype") == "float32" else np.float64

    def updates(self, sim, epochs, kinds, state, steps):
        work = self.pieces() * len(epochs)
        if work > MAX_EVALUATIONS:
            raise self.fail(f"{self.pieces():,} pieces over {len(epochs):,} steps is {work:,} evaluations, beyond "
                            f"lrplot's {MAX_EVALUATIONS:,}: simulate fewer steps")
        count = epochs.astype(np.int32)
        with np.errstate(all="ignore"):
            values = self.value(count)
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), (len(epochs),))
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise self.fail(f"the schedule gives {float(values[i])!r} at step {int(epochs[i])} (as "
                            f"{self.spec.family.library} would); check its parameters")
        lr = np.broadcast_to(values[:, None], (len(epochs), sim.groups))
        return Updates(np.full(len(epochs), O.SET, dtype=np.int8), lr)

    def value(self, count):
        """The schedule at ``count`` (int32 array): an array of ``self.f``, or a Python float (a constant)."""
        raise NotImplementedError
