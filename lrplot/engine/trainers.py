"""How a trainer turns a training run into optimizer steps, as the trainer's own source counts them.

A run is examples, a per-device batch, data-parallel devices, gradient accumulation, and epochs or max_steps.
Trainers differ in a few declared ways (:class:`Trainer`): how data is split across processes, whether a
short last accumulation window is an optimizer step, how the total is rounded, and how many times one
optimizer step calls ``scheduler.step()``.  Each names the source it was read from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import ParamError
from .params import to_float, to_int

#: accelerate's BatchSamplerShard: whole batches dealt round-robin to processes (HF Trainer, accelerate loops)
SHARD_BATCHES = "batches"
#: torch's DistributedSampler: ceil(N / devices) samples per process (padded), then batched
SHARD_SAMPLES = "samples"

#: epochs x optimizer steps per epoch (ceil for fractional epochs)
TOTAL_PER_EPOCH = "per epoch"
#: ceil(examples x epochs / global batch), whatever the loader does (axolotl's estimate)
TOTAL_GLOBAL = "global"
#: floor(epochs x batches / grad_accum): micro-batches counted across epochs (the DeepSpeed engine)
TOTAL_MICRO = "micro-batches"


@dataclass(frozen=True)
class Trainer:
    name: str  # --trainer value
    label: str
    source: str  # the code whose arithmetic this reproduces
    shard: str = SHARD_SAMPLES
    partial_window: bool = False  # the short last accumulation window of an epoch is an optimizer step
    total: str = TOTAL_PER_EPOCH
    fractional_epochs: bool = False
    max_steps_caps: bool = False  # max_steps caps the estimate (axolotl) rather than replacing it (HF)
    steps_scheduler_per_process: bool = False  # accelerate's AcceleratedScheduler: devices calls per step
    drop_last: bool = False  # the loader's default
    sampler_drop_last: bool | None = None  # DistributedSampler's drop_last (None: the loader's)
    global_batch: bool = False  # the batch size is the total over devices (YOLO's batch), split by // devices
    rows: str = "optimizer steps"  # what a row is: YOLO's schedule changes every iteration (batch)
    exclusive: bool = False  # counts only the schedules whose family names it as their trainer (YOLO's)
    help: str = ""


TRAINERS: dict[str, Trainer] = {t.name: t for t in (
    Trainer("torch", "torch loop", "torch DistributedSampler + DataLoader; optimizer.step() every grad_accum "
            "batches ((i + 1) % grad_accum == 0), scheduler.step() after it",
            help="a plain loop: the scheduler steps once per optimizer step; a short last window is not a step"),
    Trainer("hf", "HF Trainer", "transformers Trainer 4.57 / 5.23 (set_initial_training_values) with accelerate "
            "1.10-1.15 sharding", shard=SHARD_BATCHES, partial_window=True, fractional_epochs=True,
            help="the transformers Trainer: the short last accumulation window is a step; fractional epochs"),
    Trainer("accelerate", "accelerate loop", "accelerate 1.15 BatchSamplerShard, accumulate() and "
            "AcceleratedScheduler.step", shard=SHARD_BATCHES, partial_window=True, steps_scheduler_per_process=True,
            help="a loop with accelerate: a prepared scheduler steps once per process per optimizer step "
            "(unless --split-batches)"),
    Trainer("axolotl", "axolotl", "axolotl 0.19 calculate_total_num_steps (no sample packing), handed to the HF "
            "Trainer as max_steps (max_steps, when set, is the run)", shard=SHARD_BATCHES, partial_window=True, total=TOTAL_GLOBAL,
            fractional_epochs=True,
            help="total = ceil(examples x epochs / (batch x grad_accum x devices)), or max_steps"),
    Trainer("torchtune", "torchtune recipe", "torchtune 0.6 recipes: StatefulDistributedSampler, "
            "StatefulDataLoader(drop_last=True), steps = len(loader) // grad_accum", drop_last=True,
            sampler_drop_last=False, help="the recipes' loader drops the short batch; a short last "
            "window is not a step"),
    Trainer("lightning", "Lightning Trainer", "lightning 2.5 fit loop: DistributedSampler, an optimizer step every "
            "accumulate_grad_batches batches or at the epoch's last batch; estimated_stepping_batches",
            partial_window=True, max_steps_caps=True, help="the fit loop: a short last accumulation window is a "
            "step; max_steps caps max_epochs; the scheduler steps per epoch unless its interval is 'step'"),
    Trainer("timm", "timm train.py", "timm 1.0 train.py: create_loader(drop_last=True for training, "
            "DistributedSampler), updates_per_epoch = (len(loader) + grad_accum - 1) // grad_accum",
            partial_window=True, drop_last=True, sampler_drop_last=False,
            help="the loader drops the short batch; a short last window is an update"),
    Trainer("deepspeed", "DeepSpeed engine", "deepspeed 0.19 engine: a step at every gradient-accumulation "
            "boundary, micro-steps counted across epochs", total=TOTAL_MICRO,
            help="a DeepSpeed engine loop: one optimizer step per grad_accum micro-batches, counted across epochs"),
    Trainer("ultralytics", "ultralytics trainer", "ultralytics 8.4.190 BaseTrainer: build_dataloader(batch // "
            "world size, DistributedSampler), nb = len(train_loader); the lr is set every iteration",
            global_batch=True, rows="iterations", exclusive=True,
            help="YOLO (ultralytics 8.4): batch is the total over devices; rows are iterations (batches)"),
    Trainer("yolov5", "YOLOv5 train.py", "YOLOv5 train.py (7.0): create_dataloader(batch_size // WORLD_SIZE, "
            "DistributedSampler), nb = len(train_loader); the lr is set every iteration", global_batch=True,
            rows="iterations", exclusive=True,
            help="YOLOv5: batch is the total over devices; rows are iterations (batches)"),
    Trainer("llamafactory-v1", "LLaMA-Factory v1", "LLaMA-Factory v1 BaseTrainer: StatefulDistributedSampler("
            "drop_last=True), loader of global_batch / dp examples, drop_last=True", drop_last=True,
            sampler_drop_last=True, help="its own trainer: every short batch dropped"),
)}

RUN_KEYS = ("dataset_size", "batch_size", "devices", "grad_accum", "drop_last", "max_steps",
            "max_steps_per_epoch", "trainer", "split_batches", "interval", "frequency", "limit_batches")
#: When the scheduler steps: after optimizer steps, or at the end of epochs (Lightning's interval)
INTERVALS = ("step", "epoch")


@dataclass(frozen=True)
class Plan:
    """A run counted: how many optimizer steps, per epoch and in total, and scheduler calls per step."""

    trainer: Trainer
    total_steps: int
    steps_per_epoch: int | None  # None when max_steps alone fixes the run (no dataset size)
    scheduler_calls: int  # scheduler.step() calls per optimizer step
    arithmetic: str  # the counting, in one line, for stderr
    interval: str = "step"  # "epoch": the scheduler steps at the end of each epoch
    frequency: int = 1  # ... every frequency intervals

    def scheduler_steps(self, rows):
        """How many times ``scheduler.step()`` has run before optimizer step ``rows`` (an int array)."""
        if self.interval == "epoch":
            return rows // self.steps_per_epoch // self.frequency
        return rows * self.scheduler_calls // self.frequency


def parse_run(value: Any, epochs: Any) -> dict:
    """The ``run:`` mapping, checked, with every key filled; ``epochs`` is the config's top-level epochs."""
    if not isinstance(value, Mapping):
        raise ParamError(("run",), f"expected a mapping of {', '.join(RUN_KEYS)}, got {type(value).__name__}")
    for key in value:
        if key not in RUN_KEYS:
            raise ParamError(("run", key), f"unknown run key (allowed: {', '.join(RUN_KEYS)})")
    name = value.get("trainer") or "torch"
    if name not in TRAINERS:
        raise ParamError(("run", "trainer"), f"{name!r} is not a trainer lrplot counts (allowed: "
                         f"{', '.join(TRAINERS)})")
    trainer = TRAINERS[name]
    run = {"trainer": trainer, "trainer_given": value.get("trainer") is not None}
    for key, low in (("dataset_size", 1), ("batch_size", 1), ("devices", 1), ("grad_accum", 1),
                     ("max_steps", 1), ("max_steps_per_epoch", 1), ("frequency", 1), ("limit_batches", 1)):
        raw = value.get(key)
        if raw is None:
            run[key] = None
            continue
        number = to_int(raw, ("run", key))
        if number < low:
            raise ParamError(("run", key), f"{number} is invalid: must be >= {low}")
        run[key] = number
    for key in ("drop_last", "split_batches"):
        raw = value.get(key)
        if raw is not None and not isinstance(raw, bool):
            raise ParamError(("run", key), f"expected true or false, got {raw!r}")
        run[key] = raw
    run["interval"] = value.get("interval") or "step"
    if run["interval"] not in INTERVALS:
        raise ParamError(("run", "interval"), f"{run['interval']!r} is not one of {', '.join(INTERVALS)}")
    if epochs is not None:
        epochs = to_float(epochs, ("epochs",))
        if not epochs > 0:
            raise ParamError(("epochs",), f"{epochs:g} is invalid: train for more than 0 epochs")
        if not trainer.fractional_epochs and epochs != int(epochs):
            raise ParamError(("epochs",), f"{epochs:g} is invalid: the {trainer.label} runs whole epochs (give a whole "
                             "number; the HF Trainer and axolotl take fractions)")
    run["epochs"] = epochs
    return run


