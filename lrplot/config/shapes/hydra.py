"""Hydra: ``_target_: torch.optim.lr_scheduler.X`` with the constructor arguments beside it."""

from __future__ import annotations

import re
from typing import Any

from ...errors import ParamError, shown
from . import Translation, monitor_title, optimizer_from, short_class, unused

NAME = "Hydra"
_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


def detect(data: Any) -> float:
    """A scheduler node: surely Hydra; a defaults list or ``_target_`` nodes without one: Hydra, to refuse."""
    if not isinstance(data, dict):
        return 0.0
    if _find_hydra_scheduler(data) is not None:
        return 1.0
    return 0.5 if isinstance(data.get("defaults"), list) or _find(data, lambda target: True) is not None else 0.0


def translate(data: dict, run: dict) -> Translation:
    where = _find_hydra_scheduler(data)
    if where is None:
        overrides = [str(d) for d in data.get("defaults") or [] if "scheduler" in str(d)]
        if overrides:
            raise ParamError(("defaults",), f"this looks like a Hydra config whose scheduler comes from its defaults "
                             f"list ({shown(overrides[0], 60)}): read the composed .hydra/config.yaml of a run")
        raise ParamError((), "this looks like a Hydra config, but no node in it names a scheduler (_target_ or "
                         "class_name): the schedule is in the code; nothing here for lrplot to read")
    out = _hydra(data, where)
    if "optimizer" not in out.config and run.get("lr") is None:
        out.warnings.append("no optimizer node in this file: the lr shown is lrplot's default 0.1 (give --lr)")
    return out


def _target(node: Any) -> str | None:
    """A node's class: Hydra's ``_target_``, or the ``class_name`` (with ``params``) some projects write."""
    if not isinstance(node, dict):
        return None
    target = node.get("_target_", node.get("class_name"))
    return target if isinstance(target, str) else None


def _is_scheduler(target: str) -> bool:
    last = target.rsplit(".", 1)[-1]
    return "lr_scheduler" in target or last.endswith("LR") or last in ("ChainedScheduler", "ReduceLROnPlateau")


def _find(data: dict, wanted) -> tuple | None:
    """The path of the first mapping (depth first, in file order) whose class ``wanted(target)`` accepts."""
    def visit(node: Any, path: tuple):
        if isinstance(node, dict):
            target = _target(node)
            if target is not None and wanted(target):
                return path
            for key, value in node.items():
                found = visit(value, path + (key,))
                if found is not None:
                    return found
        return None

    return visit(data, ())


def _find_hydra_scheduler(data: dict) -> tuple | None:
    return _find(data, _is_scheduler)


def _is_optimizer(target: str) -> bool:
    return not _is_scheduler(target) and (".optim." in target or target.startswith("torch.optim") or
                                          target.rsplit(".", 1)[-1].lower() in ("adam", "adamw", "sgd", "lamb"))


MAX_DEPTH = 20  # references followed from one value
MAX_LOOKUPS = 1000  # references followed for one file
MAX_TEXT = 10_000  # characters of one interpolated string


