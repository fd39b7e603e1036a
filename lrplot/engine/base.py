"""The building blocks every scheduler shares: its spec, the optimizer state, the events.

torch drives a scheduler through four kinds of calls, and so does lrplot:

* ``INIT``   the step taken at construction (``_initial_step``: ``last_epoch += 1``
  with ``_is_initial`` set),
* ``STEP``   ``scheduler.step()`` (``last_epoch += 1``, chainable ``get_lr``),
* ``RESET0`` ``_update_lr(0)``, what SequentialLR does at a milestone
  (``last_epoch = 0``, closed form where torch has one),
* ``UNDO``   SequentialLR's ``recursive_undo`` (``last_epoch -= 1``, no update).

Construction happens once, so it runs as scalar code on :class:`OptimizerState`.
Steps ``1..n-1`` arrive as arrays of events; each leaf scheduler turns its events
into update codes (see :mod:`.ops`) for all of them at once.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from .._lazy import np
from . import ops as O
from .params import SCHEDULERS, format_value
from .spec import REBUILD, REPLAY, RESTART, TORCH, Family, SchedulerSpec  # noqa: F401  (building blocks)
from ..errors import ParamError

INIT, STEP, RESET0, UNDO = 0, 1, 2, 3


class OptimizerState:
    """The dummy optimizer's param groups, as scalar Python floats (construction phase)."""

    def __init__(self, lrs: list[float], momentum: float | None, betas: tuple[float, float] | None,
                 names: list[str] | None = None) -> None:
        self.lr = [float(x) for x in lrs]
        self.names = list(names) if names else None
        self.default_lr = self.lr[0]  # optimizer.defaults['lr']: the lr the optimizer was built with
        self.initial_lr: list[float | None] = [None] * len(lrs)
        self.use_beta1 = betas is not None
        first = betas[0] if betas is not None else (momentum if momentum is not None else 0.0)
        self.momentum = [float(first)] * len(lrs)
        self.extra: list[dict[str, float]] = [{} for _ in lrs]

    @property
    def groups(self) -> int:
        return len(self.lr)

    def snapshot(self) -> dict:
        """The keys schedulers write at construction (what a checkpoint of the optimizer restores)."""
        return {"initial_lr": list(self.initial_lr), "extra": [dict(e) for e in self.extra]}

    def restore(self, snapshot: dict) -> None:
        self.initial_lr = list(snapshot["initial_lr"])
        self.extra = [dict(e) for e in snapshot["extra"]]

    def setdefault_initial_lr(self) -> None:
        for g in range(self.groups):
            if self.initial_lr[g] is None:
                self.initial_lr[g] = self.lr[g]

    def apply(self, code: int, a, b, momentum) -> None:
        """Apply one update to every group, in Python floats, as torch does."""
        for g in range(self.groups):
            if code == O.MUL:
                self.lr[g] = self.lr[g] * float(a[g])
            elif code == O.SET:
                self.lr[g] = float(a[g])
            elif code == O.AFFINE:
                self.lr[g] = float(a[g]) * (self.lr[g] - float(b[g])) + float(b[g])
            elif code == O.ADD:
                self.lr[g] = self.lr[g] + float(a[g])
            if momentum is not None:
                self.momentum[g] = float(momentum[g])


@dataclass
class Updates:
    """A leaf's updates for a batch of events: ``code`` per event, ``a``/``b`` per event and group.

    ``code`` 0 means "leave the learning rate alone".
    """

    code: Any
    a: Any
    b: Any = None
    momentum: Any = None


class Simulation:
    """Shared state while a scheduler tree is built and driven."""

    def __init__(self, state: OptimizerState, steps_per_epoch: int | None = None) -> None:
        self.state = state
        self.steps_per_epoch = steps_per_epoch
        self.leaves: list[Leaf] = []
        self.momentum_cycled = False

    @property
    def groups(self) -> int:
        return self.state.groups


