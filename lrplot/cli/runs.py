"""Several runs in one picture: ``compare``'s files and typed runs, and a sweep of one parameter's values.

A sweep is a comma-separated value of one flag whose parameter takes a single scalar (the registry's
:attr:`~lrplot.engine.params.Param.sweepable`: an int, a float or a choice, not a list and not one value per
param group): ``lrplot cosine --t-max 100 --eta-min 0,1e-4,1e-3`` draws three runs labelled ``eta_min=0``,
``eta_min=0.0001``, ``eta_min=0.001``.  Runs share one run's budget of values, as compare's do.
"""

from __future__ import annotations

import os

from ..engine import params as P
from ..engine.registry import lookup
from ..errors import LrplotError, ParamError, shown
from ..config import flags as F
from ..config.runfile import flags_after, simulate_located
from . import output as OUT
from . import run as R
from . import runspec
from .streams import say

#: The run flags compare applies to every config (the optimizer's are each file's own).
COMPARE_FLAGS = ("epochs", "steps_per_epoch", "start_step", "resume_at", "resume_mode") + F.RUN_MODEL_OPTIONS

#: Labels that would collide with the index column of compare's CSV.
_RESERVED_LABELS = {"step"}


def swept(spec, values: dict):
    """``(param, texts)`` when one flag lists several values (a sweep), else None; two swept flags are refused.
    A single value is written back without its separators."""
    found = []
    for name, value in values.items():
        param = spec.param(name)
        if param.sweepable and isinstance(value, str):
            parts = F.split_values([value])
            if len(parts) > 1:
                found.append((param, parts))
            elif parts:
                values[name] = parts[0]
    if len(found) > 1:
        raise LrplotError(f"{found[0][0].flag} and {found[1][0].flag} both list several values: a sweep varies one "
                          "parameter at a time")
    return found[0] if found else None


def run_sweep(spec, config: dict, param, texts: list[str], opts: dict, children: list[str] = ()) -> None:
    """One run per value of ``param``, overlaid (CSV: one column per run), labelled ``name=value``."""
    for option, flag in (("check", "--check"), ("log", "--log")):
        if opts.get(option):
            raise LrplotError(f"{flag} looks at one run; {param.flag} lists {len(texts)} values (give one)")
    labels, runs = [], []
    for text in texts:
        try:
            value = param.coerce(text, ("params", param.name))
        except ParamError as err:
            raise F.reword(err, spec) from None
        label = f"{param.name}={P.format_value(value)}"
        if label in labels:
            raise LrplotError(f"{param.flag}: {P.format_value(value)} is given twice")
        labels.append(label)
        runs.append({**config, "params": {**config["params"], param.name: text}})
    results, used = [], 0
    for run in runs:
        result = _simulate(run, used, lambda err: runspec.reword_child(err, spec, list(children))
                           or F.reword(err, spec))
        used += _values(result)
        results.append(result)
    if opts.get("title") is None:
        opts = {**opts, "title": _sweep_title(spec, results[0], param, [label.split("=", 1)[1] for label in labels])}
    OUT.emit(results, OUT.Target.choose(opts.get("fmt"), opts.get("output"), spec.cli), opts, labels)


def _sweep_title(spec, first, param, values: list[str]) -> str:
    """``CosineAnnealingLR(T_max=100) with eta_min = 0, 0.0001, 0.001``: the runs' common parameters and the
    swept values (a composite's children may share the swept name: it is named by the scheduler alone)."""
    base = spec.name
    if not spec.composite:
        own = f"{param.name}={values[0]}"
        base = first.title.replace(f", {own})", ")").replace(f"({own}, ", "(").replace(f"({own})", "()")
        base = base.replace(f", {own}, ", ", ")
        base = base[:-2] if base.endswith("()") else base  # the swept parameter was the only one shown
    return f"{base} with {param.name} = {', '.join(values)}"


def _simulate(config: dict, used: int, reword):
    from ..engine.schema import MAX_VALUES
    from ..engine.simulate import run_config

    try:
        return run_config(config, MAX_VALUES - used)
    except ParamError as err:
        raise reword(err) from None


def _values(result) -> int:
    return result.lr.size * (2 if result.uninterrupted is not None else 1)


