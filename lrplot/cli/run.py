"""What the commands do, once typer has parsed the flags: config in, bytes out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import params as P
from ..engine.base import SchedulerSpec
from ..errors import LrplotError, ParamError, shown
from . import flags as F
from . import options as O
from . import output as OUT
from .streams import say


def _with_metrics(opts: dict) -> dict:
    """The options with ``--metrics FILE`` read into values."""
    if opts.get("metrics") is None:
        return opts
    from ..config.metrics import read_metrics

    return {**opts, "metrics": read_metrics(opts["metrics"])}


def run_scheduler(spec: SchedulerSpec, values: dict, opts: dict, children: list[str] | None = None) -> None:
    """One scheduler from its flags (``children``: a composite's typed children); a flag listing several values
    overlays one run per value (runs.py)."""
    from . import runs, runspec

    F.check(opts)
    sweep = runs.swept(spec, values)
    if opts.get("lr") is not None and spec.family.absolute and not spec.uses_optimizer_lr(values):
        raise LrplotError(f"--lr does not apply: {spec.name} gives absolute learning rates, not a scaling of the "
                          "optimizer's; its own parameters set them (see --help)")
    nested = runspec.children_param(spec)
    if nested is not None:
        values[nested.name] = runspec.children(spec, children or [])
    config: dict[str, Any] = {"scheduler": spec.name, "params": values, "optimizer": {}}
    F.apply(config, _with_metrics(opts))
    if sweep is not None:
        return runs.run_sweep(spec, config, *sweep, opts, children or [])
    if opts.get("check"):
        from .check import check_flags

        _exit(check_flags(spec, config, opts, children or []))
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), spec.cli)
    result = simulate_flags(config, spec, children=children or [])
    _with_log(result, opts)
    OUT.emit([result], target, opts)


def _with_log(result, opts: dict) -> None:
    """``--log``: the run's logged lr compared with the prediction, said on stderr and drawn over the curve."""
    if not opts.get("log"):
        return
    from ..check.compare import compare, findings
    from ..config.logs import read_log

    result.logged = compare(result, read_log(opts["log"]), opts.get("log_rtol"))
    for finding in findings(result.logged):
        if finding.severity == "info":
            result.notes.append("log: " + finding.message)
        else:
            result.warnings.append(finding.message)


def _translated(loaded, opts: dict, source: str = "-"):
    """A loaded file as an lrplot config (foreign shapes translated), or a located error."""
    from ..config.shapes import describe_ignored, translate

    try:
        translation = translate(loaded.data, _run_context(source, opts))
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
    for option, flag in O.SHAPE_OPTIONS.items():
        if opts.get(option) is not None and option not in translation.options_read:
            raise LrplotError(f"{flag.split('/')[0]}: {translation.shape} configs do not use it (YOLO configs do)")
    if translation.shape == "lrplot":
        loaded.refuse_duplicates()
    translation.warnings += [f"{where}: given twice; the last value is used, as the trainer's loader does"
                             for where in loaded.repeated_keys]
    if opts.get("verbose") and translation.shape != "lrplot":
        say(f"lrplot: read as {translation.shape}" + (f"; defaults used: {', '.join(translation.defaults)}"
                                                     if translation.defaults else ""))
        if translation.ignored:
            say(f"lrplot: {describe_ignored(translation)}")
    return translation


def _flags_after(translation) -> tuple[str, ...]:
    """The flags still to write into a translated config: a trainer's shape has already read the run's
    (dataset size, batch, epochs, ...) with the file's own values, and counted with them."""
    skip = tuple(translation.own_flags)
    if translation.counted_run:
        skip += F.RUN_MODEL_OPTIONS + ("epochs",)
    return tuple(o for o in F.OPTIONS if o not in skip)


def _run_context(source: str, opts: dict) -> dict:
    """The run flags a config shape reads with the file's own values, and where the file is."""
    from ..config.shapes.hf import VERSIONS

    F.check(opts, VERSIONS)
    if opts.get("epochs") is not None and not opts["epochs"] > 0:
        raise LrplotError(f"--epochs: {opts['epochs']:g} is invalid: train for more than 0 epochs")
    context = {option: opts.get(option) for option in F.RUN_MODEL_OPTIONS + ("steps_per_epoch", "epochs")}
    lrs = F.split_values(opts.get("lr") or [])
    context["lr"] = P.to_float(lrs[0], ("optimizer", "lr")) if len(lrs) == 1 else None
    context["momentum"], context["betas"], context["lr_count"] = opts.get("momentum"), opts.get("betas"), len(lrs)
    context["transformers"] = opts.get("transformers")
    context["deepspeed"] = opts.get("deepspeed")
    for option in O.SHAPE_OPTIONS:
        context[option] = opts.get(option)
    context["base"] = None if source == "-" else str(Path(source).parent)
    return context


def simulate_flags(config: dict, spec, keep: tuple = (), children: list[str] = ()):
    """Simulate a command line's ``config``; an engine error is reworded with the flag, or the typed child
    (``children``: their texts) it is about (``keep``: error kinds passed on as they are, for check)."""
    from .runspec import reword_child

    try:
        return _simulate(config)
    except keep:
        raise
    except ParamError as err:
        raise (reword_child(err, spec, list(children)) or F.reword(err, spec)) from None


def _simulate_located(loaded, config: dict, to_file_path, budget: int | None = None, opts: dict | None = None,
                      keep: tuple = ()):
    """Simulate ``config``; an engine error is reworded with the flag the user typed, or the file, line and key
    it came from (``keep``: error kinds passed on as they are, for check)."""
    try:
        return _simulate(config, budget)
    except keep:
        raise
    except ParamError as err:
        if opts and F.given_flag(err.path, opts):
            raise F.reword(err) from None
        raise loaded.error(ParamError(to_file_path(err.path), err.detail)) from None


def read_config(source: str, opts: dict):
    """A config file loaded, translated and with the run flags written in: (loaded, translation, config)."""
    from ..config.load import load

    loaded = load(source)
    translation = _translated(loaded, opts, source)
    data = dict(translation.config)
    if isinstance(data.get("optimizer"), dict):
        data["optimizer"] = dict(data["optimizer"])
    F.apply(data, _with_metrics(opts), only=_flags_after(translation))
    return loaded, translation, data


def _exit(code: int) -> None:
    import typer

    raise typer.Exit(code)


def run_from_config(source: str, opts: dict) -> None:
    if opts.get("check"):
        from .check import check_file

        _exit(check_file(source, opts))
    loaded, translation, data = read_config(source, opts)
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), _stem(source))
    result = _simulate_located(loaded, data, translation.original_path, opts=opts)
    result.notes, result.prelude = translation.notes + result.notes, translation.prelude
    if translation.monitor:
        result.title = f"{result.title}, monitor={translation.monitor}"
    if opts.get("verbose") and result.plan is not None:
        say(f"lrplot: counted as {result.plan.trainer.source}")
    result.warnings = translation.warnings + result.warnings
    _with_log(result, opts)
    OUT.emit([result], target, opts)


def _stem(source: str) -> str:
    return "stdin" if source == "-" else Path(source).stem


def _simulate(config: dict, budget: int | None = None):
    from ..engine.simulate import run_config

    return run_config(config) if budget is None else run_config(config, budget)


def scheduler_table(markdown: bool) -> str:
    """Every scheduler with its command, library name and parameters, from the registry."""
    from ..engine.registry import SCHEDULERS

    rows = []
    for cls in SCHEDULERS.values():
        spec = cls.spec
        params = ", ".join(f"{p.name} (required)" if p.required else f"{p.name}={p.default_text()}"
                           for p in spec.params if not p.hidden)
        rows.append((spec.cli, spec.name, params, spec.summary))
    if markdown:
        lines = ["| command | library name | parameters (default) | what it does |", "|---|---|---|---|"]
        lines += [f"| `{c}` | `{n}` | {p.replace('|', '/')} | {s} |" for c, n, p, s in rows]
        return "\n".join(lines) + "\n"
    width_c = max(len(r[0]) for r in rows)
    width_n = max(len(r[1]) for r in rows)
    return "".join(f"{c:<{width_c}}  {n:<{width_n}}  {p}\n" for c, n, p, _ in rows)