class Node:
    """A constructed scheduler bound to the dummy optimizer."""

    spec: ClassVar[SchedulerSpec]

    def __init__(self, params: dict[str, Any], children: list[Node] | None = None,
                 path: tuple = ("params",)) -> None:
        self.p = params
        self.children = children or []
        self.path = path  # where the parameters sit in a config, for error messages
        self.notes: list[str] = []  # how a value was read (a pasted lambda's body), for stderr
        self.last_epoch = -1  # torch's constructor argument: >= 0 when resuming

    # construction phase ------------------------------------------------------
    def construct(self, sim: Simulation) -> None:
        raise NotImplementedError

    def command(self, sim: Simulation, kind: int, where: str) -> None:
        """One scalar call (construction phase only)."""
        raise NotImplementedError

    def initial_step(self, sim: Simulation) -> None:
        """torch's ``_initial_step()`` as called by SequentialLR."""
        self.command(sim, INIT, "construction")

    # stepping phase ----------------------------------------------------------
    def route(self, sim: Simulation, steps, kinds) -> None:
        """Deliver a batch of STEP/RESET0 events (``steps`` = the row each one produces)."""
        raise NotImplementedError

    def undo(self) -> None:
        for child in self.children:
            child.undo()

    def marks(self, n: int) -> list[tuple[int, str]]:
        """Steps where the schedule changes regime, for the plot (``(step, label)``)."""
        return []

    def visible_params(self) -> dict:
        """The parameters as results report them (hidden ones such as last_epoch left out)."""
        hidden = {p.name for p in self.spec.params if p.hidden}
        return {k: v for k, v in self.p.items() if k not in hidden}

    def walk(self):
        """This node and all its descendants, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def param_warnings(self) -> list[str]:
        """Values the library accepts but that are probably a mistake: said, not refused."""
        return []

    def warmup_rows(self, per_epoch: int | None) -> float | None:
        """Rows of warmup when a trainer computes it from more than a parameter (YOLOv5's 100-iteration floor)."""
        return None

    def resume_at(self, start: int) -> None:
        """Rebuilt with ``last_epoch=start``, as code resuming from a checkpoint does."""
        self.last_epoch = start

    @classmethod
    def complete(cls, values: dict, run: dict) -> dict:
        """Validated parameters, completed from the run (``steps_per_epoch``, ``epochs``) where torch's
        constructor takes them; raise ParamError for combinations the constructor refuses."""
        return values

    def describe(self) -> str:
        """``StepLR(step_size=30, gamma=0.1)``: the scheduler and the parameters that differ from the defaults."""
        parts = []
        for param in self.spec.params:
            if param.kind == SCHEDULERS:
                parts.append(self.spec.joiner.join(child.describe() for child in self.children))
                continue
            value = self.p.get(param.name, param.default)
            if param.hidden or value is None or (not param.required and value == param.default):
                continue
            parts.append(f"{param.name}={format_value(value)}")
        return f"{self.spec.name}({', '.join(parts)})"


class Leaf(Node):
    """A scheduler that updates the learning rate itself."""

    def construct(self, sim: Simulation) -> None:
        self.index = len(sim.leaves)
        sim.leaves.append(self)
        if not self.fresh and None in sim.state.initial_lr:
            raise self.resumes_without("initial_lr")
        self.before_init(sim)
        sim.state.setdefault_initial_lr()
        self.base_lrs = np.array(sim.state.initial_lr, dtype=np.float64)
        self.epoch = self.last_epoch
        self.events_steps: list = []
        self.events_kinds: list = []
        self.command(sim, INIT, "construction")
        self.after_init(sim)

    @property
    def fresh(self) -> bool:
        """torch only rewrites the param groups when constructed with ``last_epoch=-1``."""
        return self.last_epoch == -1

    def resumes_without(self, keys: str) -> ParamError:
        """torch's KeyError for a scheduler built with ``last_epoch >= 0`` (resuming) on groups that lack ``keys``:
        only a scheduler built with ``last_epoch=-1`` writes them (a child of a composite meets this)."""
        return ParamError(self.path + ("last_epoch",), f"{self.last_epoch} builds {self.spec.name} as resumed: it reads "
                          f"{keys} from the optimizer, which only a scheduler built with last_epoch=-1 before it "
                          f"writes, so torch raises KeyError {keys!r}; use last_epoch=-1")

    def before_init(self, sim: Simulation) -> None:
        """Changes torch makes to the param groups before ``super().__init__``."""

    def after_init(self, sim: Simulation) -> None:
        """Changes torch makes after ``super().__init__`` (e.g. CyclicLR's own base_lrs)."""

    def undo(self) -> None:
        self.epoch -= 1

    def command(self, sim: Simulation, kind: int, where: str) -> None:
        with self.located():
            self._command(sim, kind, where)

    def _command(self, sim: Simulation, kind: int, where: str) -> None:
        if kind == UNDO:
            self.undo()
            return
        self.epoch = 0 if kind == RESET0 else self.epoch + 1
        upd = self.updates(sim, np.array([self.epoch]), np.array([kind]), sim.state, np.array([0]))
        code = int(upd.code[0])
        if code:
            b = None if upd.b is None else upd.b[0]
            sim.state.apply(code, upd.a[0], b, None)
        if upd.momentum is not None:
            sim.state.momentum = [float(m) for m in upd.momentum[0]]

    def route(self, sim: Simulation, steps, kinds) -> None:
        self.events_steps.append(steps)
        self.events_kinds.append(kinds)

    def collect(self, sim: Simulation) -> tuple[Any, Updates] | None:
        """All stepping-phase updates of this leaf, vectorised (code 0: no update)."""
        with self.located():
            return self._collect(sim)

    def _collect(self, sim: Simulation) -> tuple[Any, Updates] | None:
        if not self.events_steps:
            return None
        if len(self.events_steps) == 1:
            steps, kinds = self.events_steps[0], self.events_kinds[0]
        else:
            steps = np.concatenate(self.events_steps)
            kinds = np.concatenate(self.events_kinds)
            if len(steps) > 1 and (np.diff(steps) < 0).any():
                order = np.argsort(steps, kind="stable")
                steps, kinds = steps[order], kinds[order]
        if len(steps) == 0:
            return None
        resets = np.flatnonzero(kinds == RESET0)
        if len(resets) < 64:  # counting up from the current epoch, from 0 again at each reset
            epochs = np.arange(self.epoch + 1, self.epoch + 1 + len(kinds), dtype=np.int64)
            for low, high in zip(resets.tolist(), resets[1:].tolist() + [len(kinds)]):
                epochs[low:high] = np.arange(high - low)
        else:
            index = np.arange(len(kinds), dtype=np.int64)
            last_reset = np.full(len(kinds), -1, dtype=np.int64)
            last_reset[resets] = resets
            np.maximum.accumulate(last_reset, out=last_reset)
            epochs = np.where(last_reset >= 0, index - last_reset, self.epoch + index + 1)
        upd = self.updates(sim, epochs, kinds, sim.state, steps)
        kept = np.count_nonzero(upd.code)
        if upd.momentum is None and kept < len(steps) * 3 // 4:  # many no-ops (StepLR: 29 in 30): left out
            keep = upd.code != 0
            steps = steps[keep]
            upd = Updates(upd.code[keep], upd.a[keep], None if upd.b is None else upd.b[keep])
        return steps, upd  # the no-ops that remain (code 0) are replay's

    def updates(self, sim: Simulation, epochs, kinds, state: OptimizerState, steps) -> Updates:
        """Updates for events at ``epochs`` (``last_epoch`` after the call) of ``kinds``."""
        raise NotImplementedError

    # helpers -----------------------------------------------------------------
    def group_values(self, sim: Simulation, name: str):
        """A per-group parameter as a float array of length ``groups``."""
        value = self.p[name]
        groups = sim.groups
        if isinstance(value, list):
            if len(value) != groups:
                raise ParamError((name,), f"has {len(value)} values but the optimizer has {groups} param groups")
            return np.array(value, dtype=np.float64)
        return np.full(groups, float(value))

    def fail(self, detail: str) -> ParamError:
        return ParamError((), f"{self.spec.name}: {detail}")

    @contextmanager
    def located(self):
        """Prefix errors raised while simulating with where this scheduler sits in the config."""
        try:
            yield
        except ParamError as err:
            if getattr(err, "located", False):
                raise
            located = err.relocated(self.path + err.path)
            located.located = True
            raise located from None


def check_factors(param: str, values, epochs, source: str) -> None:
    """Refuse non-finite or negative factors from a user expression, naming the epoch."""
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ParamError((param,), f"{source!r} gives {float(values[i])!r} at epoch {int(epochs[i])}; "
                         "it must give a finite number >= 0")
