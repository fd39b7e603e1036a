"""DeepSpeed JSON configs: the ``scheduler`` block, alone or as it overrides the HF Trainer's schedule.

Alone, a DeepSpeed config is run by the DeepSpeed engine (one optimizer step per gradient-accumulation
boundary).  Named by TrainingArguments' ``deepspeed`` key, its ``"auto"`` values are filled as transformers'
``HfTrainerDeepSpeedConfig`` fills them (``trainer_config_process``/``trainer_config_finalize``, 4.57/5.23),
a value that differs from the trainer's is refused as the trainer refuses it, and a ``scheduler`` block
replaces ``lr_scheduler_type`` entirely (``deepspeed_optim_sched``).
"""

from __future__ import annotations

import os
from typing import Any

from ...engine.findings import INFO, Finding
from ...errors import LrplotError, ParamError, shown
from . import Translation, own_trainer, positive, signature, unused

NAME = "DeepSpeed"
SIGNATURE = frozenset({
    "train_micro_batch_size_per_gpu", "train_batch_size", "zero_optimization", "gradient_clipping",
    "steps_per_print", "wall_clock_breakdown", "zero_allow_untested_optimizer", "fp16", "bf16", "amp",
    "activation_checkpointing", "flops_profiler", "communication_data_type", "prescale_gradients",
    "gradient_predivide_factor", "sparse_gradients", "zero_force_ds_cpu_optimizer",
})
#: DeepSpeed's own schedulers (deepspeed/runtime/lr_schedules.py); any other type is torch's.
OWN = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")


def detect(data: Any) -> float:
    score = signature(data, SIGNATURE, at_least=1)
    if not score:
        return 0.0
    blocks = sum(1 for key in ("optimizer", "scheduler") if isinstance(data.get(key), dict) and "type" in data[key])
    return score + blocks if score + blocks >= 2 else 0.0


def translate(data: dict, run: dict) -> Translation:
    out = Translation(NAME, None)
    own_trainer(run, "deepspeed", "a DeepSpeed config")
    sched = data.get("scheduler")
    if not isinstance(sched, dict):
        raise ParamError((), "this DeepSpeed config has no scheduler block, so its schedule is the trainer's: read "
                         "the trainer's config instead (for the HF Trainer, the TrainingArguments file whose "
                         "deepspeed: names this one)")
    name, params = _scheduler(sched, ("scheduler",))
    for key, value in params.items():
        if value == "auto":
            raise ParamError(("scheduler", "params", key), "'auto' is filled by the HF Trainer from its arguments: "
                             "read the TrainingArguments file whose deepspeed: names this one, or write the value")
    config: dict = {"scheduler": name, "params": params}
    lr = _optimizer_lr(data, run)
    config["optimizer"] = {"lr": lr} if lr is not None else {}
    config["optimizer"].update(_betas(data))
    if lr is None and _uses_optimizer_lr(name, params):
        raise ParamError(("optimizer",), f"{name} scales the optimizer's lr, and this config has no optimizer "
                         "block: give the lr with --lr")
    elif lr is None:
        out.notes.append(f"no optimizer block: {name}'s own values set the lr")
    if run.get("dataset_size") is not None or run.get("max_steps") is not None:
        config["run"] = _run_block(data, run)
        out.counted_run = True
        config["epochs"] = run.get("epochs")
        if config["epochs"] is None and run.get("max_steps") is None:
            config["epochs"] = 1
            out.defaults.append("epochs=1 (give --epochs)")
    out.config = config
    out.origin = {("scheduler",): ("scheduler", "type"), ("params",): ("scheduler", "params"),
                  ("optimizer", "lr"): ("optimizer", "params", "lr")}
    out.ignored = unused(data, {"scheduler", "optimizer.params.lr", "train_micro_batch_size_per_gpu",
                                "gradient_accumulation_steps", "train_batch_size"})
    return out


def _scheduler(sched: dict, path: tuple) -> tuple[str, dict]:
    kind = sched.get("type")
    if not isinstance(kind, str) or not kind:
        raise ParamError(path + ("type",), f"expected a scheduler name such as WarmupLR, got {shown(kind)}")
    params = sched.get("params") or {}
    if not isinstance(params, dict):
        raise ParamError(path + ("params",), f"expected a mapping of the scheduler's arguments, got {shown(params)}")
    return (f"deepspeed:{kind}" if kind in OWN else kind), dict(params)