def choose(run: dict, family) -> None:
    """The trainer of a scheduler family that has one (YOLO) counts its runs; no other trainer may."""
    own = getattr(family, "trainer", None)
    trainer: Trainer = run["trainer"]
    if own and not run["trainer_given"]:
        run["trainer"] = TRAINERS[own]
    elif own and trainer.name != own:
        raise ParamError(("run", "trainer"), f"{trainer.name!r}: the {family.library} schedule is counted as "
                         f"its own trainer counts it ({own}); leave the trainer out")
    elif family is not None and trainer.exclusive and own != trainer.name:
        raise ParamError(("run", "trainer"), f"{trainer.name!r} counts the {trainer.label}'s own schedule, not "
                         f"{family.library} schedulers")


def plan(run: dict) -> Plan:
    """Count the run ``run`` (from :func:`parse_run`) as its trainer does."""
    trainer: Trainer = run["trainer"]
    devices, accum = run["devices"] or 1, run["grad_accum"] or 1
    calls = devices if trainer.steps_scheduler_per_process and not run["split_batches"] else 1
    max_steps, epochs, examples = run["max_steps"], run["epochs"], run["dataset_size"]
    if run["interval"] == "epoch" and examples is None:
        raise ParamError(("run", "dataset_size"), "missing: a scheduler stepped per epoch needs the epoch's optimizer "
                         "steps, counted from the number of training examples")
    if examples is None:
        if max_steps is None:
            raise ParamError(("run", "dataset_size"), "missing: counting the run's optimizer steps needs the "
                             "number of training examples, or give the number of steps (max_steps)")
        return Plan(trainer, max_steps, None, calls, f"{trainer.label}: max_steps {max_steps:,} = {max_steps:,} "
                    f"optimizer steps" + _calls_text(calls) + _interval_text(run),
                    frequency=run["frequency"] or 1)
    batch = run["batch_size"]
    if batch is None:
        raise ParamError(("run", "batch_size"), "missing: counting the run's optimizer steps needs the "
                         + ("total batch size" if trainer.global_batch else "per-device batch size"))
    if trainer.rows == "iterations" and accum > 1:
        raise ParamError(("run", "grad_accum"), f"{accum}: the {trainer.label} accumulates round(nbs / batch) "
                         "batches itself and sets the lr every iteration; leave grad_accum out")
    if trainer.global_batch:
        if batch // devices < 1:
            raise ParamError(("run", "batch_size"), f"{batch} is the total batch: {devices} devices get "
                             f"{batch} // {devices} = 0 each; give at least {devices}")
        batch //= devices
    drop_last = trainer.drop_last if run["drop_last"] is None else run["drop_last"]
    split = bool(run["split_batches"]) and trainer.shard == SHARD_BATCHES  # each batch split across processes
    batches, text = _batches_per_process(trainer, examples, batch, 1 if split else devices, drop_last)
    if split:
        text += f" (split_batches: each split across {devices} devices)"
    if run["limit_batches"] is not None and run["limit_batches"] < batches:
        batches = run["limit_batches"]
        text += f", limited to {batches:,}"
    if batches == 0:
        raise ParamError(("run", "dataset_size"), f"{examples:,} examples make no full batch of {batch} x "
                         f"{devices} devices, and the loader drops short batches: the run takes no step")
    per_epoch = max(-(-batches // accum), 1) if trainer.partial_window else batches // accum
    if accum > 1:
        window = "last window partial" if trainer.partial_window and batches % accum else (
            f"{batches % accum} batch{'es' if batches % accum > 1 else ''} left over" if batches % accum else "")
        text += f" / {accum} accumulation = {per_epoch:,} optimizer steps per epoch" + (f" ({window})" if window else "")
    elif trainer.rows == "optimizer steps":  # otherwise the batches are the rows, as already said
        text += f" = {per_epoch:,} optimizer steps per epoch"
    if per_epoch == 0:
        raise ParamError(("run", "grad_accum"), f"{batches:,} batches per epoch are fewer than grad_accum "
                         f"{accum}: the {trainer.label} takes no optimizer step")
    cap = run["max_steps_per_epoch"]
    if cap is not None and cap < per_epoch:
        per_epoch = cap
        text += f", capped by max_steps_per_epoch at {cap:,}"
    total, total_text = _total(trainer, run, examples, batch, devices, accum, batches, per_epoch)
    if trainer.total == TOTAL_MICRO:
        per_epoch = None  # micro-steps carry over between epochs: no fixed number of steps per epoch to draw
    return Plan(trainer, total, per_epoch, calls, f"{trainer.label}: {text}; {total_text}"
                + _calls_text(calls) + _interval_text(run), interval=run["interval"],
                frequency=run["frequency"] or 1)


def _batches_per_process(trainer: Trainer, examples: int, batch: int, devices: int, drop_last: bool):
    if trainer.shard == SHARD_BATCHES:
        if drop_last:
            batches = examples // batch // devices
        else:
            batches = -(-(-(-examples // batch)) // devices)
        text = f"{examples:,} examples / ({batch} x {devices} devices)" if devices > 1 else \
            f"{examples:,} examples / batch {batch}"
        return batches, text + f" = {batches:,}{_batches(trainer)} per epoch" + \
            (" (short batches dropped)" if drop_last else "")
    sampler_drop = drop_last if trainer.sampler_drop_last is None else trainer.sampler_drop_last
    per_device = examples // devices if sampler_drop else -(-examples // devices)
    batches = per_device // batch if drop_last else -(-per_device // batch)
    text = f"{examples:,} examples" + (f" / {devices} devices = {per_device:,} per device" if devices > 1 else "")
    return batches, text + f" / batch {batch} = {batches:,}{_batches(trainer)} per epoch" + \
        (" (short batch dropped)" if drop_last and per_device % batch else "")


def _batches(trainer: Trainer) -> str:
    """" batches", or " batches (iterations)" where the rows are batches (YOLO)."""
    return " batches" if trainer.rows == "optimizer steps" else f" batches ({trainer.rows})"


def _total(trainer, run, examples, batch, devices, accum, batches, per_epoch) -> tuple[int, str]:
    max_steps, epochs = run["max_steps"], run["epochs"]
    if max_steps is not None and (not trainer.max_steps_caps or epochs is None):
        return max_steps, f"max_steps {max_steps:,} = {max_steps:,} steps"
    if epochs is None:
        raise ParamError(("epochs",), "missing: counting the run's optimizer steps needs the number of "
                         "epochs, or give the number of steps (max_steps)")
    shown_epochs = f"{epochs:g} epochs" if epochs != 1 else "1 epoch"
    if trainer.total == TOTAL_GLOBAL:
        global_batch = batch * accum * devices
        total = math.ceil(examples * epochs / global_batch)
        text = f"{examples:,} x {epochs:g} epochs / {global_batch} global batch = {total:,} steps"
    elif trainer.total == TOTAL_MICRO:
        total = int(epochs) * batches // accum
        text = f"{shown_epochs} x {batches:,} batches / {accum} accumulation = {total:,} steps"
    else:
        total = math.ceil(epochs * per_epoch)
        text = f"{shown_epochs} = {total:,} " + ("steps" if trainer.rows == "optimizer steps" else trainer.rows)
    if max_steps is not None and max_steps < total:
        total, text = max_steps, text + f", capped by max_steps at {max_steps:,}"
    if total < 1:
        raise ParamError(("epochs",), f"the run has no optimizer step ({text})")
    return total, text


def _interval_text(run: dict) -> str:
    frequency = run["frequency"] or 1
    if run["interval"] == "epoch":
        return "; the scheduler steps at the end of every " + (f"{frequency} epochs" if frequency > 1 else "epoch")
    return f"; the scheduler steps every {frequency} optimizer steps" if frequency > 1 else ""


def _calls_text(calls: int) -> str:
    if calls == 1:
        return ""
    return f"; the scheduler steps {calls} times per optimizer step (one per process, as accelerate's " \
           f"AcceleratedScheduler does without split_batches)"
