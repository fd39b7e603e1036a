"""axolotl YAML: its own step estimate, its own warmup defaults and its scheduler variants over transformers.

Read from axolotl 0.19 (``utils/trainer.py`` calculate_total_num_steps, ``core/builders/base.py``
_configure_warmup_and_logging/_configure_scheduler, ``core/trainers/mixins/scheduler.py``): axolotl counts
``ceil(examples x num_epochs / (micro_batch_size x gradient_accumulation_steps x devices))`` steps (capped by
max_steps), hands that to the HF Trainer as max_steps, and derives the warmup from it.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import ParamError
from . import Translation, given, held_out, number, own_trainer, positive, signature, unused
from .hf import scheduler_kwargs, scheduler_type, zero_warmup

NAME = "axolotl"
SIGNATURE = frozenset({
    "base_model", "base_model_config", "micro_batch_size", "num_epochs", "lr_scheduler", "sequence_len",
    "adapter", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "lora_target_linear",
    "sample_packing", "val_set_size", "load_in_8bit", "load_in_4bit", "wandb_project", "flash_attention",
    "special_tokens", "pad_to_sequence_len", "dataset_prepared_path", "train_on_inputs", "strict", "tokenizer_type",
    "model_type", "cosine_min_lr_ratio", "cosine_constant_lr_ratio", "lr_quadratic_warmup", "evals_per_epoch",
    "saves_per_epoch", "plugins", "chat_template", "eval_sample_packing", "xformers_attention", "wandb_entity",
    "wandb_log_model", "wandb_name", "wandb_watch", "sdp_attention", "early_stopping_patience",
})


def detect(data: Any) -> float:
    return signature(data, SIGNATURE, at_least=2)


def translate(data: dict, run: dict) -> Translation:
    out = Translation(NAME, None)
    own_trainer(run, "axolotl", "an axolotl config")
    lr = given(run, "lr", data, "learning_rate", None, number, out)
    if lr is None:
        raise ParamError(("learning_rate",), "missing: axolotl requires learning_rate")
    if data.get("jagged_restart_steps"):
        raise ParamError(("jagged_restart_steps",), "axolotl wraps the schedule in jagged restarts, which lrplot does "
                         "not reproduce yet")
    kind = scheduler_type(data.get("lr_scheduler") or "cosine")
    if data.get("lr_scheduler") is None:
        out.defaults.append("lr_scheduler=cosine")
    block, epochs, total, warmup_base = _count(data, run, out)
    warmup = _warmup(data, warmup_base, out)
    config = {"scheduler": None, "params": None, "optimizer": {"lr": lr}, "run": block, "epochs": epochs}
    config["scheduler"], config["params"] = _schedule(data, kind, lr, warmup, total, out)
    out.config, out.counted_run = config, True
    ds = run.get("deepspeed") or data.get("deepspeed")
    if ds:  # axolotl trains with the HF Trainer: a DeepSpeed scheduler block replaces axolotl's as well
        from .deepspeed import override

        override(ds, out, run, {"learning_rate": lr, "total": total, "warmup": warmup,
                                "batch_size": block["batch_size"], "grad_accum": block["grad_accum"]})
    out.origin = {("scheduler",): ("lr_scheduler",), ("params",): ("lr_scheduler_kwargs",),
                  ("optimizer", "lr"): ("learning_rate",), ("params", "num_warmup_steps"): ("warmup_steps",),
                  ("run",): ("num_epochs",), ("epochs",): ("num_epochs",)}
    out.ignored = unused(data, {"learning_rate", "lr_scheduler", "lr_scheduler_kwargs", "num_epochs", "max_steps",
                                "micro_batch_size", "gradient_accumulation_steps", "batch_size", "val_set_size",
                                "warmup_steps", "warmup_ratio", "lr_quadratic_warmup", "cosine_min_lr_ratio",
                                "cosine_constant_lr_ratio", "sample_packing"})
    return out


def _count(data: dict, run: dict, out: Translation):
    """(run block, epochs, steps the HF Trainer runs, steps axolotl derives the warmup from).

    axolotl estimates ``ceil(examples x num_epochs / batch_size)`` (batch_size = micro x accumulation x devices,
    or the file's batch_size), caps it by max_steps for the warmup, and hands the HF Trainer
    ``max_steps or estimate`` (core/builders/base.py): so max_steps, when given, is the run."""
    micro = run.get("batch_size") or positive(data, "micro_batch_size", None)
    if micro is None:
        micro = 1
        out.defaults.append("micro_batch_size=1")
    accum, batch = positive(data, "gradient_accumulation_steps", None), positive(data, "batch_size", None)
    if accum is not None and batch is not None:
        raise ParamError(("batch_size",), "axolotl refuses gradient_accumulation_steps and batch_size together: "
                         "set one of them")
    if run.get("grad_accum"):
        accum, batch = run["grad_accum"], None
    elif batch is not None:
        accum = max(batch // micro, 1)  # normalize_config; the estimate still divides by batch_size
    elif accum is None:
        accum = 1
        out.defaults.append("gradient_accumulation_steps=1")
    devices = run.get("devices") or 1
    epochs = run.get("epochs") or number(data, "num_epochs", None)
    if epochs is None:
        epochs = 1.0
        out.defaults.append("num_epochs=1")
    max_steps = run.get("max_steps") or positive(data, "max_steps", None)
    examples = run.get("dataset_size")
    if data.get("pretraining_dataset") is not None:  # streamed: axolotl takes max_steps as the run
        if max_steps is None:
            raise ParamError(("pretraining_dataset",), "a streamed pretraining dataset has no length: axolotl needs "
                             "max_steps, and so does lrplot (--max-steps N)")
        examples = None
        out.notes.append(f"pretraining_dataset is streamed: the run is max_steps {max_steps:,}")
    elif data.get("sample_packing") is True:
        if run.get("max_steps") is None:
            raise ParamError(("sample_packing",), "with sample packing, axolotl counts steps from token lengths "
                             "(packed bins), which a config cannot tell: give --max-steps N (the total_num_steps "
                             "axolotl logs)")
        examples = None
        out.notes.append(f"sample_packing: the run is --max-steps {max_steps:,}")
    if examples is not None:
        examples = held_out(examples, data, ("val_set_size",), out)
        global_batch = (batch or micro * accum) * devices
        estimate = math.ceil(examples * epochs / global_batch)
        out.notes.append(f"axolotl's estimate: ceil({examples:,} x {epochs:g} epochs / {global_batch} "
                         f"{'batch_size' if batch else 'global batch'}) = {estimate:,} steps" +
                         (f"; the run is max_steps {max_steps:,}" if max_steps else ""))
    elif max_steps is None:
        raise ParamError(("num_epochs",), "axolotl counts steps from the dataset: give --dataset-size N (training "
                         "examples; --devices N if data-parallel), or --max-steps N")
    else:
        estimate = max_steps
    steps = max_steps or estimate
    if batch is not None and examples is not None:  # the accumulation the HF loop then runs is not certain
        out.notes.append(f"batch_size {batch} without gradient_accumulation_steps: the HF Trainer's accumulation "
                         "(and so its epochs) depends on the axolotl version: epochs are not shown")
        examples = None
    block = {"trainer": "axolotl", "dataset_size": examples, "batch_size": micro, "grad_accum": accum,
             "devices": devices, "max_steps": steps, "drop_last": run.get("drop_last")}
    return block, epochs, steps, min(estimate, steps)


def _warmup(data: dict, total: int, out: Translation) -> int:
    """_configure_warmup_and_logging, then transformers 5's reading of a warmup below 1 as a ratio."""
    steps, ratio = data.get("warmup_steps"), data.get("warmup_ratio")
    if steps is not None and ratio is not None:
        raise ParamError(("warmup_ratio",), "axolotl refuses warmup_steps and warmup_ratio together")
    if steps is not None:
        warmup, how = number(data, "warmup_steps", 0.0), f"warmup_steps {steps:g}"
    elif ratio is not None:
        warmup = max(int(number(data, "warmup_ratio", 0.0) * total), 0)
        how = f"warmup_ratio {ratio:g} -> int({total:,} x {ratio:g}) = {warmup:,}"
        if warmup == 0 and number(data, "warmup_ratio", 0.0) > 0:
            out.warn(zero_warmup("warmup_ratio", number(data, "warmup_ratio", 0.0), total, "int"))
    else:
        warmup = min(int(0.03 * total), 100)
        how = f"no warmup key: axolotl's default min(int(0.03 x {total:,}), 100) = {warmup:,}"
    if warmup == 1:
        warmup, how = 2, how + " -> 2 (axolotl turns a warmup of 1 into 2)"
    if 0 < warmup < 1:
        ratio_steps = math.ceil(total * warmup)
        how += f" -> ceil({total:,} x {warmup:g}) = {ratio_steps:,} (transformers 5 reads it as a ratio)"
        warmup = ratio_steps
    warmup = int(warmup)
    out.notes.append(f"{how} warmup steps" if "warmup steps" not in how else how)
    return warmup


def _schedule(data: dict, kind: str, lr: float, warmup: int, total: int, out: Translation) -> tuple[str, dict]:
    """The mixin's choice, in its order: one_cycle, rex, the cosine variants, else transformers' get_scheduler."""
    kwargs = scheduler_kwargs(data.get("lr_scheduler_kwargs"))
    min_ratio = number(data, "cosine_min_lr_ratio", None)
    constant_ratio = number(data, "cosine_constant_lr_ratio", None) or None  # 0 counts as unset
    if kind == "one_cycle":
        return "OneCycleLR", {"max_lr": lr, "total_steps": total, "pct_start": warmup / total,
                              "anneal_strategy": "cos", **kwargs}
    if kind == "rex":
        return "axolotl:RexLR", {"max_lr": lr, "min_lr": lr * (min_ratio or 0.0), "total_steps": total,
                                 "num_warmup_steps": warmup}
    if kind == "cosine" and data.get("lr_quadratic_warmup") is True:
        return "axolotl:get_cosine_schedule_with_quadratic_warmup", {"num_warmup_steps": warmup,
                                                                      "num_training_steps": total}
    if kind == "cosine" and min_ratio is not None and constant_ratio is not None:
        return "axolotl:get_cosine_schedule_with_warmup_decay_constant", {
            "num_warmup_steps": warmup, "num_training_steps": total, "constant_lr_ratio": constant_ratio,
            "min_lr_ratio": min_ratio}
    if kind == "cosine" and min_ratio is not None:
        return "axolotl:get_cosine_schedule_with_min_lr", {"num_warmup_steps": warmup, "num_training_steps": total,
                                                           "min_lr_ratio": min_ratio}
    from .hf import hf_params

    return f"hf:{kind}", hf_params(kind, kwargs, warmup, total, out)
