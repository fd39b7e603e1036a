"""What is declared once about a scheduler (:class:`SchedulerSpec`) and about its library (:class:`Family`).

Everything that differs between families (how a run resumes, whether ``--warmup`` applies, absolute values,
dtype, length unit, extra constructor arguments) is a field here, read where the behaviour happens; no code
outside a family's own module decides by its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .params import ANY, CHOICE, INT, Param, at_least

#: How a run resumed at step S rebuilds its scheduler (see :mod:`.resume`).
REBUILD = "rebuild"  # torch: constructed again with last_epoch=S on the restored optimizer
REPLAY = "replay"  # timm: step(S) on a fresh scheduler reproduces the uninterrupted curve
RESTART = "restart"  # metric-driven: counters start afresh from the current lr


@dataclass(frozen=True)
class Family:
    """What every scheduler of one library shares: declared once, read wherever the behaviour differs."""

    name: str  # "torch", "hf", "timm": the YAML prefix and the key of its fixtures
    library: str  # how messages name the library
    resume: str = REBUILD
    warmup: bool = False  # ``--warmup`` (a LinearLR in front, inside SequentialLR) applies
    composable: bool = False  # may be a child of SequentialLR / ChainedScheduler
    absolute: bool = False  # values are absolute learning rates, not scaled from the optimizer's lr
    dtype: str = "float64"  # the float type the library computes in
    extra_params: tuple = ()  # constructor arguments every scheduler of the family takes (hidden from --help)
    trainer: str | None = None  # the trainer that counts its runs when none is named (trainers.TRAINERS)
    param_groups: tuple = ()  # the trainer's param groups, by name: one optimizer lr is given to each
    default_momentum: float | None = None  # the trainer's momentum when the config gives none
    default_lr: float | None = None  # the trainer's lr (YOLO's lr0) when the config gives none
    zero_steps: int = 1  # first optimizer steps its warmup runs at lr 0 by design (check: info, not a warning)


#: What LightningCLI saves beside every run: ``last_epoch: -1`` is a fresh scheduler, S >= 0 resumes at S.
LAST_EPOCH = Param("last_epoch", INT, "the step the scheduler resumes from (-1: a fresh scheduler)", default=-1,
                   check=at_least(-1), cli=False, hidden=True)
VERBOSE = Param("verbose", ANY, "torch's old verbose flag (printing only; removed in torch 2.7)", default=False,
                cli=False, hidden=True)
TORCH = Family("torch", "PyTorch", warmup=True, composable=True, extra_params=(LAST_EPOCH, VERBOSE))


def dtype_param(default: str, how: str) -> Param:
    """``--dtype`` for a family that computes in the float type of its inputs (JAX, Keras); ``how``: how a user
    of the library gets float64."""
    return Param("dtype", CHOICE, f"float type the schedule computes in ({default}: the library's default; "
                 f"float64: {how})", default=default, choices=("float32", "float64"))


def _in_steps(params: dict) -> str:
    return "steps"


def _no_floor(params: dict) -> None:
    return None


def _never(params: dict) -> bool:
    return False


def _no_length(params: dict) -> int | None:
    return None


@dataclass(frozen=True)
class SchedulerSpec:
    """Everything said once about a scheduler: names, parameters, help, and how it behaves in a run."""

    name: str  # the library's name: torch/timm class name, or ``hf:<type>`` for transformers' get_scheduler types
    cli: str  # short command name
    summary: str
    params: tuple[Param, ...]
    aliases: tuple[str, ...] = ()
    family: Family = TORCH
    composite: bool = False  # takes ``schedulers``
    children_family: Family | None = None  # composites: the family its children come from (None: torch's)
    joiner: str = ", "  # composites: how the title joins the children
    metric_driven: bool = False  # stepped with a metric value (plateau), not simulated as events
    warmup: bool = True  # with ``family.warmup``: ``--warmup`` may wrap it
    resume: str | None = None  # overrides ``family.resume``
    example: dict = field(default_factory=dict)  # parameters for docs and registry-wide tests
    default_steps: Callable[[dict], int | None] = _no_length  # rows when not given (None: DEFAULT_STEPS)
    length_unit: Callable[[dict], str] = _in_steps  # unit of default_steps and horizons: "steps" or "epochs"
    takes_last_epoch: bool = True  # the family's last_epoch applies (not ChainedScheduler, ReduceLROnPlateau)
    reads_optimizer_lr: Callable[[dict], bool] | None = None  # with these params (default: not family.absolute)
    # for ``lrplot check``:
    chainable: bool = True  # ChainedScheduler composes it: its step scales the current lr (closed forms overwrite)
    chains: bool = False  # a composite whose children all step at every step (ChainedScheduler)
    raises_after: Callable[[dict], int | None] = _no_floor  # the library raises past this many step() calls
    decay_end: Callable[[dict], float | None] = _no_floor  # where the decay reaches its floor, in length_unit
    cycles: Callable[[dict], bool] = _never  # the lr rises on purpose after any warmup (cycles, restarts, noise,
    #                                           a range test): check's rules on rising curves leave it alone

    def __post_init__(self) -> None:
        extra = tuple(p for p in self.family.extra_params if self.takes_last_epoch or p.name != "last_epoch")
        object.__setattr__(self, "params", tuple(self.params) + extra)

    @property
    def has_own_length(self) -> bool:
        """Whether its parameters may give the rows to simulate (``default_steps``), as --help says."""
        return self.default_steps is not _no_length

    @property
    def takes_warmup(self) -> bool:
        return self.family.warmup and self.warmup and not self.composite and not self.metric_driven

    def uses_optimizer_lr(self, params: dict) -> bool:
        """Whether the optimizer's lr shapes the curve (a config without one must then give it)."""
        return self.reads_optimizer_lr(params) if self.reads_optimizer_lr else not self.family.absolute

    @property
    def resume_strategy(self) -> str:
        return self.resume or self.family.resume

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)
