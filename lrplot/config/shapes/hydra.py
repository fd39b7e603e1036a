"""Hydra: ``_target_: torch.optim.lr_scheduler.X`` with the constructor arguments beside it."""

from __future__ import annotations

import re
from typing import Any

from ...errors import ParamError, shown
from . import Translation, optimizer_from, short_class, unused

NAME = "Hydra"
_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


def detect(data: Any) -> float:
    return 1.0 if isinstance(data, dict) and _find_hydra_scheduler(data) is not None else 0.0


def translate(data: dict, run: dict) -> Translation:
    return _hydra(data, _find_hydra_scheduler(data))


def _find_hydra_scheduler(data: dict) -> tuple | None:
    """The path of the mapping whose ``_target_`` is a learning-rate scheduler."""
    def visit(node: Any, path: tuple):
        if isinstance(node, dict):
            target = node.get("_target_")
            if isinstance(target, str) and ("lr_scheduler" in target or target.rsplit(".", 1)[-1].endswith("LR")
                                            or target.rsplit(".", 1)[-1] in ("ChainedScheduler",
                                                                             "ReduceLROnPlateau")):
                return path
            for key, value in node.items():
                found = visit(value, path + (key,))
                if found is not None:
                    return found
        return None

    return visit(data, ())


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
    """Hydra: ``_target_: torch.optim.lr_scheduler.X`` with the constructor arguments beside it."""
    resolver = _Resolver(data)
    node = data
    for key in where:
        node = node[key]
    name = short_class(resolver.value(node["_target_"], where + ("_target_",)), where + ("_target_",))
    params = {k: resolver.value(v, where + (k,)) for k, v in node.items()
              if not str(k).startswith("_") and k != "optimizer"}
    origin = {("scheduler",): where + ("_target_",), ("params",): where}
    config: dict = {"scheduler": name, "params": params}
    used = {".".join(map(str, where + (k,))) for k in node}
    optimizer_path = _find_optimizer(data)
    if optimizer_path is not None:
        opt = data
        for key in optimizer_path:
            opt = opt[key]
        resolved = {k: resolver.value(v, optimizer_path + (k,)) for k, v in opt.items()
                    if k in ("lr", "momentum", "betas")}
        config["optimizer"] = optimizer_from(resolved, optimizer_path, origin)
        used |= {".".join(map(str, optimizer_path + (k,))) for k in opt}
    return Translation(NAME, config, origin, unused(data, used))


def _find_optimizer(data: dict) -> tuple | None:
    for key, value in data.items():
        if isinstance(value, dict):
            target = value.get("_target_")
            if isinstance(target, str) and target.startswith("torch.optim.") and "lr_scheduler" not in target:
                return (key,)
    return None


