"""LightningCLI: ``lr_scheduler: {class_path, init_args}`` and ``optimizer: {class_path, init_args}``."""

from __future__ import annotations

from typing import Any

from ...errors import ParamError, shown
from . import Translation, mapping, optimizer_from, short_class, unused

NAME = "LightningCLI"


def detect(data: Any) -> float:
    sched = data.get("lr_scheduler") if isinstance(data, dict) else None
    return 1.0 if isinstance(sched, dict) and "class_path" in sched else 0.0


def translate(data: dict, run: dict) -> Translation:
    return _lightning(data)


def _bad_init_args(value) -> dict:
    raise ParamError(("lr_scheduler", "init_args"), f"expected a mapping of the scheduler's arguments, got "
                     f"{shown(value)}")


def _lightning(data: dict) -> Translation:
    """LightningCLI: ``lr_scheduler: {class_path, init_args}`` and ``optimizer: {class_path, init_args}``."""
    sched = data["lr_scheduler"]
    name = short_class(sched["class_path"], ("lr_scheduler", "class_path"))
    params = dict(mapping(sched, "init_args")) if isinstance(sched.get("init_args"), dict) or \
        sched.get("init_args") is None else _bad_init_args(sched["init_args"])
    origin = {("scheduler",): ("lr_scheduler", "class_path"), ("params",): ("lr_scheduler", "init_args")}
    used = {"lr_scheduler.class_path", "lr_scheduler.init_args"}
    for key in ("monitor", "interval", "frequency"):  # Lightning's own keys, not the scheduler's
        if key in params:
            params.pop(key)
    config: dict = {"scheduler": name, "params": params}
    optimizer = data.get("optimizer")
    if isinstance(optimizer, dict):
        config["optimizer"] = optimizer_from(optimizer.get("init_args"), ("optimizer", "init_args"), origin)
        used |= {f"optimizer.init_args.{k}" for k in config["optimizer"]} | {"optimizer.class_path"}
    trainer = data.get("trainer")
    if isinstance(trainer, dict) and isinstance(trainer.get("max_epochs"), int) and \
            not isinstance(trainer["max_epochs"], bool) and trainer["max_epochs"] > 0:
        config["epochs"] = trainer["max_epochs"]
        origin[("epochs",)] = ("trainer", "max_epochs")
        used.add("trainer.max_epochs")
    return Translation(NAME, config, origin, unused(data, used))