def _uses_optimizer_lr(name: str, params: dict) -> bool:
    from ...engine.registry import lookup

    try:
        return lookup(name).spec.uses_optimizer_lr(params)
    except LrplotError:
        return True


def _optimizer_lr(data: dict, run: dict) -> Any:
    if run.get("lr") is not None:
        return run["lr"]
    optimizer = data.get("optimizer")
    if not isinstance(optimizer, dict):
        return None
    lr = (optimizer.get("params") or {}).get("lr") if isinstance(optimizer.get("params") or {}, dict) else None
    if lr == "auto":
        raise ParamError(("optimizer", "params", "lr"), "'auto' is filled by the HF Trainer (learning_rate): read "
                         "the TrainingArguments file, or give --lr")
    return lr


#: DeepSpeed optimizer types with Adam's betas (what OneCycle cycles); anything else has none to cycle.
_WITH_BETAS = ("adam", "lamb", "lion")


def _betas(data: dict) -> dict:
    optimizer = data.get("optimizer")
    if not isinstance(optimizer, dict) or not any(k in str(optimizer.get("type", "")).lower() for k in _WITH_BETAS):
        return {}
    params = optimizer.get("params") if isinstance(optimizer.get("params"), dict) else {}
    betas = params.get("betas", [0.9, 0.999])
    return {"betas": betas} if betas != "auto" else {"betas": [0.9, 0.999]}


def _run_block(data: dict, run: dict) -> dict:
    """The DeepSpeed engine's batch: any two of train_batch_size, micro batch and accumulation give the third,
    and the three must agree, as DeepSpeed asserts (runtime/config.py _batch_assertion)."""
    devices = run.get("devices") or 1
    micro = _number(data, "train_micro_batch_size_per_gpu")
    accum = _number(data, "gradient_accumulation_steps")
    total = _number(data, "train_batch_size")
    if micro is None and total is not None:
        micro = total // devices // (accum or 1)
    if accum is None:
        accum = total // micro // devices if total is not None and micro else 1
    if micro is not None and total is not None and (micro < 1 or accum < 1 or total != micro * accum * devices):
        raise ParamError(("train_batch_size",), f"{total} is not train_micro_batch_size_per_gpu {micro} x "
                         f"gradient_accumulation_steps {accum} x {devices} device{'s' if devices > 1 else ''}, which "
                         f"DeepSpeed asserts: give --devices N for the world size it was written for")
    return {"trainer": "deepspeed", "dataset_size": run.get("dataset_size"), "max_steps": run.get("max_steps"),
            "batch_size": run.get("batch_size") or micro, "grad_accum": run.get("grad_accum") or accum,
            "devices": devices, "drop_last": run.get("drop_last")}


def _number(data: dict, key: str) -> int | None:
    """A batch key's count (>= 1); "auto" (filled by the HF Trainer) is treated as not given."""
    value = data.get(key)
    return None if value is None or value == "auto" else positive(data, key, None)


# --- the override, as the HF Trainer applies it -------------------------------------------------