def is_run(source: str, quiet: bool = False) -> bool:
    """Whether a compare argument is a typed run (``"step step_size=30"``) rather than a config file.

    An existing file is a file (a regular file named like a scheduler is said to be read as the file; a
    directory or device named like one is the scheduler); otherwise text whose first word is a scheduler, or
    that holds a space or '=', is a run."""
    words = source.split()
    try:
        named = bool(words) and lookup(words[0]) is not None
    except ParamError:
        named = False
    if named and source != "-" and not os.path.isfile(source):
        return True
    if source == "-" or os.path.exists(source):
        if named and not quiet:
            say(f"lrplot: {shown(source)} is a file and a scheduler's name: read as the file (for the scheduler, "
                "give its parameters: 'NAME KEY=VALUE ...')")
        return False
    return named or any(ch.isspace() or ch == "=" for ch in source)


def run_compare(sources: list[str], opts: dict) -> None:
    """Config files (or files with a ``runs:`` list) and typed runs, simulated and drawn together."""
    results, labels, used = [], [], 0  # compare shares one run's budget of values
    for position, source in enumerate(sources, 1):
        if is_run(source, opts.get("quiet")):
            what = f"run {position} {shown(source)}"
            run = F.apply(runspec.parse(source, what, runspec.stray_parameter(sources, position - 1)), opts,
                          only=COMPARE_FLAGS)
            result = _simulate(run, used, lambda err: F.reword(err) if F.given_flag(err.path, opts)
                               else runspec.locate(err, (), what))
            used += _values(result)
            results.append(result)
            labels.append(" ".join(source.split()))
            continue
        _no_such_file(source)
        for label, result in _file_runs(source, opts, used):
            used += _values(result)
            results.append(result)
            labels.append(label)
    taken = _RESERVED_LABELS | {label for label in labels if labels.count(label) > 1}
    labels = [f"{label} ({i})" if label in taken else label for i, label in enumerate(labels)]
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), "compare")
    OUT.emit(results, target, opts, labels)


def _no_such_file(source: str) -> None:
    """A missing file that is not a run either: say both, with the nearest scheduler name."""
    if source == "-" or os.path.exists(source) or source.endswith((".yaml", ".yml", ".json")) or os.sep in source:
        return
    try:
        lookup(source)
    except ParamError as err:
        raise LrplotError(f"{shown(source)}: no such file, and not a run: {err.detail}") from None


def _file_runs(source: str, opts: dict, used: int):
    """``(label, result)`` for a config file, or for each run of a file with a ``runs:`` list."""
    from ..config.load import load
    from ..engine.schema import MAX_VALUES

    loaded = load(source)
    data = loaded.data
    stem = R._stem(source)
    if isinstance(data, dict) and "runs" in data:
        loaded.refuse_duplicates()
        extra = set(data) - {"runs", "epochs"}
        if extra:
            raise LrplotError(f"{loaded.name}: a file with 'runs' may only also set 'epochs', not {sorted(extra)}")
        runs = data["runs"]
        if not isinstance(runs, list) or not runs:
            raise LrplotError(f"{loaded.name}: 'runs' must be a non-empty list of configs")
        entries = [(("runs", i), run, data.get("epochs")) for i, run in enumerate(runs)]
        to_file_path, allowed = None, F.OPTIONS
    else:
        translation = R._translated(loaded, opts, source)
        entries = [((), translation.config, None)]
        to_file_path, allowed = translation.original_path, flags_after(translation)
    for path, run, shared_epochs in entries:
        if not isinstance(run, dict):
            raise LrplotError(f"{loaded.name}: expected a config mapping, got {type(run).__name__}")
        run = dict(run)
        label = run.pop("label", None)
        if shared_epochs is not None:
            run.setdefault("epochs", shared_epochs)
        F.apply(run, opts, only=tuple(o for o in COMPARE_FLAGS if o in allowed))
        result = simulate_located(loaded, run, to_file_path or (lambda p, prefix=path: prefix + p),
                                     budget=MAX_VALUES - used, opts=opts)
        used += _values(result)  # this file's runs count too
        yield (str(label) if label is not None else (f"{stem}[{path[1]}]" if path else stem)), result
