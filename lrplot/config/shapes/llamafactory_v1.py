"""LLaMA-Factory v1 YAML (``USE_V1=1``): its own trainer, which registers no lr scheduler, so the lr is constant.

Read from LLaMA-Factory HEAD ff6d4d12 ``src/llamafactory/v1``: ``BaseTrainer._init_lr_scheduler`` builds
``LambdaLR(lambda x: 1.0)`` when ``lr_scheduler_config`` is absent (and fails on any plugin name);
steps per epoch = floor(floor(N / dp) / (global_batch_size / dp)), every short batch dropped.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParamError
from . import Translation, given, integer, number, own_trainer, positive, signature, unused

NAME = "LLaMA-Factory v1"
SIGNATURE = frozenset({"global_batch_size", "train_dataset", "dist_config", "optim_config", "lr_scheduler_config",
                       "batching_strategy", "cp_size", "dp_size", "micro_batch_size", "model_class", "peft_config",
                       "kernel_config", "sample_backend", "init_config"})
V1_DEFAULT_LR = 1e-4


def detect(data: Any) -> float:
    score = signature(data, SIGNATURE, at_least=2)
    return score + 1 if score and isinstance(data.get("model"), str) else score


def translate(data: dict, run: dict) -> Translation:
    if data.get("lr_scheduler_config") is not None:
        raise ParamError(("lr_scheduler_config",), "LLaMA-Factory v1 registers no lr scheduler plugin, so its "
                         "trainer fails on this key ('not registered under LRSchedulerPlugin')")
    out = Translation(NAME, None)
    own_trainer(run, "llamafactory-v1", "a LLaMA-Factory v1 config")
    lr = given(run, "lr", data, "learning_rate", V1_DEFAULT_LR, number, out)
    devices = run.get("devices") or positive(data, "dp_size", None) or 1
    micro = run.get("batch_size") or positive(data, "micro_batch_size", 1)
    global_batch = positive(data, "global_batch_size", None) or devices * micro
    if global_batch % (devices * micro):
        raise ParamError(("global_batch_size",), f"{global_batch} is not a multiple of micro_batch_size {micro} x "
                         f"{devices} devices (LLaMA-Factory v1 raises)")
    epochs = run.get("epochs") or integer(data, "num_train_epochs", None)
    if epochs is None:
        epochs = 3
        out.defaults.append("num_train_epochs=3")
    max_steps = run.get("max_steps") or (integer(data, "max_steps", -1) if integer(data, "max_steps", -1) > 0
                                         else None)
    if run.get("dataset_size") is None and max_steps is None:
        raise ParamError(("num_train_epochs",), "the run's length is num_train_epochs x steps per epoch: give "
                         "--dataset-size N (training examples; --devices N if data-parallel), or --max-steps N")
    out.notes.append("LLaMA-Factory v1 registers no lr scheduler: the lr stays at learning_rate "
                     "(LambdaLR(lambda x: 1.0))")
    out.counted_run = True
    out.config = {"scheduler": "LambdaLR", "params": {"lr_lambda": "1.0"}, "optimizer": {"lr": lr}, "epochs": epochs,
                  "run": {"trainer": "llamafactory-v1", "dataset_size": run.get("dataset_size"),
                          "batch_size": global_batch // devices, "grad_accum": 1, "devices": devices,
                          "max_steps": max_steps}}
    out.origin = {("optimizer", "lr"): ("learning_rate",), ("epochs",): ("num_train_epochs",)}
    out.ignored = unused(data, {"learning_rate", "micro_batch_size", "global_batch_size", "num_train_epochs",
                                "max_steps", "dp_size"})
    return out
