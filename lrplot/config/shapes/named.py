"""Configs lrplot recognises but does not read: named, so that they are never mistaken for a typo in lrplot's own.

Each entry is a tool, the keys that together identify its files, and why lrplot does not read it.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParamError
from . import signature

NAME = "a config lrplot does not read"

#: (tool, identifying keys, how many must be present, what to do instead)
KNOWN = (
    ("accelerate launch", frozenset({"compute_environment", "distributed_type", "num_processes", "mixed_precision",
                                     "machine_rank", "main_training_function", "num_machines", "rdzv_backend",
                                     "same_network", "deepspeed_config", "downcast_bf16", "main_process_port"}), 3,
     "it sets processes, not a schedule: read the training arguments and give --devices N (its num_processes)"),
)


def detect(data: Any) -> float:
    return max((signature(data, keys, at_least) for _, keys, at_least, _ in KNOWN), default=0.0)


def translate(data: dict, run: dict):
    for tool, keys, at_least, instead in KNOWN:
        if signature(data, keys, at_least):
            raise ParamError((), f"this looks like an {tool} config; lrplot does not read {tool} configs: {instead}")
    raise ParamError((), "this config matches no shape lrplot reads")
