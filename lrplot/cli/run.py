"""What the commands do, once typer has parsed the flags: config in, bytes out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.base import SchedulerSpec
from ..errors import LrplotError, ParamError
from ..config import flags as F
from ..config.runfile import with_metrics
from ..config.runfile import simulate as _simulate
from . import output as OUT
from .streams import say


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
    F.apply(config, with_metrics(opts))
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


def _translated(loaded, opts: dict, source: str = "-"):
    """:func:`~lrplot.config.runfile.translated`, saying with ``--verbose`` how the file was read."""
    from ..config.runfile import translated
    from ..config.shapes import describe_ignored

    translation = translated(loaded, opts, source)
    if opts.get("verbose") and translation.shape != "lrplot":
        say(f"lrplot: read as {translation.shape}" + (f"; defaults used: {', '.join(translation.defaults)}"
                                                     if translation.defaults else ""))
        if translation.ignored:
            say(f"lrplot: {describe_ignored(translation)}")
    return translation


def read_config(source: str, opts: dict):
    """A config file loaded, translated and with the run flags written in: (loaded, translation, config)."""
    from ..config.runfile import read_config as read

    return read(source, opts, _translated)


def _exit(code: int) -> None:
    import typer

    raise typer.Exit(code)


def run_from_config(source: str, opts: dict) -> None:
    if opts.get("check"):
        from .check import check_file

        _exit(check_file(source, opts))
    from ..config.runfile import simulate_file

    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), _stem(source))
    result, _translation = simulate_file(source, opts, _translated)
    if opts.get("verbose") and result.plan is not None:
        say(f"lrplot: counted as {result.plan.trainer.source}")
    _with_log(result, opts)
    OUT.emit([result], target, opts)


def _stem(source: str) -> str:
    return "stdin" if source == "-" else Path(source).stem


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