class _Resolver:
    """OmegaConf's ``${a.b}`` / ``${..x}`` interpolation, only for the values the schedule reads, bounded."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self.lookups = 0

    def value(self, node: Any, path: tuple, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ParamError(path, f"interpolation nests more than {MAX_DEPTH} levels deep (a cycle?)")
        if isinstance(node, dict):
            return {k: self.value(v, path + (k,), depth) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v, path + (i,), depth) for i, v in enumerate(node)]
        if node == "???":
            raise ParamError(path, "value missing (???): give it in the file")
        if not isinstance(node, str) or "${" not in node:
            return node
        whole = _INTERPOLATION.fullmatch(node.strip())
        if whole:
            return self.value(self.lookup(whole.group(1), path), path, depth + 1)
        text = _INTERPOLATION.sub(lambda m: str(self.value(self.lookup(m.group(1), path), path, depth + 1)), node)
        if len(text) > MAX_TEXT:
            raise ParamError(path, f"interpolation expands beyond {MAX_TEXT:,} characters")
        return text

    def lookup(self, reference: str, path: tuple) -> Any:
        self.lookups += 1
        if self.lookups > MAX_LOOKUPS:
            raise ParamError(path, f"more than {MAX_LOOKUPS} interpolations to resolve; lrplot stops here")
        reference = reference.strip()
        if ":" in reference:
            resolver = reference.split(":", 1)[0]
            raise ParamError(path, f"${{{shown(reference, 40)[1:-1]}}} uses the resolver {shown(resolver)}, which "
                             "lrplot does not evaluate; write the value out")
        dots = len(reference) - len(reference.lstrip("."))
        node: Any = self.root
        if dots:  # relative: one dot is the value's own mapping, each further dot one level up
            base = path[:-1][: max(0, len(path) - dots)]
            for part in base:
                node = node[part]
        for part in reference.lstrip(".").split("."):
            if not isinstance(node, dict) or part not in node:
                raise ParamError(path, f"cannot resolve ${{{shown(reference, 40)[1:-1]}}}: no such key in this file")
            node = node[part]
        return node


def _hydra(data: dict, where: tuple) -> Translation:
    """The scheduler node (``_target_`` or ``class_name``), the optimizer beside it (or anywhere), and
    ``trainer.max_epochs``: the lightning-hydra-template layout and composed ``.hydra/config.yaml`` files."""
    resolver = _Resolver(data)
    node = _at(data, where)
    key = "_target_" if "_target_" in node else "class_name"
    name = short_class(resolver.value(node[key], where + (key,)), where + (key,))
    args, args_path = (node["params"], where + ("params",)) if key == "class_name" and \
        isinstance(node.get("params"), dict) else (node, where)
    params = {k: resolver.value(v, args_path + (k,)) for k, v in args.items()
              if not str(k).startswith("_") and k not in ("optimizer", "class_name", "params", "step", "monitor",
                                                          "interval", "frequency")}
    origin = {("scheduler",): where + (key,), ("params",): args_path}
    config: dict = {"scheduler": name, "params": params}
    monitor = node.get("monitor")
    monitor = resolver.value(monitor, where + ("monitor",)) if isinstance(monitor, str) else None
    used = {".".join(map(str, where + (k,))) for k in node} | {".".join(map(str, args_path + (k,))) for k in args}
    optimizer_path = _optimizer_near(data, where)
    if optimizer_path is not None:
        opt = _at(data, optimizer_path)
        opt_args, opt_path = (opt["params"], optimizer_path + ("params",)) if "_target_" not in opt and \
            isinstance(opt.get("params"), dict) else (opt, optimizer_path)
        resolved = {k: resolver.value(v, opt_path + (k,)) for k, v in opt_args.items()
                    if k in ("lr", "momentum", "betas")}
        config["optimizer"] = optimizer_from(resolved, opt_path, origin, opt.get("_target_"))
        used |= {".".join(map(str, opt_path + (k,))) for k in resolved} | {".".join(map(str, optimizer_path))}
    trainer = data.get("trainer")
    if isinstance(trainer, dict) and trainer.get("max_epochs") is not None:
        epochs = resolver.value(trainer["max_epochs"], ("trainer", "max_epochs"))
        config["epochs"] = epochs
        origin[("epochs",)] = ("trainer", "max_epochs")
        used.add("trainer.max_epochs")
    out = Translation(NAME, config, origin, unused(data, used))
    out.monitor = monitor_title(monitor)
    return out


def _at(data: dict, path: tuple) -> Any:
    node = data
    for key in path:
        node = node[key]
    return node


def _optimizer_near(data: dict, scheduler: tuple) -> tuple | None:
    """The optimizer beside the scheduler (``model.optimizer`` next to ``model.scheduler``), else the first one."""
    for depth in range(len(scheduler) - 1, -1, -1):
        parent = _at(data, scheduler[:depth])
        if isinstance(parent, dict) and _target(parent.get("optimizer")) is not None:
            return scheduler[:depth] + ("optimizer",)
    return _find(data, _is_optimizer)
