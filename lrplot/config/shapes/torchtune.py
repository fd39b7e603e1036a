"""torchtune recipe configs: ``lr_scheduler._component_``, the optimizer's lr, and the recipe's step count.

Read from torchtune 0.6 (``training/lr_schedulers.py``; ``recipes/*_finetune_*.py`` _setup_data/_setup_lr_scheduler):
steps per epoch = len(loader) // gradient_accumulation_steps (the loader drops the short batch; a short last
window is no step), capped by max_steps_per_epoch; the scheduler gets num_training_steps = epochs x that.
No ``lr_scheduler`` means a constant lr.
"""

from __future__ import annotations

import re
from typing import Any

from ...errors import ParamError, shown
from . import Translation, given, integer, number, own_trainer, unused

NAME = "torchtune"
#: Where torchtune's one scheduler has lived: torchtune.training (0.5+) and torchtune.modules (0.2-0.4).
COSINE = ("torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup",
          "torchtune.training.get_cosine_schedule_with_warmup",
          "torchtune.modules.lr_schedulers.get_cosine_schedule_with_warmup",
          "torchtune.modules.get_cosine_schedule_with_warmup")


_PLAIN_REFERENCE = re.compile(r"\$\{[\w.]+\}")


def detect(data: Any) -> float:
    if not isinstance(data, dict):
        return 0.0
    found = sum(1 for value in data.values() if isinstance(value, dict) and
                str(value.get("_component_", "")).startswith("torchtune."))
    return float(found) if found >= 2 else 0.0


def translate(data: dict, run: dict) -> Translation:
    out = Translation(NAME, None)
    own_trainer(run, "torchtune", "a torchtune recipe")
    optimizer = data.get("optimizer") if isinstance(data.get("optimizer"), dict) else {}
    lr = given(run, "lr", optimizer, "lr", None, number, out)
    if lr is None:
        raise ParamError(("optimizer", "lr"), "missing: the recipe's optimizer needs an lr")
    block, epochs, total = _count(data, run)
    sched = data.get("lr_scheduler")
    if sched is None:
        scheduler, params = "LambdaLR", {"lr_lambda": "1.0"}
        out.notes.append("no lr_scheduler: the recipe keeps the optimizer's lr constant")
    else:
        component = sched.get("_component_") if isinstance(sched, dict) else None
        if component not in COSINE:
            raise ParamError(("lr_scheduler", "_component_"), f"{shown(component)} is not torchtune's "
                             "get_cosine_schedule_with_warmup, the one scheduler lrplot reads from torchtune")
        for key, value in sched.items():
            if isinstance(value, str) and "${" in value and not _PLAIN_REFERENCE.fullmatch(value):
                raise ParamError(("lr_scheduler", key), f"{shown(value, 60)} is not an OmegaConf interpolation "
                                 "(no expressions inside ${...}): torchtune fails to load this file")
        if "num_warmup_steps" not in sched:
            raise ParamError(("lr_scheduler", "num_warmup_steps"), "missing: torchtune requires num_warmup_steps")
        scheduler = "torchtune:get_cosine_schedule_with_warmup"
        params = {"num_warmup_steps": sched["num_warmup_steps"], "num_training_steps": total,
                  "num_cycles": sched.get("num_cycles", 0.5)}
    out.counted_run = True
    out.config = {"scheduler": scheduler, "params": params, "optimizer": {"lr": lr}, "run": block, "epochs": epochs}
    out.origin = {("optimizer", "lr"): ("optimizer", "lr"), ("params",): ("lr_scheduler",),
                  ("scheduler",): ("lr_scheduler",), ("epochs",): ("epochs",)}
    out.ignored = unused(data, {"optimizer.lr", "lr_scheduler", "epochs", "batch_size",
                                "gradient_accumulation_steps", "max_steps_per_epoch"})
    return out


def _count(data: dict, run: dict):
    dataset = data.get("dataset") if isinstance(data.get("dataset"), dict) else {}
    if dataset.get("packed") is True and run.get("max_steps") is None:
        raise ParamError(("dataset", "packed"), "a packed dataset's length is its number of packs, which depends on "
                         "token lengths: give --max-steps N (the recipe's steps), or --dataset-size N as the packs")
    epochs = run.get("epochs") or integer(data, "epochs", None)
    if epochs is None:
        raise ParamError(("epochs",), "missing: the recipe needs epochs")
    if run.get("dataset_size") is None and run.get("max_steps") is None:
        raise ParamError(("epochs",), "the run's length is epochs x steps per epoch: give --dataset-size N (training "
                         "examples; --devices N if distributed), or --max-steps N")
    block = {"trainer": "torchtune", "dataset_size": run.get("dataset_size"), "max_steps": run.get("max_steps"),
             "batch_size": run.get("batch_size") or integer(data, "batch_size", None),
             "grad_accum": run.get("grad_accum") or integer(data, "gradient_accumulation_steps", 1),
             "max_steps_per_epoch": integer(data, "max_steps_per_epoch", None), "devices": run.get("devices") or 1}
    from ...engine.trainers import parse_run, plan

    return block, epochs, plan(parse_run(block, epochs)).total_steps
