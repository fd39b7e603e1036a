"""Configs lrplot recognises but does not read: named, so that they are never mistaken for a typo in lrplot's own.

Each entry is a tool, how its files are recognised (several keys together, never one), and what to do
instead.  A named tool is surer than any shape lrplot reads: MONAI bundles carry Hydra's ``_target_``, so the
name must win.
"""

from __future__ import annotations

from typing import Any, Callable

from ...errors import ParamError

NAME = "a config lrplot does not read"
SURE = 50.0  # above every shape lrplot reads


def _keys(data: dict, *names: str) -> int:
    return sum(1 for name in names if name in data)


def _node(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _composer(data: dict) -> bool:
    named = sum(1 for key in ("scheduler", "optimizer", "model") if isinstance(_node(data, key, "name"), str))
    return named >= 2 and _keys(data, "max_duration", "global_train_batch_size", "device_train_microbatch_size",
                                "eval_interval", "precision", "fsdp_config", "train_loader") >= 1


def _fairseq(data: dict) -> bool:
    underscored = sum(1 for key in ("task", "criterion", "optimizer", "lr_scheduler", "model")
                      if isinstance(_node(data, key, "_name"), str))
    sections = _keys(data, "common", "optimization", "checkpoint", "distributed_training", "dataset")
    return underscored >= 2 or (sections >= 3 and "lr_scheduler" in data)


def _detectron2(data: dict) -> bool:
    return _keys(data, "SOLVER", "MODEL", "DATASETS", "INPUT", "DATALOADER", "TEST", "_BASE_", "VERSION") >= 2


def _monai(data: dict) -> bool:
    """Bundles reference other keys with ``@name`` and run code with ``$...``: Hydra files do neither."""
    def references(node: Any, budget: list) -> int:
        if budget[0] <= 0:
            return 0
        budget[0] -= 1
        if isinstance(node, str):
            return int(len(node) > 1 and node.startswith(("@", "$")) and not node.startswith("${"))
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        return sum(references(child, budget) for child in children)

    return references(data, [10_000]) >= 2 and _keys(data, "imports", "bundle_root", "network_def", "trainer",
                                                      "network", "optimizer") >= 1


def _accelerate(data: dict) -> bool:
    return _keys(data, "compute_environment", "distributed_type", "num_processes", "mixed_precision",
                 "machine_rank", "main_training_function", "num_machines", "rdzv_backend", "same_network",
                 "deepspeed_config", "downcast_bf16", "main_process_port") >= 3


#: (tool, recognised by, what to do instead)
KNOWN: tuple[tuple[str, Callable[[dict], bool], str], ...] = (
    ("MONAI bundle", _monai, ""),
    ("composer / llm-foundry", _composer, ""),
    ("fairseq", _fairseq, ""),
    ("detectron2 (yacs)", _detectron2, ""),
    ("accelerate launch", _accelerate, "it sets processes, not a schedule: read the training arguments and give "
     "--devices N (its num_processes)"),
)


def _match(data: Any) -> tuple[str, str] | None:
    if not isinstance(data, dict):
        return None
    for tool, recognised, instead in KNOWN:
        if recognised(data):
            return tool, instead
    return None


def detect(data: Any) -> float:
    return SURE if _match(data) else 0.0


def translate(data: dict, run: dict):
    tool, instead = _match(data) or ("unknown", "")
    raise ParamError((), refusal(tool, instead))


def refusal(tool: str, instead: str = "") -> str:
    article = "an" if tool[0].lower() in "aeiou" else "a"
    return f"this looks like {article} {tool} config; lrplot does not read {tool} configs yet" + \
        (f": {instead}" if instead else "")
