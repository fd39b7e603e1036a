"""One table between command-line flags and config keys, read in both directions.

Forward, :func:`apply` puts the flags a user typed into a config dict (a flag beats the file); backward,
:func:`reword` turns an engine error located at a config path into one that names the flag the user typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import LrplotError, ParamError, format_path, shown


def split_values(raw: list) -> list[str]:
    """A repeated, comma-separated flag's values: ``["30,80", "120"]`` -> ``["30", "80", "120"]``."""
    return [part.strip() for item in raw for part in str(item).replace(";", ",").split(",") if part.strip()]


def is_list_flag(param) -> bool:
    """Flags that take several values, repeated or comma-separated."""
    from ..engine import params as P

    return param.kind in (P.INT_LIST, P.FLOAT_LIST, P.RANGE) or param.per_group


def flag_value(param, raw: Any) -> Any:
    """Turn a flag's text into what the registry's Param expects (``--milestones 30,80`` -> ["30", "80"])."""
    from ..engine import params as P

    if not isinstance(raw, list):
        return raw
    parts = list(raw) if param.kind == P.EXPR else split_values(raw)  # an expression may contain commas
    if param.kind in (P.INT_LIST, P.FLOAT_LIST):
        return parts
    return parts[0] if len(parts) == 1 else parts


def given_value(param, raw: Any) -> Any:
    """A scheduler flag's value as typed (None when not given): a number or choice given several times is a
    sweep, as comma-separated (``--eta-min 0 --eta-min 1e-3`` is ``--eta-min 0,1e-3``); another single-value
    flag given twice is refused, never silently the last."""
    if raw is None or (isinstance(raw, (list, tuple)) and not raw):
        return None
    if param.sweepable and isinstance(raw, list):
        raw = ",".join(raw)
    elif isinstance(raw, list) and not is_list_flag(param):
        if len(raw) > 1:
            raise LrplotError(f"{param.flag} is given {len(raw)} times; it takes one value (numbers and choices "
                              "given several times sweep)")
        raw = raw[0]
    return flag_value(param, raw)


def _lrs(raw: list) -> Any:
    values = split_values(raw)
    return values[0] if len(values) == 1 else values


@dataclass(frozen=True)
class RunFlag:
    option: str  # the keyword typer passes
    flag: str
    path: tuple  # where it goes in the config
    convert: Callable[[Any], Any] = lambda v: v
    requires: str | None = None  # another flag's option that must be given too
    metavar: str = "VALUE"

    def given(self, opts: dict) -> bool:
        value = opts.get(self.option)
        return value is not None and value != [] and value != ()


RUN_FLAGS: tuple[RunFlag, ...] = (
    RunFlag("epochs", "--epochs", ("epochs",)),
    RunFlag("steps_per_epoch", "--steps-per-epoch", ("steps_per_epoch",)),
    RunFlag("start_step", "--start-step", ("start_step",)),
    RunFlag("resume_at", "--resume-at", ("resume_at",)),
    RunFlag("resume_mode", "--resume-mode", ("resume_mode",)),
    RunFlag("warmup", "--warmup", ("warmup", "steps"), metavar="N"),
    RunFlag("warmup_start_factor", "--warmup-start-factor", ("warmup", "start_factor"), requires="warmup"),
    RunFlag("lr", "--lr", ("optimizer", "lr"), _lrs),
    RunFlag("momentum", "--momentum", ("optimizer", "momentum")),
    RunFlag("betas", "--betas", ("optimizer", "betas"), split_values),
    RunFlag("metrics", "--metrics", ("metrics",)),
    RunFlag("dataset_size", "--dataset-size", ("run", "dataset_size")),
    RunFlag("batch_size", "--batch-size", ("run", "batch_size")),
    RunFlag("devices", "--devices", ("run", "devices")),
    RunFlag("grad_accum", "--grad-accum", ("run", "grad_accum")),
    RunFlag("drop_last", "--drop-last", ("run", "drop_last")),
    RunFlag("max_steps", "--max-steps", ("run", "max_steps")),
    RunFlag("trainer", "--trainer", ("run", "trainer")),
    RunFlag("split_batches", "--split-batches", ("run", "split_batches")),
)
OPTIONS = tuple(f.option for f in RUN_FLAGS)
#: The options that describe the training run (a config shape reads them with the file's own values).
RUN_MODEL_OPTIONS = tuple(f.option for f in RUN_FLAGS if f.path[0] == "run")
_BY_OPTION = {f.option: f for f in RUN_FLAGS}
#: Options only some config shapes read (YOLO's), with their flags.
SHAPE_OPTIONS = {"num_classes": "--num-classes", "optimizer": "--optimizer", "cos_lr": "--cos-lr/--linear-lr"}


