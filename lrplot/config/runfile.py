"""A config file read as a training run: loaded, its shape translated, the run's values written in, simulated.

One path for ``lrplot from-config``, ``compare``, ``check`` and :func:`lrplot.from_config`, so that the Python
API reads every file exactly as the command line does.  ``opts`` holds the run's values by option name
(``dataset_size``, ``lr``, ``epochs``, ...), as the command line's flags give them (see :mod:`.flags`).
"""

from __future__ import annotations

from pathlib import Path

from ..engine import params as P
from ..errors import LrplotError, ParamError, shown
from . import flags as F


def with_metrics(opts: dict) -> dict:
    """The options with ``--metrics FILE`` read into values."""
    if opts.get("metrics") is None or not isinstance(opts["metrics"], (str, Path)):
        return opts
    from .metrics import read_metrics

    return {**opts, "metrics": read_metrics(str(opts["metrics"]))}


def simulate(config: dict, budget: int | None = None):
    from ..engine.simulate import run_config

    return run_config(config) if budget is None else run_config(config, budget)


def translated(loaded, opts: dict, source: str = "-"):
    """A loaded file as an lrplot config (foreign shapes translated), or a located error."""
    from .shapes import translate

    try:
        translation = translate(loaded.data, run_context(source, opts))
    except ParamError as err:
        if F.given_flag(err.path, opts):  # counting the run failed on a value the user typed
            raise F.reword(err) from None
        raise loaded.error(err) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as exc:
        # a value of a type no reader expected: say so rather than guess (each reader checks what it knows)
        raise LrplotError(f"{loaded.name}: a value has a type lrplot cannot read here ({shown(str(exc), 120)})") \
            from None
    if not isinstance(translation.config, dict):
        raise LrplotError(f"{loaded.name}: expected a mapping with a 'scheduler' key, "
                          f"got {type(translation.config).__name__}")
    for option, flag in F.SHAPE_OPTIONS.items():
        if opts.get(option) is not None and option not in translation.options_read:
            raise LrplotError(f"{flag.split('/')[0]}: {translation.shape} configs do not use it (YOLO configs do)")
    if translation.shape == "lrplot":
        loaded.refuse_duplicates()
    translation.warnings += [f"{where}: given twice; the last value is used, as the trainer's loader does"
                             for where in loaded.repeated_keys]
    return translation


def flags_after(translation) -> tuple[str, ...]:
    """The flags still to write into a translated config: a trainer's shape has already read the run's
    (dataset size, batch, epochs, ...) with the file's own values, and counted with them."""
    skip = tuple(translation.own_flags)
    if translation.counted_run:
        skip += F.RUN_MODEL_OPTIONS + ("epochs",)
    return tuple(o for o in F.OPTIONS if o not in skip)


def run_context(source: str, opts: dict) -> dict:
    """The run flags a config shape reads with the file's own values, and where the file is."""
    from .shapes.hf import VERSIONS

    F.check(opts, VERSIONS)
    if opts.get("epochs") is not None and not opts["epochs"] > 0:
        raise LrplotError(f"--epochs: {opts['epochs']:g} is invalid: train for more than 0 epochs")
    context = {option: opts.get(option) for option in F.RUN_MODEL_OPTIONS + ("steps_per_epoch", "epochs")}
    lrs = F.split_values(opts.get("lr") or [])
    context["lr"] = P.to_float(lrs[0], ("optimizer", "lr")) if len(lrs) == 1 else None
    context["momentum"], context["betas"], context["lr_count"] = opts.get("momentum"), opts.get("betas"), len(lrs)
    context["transformers"] = opts.get("transformers")
    context["deepspeed"] = opts.get("deepspeed")
    for option in F.SHAPE_OPTIONS:
        context[option] = opts.get(option)
    context["base"] = None if source == "-" else str(Path(source).parent)
    return context


def simulate_located(loaded, config: dict, to_file_path, budget: int | None = None, opts: dict | None = None,
                      keep: tuple = ()):
    """Simulate ``config``; an engine error is reworded with the flag the user typed, or the file, line and key
    it came from (``keep``: error kinds passed on as they are, for check)."""
    try:
        return simulate(config, budget)
    except keep:
        raise
    except ParamError as err:
        if opts and F.given_flag(err.path, opts):
            raise F.reword(err) from None
        raise loaded.error(ParamError(to_file_path(err.path), err.detail)) from None


def read_config(source: str, opts: dict, translate=None):
    """A config file loaded, translated and with the run flags written in: (loaded, translation, config).

    ``translate`` replaces :func:`translated` (the command line's says how it read the file)."""
    from .load import load

    loaded = load(source)
    translation = (translate or translated)(loaded, opts, source)
    data = dict(translation.config)
    if isinstance(data.get("optimizer"), dict):
        data["optimizer"] = dict(data["optimizer"])
    F.apply(data, with_metrics(opts), only=flags_after(translation))
    return loaded, translation, data




def simulate_file(source: str, opts: dict, translate=None):
    """A config file simulated as ``lrplot from-config`` does: (result, translation), the result carrying the
    translation's notes, prelude and warnings (``translate``: as for :func:`read_config`)."""
    loaded, translation, data = read_config(source, opts, translate)
    result = simulate_located(loaded, data, translation.original_path, opts=opts)
    result.notes, result.prelude = translation.notes + result.notes, translation.prelude
    if translation.monitor:
        result.title = f"{result.title}, monitor={translation.monitor}"
    result.warnings = translation.warnings + result.warnings
    return result, translation
