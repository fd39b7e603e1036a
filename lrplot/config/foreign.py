"""Config files people already have: LightningCLI, Hydra, Hugging Face TrainingArguments.

Each shape is translated into lrplot's own config dict, with a map from the
translated keys back to where they were written (so errors still name the
right line) and the list of keys lrplot did not use (full training configs
have many; ``from-config -v`` lists them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..engine.params import ParamError, format_path

_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


@dataclass
class Translation:
    shape: str  # "lrplot", "LightningCLI", "Hydra", "HF TrainingArguments"
    config: dict
    origin: dict[tuple, tuple] = field(default_factory=dict)  # translated path prefix -> path in the file
    ignored: list[str] = field(default_factory=list)

    def original_path(self, path: tuple) -> tuple:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.origin:
                return self.origin[path[:cut]] + path[cut:]
        return path


def translate(data: Any, steps_per_epoch: int | None = None) -> Translation:
    """Recognise the shape of ``data`` and return it as an lrplot config."""
    if not isinstance(data, dict):
        return Translation("lrplot", data)
    if "scheduler" in data and isinstance(data["scheduler"], str):
        return Translation("lrplot", data)
    if isinstance(data.get("lr_scheduler"), dict) and "class_path" in data["lr_scheduler"]:
        return _lightning(data)
    hydra = _find_hydra_scheduler(data)
    if hydra is not None:
        return _hydra(_resolve(data, data, ()), hydra)
    if "lr_scheduler_type" in data or "learning_rate" in data:
        return _huggingface(data, steps_per_epoch)
    if isinstance(data.get("sched"), str):
        return _timm(data, steps_per_epoch)
    return Translation("lrplot", data)


def _short(class_path: Any, path: tuple) -> str:
    if not isinstance(class_path, str) or not class_path.strip():
        raise ParamError(path, f"expected a class path such as torch.optim.lr_scheduler.StepLR, got {class_path!r}")
    return class_path.rsplit(".", 1)[-1]


def _optimizer_from(init: Any, path: tuple, origin: dict) -> dict:
    optimizer: dict = {}
    if not isinstance(init, dict):
        return optimizer
    for key in ("lr", "momentum", "betas"):
        if key in init:
            optimizer[key] = init[key]
            origin[("optimizer", key)] = path + (key,)
    return optimizer


def _unused(data: dict, used: set, prefix: str = "") -> list[str]:
    out = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if name in used:
            continue
        if isinstance(value, dict) and any(u.startswith(name + ".") for u in used):
            out += _unused(value, used, name + ".")
        else:
            out.append(name)
    return out


def _lightning(data: dict) -> Translation:
    """LightningCLI: ``lr_scheduler: {class_path, init_args}`` and ``optimizer: {class_path, init_args}``."""
    sched = data["lr_scheduler"]
    name = _short(sched["class_path"], ("lr_scheduler", "class_path"))
    params = dict(sched.get("init_args") or {})
    origin = {("scheduler",): ("lr_scheduler", "class_path"), ("params",): ("lr_scheduler", "init_args")}
    used = {"lr_scheduler.class_path", "lr_scheduler.init_args"}
    for key in ("monitor", "interval", "frequency"):  # Lightning's own keys, not the scheduler's
        if key in params:
            params.pop(key)
    config: dict = {"scheduler": name, "params": params}
    optimizer = data.get("optimizer")
    if isinstance(optimizer, dict):
        config["optimizer"] = _optimizer_from(optimizer.get("init_args"), ("optimizer", "init_args"), origin)
        used |= {f"optimizer.init_args.{k}" for k in config["optimizer"]} | {"optimizer.class_path"}
    trainer = data.get("trainer")
    if isinstance(trainer, dict) and isinstance(trainer.get("max_epochs"), int) and trainer["max_epochs"] > 0:
        config["epochs"] = trainer["max_epochs"]
        origin[("epochs",)] = ("trainer", "max_epochs")
        used.add("trainer.max_epochs")
    return Translation("LightningCLI", config, origin, _unused(data, used))


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
    name = _short(node["_target_"], where + ("_target_",))
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
        config["optimizer"] = _optimizer_from(opt, optimizer_path, origin)
        used |= {".".join(map(str, optimizer_path + (k,))) for k in opt}
    return Translation("Hydra", config, origin, _unused(data, used))


def _find_optimizer(data: dict) -> tuple | None:
    for key, value in data.items():
        if isinstance(value, dict):
            target = value.get("_target_")
            if isinstance(target, str) and target.startswith("torch.optim.") and "lr_scheduler" not in target:
                return (key,)
    return None


HF_DEFAULT_LR = 5e-5


def _huggingface(data: dict, steps_per_epoch: int | None) -> Translation:
    """TrainingArguments: lr_scheduler_type, lr_scheduler_kwargs, warmup_steps/ratio, max_steps or epochs."""
    kind = data.get("lr_scheduler_type", "linear")
    if not isinstance(kind, str):
        raise ParamError(("lr_scheduler_type",), f"expected a scheduler type such as 'cosine', got {kind!r}")
    kind = kind.split(".")[-1].lower()  # SchedulerType.COSINE -> cosine
    kwargs = data.get("lr_scheduler_kwargs") or {}
    if not isinstance(kwargs, dict):
        raise ParamError(("lr_scheduler_kwargs",), f"expected a mapping, got {kwargs!r}")
    origin = {("params",): ("lr_scheduler_kwargs",), ("scheduler",): ("lr_scheduler_type",),
              ("optimizer", "lr"): ("learning_rate",)}
    used = {"lr_scheduler_type", "lr_scheduler_kwargs", "learning_rate", "max_steps", "num_train_epochs",
            "warmup_steps", "warmup_ratio"}
    config: dict = {"scheduler": f"hf:{kind}", "params": dict(kwargs),
                    "optimizer": {"lr": data.get("learning_rate", HF_DEFAULT_LR)}}
    if kind == "reduce_lr_on_plateau":
        return Translation("HF TrainingArguments", config, origin, _unused(data, used))
    max_steps = data.get("max_steps", -1)
    if isinstance(max_steps, int) and max_steps > 0:
        training = max_steps
        origin[("params", "num_training_steps")] = ("max_steps",)
    else:
        epochs = data.get("num_train_epochs", 3.0)
        if not steps_per_epoch:
            raise ParamError(("num_train_epochs",), "without max_steps the schedule length is num_train_epochs x "
                             "steps per epoch: give --steps-per-epoch")
        training = math.ceil(float(epochs) * steps_per_epoch)
        origin[("params", "num_training_steps")] = ("num_train_epochs",)
    warmup = data.get("warmup_steps", 0) or 0
    ratio = data.get("warmup_ratio", 0) or 0
    if isinstance(warmup, float) and 0 < warmup < 1:
        ratio, warmup = warmup, 0
    warmup_steps = int(warmup) if warmup >= 1 else math.ceil(training * float(ratio))
    params = config["params"]
    if kind != "constant":
        params["num_warmup_steps"] = warmup_steps
        origin[("params", "num_warmup_steps")] = ("warmup_steps",) if "warmup_steps" in data else ("warmup_ratio",)
    if kind not in ("constant", "constant_with_warmup", "inverse_sqrt"):
        params["num_training_steps"] = training
    config["epochs"] = math.ceil(training / steps_per_epoch) if steps_per_epoch else training
    return Translation("HF TrainingArguments", config, origin, _unused(data, used))


# timm's train.py argument defaults: what a key missing from a timm YAML means.
TIMM_DEFAULTS = {
    "sched": "cosine", "epochs": 300, "decay_epochs": 90, "decay_milestones": [90, 180, 270], "warmup_epochs": 5,
    "warmup_lr": 1e-5, "min_lr": 0.0, "decay_rate": 0.1, "cooldown_epochs": 0, "patience_epochs": 10,
    "lr_cycle_mul": 1.0, "lr_cycle_decay": 0.5, "lr_cycle_limit": 1, "lr_k_decay": 1.0, "lr_noise": None,
    "lr_noise_pct": 0.67, "lr_noise_std": 1.0, "seed": 42, "warmup_prefix": False, "sched_on_updates": False,
    "eval_metric": "top1", "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "", "batch_size": 128,
    "grad_accum_steps": 1, "opt": "sgd",
}
_TIMM_CLASSES = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler", "step": "StepLRScheduler",
                 "constant": "StepLRScheduler", "multistep": "MultiStepLRScheduler", "plateau": "PlateauLRScheduler",
                 "poly": "PolyLRScheduler"}


def _timm(data: dict, steps_per_epoch: int | None) -> Translation:
    """timm's flat training YAML, through the same arithmetic as timm's create_scheduler_v2."""
    a = {**TIMM_DEFAULTS, **data}
    sched = a["sched"]
    if sched not in _TIMM_CLASSES:
        raise ParamError(("sched",), f"{sched!r}: lrplot reproduces timm's {', '.join(sorted(_TIMM_CLASSES))}")
    on_updates = bool(a["sched_on_updates"])
    if on_updates and not steps_per_epoch:
        raise ParamError(("sched_on_updates",), "stepping per update needs the number of updates per epoch: "
                         "give --steps-per-epoch")
    k = steps_per_epoch if on_updates else 1
    t_initial, warmup_t = a["epochs"] * k, a["warmup_epochs"] * k
    decay_t, cooldown_t = a["decay_epochs"] * k, a["cooldown_epochs"] * k
    milestones = [d * k for d in a["decay_milestones"]]
    noise = a["lr_noise"]
    if noise is not None:
        noise_range = [n * t_initial for n in noise] if isinstance(noise, list) else noise * t_initial
        if isinstance(noise_range, list) and len(noise_range) == 1:
            noise_range = noise_range[0]
    else:
        noise_range = None
    warm = {"warmup_lr_init": a["warmup_lr"], "warmup_t": warmup_t, "warmup_prefix": a["warmup_prefix"]}
    noise_args = {"noise_range_t": noise_range, "noise_pct": a["lr_noise_pct"], "noise_std": a["lr_noise_std"],
                  "noise_seed": a["seed"]}
    cycles = {"cycle_mul": a["lr_cycle_mul"], "cycle_decay": a["lr_cycle_decay"], "cycle_limit": a["lr_cycle_limit"]}
    name = _TIMM_CLASSES[sched]
    in_epochs = {"t_in_epochs": not on_updates}
    if sched == "cosine":
        params = {"t_initial": t_initial, "lr_min": a["min_lr"], **in_epochs, **cycles, **warm, **noise_args,
                  "k_decay": a["lr_k_decay"]}
    elif sched == "tanh":
        params = {"t_initial": t_initial, "lr_min": a["min_lr"], **in_epochs, **cycles, **warm, **noise_args}
    elif sched == "step":
        params = {"decay_t": decay_t, "decay_rate": a["decay_rate"], **in_epochs, **warm, **noise_args}
    elif sched == "constant":
        params = {"decay_t": 1, "decay_rate": 1.0, **in_epochs, **warm, **noise_args}
    elif sched == "multistep":
        params = {"decay_t": milestones, "decay_rate": a["decay_rate"], **in_epochs, **warm, **noise_args}
    elif sched == "plateau":
        if on_updates:
            raise ParamError(("sched_on_updates",), "timm's plateau scheduler only steps per epoch")
        warm.pop("warmup_prefix")
        mode = "min" if "loss" in str(a["eval_metric"]) else "max"
        params = {"decay_rate": a["decay_rate"], "patience_t": a["patience_epochs"], "cooldown_t": 0, **warm,
                  "lr_min": a["min_lr"], "mode": mode, **noise_args}
    else:  # poly
        params = {"power": a["decay_rate"], "t_initial": t_initial, "lr_min": a["min_lr"], **in_epochs,
                  "k_decay": a["lr_k_decay"], **cycles, **warm, **noise_args}
    # how long timm trains: the cycles plus cooldown (create_scheduler_v2's num_epochs)
    if sched in ("cosine", "tanh", "poly"):
        from ..engine.schedulers.timm import _cycle_length

        length = _cycle_length({**params, "t_initial": t_initial}) + cooldown_t
        epochs = length if not on_updates else length // k
    else:
        epochs = a["epochs"] + (a["warmup_epochs"] if a["warmup_prefix"] else 0)
    config: dict = {"scheduler": name, "params": {key: v for key, v in params.items() if v is not None},
                    "optimizer": {"lr": _timm_lr(a)}, "epochs": epochs}
    if on_updates:
        config["steps_per_epoch"] = k
    origin = {("optimizer", "lr"): ("lr",), ("scheduler",): ("sched",)}
    used = set(TIMM_DEFAULTS) | {"lr"}
    return Translation("timm", config, origin, _unused(data, used))


def _timm_lr(a: dict) -> float:
    """timm's train.py: lr, else lr_base scaled by the global batch size (one process assumed)."""
    if a.get("lr") is not None:
        return a["lr"]
    batch = a["batch_size"] * a["grad_accum_steps"]
    scale = a["lr_base_scale"] or ("sqrt" if any(o in str(a["opt"]).lower() for o in ("ada", "lamb")) else "linear")
    ratio = batch / a["lr_base_size"]
    return a["lr_base"] * (ratio ** 0.5 if scale == "sqrt" else ratio)


def describe_ignored(translation: Translation) -> str:
    keys = ", ".join(translation.ignored[:40]) + (" ..." if len(translation.ignored) > 40 else "")
    return f"{translation.shape} config: ignored {len(translation.ignored)} keys lrplot does not use: {keys}"


__all__ = ["translate", "Translation", "describe_ignored", "format_path"]
