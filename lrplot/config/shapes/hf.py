"""Hugging Face TrainingArguments (YAML or JSON: TRL, alignment-handbook and open-r1 recipes, a saved
``training_args.json``): the HF Trainer's step count, warmup resolution, ``lr_scheduler_kwargs`` and a
``deepspeed`` config whose ``scheduler`` block replaces the trainer's schedule.

Read from transformers 4.57 and 5.23 (``Trainer.set_initial_training_values``,
``TrainingArguments.get_warmup_steps``, ``get_scheduler``); where versions differ, ``--transformers``
chooses and the default says which it took.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ...engine.findings import WARNING, Finding
from ...errors import ParamError, shown
from . import Translation, given, held_out, integer, mapping, number, own_trainer, positive, signature, unused

NAME = "HF TrainingArguments"

#: TrainingArguments fields that no other shape lrplot reads uses: one of them, with another TrainingArguments
#: field, makes a file HF's.
SIGNATURE = frozenset({
    "per_device_train_batch_size", "per_device_eval_batch_size", "num_train_epochs", "lr_scheduler_type",
    "dataloader_drop_last", "adam_beta1", "adam_beta2", "adam_epsilon", "eval_strategy", "evaluation_strategy",
    "logging_strategy", "save_strategy", "do_train", "do_eval", "overwrite_output_dir", "dataloader_num_workers",
    "per_gpu_train_batch_size", "logging_first_step", "push_to_hub", "remove_unused_columns",
})
HF_DEFAULT_LR = 5e-5
#: Schedules whose get_scheduler call takes no num_training_steps / no warmup / no lr_scheduler_kwargs.
NO_TRAINING_STEPS = {"constant", "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau", "greedy"}
NO_WARMUP = {"constant", "reduce_lr_on_plateau", "greedy"}
NO_KWARGS = {"constant", "constant_with_warmup"}
VERSIONS = ("4", "5.0-5.14", "5.15+")


def detect(data: Any) -> float:
    return signature(data, SIGNATURE, at_least=1) if isinstance(data, dict) and \
        sum(1 for key in data if key in SIGNATURE or key in ("learning_rate", "warmup_steps", "warmup_ratio",
                                                             "max_steps", "gradient_accumulation_steps",
                                                             "output_dir")) >= 2 else 0.0


def translate(data: dict, run: dict) -> Translation:
    return translate_hf(data, run, NAME)


def translate_hf(data: dict, run: dict, shape: str, examples: Any = None) -> Translation:
    """TrainingArguments -> lrplot config; ``examples`` overrides the dataset size (a shape's own split)."""
    out = Translation(shape, None)
    own_trainer(run, "hf", f"a {shape} config")
    kind = scheduler_type(data.get("lr_scheduler_type", "linear"))
    kwargs = scheduler_kwargs(data.get("lr_scheduler_kwargs"))
    if kind in ("reduce_lr_on_plateau", "greedy"):
        command = "hf-greedy" if kind == "greedy" else "hf-reduce-lr-on-plateau"
        raise ParamError(("lr_scheduler_type",), f"the HF Trainer steps {kind} with your eval metric at each "
                         f"evaluation: preview it with 'lrplot {command} --metrics FILE' and your eval losses")
    clash = sorted(set(kwargs) & {"num_training_steps", "num_warmup_steps", "optimizer"})
    if clash:
        raise ParamError(("lr_scheduler_kwargs", clash[0]), "get_scheduler passes this itself, so transformers "
                         "raises TypeError (got multiple values): remove it")
    lr = given(run, "lr", data, "learning_rate", HF_DEFAULT_LR, number, out)
    total, run_block, epochs = training_steps(data, run, out, examples)
    # the warmup is resolved even for a schedule without one: a DeepSpeed block's "auto" warmup gets it
    warmup = warmup_steps(data, total, run.get("transformers"), out if kind not in NO_WARMUP else Translation(shape, None))
    config = {"scheduler": f"hf:{kind}", "params": hf_params(kind, kwargs, warmup, total, out,
                                                              run.get("transformers")),
              "optimizer": {"lr": lr}}
    if run_block is not None:
        config.update(run=run_block, epochs=epochs)
    elif total is not None:  # max_steps alone, or the old --steps-per-epoch K: rows in epochs of K
        per_epoch = run.get("steps_per_epoch")
        config["epochs"] = math.ceil(total / per_epoch) if per_epoch else total
    out.config, out.counted_run = config, run_block is not None
    out.origin = {("params",): ("lr_scheduler_kwargs",), ("scheduler",): ("lr_scheduler_type",),
                  ("optimizer", "lr"): ("learning_rate",), ("params", "num_warmup_steps"): ("warmup_steps",),
                  ("params", "num_training_steps"): ("num_train_epochs",), ("run",): ("num_train_epochs",)}
    ds = run.get("deepspeed") or data.get("deepspeed")
    if ds is not None and ds != "":
        from .deepspeed import override

        override(ds, out, run, {"learning_rate": lr, "total": total, "warmup": warmup,
                                "batch_size": (run_block or {}).get("batch_size"),
                                "grad_accum": (run_block or {}).get("grad_accum")})
    out.ignored = unused(data, {"lr_scheduler_type", "lr_scheduler_kwargs", "learning_rate", "max_steps",
                                "num_train_epochs", "warmup_steps", "warmup_ratio", "per_device_train_batch_size",
                                "gradient_accumulation_steps", "dataloader_drop_last", "deepspeed"})
    return out


def scheduler_type(kind: Any) -> str:
    if not isinstance(kind, str):
        raise ParamError(("lr_scheduler_type",), f"expected a scheduler type such as 'cosine', got {shown(kind)}")
    return kind.split(".")[-1].lower()  # SchedulerType.COSINE -> cosine


def scheduler_kwargs(value: Any) -> dict:
    """A mapping, or a JSON object in a string (TrainingArguments parses a string starting with '{')."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        if not value.lstrip().startswith("{"):
            raise ParamError(("lr_scheduler_kwargs",), f"{shown(value)}: expected a mapping or a JSON object")
        try:
            value = _typed(json.loads(value))
        except ValueError as exc:
            raise ParamError(("lr_scheduler_kwargs",), f"not valid JSON ({shown(str(exc), 60)})") from None
    return dict(mapping({"lr_scheduler_kwargs": value}, "lr_scheduler_kwargs"))


def _typed(value: Any) -> Any:
    """transformers' ``_convert_str_dict``: "true"/"false" -> bool, digits -> int, digits.digits -> float;
    anything else ("-2", "1e-6") stays a string, as it does there."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value.isdigit():
            return int(value)
        if value.replace(".", "", 1).isdigit():
            return float(value)
    return value


def training_steps(data: dict, run: dict, out: Translation, examples: Any = None):
    """(total optimizer steps or None, the run block, epochs), counted as the HF Trainer counts them."""
    def conv_bool(d, k, default):
        value = d.get(k)
        if not isinstance(value, bool):
            raise ParamError((k,), f"expected true or false, got {shown(value)}")
        return value

    max_steps = run.get("max_steps")
    if max_steps is None:
        max_steps = integer(data, "max_steps", -1)
        max_steps = max_steps if max_steps > 0 else None
    epochs = run.get("epochs")
    if epochs is None:
        epochs = number(data, "num_train_epochs", None)
        if epochs is None and max_steps is None:
            epochs = 3.0
            out.defaults.append("num_train_epochs=3.0")
    dataset_size = examples if examples is not None else run.get("dataset_size")
    dataset_size = _token_counted(data, dataset_size, max_steps, out)
    if dataset_size is not None and examples is None:
        dataset_size = _mixture_split(data, dataset_size, out)
    if dataset_size is None and max_steps is None:
        per_epoch = run.get("steps_per_epoch")
        if per_epoch:  # the old way: the steps per epoch given directly
            out.notes.append(f"{epochs:g} epochs x {per_epoch:,} steps per epoch = "
                             f"{math.ceil(float(epochs) * per_epoch):,} steps")
            return math.ceil(float(epochs) * per_epoch), None, None
        raise ParamError(("num_train_epochs",), f"without max_steps the schedule's length is num_train_epochs x "
                         "optimizer steps per epoch: give --dataset-size N (training examples; --devices N if "
                         "data-parallel), or --max-steps N (or --steps-per-epoch K)")
    batch_key = "per_gpu_train_batch_size" if data.get("per_gpu_train_batch_size") is not None and \
        run.get("transformers") != "5.15+" else "per_device_train_batch_size"  # 4.x: per_gpu wins when set
    accelerator = data.get("accelerator_config") if isinstance(data.get("accelerator_config"), dict) else {}
    block = {"trainer": "hf", "dataset_size": dataset_size, "max_steps": max_steps,
             "split_batches": accelerator.get("split_batches") is True or None,
             "batch_size": given(run, "batch_size", data, batch_key, 8, positive, out),
             "grad_accum": given(run, "grad_accum", data, "gradient_accumulation_steps", 1, positive, out),
             "drop_last": given(run, "drop_last", data, "dataloader_drop_last", False, conv_bool, out),
             "devices": run.get("devices") or 1}
    from ...engine.trainers import parse_run, plan

    return plan(parse_run(block, epochs)).total_steps, block, epochs


def _token_counted(data: dict, dataset_size: Any, max_steps: Any, out: Translation) -> Any:
    """TRL trainers whose steps are not examples / batch: packing counts packed rows, GRPO counts prompts
    repeated num_generations times.  With max_steps the run is known; otherwise lrplot asks for it."""
    why = None
    if data.get("packing") is True:
        why = "TRL's packing: true packs examples into rows of max_length tokens, so the steps depend on token lengths"
    elif data.get("total_episodes") is not None:
        why = "TRL's PPO/RLOO length is total_episodes, counted in rollouts, not examples / batch"
    elif data.get("num_generations") is not None:
        why = (f"TRL GRPO repeats each prompt num_generations ({data['num_generations']}) times across the batch, "
               "so the steps are not examples / batch")
    if why is None:
        return dataset_size
    if max_steps is None:
        raise ParamError(("packing",) if data.get("packing") is True else ("num_generations",),
                         f"{why}: give --max-steps N (the steps the trainer logs as max_steps)")
    out.notes.append(f"{why}: the run is max_steps {max_steps:,}; no epoch axis")
    return None


def _mixture_split(data: dict, examples: int, out: Translation) -> int:
    """alignment-handbook's dataset_mixture: ``train_test_split(test_size=test_split_size)`` after mixing."""
    return held_out(examples, data, ("dataset_mixture", "test_split_size"), out)


def zero_warmup(key: str, ratio: float, total: int, rounding: str):
    """A warmup ratio that the trainer's rounding turns into no warmup at all."""
    return Finding("warmup-rounds-to-zero", WARNING, f"{key} {ratio:g} of {total:,} steps is {rounding}("
                   f"{total * ratio:g}) = 0 warmup steps: the run has no warmup", f"give warmup_steps, or a ratio of at "
                   f"least {1 / total:.2g}" if total else "give warmup_steps", (key,))


def warmup_steps(data: dict, total: int, version: Any, out: Translation) -> int:
    """``TrainingArguments.get_warmup_steps`` for the version chosen (see :data:`VERSIONS`)."""
    steps = number(data, "warmup_steps", 0.0)
    ratio = number(data, "warmup_ratio", None)
    if version is not None and version not in VERSIONS:
        raise ParamError(("transformers",), f"{shown(version)}: choose one of {', '.join(VERSIONS)}")
    if steps < 0:
        raise ParamError(("warmup_steps",), f"{steps!r} is invalid: must be >= 0, as TrainingArguments checks")
    if ratio is not None and not 0 <= ratio <= 1:
        raise ParamError(("warmup_ratio",), f"{ratio!r} is invalid: must be in [0, 1], as TrainingArguments checks")
    where = f"warmup_steps {steps:g}"
    if ratio is not None:
        if version == "5.15+":
            raise ParamError(("warmup_ratio",), "transformers 5.15+ has no warmup_ratio (TrainingArguments "
                             "raises TypeError): write warmup_steps: <ratio> instead")
        if version == "5.0-5.14":  # __post_init__: warmup_steps = warmup_ratio, whatever warmup_steps was
            steps, where = ratio, f"warmup_ratio {ratio:g} (taken as warmup_steps by transformers 5.0-5.14)"
        elif steps > 0:
            if version is None:
                out.warnings.append(f"warmup_steps {steps:g} and warmup_ratio {ratio:g} are both set: transformers "
                                    "4 uses warmup_steps (shown), 5.0-5.14 the ratio, 5.15+ refuse the ratio "
                                    "(choose with --transformers)")
        else:
            warmup = math.ceil(total * ratio)
            if warmup == 0 and ratio > 0:
                out.warn(zero_warmup("warmup_ratio", ratio, total, "ceil"))
            versions = "" if version else " (transformers 4 to 5.14; 5.15+ refuse warmup_ratio: write " \
                                          f"warmup_steps: {ratio:g})"
            out.notes.append(f"warmup_ratio {ratio:g} -> ceil({total:,} x {ratio:g}) = {warmup:,} warmup steps"
                             + versions)
            return warmup
    if steps == 0:
        return 0
    if steps != int(steps) and version == "4":
        raise ParamError(("warmup_steps",), f"{steps!r}: transformers 4 takes a whole number of steps (5.x read a "
                         "value below 1 as a ratio of the run: --transformers 5.15+)")
    if steps >= 1:
        warmup = int(steps)
        if steps != warmup:
            out.notes.append(f"{where} -> int() = {warmup:,} warmup steps (transformers 5)")
        return warmup
    warmup = math.ceil(total * steps)
    out.notes.append(f"{where} -> ceil({total:,} x {steps:g}) = {warmup:,} warmup steps"
                     + ("" if version else " (transformers 5 reads a value below 1 as a ratio)"))
    return warmup


def hf_params(kind: str, kwargs: dict, warmup: int, total: int | None, out: Translation,
              version: Any = None) -> dict:
    """The arguments ``get_scheduler`` passes to the schedule ``kind`` (4.x passes inverse_sqrt no kwargs)."""
    if kind == "inverse_sqrt" and kwargs:
        if version == "4":
            out.warn(Finding("ignored-scheduler-kwargs", WARNING, f"lr_scheduler_kwargs {sorted(kwargs)} are not "
                             "passed to inverse_sqrt by transformers 4: ignored", "remove them, or use transformers 5",
                             ("lr_scheduler_kwargs",)))
            kwargs = {}
        elif version is None:
            out.warnings.append(f"lr_scheduler_kwargs {sorted(kwargs)}: transformers 5 passes them to inverse_sqrt "
                                "(shown), transformers 4 ignores them (--transformers 4)")
    params = {} if kind in NO_KWARGS else dict(kwargs)
    if kwargs and kind in NO_KWARGS:
        out.warn(Finding("ignored-scheduler-kwargs", WARNING, f"lr_scheduler_kwargs {sorted(kwargs)} are not passed "
                         f"to {kind} by transformers: ignored", f"remove them, or choose a lr_scheduler_type that "
                         "takes them", ("lr_scheduler_kwargs",)))
    if kind not in NO_WARMUP:
        params["num_warmup_steps"] = warmup
    if kind not in NO_TRAINING_STEPS:
        if total is None:
            raise ParamError(("max_steps",), f"{kind} needs the run's length: give --dataset-size or --max-steps")
        params["num_training_steps"] = total
    return params
