"""A Keras learning-rate schedule as Keras serializes it, wherever it sits in the file.

Keras 3 (and tf.keras >= 2.13) writes ``{"module": "keras.optimizers.schedules", "class_name": "CosineDecay",
"config": {...}, "registered_name": null}`` as the optimizer's ``learning_rate`` (a ``.keras`` archive's
config.json, optimizer configs, hyperparameter files); tf.keras <= 2.12 writes only ``class_name`` and
``config``, sometimes under the old ``lr`` key.  The schedule is found by that signature (a class name of a
Keras schedule and a config with its arguments), never by one key.  A Keras file stores no run length.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParamError, shown
from . import Translation

NAME = "Keras"
BUILT_IN = ("ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay", "CosineDecay",
            "CosineDecayRestarts")
ARGUMENTS = frozenset({"initial_learning_rate", "decay_steps", "first_decay_steps", "boundaries", "values"})
MODULES = ("keras.optimizers.schedules", "keras_core.optimizers.schedules", "tf_keras.optimizers.schedules",
           "keras.src.optimizers.schedules")
MAX_NODES = 20_000  # mappings and lists visited while looking for the schedule


def _is_schedule(node: Any, key: Any) -> bool:
    """A class name with a config of schedule arguments, or any class and config as an optimizer's learning rate."""
    if not isinstance(node, dict) or not isinstance(node.get("class_name"), str):
        return False
    config = node.get("config")
    if not isinstance(config, dict):
        return False
    if key in ("learning_rate", "lr"):
        return True
    return len(ARGUMENTS & set(config)) >= 1 and (node["class_name"] in BUILT_IN or "module" in node)


def _find(data: Any) -> list[tuple[tuple, dict]]:
    found: list = []
    stack: list = [((), data)]
    visited = 0
    while stack and visited < MAX_NODES:
        path, node = stack.pop()
        visited += 1
        if _is_schedule(node, path[-1] if path else None):
            found.append((path, node))
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((path + (key,), child) for key, child in items)
    return sorted(found, key=lambda pair: [str(p) for p in pair[0]])


def detect(data: Any) -> float:
    return 40.0 if isinstance(data, (dict, list)) and _find(data) else 0.0


def translate(data: Any, run: dict) -> Translation:
    found = _find(data)
    if len(found) > 1:
        where = " and ".join(".".join(map(str, path)) or "the top" for path, _ in found[:2])
        raise ParamError(found[1][0], f"this file holds more than one Keras schedule ({where}): lrplot reads a file "
                         "with one")
    path, node = found[0]
    name = node["class_name"]
    module = node.get("module")
    if module is not None and (not isinstance(module, str) or not module.startswith(MODULES)):
        raise ParamError(path + ("module",), f"{shown(module, 60)}: a schedule from outside Keras; lrplot reproduces "
                         f"Keras' {', '.join(BUILT_IN)}")
    if name not in BUILT_IN:
        raise ParamError(path + ("class_name",), f"{shown(name, 60)} is a custom Keras schedule, computed by its "
                         f"project's code; lrplot reproduces Keras' {', '.join(BUILT_IN)}")
    params = {key: value for key, value in node["config"].items() if key != "name"}
    out = Translation(NAME, {"scheduler": f"keras:{name}", "params": params})
    out.origin = {("params",): path + ("config",), ("scheduler",): path + ("class_name",)}
    out.notes.append("Keras computes in float32 (floatx): so does lrplot; a Keras file stores no run length, "
                     "give -n STEPS")
    return out