def override(value: Any, out: Translation, run: dict, hf: dict) -> None:
    """Apply the DeepSpeed config named by TrainingArguments' ``deepspeed`` to ``out`` (an HF translation)."""
    ds, name = _load(value, run, out)
    if ds is None:
        return
    for key, hf_key, label in (("train_micro_batch_size_per_gpu", "batch_size", "per_device_train_batch_size"),
                               ("gradient_accumulation_steps", "grad_accum", "gradient_accumulation_steps")):
        _match(ds, (key,), hf.get(hf_key), label, name)
    optimizer = ds.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("params"), dict):
        _match(ds, ("optimizer", "params", "lr"), hf["learning_rate"], "learning_rate", name)
    sched = ds.get("scheduler")
    kind = out.config["scheduler"]
    if not isinstance(sched, dict):
        out.notes.append(f"deepspeed config {name}: no scheduler block, so the trainer's {kind} applies")
        return
    scheduler, params = _scheduler(sched, ("deepspeed", "scheduler"))
    fills = {"total_num_steps": (hf["total"], "max_steps (counted)"),
             "warmup_num_steps": (max(1, hf["warmup"]) if run.get("transformers") != "4" else hf["warmup"],
                                  "warmup_steps (counted)"),
             "warmup_max_lr": (hf["learning_rate"], "learning_rate")}
    for key, (hf_value, label) in fills.items():
        if key in params:
            if hf_value is None and params[key] == "auto":
                raise LrplotError(f"{name}: scheduler.params.{key} is 'auto': give --dataset-size or --max-steps "
                                  "so that lrplot can count the value the HF Trainer fills in")
            params[key] = _filled(params[key], hf_value, f"scheduler.params.{key}", label, name)
    if params.get("warmup_min_lr") == "auto":
        params["warmup_min_lr"] = 0  # fill_only: not a trainer argument
    for key, param in params.items():
        if param == "auto":
            raise LrplotError(f"{name}: scheduler.params.{key} is 'auto', which the HF Trainer does not fill "
                              "(DeepSpeed would fail on it): write the value")
    out.warn(Finding("deepspeed-overrides", INFO, f"deepspeed config {name} has a scheduler block "
                     f"({sched['type']}): it replaces lr_scheduler_type {kind.split(':', 1)[-1]!r}, as the HF Trainer "
                     "does", key=("deepspeed",)))
    out.replaced = {"scheduler": out.config["scheduler"], "params": dict(out.config.get("params") or {})}
    out.config["scheduler"], out.config["params"] = scheduler, params
    out.origin[("params",)] = ("deepspeed",)
    out.origin[("scheduler",)] = ("deepspeed",)


def _load(value: Any, run: dict, out: Translation) -> tuple[Any, str]:
    import json

    if isinstance(value, dict):
        return value, "(inline)"
    if not isinstance(value, str):
        raise ParamError(("deepspeed",), f"expected a path to a DeepSpeed JSON file, got {shown(value)}")
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value), "(inline JSON)"
        except ValueError as exc:
            raise ParamError(("deepspeed",), f"not valid JSON ({shown(str(exc), 60)})") from None
    if run.get("deepspeed"):  # the flag: the user's own path, which must be there
        from ...errors import LrplotIOError

        if not os.path.isfile(run["deepspeed"]):
            raise LrplotIOError(f"--deepspeed: no such file {shown(run['deepspeed'])}")
        return _read(run["deepspeed"], "--deepspeed")
    candidates = [value]
    if run.get("base") and not os.path.isabs(value):
        candidates.append(os.path.join(run["base"], value))
    for path in candidates:
        if os.path.isfile(path):
            return _read(path, f"deepspeed: {shown(value)}")
    out.warnings.append(f"deepspeed: {shown(value)} was not found (looked in {', '.join(map(shown, candidates))}): a "
                        "scheduler block in it would replace this schedule; point to it with --deepspeed FILE")
    return None, ""


def _read(path: str, what: str) -> tuple[dict, str]:
    from ..load import load

    loaded = load(path)
    blocks = isinstance(loaded.data, dict) and any(isinstance(loaded.data.get(key), dict) and "type" in
                                                    loaded.data[key] for key in ("scheduler", "optimizer"))
    if not isinstance(loaded.data, dict) or not (detect(loaded.data) or blocks):
        raise LrplotError(f"{what}: {loaded.name} is not a DeepSpeed config (no train_micro_batch_size_per_gpu, "
                          "zero_optimization, scheduler or optimizer block)")
    return loaded.data, loaded.name


def _match(ds: dict, path: tuple, hf_value: Any, label: str, name: str) -> None:
    node = ds
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and path[-1] in node:
        node[path[-1]] = _filled(node[path[-1]], hf_value, ".".join(path), label, name)


def _filled(value: Any, hf_value: Any, key: str, label: str, name: str) -> Any:
    """``fill_match``: 'auto' becomes the trainer's value; a different set value is refused, as HF refuses it."""
    if value == "auto":
        return hf_value
    if hf_value is not None and value != hf_value:
        raise LrplotError(f"{name}: {key} is {shown(value)} but the trainer's {label} is {shown(hf_value)}; the HF "
                          "Trainer refuses the mismatch (set it to \"auto\" or make them equal)")
    return value
