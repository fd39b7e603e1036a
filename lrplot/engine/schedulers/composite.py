"""SequentialLR and ChainedScheduler: schedulers of schedulers sharing one optimizer.

They never compute a learning rate themselves; they decide which child gets
which call, exactly as torch does (including SequentialLR's reset of the lr to
``initial_lr``, its ``recursive_undo`` and the closed-form restart at each
milestone).
"""

from __future__ import annotations

from bisect import bisect_right

from ..._lazy import np
from ..base import INIT, RESET0, STEP, UNDO, Node, SchedulerSpec
from ..params import INT_LIST, SCHEDULERS as SCHEDULER_LIST, Param, at_least
from ...errors import ParamError

SCHEDULERS_HELP = "the child schedulers, in order (YAML: a list of {scheduler, params})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _not_restartable(node: Node, where: str) -> ParamError:
    return ParamError((), f"{node.spec.name} cannot be restarted by SequentialLR at {where}: torch raises "
                          "NotImplementedError there; put it first in the SequentialLR")


class _Composite(Node):
    """What SequentialLR and ChainedScheduler share: torch cannot restart either at a milestone."""

    def command(self, sim, kind: int, where: str) -> None:
        if kind == UNDO:
            self.undo()
        elif kind == RESET0:
            raise _not_restartable(self, where)
        else:
            self.step(sim, where)

    def route(self, sim, steps, kinds) -> None:
        if (kinds == RESET0).any():
            raise _not_restartable(self, f"step {int(steps[kinds == RESET0][0])}")
        self.route_steps(sim, steps)


class SequentialLR(_Composite):
    spec = SchedulerSpec(
        name="SequentialLR", cli="sequential", aliases=("seq",),
        summary="run schedulers one after another, switching at the milestones",
        example={"schedulers": [{"scheduler": "LinearLR", "params": {"start_factor": 0.01, "total_iters": 10}}, {"scheduler": "CosineAnnealingLR", "params": {"T_max": 90}}], "milestones": [10]},
        params=(
            Param("schedulers", SCHEDULER_LIST, SCHEDULERS_HELP, cli=False),
            Param("milestones", INT_LIST, "epochs at which to switch to the next scheduler (one fewer than "
                  "schedulers, non-decreasing)", check=at_least(0)),
        ),
        composite=True, joiner=" -> ",
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        names = [c.spec.name for c in self.children]
        return [(m, f"-> {names[i + 1]}") for i, m in enumerate(self.p["milestones"]) if 0 < m < n]

    def construct(self, sim) -> None:
        milestones = self.p["milestones"]
        where = self.path + ("milestones",)  # located where the config (or --milestones) gave them
        if len(milestones) != len(self.children) - 1:
            raise ParamError(where, f"{_count(len(milestones), 'milestone')} for "
                             f"{_count(len(self.children), 'scheduler')}; give exactly one fewer milestone than "
                             "schedulers")
        if any(b < a for a, b in zip(milestones, milestones[1:])):
            raise ParamError(where, f"{milestones} must be non-decreasing")
        for child in self.children:
            child.construct(sim)
        self.epoch = self.last_epoch + 1
        state = sim.state
        for g in range(state.groups):
            state.lr[g] = state.initial_lr[g]
        for child in self.children:  # recursive_undo
            child.undo()
        self.children[bisect_right(milestones, 0)].initial_step(sim)

    def initial_step(self, sim) -> None:
        self.command(sim, STEP, "construction")

    def step(self, sim, where: str) -> None:
        self.epoch += 1
        milestones = self.p["milestones"]
        idx = bisect_right(milestones, self.epoch)
        reset = idx > 0 and milestones[idx - 1] == self.epoch
        self.children[idx].command(sim, RESET0 if reset else STEP, where)

    def route_steps(self, sim, steps) -> None:
        """Steps epoch+1, epoch+2, ...: child k takes the slice from milestone k-1 (restarted there by
        ``_update_lr(0)`` when that milestone falls in the slice) up to milestone k."""
        first = self.epoch + 1
        self.epoch += len(steps)
        milestones = self.p["milestones"]
        edges = [0] + [min(max(m - first, 0), len(steps)) for m in milestones] + [len(steps)]
        for k, child in enumerate(self.children):
            low, high = edges[k], max(edges[k], edges[k + 1])
            if high > low:
                kinds = np.full(high - low, STEP, dtype=np.int8)
                if k and milestones[k - 1] == first + low:
                    kinds[0] = RESET0
                child.route(sim, steps[low:high], kinds)


class ChainedScheduler(_Composite):
    spec = SchedulerSpec(
        name="ChainedScheduler", cli="chained", aliases=("chain",), takes_last_epoch=False,
        summary="step all schedulers at every step; their chainable updates compose",
        example={"schedulers": [{"scheduler": "ConstantLR", "params": {"factor": 0.5, "total_iters": 10}}, {"scheduler": "ExponentialLR", "params": {"gamma": 0.97}}]},
        params=(Param("schedulers", SCHEDULER_LIST, SCHEDULERS_HELP, cli=False),),
        composite=True, joiner=" + ", chains=True,
    )

    def marks(self, n: int) -> list[tuple[int, str]]:
        return sorted({m for child in self.children for m in child.marks(n)})

    def resume_at(self, start: int) -> None:
        for child in self.children:  # each child is built with last_epoch, the chain has none of its own
            child.last_epoch = start

    def construct(self, sim) -> None:
        for child in self.children:
            child.construct(sim)

    def initial_step(self, sim) -> None:
        # LRScheduler._initial_step on a ChainedScheduler calls its step(): every child takes a real step.
        self.command(sim, INIT, "construction")

    def step(self, sim, where: str) -> None:
        for child in self.children:
            child.command(sim, STEP, where)

    def route_steps(self, sim, steps) -> None:
        for child in self.children:
            child.route(sim, steps, np.full(len(steps), STEP))


CLASSES = (SequentialLR, ChainedScheduler)
