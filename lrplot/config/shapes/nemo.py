"""NeMo's training YAML: ``model.optim`` with ``sched: {name, ...}`` and a ``trainer`` block (NeMo 3.0).

The arithmetic is NeMo's own (``nemo/core/classes/modelPT.py`` setup_optimization, ``nemo/core/optim/
lr_scheduler.py`` prepare_lr_scheduler and compute_max_steps): ``trainer.max_steps >= 0`` overwrites the
scheduler's ``max_steps``; otherwise ``sched.max_steps`` is used when given (-1: NeMo builds no scheduler);
otherwise max_steps is counted from the dataset, per data-parallel rank, with the dataloader's batch size,
drop_last, limit_train_batches, accumulate_grad_batches and max_epochs.  Every other ``sched`` key is passed to
the scheduler's constructor, so an unknown one is refused as NeMo's TypeError would be.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import ParamError, shown
from . import Translation, own_trainer
from .hydra import _Resolver

NAME = "NeMo"

#: NeMo's own policies (AVAILABLE_SCHEDULERS); the torch names it also takes are below
POLICIES = ("WarmupPolicy", "WarmupHoldPolicy", "SquareAnnealing", "CosineAnnealing", "NoamAnnealing",
            "NoamHoldAnnealing", "WarmupHoldAnnealOneMinusSquareRoot", "WarmupHoldAnnealLinear", "WarmupAnnealing",
            "InverseSquareRootAnnealing", "T5InverseSquareRootAnnealing", "SquareRootAnnealing",
            "PolynomialDecayAnnealing", "PolynomialHoldDecayAnnealing")
TORCH_PER_STEP = ("StepLR", "CyclicLR")  # NeMo steps these per optimizer step (interval 'step')
POPPED = ("name", "t_max_epochs", "t_accumulate_grad_batches", "t_limit_train_batches", "t_num_workers", "monitor",
          "reduce_on_plateau", "max_steps")
PL_MAX_EPOCHS = 1000  # Lightning: max_epochs None with max_steps -1 becomes 1000


def _sched(data: Any) -> Any:
    optim = data.get("model", {}).get("optim") if isinstance(data.get("model"), dict) else None
    return optim.get("sched") if isinstance(optim, dict) else None


def detect(data: Any) -> float:
    """``model.optim.sched.name`` with a ``trainer`` block: several keys together, never one."""
    if not isinstance(data, dict) or not isinstance(data.get("trainer"), dict):
        return 0.0
    sched = _sched(data)
    return 60.0 if isinstance(sched, dict) and isinstance(sched.get("name"), str) else 0.0


def translate(data: dict, run: dict) -> Translation:
    own_trainer(run, "nemo", "a NeMo config")
    resolve = _Resolver(data)
    optim = data["model"]["optim"]
    sched = resolve.value(optim["sched"], ("model", "optim", "sched"))
    trainer = data["trainer"]
    name = sched["name"]
    out = Translation(NAME, None)
    out.origin = {("params",): ("model", "optim", "sched"), ("scheduler",): ("model", "optim", "sched", "name"),
                  ("optimizer", "lr"): ("model", "optim", "lr")}
    if "args" in sched:
        raise ParamError(("model", "optim", "sched", "args"), "the legacy sched.args form: NeMo flattens its params "
                         "and builds the scheduler with its dataclass defaults, dropping what args sets; write the "
                         "arguments beside name")
    if name == "ReduceLROnPlateau":
        raise ParamError(("model", "optim", "sched", "name"), "NeMo steps ReduceLROnPlateau with the monitored "
                         "metric: preview it with 'lrplot plateau --metrics FILE' and your validation losses")
    if name not in POLICIES + TORCH_PER_STEP:
        raise ParamError(("model", "optim", "sched", "name"), f"{shown(name, 60)}: lrplot reads NeMo's "
                         f"{', '.join(POLICIES)} and torch's {', '.join(TORCH_PER_STEP)} here (NeMo itself takes "
                         "ExponentialLR too, per epoch: plot it with 'lrplot exponential')")
    lr = run.get("lr")
    if lr is None:
        lr = resolve.value(optim.get("lr"), ("model", "optim", "lr"))
        if lr is None:
            raise ParamError(("model", "optim", "lr"), "missing: the optimizer's default lr applies; give --lr")
    max_steps = _max_steps(data, trainer, sched, run, out, resolve)
    params = {k: v for k, v in sched.items() if k not in POPPED}
    if name in POLICIES:
        params["max_steps"] = max_steps
        scheduler = f"nemo:{name}"
    else:
        scheduler = name
    out.config = {"scheduler": scheduler, "params": params, "optimizer": {"lr": lr}, "epochs": max_steps}
    out.counted_run = True  # the run flags were read here, with the file's values
    return out


def _int(value: Any, path: tuple, allowed: str = "an integer") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ParamError(path, f"{shown(value, 40)} is invalid: must be {allowed}")
    return int(value)


def _max_steps(data: dict, trainer: dict, sched: dict, run: dict, out: Translation, resolve) -> int:
    given = run.get("max_steps")
    if given is not None:
        out.notes.append(f"max_steps {given} from --max-steps")
        return given
    trainer_steps = resolve.value(trainer.get("max_steps", -1), ("trainer", "max_steps"))
    trainer_steps = -1 if trainer_steps is None else _int(trainer_steps, ("trainer", "max_steps"))
    if trainer_steps >= 0:
        out.notes.append(f"max_steps {trainer_steps} from trainer.max_steps (NeMo writes it over sched.max_steps)")
        return trainer_steps
    own = sched.get("max_steps")
    if own is not None:
        own = _int(own, ("model", "optim", "sched", "max_steps"))
        if own == -1:
            raise ParamError(("model", "optim", "sched", "max_steps"), "-1 with trainer.max_steps -1: NeMo builds no "
                             "scheduler and the lr stays at optim.lr the whole run")
        if own < 0:
            raise ParamError(("model", "optim", "sched", "max_steps"), f"{own} is invalid: NeMo asserts >= 0")
        out.notes.append(f"max_steps {own} from sched.max_steps")
        return own
    return _counted(data, trainer, run, out, resolve)


def _counted(data: dict, trainer: dict, run: dict, out: Translation, resolve) -> int:
    """compute_max_steps: per rank ceil(N / W), batches floor/ceil(per rank / B), limit, ceil(/ accumulation) x epochs."""
    samples = run.get("dataset_size")
    if samples is None:
        raise ParamError(("trainer", "max_steps"), "-1: NeMo counts max_steps from the training set's length; give "
                         "--dataset-size N (or --max-steps)")
    if "global_batch_size" in data["model"] or "micro_batch_size" in data["model"]:
        raise ParamError(("trainer", "max_steps"), "-1 in a Megatron-based NeMo model: it counts global batches of "
                         "its own dataloader, which lrplot does not reproduce; give --max-steps")
    train_ds = data["model"].get("train_ds") if isinstance(data["model"].get("train_ds"), dict) else {}
    batch = run.get("batch_size") or resolve.value(train_ds.get("batch_size"), ("model", "train_ds", "batch_size"))
    if batch is None:
        raise ParamError(("model", "train_ds", "batch_size"), "missing: give --batch-size (the dataloader's)")
    batch = _int(batch, ("model", "train_ds", "batch_size"), "a batch size >= 1")
    drop_last = bool(resolve.value(train_ds.get("drop_last", False), ("model", "train_ds", "drop_last")))
    workers = run.get("devices")
    if workers is None:
        devices = resolve.value(trainer.get("devices", 1), ("trainer", "devices"))
        nodes = resolve.value(trainer.get("num_nodes", 1), ("trainer", "num_nodes"))
        if not isinstance(devices, int) or isinstance(devices, bool) or devices < 1:
            raise ParamError(("trainer", "devices"), f"{shown(devices, 20)}: the number of devices is known only "
                             "where it runs; give --devices N (devices x num_nodes)")
        workers = devices * _int(nodes, ("trainer", "num_nodes"))
    accumulate = run.get("grad_accum") or _int(resolve.value(trainer.get("accumulate_grad_batches", 1),
                                                             ("trainer", "accumulate_grad_batches")),
                                               ("trainer", "accumulate_grad_batches"))
    limit = resolve.value(trainer.get("limit_train_batches"), ("trainer", "limit_train_batches"))
    limit = 1.0 if limit is None else limit
    epochs = run.get("epochs")
    if epochs is None:
        epochs = resolve.value(trainer.get("max_epochs"), ("trainer", "max_epochs"))
        epochs = PL_MAX_EPOCHS if epochs is None else _int(epochs, ("trainer", "max_epochs"))
    if epochs < 1 or batch < 1 or accumulate < 1:
        raise ParamError(("trainer", "max_epochs"), f"max_epochs {epochs}, batch size {batch}, accumulation "
                         f"{accumulate}: NeMo would count a meaningless max_steps; give --max-steps")
    rounding = math.floor if drop_last else math.ceil
    per_epoch = rounding(math.ceil(samples / max(1, workers)) / batch)
    if isinstance(limit, int) and not isinstance(limit, bool) or limit == 0.0:
        per_epoch = min(per_epoch, int(limit))
    else:
        per_epoch = int(per_epoch * limit)
    steps = math.ceil(per_epoch / accumulate) * epochs
    out.notes.append(f"max_steps {steps}: NeMo's count: ceil({samples} / {workers} devices) per rank, "
                     f"{'floor' if drop_last else 'ceil'}(/ batch {batch}), limit_train_batches {limit}, "
                     f"ceil(/ accumulate {accumulate}) x {epochs} epochs")
    if steps < 1:
        raise ParamError(("trainer",), f"NeMo counts {steps} optimizer steps for this run; check the dataset size")
    return steps
