"""LightningCLI configs, as written or as saved beside a run (``lightning_logs/version_N/config.yaml``).

LightningCLI builds ``optimizer``/``lr_scheduler`` (top level, or injected under ``model.init_args``) from
``{class_path, init_args}`` and steps the scheduler once per epoch; a ``{scheduler, interval, frequency}``
wrapper says otherwise.  The run (``--dataset-size``) is counted as Lightning's fit loop counts it
(lightning 2.5: ``estimated_stepping_batches``); ``max_epochs: null`` with no ``max_steps`` is 1000 epochs.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParamError, shown
from . import Translation, mapping, monitor_title, optimizer_from, own_trainer, short_class, unused

NAME = "LightningCLI"
SIGNATURE = frozenset({"seed_everything", "trainer", "model", "data", "ckpt_path", "optimizer", "lr_scheduler"})
#: Where the callable-injection pattern puts the scheduler and optimizer: model.init_args.<key>
INJECTED_SCHEDULER = ("lr_scheduler", "scheduler")
INJECTED_OPTIMIZER = ("optimizer",)
LIGHTNING_MAX_EPOCHS = 1000  # Trainer(max_epochs=None, max_steps=-1)
SCHEDULER_CONFIG_KEYS = ("interval", "frequency", "monitor", "strict", "name")


def _class_node(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("class_path"), str)


def _found(data: dict, top: str, injected: tuple) -> tuple[tuple, Any]:
    """(path, node) of ``top`` at the top level, else of one of ``injected`` under model.init_args; ((), None)."""
    if data.get(top) is not None:
        return (top,), data[top]
    init = data.get("model", {}).get("init_args") if isinstance(data.get("model"), dict) else None
    if isinstance(init, dict):
        for key in injected:
            node = init.get(key)
            if _class_node(node) or (isinstance(node, dict) and _class_node(node.get("scheduler"))):
                return ("model", "init_args", key), node
    return (), None


def detect(data: Any) -> float:
    if not isinstance(data, dict):
        return 0.0
    if _class_node(data.get("lr_scheduler")):
        return 2.0 + sum(1 for key in data if key in SIGNATURE)
    classes = any(_class_node(data.get(key)) for key in ("model", "data", "optimizer")) or \
        _class_node(_found(data, "lr_scheduler", INJECTED_SCHEDULER)[1])
    keys = sum(1 for key in data if key in SIGNATURE)
    return float(keys) if classes and keys >= 2 and isinstance(data.get("trainer", {}), dict) else 0.0


def translate(data: dict, run: dict) -> Translation:
    out = Translation(NAME, None)
    own_trainer(run, "lightning", "a LightningCLI config")
    sched_path, sched = _found(data, "lr_scheduler", INJECTED_SCHEDULER)
    opt_path, optimizer = _found(data, "optimizer", INJECTED_OPTIMIZER)
    interval, frequency = "epoch", 1
    if isinstance(sched, dict) and "scheduler" in sched and not _class_node(sched):  # {scheduler, interval, ...}
        interval = str(sched.get("interval", "epoch"))
        frequency = sched.get("frequency", 1)
        out.monitor = monitor_title(sched.get("monitor"))
        sched_path, sched = sched_path + ("scheduler",), sched["scheduler"]
    if sched is None and optimizer is None:
        model = data.get("model", {}).get("class_path", "the model") if isinstance(data.get("model"), dict) else \
            "the model"
        raise ParamError((), f"optimizer and lr_scheduler are not set here (null or absent): the schedule lives in "
                         f"{shown(model, 80)}'s configure_optimizers() code, which lrplot cannot read; give it as "
                         "lrplot YAML or a scheduler command")
    origin: dict = {}
    if sched is None:
        config: dict = {"scheduler": "LambdaLR", "params": {"lr_lambda": "1.0"}}
        out.notes.append("no lr_scheduler: LightningCLI keeps the optimizer's lr constant")
    else:
        if not _class_node(sched):
            raise ParamError(sched_path, f"expected {{class_path, init_args}}, got {shown(sched)}")
        init = sched.get("init_args")
        if init is not None and not isinstance(init, dict):
            raise ParamError(sched_path + ("init_args",), f"expected a mapping of the scheduler's arguments, got "
                             f"{shown(init)}")
        params = dict(init or {})
        for key in SCHEDULER_CONFIG_KEYS:  # Lightning's own keys, not the scheduler's
            if key in params:
                value = params.pop(key)
                interval = str(value) if key == "interval" else interval
                frequency = value if key == "frequency" else frequency
                out.monitor = monitor_title(value) if key == "monitor" else out.monitor
        config = {"scheduler": short_class(sched["class_path"], sched_path + ("class_path",)), "params": params}
        origin.update({("scheduler",): sched_path + ("class_path",), ("params",): sched_path + ("init_args",)})
    used = {".".join(sched_path + ("class_path",)), ".".join(sched_path + ("init_args",)), "lr_scheduler"}
    if _class_node(optimizer):
        config["optimizer"] = optimizer_from(optimizer.get("init_args"), opt_path + ("init_args",), origin,
                                             optimizer.get("class_path"))
        used |= {".".join(opt_path + ("class_path",))} | \
            {".".join(opt_path + ("init_args", key)) for key in config["optimizer"]}
    if interval not in ("epoch", "step"):
        raise ParamError(sched_path + ("interval",), f"{shown(interval)}: Lightning steps a scheduler per 'epoch' or "
                         "'step'")
    _length(data, run, config, interval, frequency, out)
    out.config, out.origin = config, origin
    used |= {"trainer.max_epochs", "trainer.max_steps"}
    if out.counted_run:
        used |= {"trainer.accumulate_grad_batches", "trainer.devices", "trainer.limit_train_batches",
                 "data.init_args.batch_size"}
    out.ignored = unused(data, used)
    return out


def _length(data: dict, run: dict, config: dict, interval: str, frequency: Any, out: Translation) -> None:
    """Rows: epochs (one scheduler step each), or with --dataset-size the optimizer steps Lightning takes."""
    trainer = data.get("trainer") if isinstance(data.get("trainer"), dict) else {}
    max_steps = trainer.get("max_steps")
    max_steps = None if max_steps in (None, -1) else _int(trainer, "max_steps")
    epochs = trainer.get("max_epochs")
    if epochs is None and max_steps is None and isinstance(data.get("trainer"), dict):
        epochs = LIGHTNING_MAX_EPOCHS
        out.defaults.append(f"trainer.max_epochs={LIGHTNING_MAX_EPOCHS} (Lightning's default with max_steps -1)")
    elif epochs is not None:
        epochs = _int(trainer, "max_epochs")
    if run.get("dataset_size") is None and run.get("max_steps") is None:
        if interval == "step":
            raise ParamError(("lr_scheduler", "interval"), "a scheduler stepped per optimizer step needs the run's "
                             "steps: give --dataset-size N (training examples; --batch-size, --devices)")
        if epochs is None and max_steps is not None:
            raise ParamError(("trainer", "max_steps"), "the run is max_steps optimizer steps and the scheduler steps "
                             "per epoch: give --dataset-size N so that lrplot can count the epochs")
        if epochs is not None:  # no trainer at all: the scheduler's own length
            config["epochs"] = epochs
        return
    devices = run.get("devices") or trainer.get("devices") or 1
    if not isinstance(devices, int) or isinstance(devices, bool) or devices < 1:
        raise ParamError(("trainer", "devices"), f"{shown(devices)} depends on the machine: give --devices N")
    batch = run.get("batch_size") or _batch_size(data)
    limit = trainer.get("limit_train_batches")
    config["run"] = {"trainer": "lightning", "dataset_size": run.get("dataset_size"), "devices": devices,
                     "batch_size": batch, "max_steps": run.get("max_steps") or max_steps,
                     "grad_accum": run.get("grad_accum") or _int(trainer, "accumulate_grad_batches", 1),
                     "limit_batches": limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 1
                     else None, "interval": interval, "frequency": frequency, "drop_last": run.get("drop_last")}
    if isinstance(limit, float) and limit != 1.0:
        raise ParamError(("trainer", "limit_train_batches"), f"{limit!r}: a fraction of the batches; give the count "
                         "as --dataset-size instead")
    config["epochs"] = run.get("epochs") or epochs
    out.counted_run = True


def _batch_size(data: dict) -> Any:
    """The loader's batch size: data.init_args.batch_size (LightningDataModule), as most datamodules name it."""
    init = data.get("data", {}).get("init_args") if isinstance(data.get("data"), dict) else None
    batch = init.get("batch_size") if isinstance(init, dict) else None
    if batch is None:
        raise ParamError(("data", "init_args", "batch_size"), "missing: counting Lightning's steps needs the "
                         "per-device batch size: give --batch-size N")
    return batch


def _int(node: dict, key: str, default: Any = None) -> Any:
    from . import integer

    return integer(node, key, default)
