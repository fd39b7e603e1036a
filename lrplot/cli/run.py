"""What the commands do, once typer has parsed the flags: config in, bytes out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..engine import params as P
from ..engine.base import SchedulerSpec
from ..engine.params import ParamError, format_path
from ..errors import LrplotError
from . import output as OUT


def flag_value(param: P.Param, raw: Any) -> Any:
    """Turn a flag's text into what the registry's Param expects ("30,80" -> ["30", "80"])."""
    if isinstance(raw, list):  # repeatable flag (expressions)
        return raw[0] if len(raw) == 1 else raw
    if isinstance(raw, str) and (param.kind == P.INT_LIST or param.per_group):
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        if param.kind == P.INT_LIST:
            return parts
        return parts[0] if len(parts) == 1 else parts
    return raw


def _betas(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


def _flag_error(err: ParamError, spec: SchedulerSpec | None) -> LrplotError:
    """An engine error re-worded with the flag the user typed."""
    path = err.path
    flag = None
    if path == ("params",):
        return LrplotError(err.detail)
    if path[:1] == ("params",) and len(path) >= 2 and isinstance(path[1], str):
        flag = "--" + str(path[1]).lower().replace("_", "-")
        if spec is not None and spec.name == "OneCycleLR" and path[1] == "epochs":
            flag = "--epochs"
    elif path[:1] == ("optimizer",) and len(path) >= 2:
        flag = f"--{path[1]}"
    elif path[:1] in (("epochs",), ("metrics",), ("steps_per_epoch",), ("warmup",), ("start_step",)):
        flag = "--" + str(path[0]).replace("_", "-")
        if path[:2] == ("warmup", "start_factor"):
            flag, path = "--warmup-start-factor", path[:1]
    if flag is None:
        return LrplotError(str(err))
    rest = path[2:] if path[:1] in (("params",), ("optimizer",)) else path[1:]
    suffix = format_path(rest)
    if suffix and not suffix.startswith("["):
        suffix = f" {suffix}"
    return LrplotError(f"{flag}{suffix}: {err.detail}")


def _run_options(config: dict, opts: dict) -> None:
    """Flags that set top-level config keys (a flag beats the config file)."""
    if opts.get("epochs") is not None:
        config["epochs"] = opts["epochs"]
    if opts.get("steps_per_epoch") is not None:
        config["steps_per_epoch"] = opts["steps_per_epoch"]
    if opts.get("start_step") is not None:
        config["start_step"] = opts["start_step"]
    if opts.get("warmup") is not None or opts.get("warmup_start_factor") is not None:
        if opts.get("warmup") is None:
            raise LrplotError("--warmup-start-factor: give --warmup N too")
        config["warmup"] = {"steps": opts["warmup"]}
        if opts.get("warmup_start_factor") is not None:
            config["warmup"]["start_factor"] = opts["warmup_start_factor"]


def _optimizer(opts: dict) -> dict:
    optimizer: dict[str, Any] = {}
    if opts.get("lr"):
        lrs = list(opts["lr"])
        optimizer["lr"] = lrs[0] if len(lrs) == 1 else lrs
    if opts.get("momentum") is not None:
        optimizer["momentum"] = opts["momentum"]
    if opts.get("betas") is not None:
        optimizer["betas"] = _betas(opts["betas"])
    return optimizer


def run_scheduler(spec: SchedulerSpec, values: dict, opts: dict) -> None:
    config: dict[str, Any] = {"scheduler": spec.name, "params": values, "optimizer": _optimizer(opts)}
    _run_options(config, opts)
    if opts.get("metrics") is not None:
        config["metrics"] = OUT.read_metrics(opts["metrics"])
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), spec.cli)
    try:
        result = _simulate(config)
    except ParamError as err:
        raise _flag_error(err, spec) from None
    OUT.emit([result], target, opts)


def _translated(loaded, opts: dict):
    """A loaded file as an lrplot config (LightningCLI/Hydra/HF/timm shapes translated), or a located error."""
    from ..config.foreign import describe_ignored, translate

    try:
        translation = translate(loaded.data, opts.get("steps_per_epoch"))
    except ParamError as err:
        raise loaded.error(err) from None
    if not isinstance(translation.config, dict):
        raise LrplotError(f"{loaded.name}: expected a mapping with a 'scheduler' key, "
                          f"got {type(translation.config).__name__}")
    if translation.ignored and opts.get("verbose"):
        write_stderr(describe_ignored(translation))
    return translation


def _simulate_located(loaded, config: dict, to_file_path):
    """Simulate ``config``; an engine error is reworded with the file, line and key it came from."""
    try:
        return _simulate(config)
    except ParamError as err:
        raise loaded.error(ParamError(to_file_path(err.path), err.detail)) from None


def run_from_config(source: str, opts: dict) -> None:
    from ..config.load import load

    loaded = load(source)
    translation = _translated(loaded, opts)
    data = dict(translation.config)
    _run_options(data, opts)
    optimizer = _optimizer(opts)
    if optimizer:
        merged = dict(data.get("optimizer") or {}) if isinstance(data.get("optimizer"), dict) else {}
        merged.update(optimizer)
        data["optimizer"] = merged
    if opts.get("metrics") is not None:
        data["metrics"] = OUT.read_metrics(opts["metrics"])
    stem = "stdin" if source == "-" else Path(source).stem
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), stem)
    result = _simulate_located(loaded, data, translation.original_path)
    OUT.emit([result], target, opts)


def run_compare(sources: list[str], opts: dict) -> None:
    """Several configs (or files with a ``runs:`` list) simulated and drawn together."""
    from ..config.load import load

    results, labels = [], []
    for source in sources:
        loaded = load(source)
        data = loaded.data
        stem = "stdin" if source == "-" else Path(source).stem
        if isinstance(data, dict) and "runs" in data:
            extra = set(data) - {"runs", "epochs"}
            if extra:
                raise LrplotError(f"{loaded.name}: a file with 'runs' may only also set 'epochs', not {sorted(extra)}")
            runs = data["runs"]
            if not isinstance(runs, list) or not runs:
                raise LrplotError(f"{loaded.name}: 'runs' must be a non-empty list of configs")
            entries = [(("runs", i), run, data.get("epochs")) for i, run in enumerate(runs)]
            to_file_path = None
        else:
            translation = _translated(loaded, opts)
            entries = [((), translation.config, None)]
            to_file_path = translation.original_path
        for path, run, shared_epochs in entries:
            if not isinstance(run, dict):
                raise LrplotError(f"{loaded.name}: expected a config mapping, got {type(run).__name__}")
            run = dict(run)
            label = run.pop("label", None)
            if shared_epochs is not None:
                run.setdefault("epochs", shared_epochs)
            _run_options(run, opts)
            result = _simulate_located(loaded, run, to_file_path or (lambda p, prefix=path: prefix + p))
            results.append(result)
            labels.append(str(label) if label is not None else (f"{stem}[{path[1]}]" if path else stem))
    if len(set(labels)) < len(labels):  # keep columns and legend entries apart
        labels = [f"{label} ({i})" for i, label in enumerate(labels)]
    target = OUT.Target.choose(opts.get("fmt"), opts.get("output"), "compare")
    OUT.emit(results, target, opts, labels)


def _simulate(config: dict):
    from ..engine.simulate import run_config

    return run_config(config)


def scheduler_table(markdown: bool) -> str:
    """Every scheduler with its command, torch name and parameters, from the registry."""
    from ..engine.registry import SCHEDULERS

    rows = []
    for cls in SCHEDULERS.values():
        spec = cls.spec
        params = ", ".join(_param_text(p) for p in spec.params)
        rows.append((spec.cli, spec.name, params, spec.summary))
    if markdown:
        lines = ["| command | torch class | parameters (default) | what it does |", "|---|---|---|---|"]
        lines += [f"| `{c}` | `{n}` | {p.replace('|', '/')} | {s} |" for c, n, p, s in rows]
        return "\n".join(lines) + "\n"
    width_c = max(len(r[0]) for r in rows)
    width_n = max(len(r[1]) for r in rows)
    return "".join(f"{c:<{width_c}}  {n:<{width_n}}  {p}\n" for c, n, p, _ in rows)


def _param_text(param: P.Param) -> str:
    if param.required:
        return f"{param.name} (required)"
    if param.default is None:
        return f"{param.name}=None"
    value = param.default
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{param.name}={text}"


def write_stderr(message: str) -> None:
    sys.stderr.write(f"lrplot: {message}\n")
