"""Hydra: ``_target_: torch.optim.lr_scheduler.X`` with the constructor arguments beside it."""

from __future__ import annotations

import re
from typing import Any

from ...errors import ParamError
from . import Translation, optimizer_from, short_class, unused

NAME = "Hydra"
_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


def detect(data: Any) -> float:
    return 1.0 if isinstance(data, dict) and _find_hydra_scheduler(data) is not None else 0.0


def translate(data: dict, run: dict) -> Translation:
    return _hydra(_resolve(data, data, ()), _find_hydra_scheduler(data))


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


def _resolve(node: Any, root: dict, path: tuple, depth: int = 0) -> Any:
    """Hydra/OmegaConf ``${a.b}`` interpolation (plain dotted paths only)."""
    if depth > 20:
        raise ParamError(path, "interpolation nests too deeply (a cycle?)")
    if isinstance(node, dict):
        return {k: _resolve(v, root, path + (k,), depth) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, path + (i,), depth) for i, v in enumerate(node)]
    if not isinstance(node, str) or "${" not in node:
        return node
    whole = _INTERPOLATION.fullmatch(node.strip())
    if whole:
        return _resolve(_lookup(root, whole.group(1), path), root, path, depth + 1)
    return _INTERPOLATION.sub(lambda m: str(_resolve(_lookup(root, m.group(1), path), root, path, depth + 1)), node)


def _lookup(root: dict, dotted: str, path: tuple) -> Any:
    node: Any = root
    for part in dotted.strip().split("."):
        if not isinstance(node, dict) or part not in node:
            raise ParamError(path, f"cannot resolve ${{{dotted}}}: only plain ${{a.b}} references to keys in "
                             "this file are supported")
        node = node[part]
    return node


def _hydra(data: dict, where: tuple) -> Translation:
    """Hydra: ``_target_: torch.optim.lr_scheduler.X`` with the constructor arguments beside it."""
    node = data
    for key in where:
        node = node[key]
    name = short_class(node["_target_"], where + ("_target_",))
    params = {k: v for k, v in node.items() if not k.startswith("_")}
    params.pop("optimizer", None)
    origin = {("scheduler",): where + ("_target_",), ("params",): where}
    config: dict = {"scheduler": name, "params": params}
    used = {".".join(map(str, where + (k,))) for k in node}
    optimizer_path = _find_optimizer(data)
    if optimizer_path is not None:
        opt = data
        for key in optimizer_path:
            opt = opt[key]
        config["optimizer"] = optimizer_from(opt, optimizer_path, origin)
        used |= {".".join(map(str, optimizer_path + (k,))) for k in opt}
    return Translation(NAME, config, origin, unused(data, used))


def _find_optimizer(data: dict) -> tuple | None:
    for key, value in data.items():
        if isinstance(value, dict):
            target = value.get("_target_")
            if isinstance(target, str) and target.startswith("torch.optim.") and "lr_scheduler" not in target:
                return (key,)
    return None


