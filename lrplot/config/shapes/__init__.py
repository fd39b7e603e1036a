"""Config files people already have, one module per shape: detect, then translate to lrplot's config.

Every shape module has ``NAME``, ``detect(data) -> float`` (0: not this shape; higher: surer) and
``translate(data, run) -> Translation``.  :func:`translate` picks the one shape that is surest; a tie is
refused naming the candidates, never guessed.  Adding a shape is adding a module to ``SHAPES_BY_PRIORITY``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ...engine.params import to_float, to_int
from ...errors import ParamError, shown


@dataclass
class Translation:
    shape: str  # "lrplot", "LightningCLI", "Hydra", "HF TrainingArguments", "timm"
    config: Any
    origin: dict[tuple, tuple] = field(default_factory=dict)  # translated path prefix -> path in the file
    ignored: list[str] = field(default_factory=list)
    prelude: list[str] = field(default_factory=list)  # what was done to the data first (splits, caps): stderr
    notes: list[str] = field(default_factory=list)  # how values were resolved (warmup, overrides): stderr
    defaults: list[str] = field(default_factory=list)  # "key=value" filled from the trainer's defaults: -v
    warnings: list[str] = field(default_factory=list)
    counted_run: bool = False  # the shape read the run flags (dataset size, batch, epochs, ...) and counted
    monitor: str | None = None  # the metric a plateau scheduler watches (Lightning's monitor), for the title
    options_read: tuple = ()  # shape-only flags it read (--num-classes, ...); any other given is refused
    own_flags: tuple = ()  # common flags the shape applied itself (YOLO's --lr is lr0), not written over it
    findings: list = field(default_factory=list)  # engine.findings.Finding about the file (lrplot check)
    replaced: dict | None = None  # the trainer's own {scheduler, params} that a DeepSpeed block replaced

    def warn(self, finding) -> None:
        """A finding that every run also says on stderr as a warning."""
        self.findings.append(finding)
        self.warnings.append(finding.message)

    def original_path(self, path: tuple) -> tuple:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.origin:
                return self.origin[path[:cut]] + path[cut:]
        return path


def translate(data: Any, run: dict | None = None) -> Translation:
    """Recognise the shape of ``data`` and return it as an lrplot config.

    ``run`` carries the run flags a shape reads with the file's own values (``dataset_size``,
    ``batch_size``, ``epochs``, ..., ``steps_per_epoch``) and ``base`` (the file's directory).
    """
    run = run or {}
    scores = [(shape.detect(data), shape) for shape in SHAPES_BY_PRIORITY]
    best = max(score for score, _ in scores)
    if best <= 0:
        if isinstance(data, dict) and "scheduler" not in data:
            raise ParamError((), "this file matches none of the configs lrplot reads: lrplot's own YAML names "
                             "'scheduler: <name>' (see 'lrplot list') with 'params:', and lrplot reads HF "
                             "TrainingArguments, axolotl, LLaMA-Factory, torchtune, DeepSpeed, LightningCLI, Hydra, "
                             "timm, YOLO, NeMo and Keras configs (README: Your trainer's config)")
        return Translation("lrplot", data)
    sure = [shape for score, shape in scores if score == best]
    if len(sure) > 1:
        raise ParamError((), "this file looks like " + " and like ".join(f"a {s.NAME} config" for s in sure) +
                         "; lrplot cannot tell which, so it reads neither")
    return sure[0].translate(data, run)


def signature(data: Any, keys: frozenset, at_least: int = 2) -> float:
    """How many of a shape's distinctive ``keys`` a mapping has (0 below ``at_least``): never one key alone."""
    if not isinstance(data, dict):
        return 0.0
    found = sum(1 for key in data if key in keys)
    return float(found) if found >= at_least else 0.0


def given(run: dict, key: str, data: dict, file_key: str, default: Any, convert, translation) -> Any:
    """A run value: the flag's, else the file's ``file_key``, else the trainer's ``default`` (noted for -v)."""
    if run.get(key) is not None:
        return run[key]
    value = data.get(file_key)
    if value is None:
        if default is not None:
            translation.defaults.append(f"{file_key}={default}")
        return default
    return convert(data, file_key, default)


def own_trainer(run: dict, trainer: str, what: str) -> None:
    """A file of ``what`` is counted by ``trainer``; a different --trainer is refused, naming the flag."""
    given_trainer = run.get("trainer")
    if given_trainer not in (None, trainer):
        from ...errors import LrplotError

        raise LrplotError(f"--trainer {shown(given_trainer)[1:-1]}: {what} is counted as --trainer {trainer} does; "
                          "leave --trainer out")


def positive(data: dict, key: str, default: Any) -> Any:
    """``data[key]`` as an integer >= 1 (a count: batch, accumulation, steps, epochs), located when not."""
    value = integer(data, key, default)
    if value is not None and value is not default and value < 1:
        raise ParamError((key,), f"{value} is invalid: must be >= 1")
    return value


def held_out(examples: int, data: dict, path: tuple, out: Translation) -> int:
    """Examples left after ``train_test_split(test_size=v)`` (datasets: ``int(v)`` above 1, else ``ceil(v x N)``);
    a value of 1e-6 or less is no split, as LLaMA-Factory and axolotl skip it."""
    node = data
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else {}
    value = number(node, path[-1], 0.0) if isinstance(node, dict) else 0.0
    if value < 0:
        raise ParamError(path, f"{value:g} is invalid: a held-out size is >= 0")
    if value <= 1e-6:
        return examples
    held = int(value) if value > 1 else math.ceil(value * examples)
    name = ".".join(map(str, path))
    if held >= examples:
        raise ParamError(path, f"{value:g} holds out {held:,} of {examples:,} examples: none left to train")
    out.prelude.append(f"{name} {value:g}: {held:,} of {examples:,} examples held out, {examples - held:,} train")
    return examples - held


def monitor_title(value: Any) -> str | None:
    """The metric a plateau scheduler watches (Lightning's / Hydra's ``monitor``), as the title shows it."""
    return shown(value, 40)[1:-1] if isinstance(value, str) and value.strip() else None


def number(data: dict, key: str, default: Any) -> Any:
    """``data[key]`` as a finite float (a located error otherwise); ``default`` when absent or null."""
    value = data.get(key)
    return default if value is None else to_float(value, (key,))


def integer(data: dict, key: str, default: Any) -> Any:
    value = data.get(key)
    return default if value is None else to_int(value, (key,))


def mapping(data: dict, key: str) -> dict:
    """``data[key]`` as a mapping (absent or null: empty)."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParamError((key,), f"expected a mapping of names to values, got {shown(value)}")
    return value


def short_class(class_path: Any, path: tuple) -> str:
    if not isinstance(class_path, str) or not class_path.strip():
        raise ParamError(path, f"expected a class path such as torch.optim.lr_scheduler.StepLR, got {class_path!r}")
    return class_path.rsplit(".", 1)[-1]


#: torch.optim classes with Adam-style betas, and their default (momentum cycling moves beta1)
BETAS_DEFAULT = {name: [0.9, 0.999] for name in ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam")}


def optimizer_from(init: Any, path: tuple, origin: dict, target: Any = None) -> dict:
    """The optimizer's lr, momentum and betas; an Adam-style ``target`` class without betas gets torch's."""
    optimizer: dict = {}
    init = init if isinstance(init, dict) else {}
    for key in ("lr", "momentum", "betas"):
        if key in init:
            optimizer[key] = init[key]
            origin[("optimizer", key)] = path + (key,)
    name = target.rsplit(".", 1)[-1] if isinstance(target, str) else None
    if "betas" not in optimizer and name in BETAS_DEFAULT:
        optimizer["betas"] = list(BETAS_DEFAULT[name])
    return optimizer


def unused(data: dict, used: set, prefix: str = "") -> list[str]:
    """The keys of ``data`` (dotted) that no translation read, for ``-v``."""
    out = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if name in used:
            continue
        if isinstance(value, dict) and any(u.startswith(name + ".") for u in used):
            out += unused(value, used, name + ".")
        else:
            out.append(name)
    return out


def describe_ignored(translation: Translation) -> str:
    keys = ", ".join(translation.ignored[:40]) + (" ..." if len(translation.ignored) > 40 else "")
    count = len(translation.ignored)
    return f"{translation.shape} config: ignored {count} key{'s' if count != 1 else ''} lrplot does not use: {keys}"


from . import (axolotl, deepspeed, hf, hydra, keras, lightning, llamafactory, llamafactory_v1, named, nemo, own,  # noqa: E402
               timm, torchtune, yolo)

#: Every shape lrplot reads or names; ``own`` (lrplot's YAML) is surest when it matches.
SHAPES_BY_PRIORITY = (own, lightning, hydra, hf, llamafactory, llamafactory_v1, axolotl, torchtune, deepspeed, named,
                      timm, yolo, nemo, keras)

__all__ = ["translate", "Translation", "describe_ignored", "SHAPES_BY_PRIORITY"]
