"""Hugging Face TrainingArguments: lr_scheduler_type, lr_scheduler_kwargs, warmup_steps/ratio, max_steps or epochs."""

from __future__ import annotations

import math
from typing import Any

from ...errors import ParamError
from . import Translation, integer, mapping, number, unused

NAME = "HF TrainingArguments"


def detect(data: Any) -> float:
    if not isinstance(data, dict):
        return 0.0
    if "lr_scheduler_type" in data:
        return 1.0
    return 0.6 if "learning_rate" in data else 0.0  # learning_rate alone is a weaker sign


def translate(data: dict, run: dict) -> Translation:
    return _huggingface(data, run.get("steps_per_epoch"))


HF_DEFAULT_LR = 5e-5


def _huggingface(data: dict, steps_per_epoch: int | None) -> Translation:
    """TrainingArguments: lr_scheduler_type, lr_scheduler_kwargs, warmup_steps/ratio, max_steps or epochs."""
    kind = data.get("lr_scheduler_type", "linear")
    if not isinstance(kind, str):
        raise ParamError(("lr_scheduler_type",), f"expected a scheduler type such as 'cosine', got {kind!r}")
    kind = kind.split(".")[-1].lower()  # SchedulerType.COSINE -> cosine
    kwargs = mapping(data, "lr_scheduler_kwargs")
    origin = {("params",): ("lr_scheduler_kwargs",), ("scheduler",): ("lr_scheduler_type",),
              ("optimizer", "lr"): ("learning_rate",)}
    used = {"lr_scheduler_type", "lr_scheduler_kwargs", "learning_rate", "max_steps", "num_train_epochs",
            "warmup_steps", "warmup_ratio"}
    config: dict = {"scheduler": f"hf:{kind}", "params": dict(kwargs),
                    "optimizer": {"lr": data.get("learning_rate", HF_DEFAULT_LR)}}
    if kind == "reduce_lr_on_plateau":
        return Translation(NAME, config, origin, unused(data, used))
    max_steps = integer(data, "max_steps", -1)
    if max_steps > 0:
        training = max_steps
        origin[("params", "num_training_steps")] = ("max_steps",)
    else:
        epochs = number(data, "num_train_epochs", 3.0)
        if not steps_per_epoch:
            raise ParamError(("num_train_epochs",), "without max_steps the schedule length is num_train_epochs x "
                             "steps per epoch: give --steps-per-epoch")
        training = math.ceil(float(epochs) * steps_per_epoch)
        origin[("params", "num_training_steps")] = ("num_train_epochs",)
    warmup = number(data, "warmup_steps", 0.0)
    ratio = number(data, "warmup_ratio", 0.0)
    if 0 < warmup < 1:
        ratio, warmup = warmup, 0
    warmup_steps = int(warmup) if warmup >= 1 else math.ceil(training * float(ratio))
    params = config["params"]
    if kind != "constant":
        params["num_warmup_steps"] = warmup_steps
        origin[("params", "num_warmup_steps")] = ("warmup_steps",) if "warmup_steps" in data else ("warmup_ratio",)
    if kind not in ("constant", "constant_with_warmup", "inverse_sqrt"):
        params["num_training_steps"] = training
    config["epochs"] = math.ceil(training / steps_per_epoch) if steps_per_epoch else training
    return Translation(NAME, config, origin, unused(data, used))