def apply(config: dict, opts: dict, only: tuple[str, ...] | None = None) -> dict:
    """``config`` with every run flag in ``opts`` written at its path (``only``: just these options)."""
    for run_flag in RUN_FLAGS:
        if (only is not None and run_flag.option not in only) or not run_flag.given(opts):
            continue
        if run_flag.requires and not _BY_OPTION[run_flag.requires].given(opts):
            required = _BY_OPTION[run_flag.requires]
            raise LrplotError(f"{run_flag.flag}: give {required.flag} {required.metavar} too")
        node = config
        for key in run_flag.path[:-1]:
            if not isinstance(node.get(key), dict):  # absent, or a file's shorthand the flag replaces
                node[key] = {}
            node = node[key]
        node[run_flag.path[-1]] = run_flag.convert(opts[run_flag.option])
    return config


#: Run flags whose value must be a whole number >= 1, checked before any file is read.
_AT_LEAST_ONE = ("dataset_size", "batch_size", "devices", "grad_accum", "max_steps")


def check(opts: dict, versions: tuple = ()) -> None:
    """Refuse a run flag's bad value naming the flag, before a config file could be blamed for it."""
    from ..engine.trainers import TRAINERS

    for option in _AT_LEAST_ONE:
        value = opts.get(option)
        if value is not None and value < 1:
            raise LrplotError(f"{_BY_OPTION[option].flag}: {value} is invalid: must be >= 1")
    trainer = opts.get("trainer")
    if trainer is not None and trainer not in TRAINERS:
        raise LrplotError(f"--trainer: {shown(trainer)} is not one of {', '.join(TRAINERS)}")
    version = opts.get("transformers")
    if version is not None and version not in versions:
        raise LrplotError(f"--transformers: {shown(version)} is not one of {', '.join(versions)}")


def given_flag(path: tuple, opts: dict) -> bool:
    """Whether an error at config ``path`` is about a value a run flag put there (not the file's)."""
    return any(path[:len(f.path)] == f.path and f.given(opts) for f in RUN_FLAGS)


def flag_for(path: tuple, spec=None) -> tuple[str | None, tuple]:
    """The flag that sets config ``path`` (``spec``: the command's scheduler), and the rest of the path."""
    if spec is not None and path[:1] == ("params",) and len(path) >= 2 and isinstance(path[1], str):
        from ..engine.params import SCHEDULERS

        try:
            param = spec.param(path[1])
            if param.kind == SCHEDULERS:  # a composite's children are arguments, not a flag (runspec.py)
                return None, ()
            return param.flag, path[2:]
        except KeyError:
            return "--" + path[1].lower().replace("_", "-"), path[2:]
    for run_flag in sorted(RUN_FLAGS, key=lambda f: -len(f.path)):
        if path[:len(run_flag.path)] == run_flag.path:
            return run_flag.flag, path[len(run_flag.path):]
    if path[:1] == ("warmup",):
        return "--warmup", path[1:]
    return None, ()


def reword(err: ParamError, spec=None) -> LrplotError:
    """An engine error re-worded with the flag the user typed (``spec``: the command's scheduler)."""
    path = err.path
    if path == ("params",):
        return LrplotError(err.detail)
    flag, rest = flag_for(path, spec)
    if flag is None:
        return LrplotError(str(err))
    suffix = format_path(rest)
    if suffix and not suffix.startswith("["):
        suffix = f" {suffix}"
    return LrplotError(f"{flag}{suffix}: {err.detail}")
