"""timm's flat training YAML (train.py's arguments), through the arithmetic of timm's create_scheduler_v2."""

from __future__ import annotations

from typing import Any

from ...engine.params import to_float, to_int
from ...errors import ParamError, shown
from . import Translation, own_trainer, unused

NAME = "timm"


def detect(data: Any) -> float:
    return 0.5 if isinstance(data, dict) and isinstance(data.get("sched"), str) else 0.0


def translate(data: dict, run: dict) -> Translation:
    if run.get("dataset_size") is None:
        return _timm(data, run.get("steps_per_epoch"))
    own_trainer(run, "timm", "a timm training config")
    if data.get("aug_repeats"):
        raise ParamError(("aug_repeats",), "timm's RepeatAugSampler changes the epoch's length; lrplot counts "
                         "without it: give --steps-per-epoch K (timm's updates_per_epoch) instead")
    block = {"trainer": "timm", "dataset_size": run["dataset_size"], "devices": run.get("devices") or 1,
             "batch_size": run.get("batch_size") or _typed("batch_size", data.get("batch_size", 128), 128),
             "grad_accum": run.get("grad_accum") or _typed("grad_accum_steps", data.get("grad_accum_steps", 1), 1)}
    from ...engine.trainers import parse_run, plan

    per_epoch = plan(parse_run(block, 1)).steps_per_epoch
    out = _timm(data, per_epoch, block["devices"])
    config = out.config
    config.pop("steps_per_epoch", None)
    config["run"] = block
    if run.get("epochs") is not None:
        config["epochs"] = run["epochs"]
    out.counted_run = True
    return out


# timm's train.py argument defaults: what a key missing from a timm YAML means.  decay_epochs None is
# create_scheduler_v2's (timm 1.0.31): 90 epochs for step, 0.2 of the stable + decay length for wsd / rsqrt.
TIMM_DEFAULTS = {
    "sched": "cosine", "epochs": 300, "decay_epochs": None, "decay_milestones": [90, 180, 270], "warmup_epochs": 5,
    "warmup_lr": 1e-5, "min_lr": 0.0, "decay_rate": 0.1, "cooldown_epochs": 0, "patience_epochs": 10,
    "lr_cycle_mul": 1.0, "lr_cycle_decay": 0.5, "lr_cycle_limit": 1, "lr_k_decay": 1.0, "lr_noise": None,
    "lr_noise_pct": 0.67, "lr_noise_std": 1.0, "seed": 42, "warmup_prefix": False, "sched_on_updates": False,
    "eval_metric": "top1", "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "", "batch_size": 128,
    "grad_accum_steps": 1, "opt": "sgd", "lr_decay_fn": None, "lr_stable_timescale": None,
}
_TIMM_CLASSES = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler", "step": "StepLRScheduler",
                 "constant": "StepLRScheduler", "multistep": "MultiStepLRScheduler", "plateau": "PlateauLRScheduler",
                 "poly": "PolyLRScheduler", "wsd": "WSDLRScheduler", "rsqrt": "WSDLRScheduler",
                 "none": "StepLRScheduler"}


def _timm(data: dict, steps_per_epoch: int | None, devices: int = 1) -> Translation:
    """timm's flat training YAML, through the same arithmetic as timm's create_scheduler_v2."""
    a = dict(TIMM_DEFAULTS)
    for key, value in data.items():
        if key in TIMM_DEFAULTS or key == "lr":  # only what lrplot reads is typed; the rest is train.py's business
            a[key] = _typed(key, value, TIMM_DEFAULTS.get(key, value))
    sched = a["sched"]
    if sched not in _TIMM_CLASSES:
        raise ParamError(("sched",), f"{sched!r}: lrplot reproduces timm's {', '.join(sorted(_TIMM_CLASSES))}")
    on_updates = bool(a["sched_on_updates"])
    if on_updates and not steps_per_epoch:
        raise ParamError(("sched_on_updates",), "stepping per update needs the number of updates per epoch: "
                         "give --steps-per-epoch")
    k = steps_per_epoch if on_updates else 1
    notes = []
    if a["decay_epochs"] is None:
        if sched in ("wsd", "rsqrt"):  # train.py's default (90 epochs, or unset: the factory's 0.2) is not sure
            raise ParamError(("decay_epochs",), f"missing: with sched {sched} it is the length of the decay, and "
                             "timm's train.py default for it differs between versions (90 epochs, or unset: "
                             "create_scheduler_v2's 0.2 of the run); write decay_epochs in the file")
        a["decay_epochs"] = 90
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
    elif sched == "none":  # no scheduler: the optimizer's lr, untouched
        params = {"decay_t": 1, "decay_rate": 1.0}
        notes.append("sched: none: timm builds no scheduler and the lr stays at lr (drawn as a StepLRScheduler "
                     "that never decays)")
    elif sched in ("wsd", "rsqrt"):
        params = _wsd(a, sched, t_initial, warmup_t, decay_t, k)
        params.update({**in_epochs, "warmup_t": warmup_t, "warmup_lr_init": a["warmup_lr"], **noise_args})
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
        from ...engine.schedulers.timm import _cycle_length

        length = _cycle_length({**params, "t_initial": t_initial}) + cooldown_t
        epochs = length if not on_updates else length // k
    elif sched in ("wsd", "rsqrt"):  # get_cycle_length(): warmup_t + t_initial, then the cooldown
        length = warmup_t + params["t_initial"] + cooldown_t
        epochs = length if not on_updates else length // k
    else:
        epochs = a["epochs"] + (a["warmup_epochs"] if a["warmup_prefix"] else 0)
    config: dict = {"scheduler": name, "params": {key: v for key, v in params.items() if v is not None},
                    "optimizer": {"lr": _timm_lr(a, devices)}, "epochs": epochs}
    if on_updates:
        config["steps_per_epoch"] = k
    origin = {("optimizer", "lr"): ("lr",), ("scheduler",): ("sched",)}
    used = set(TIMM_DEFAULTS) | {"lr"}
    return Translation(NAME, config, origin, unused(data, used), notes=notes)


def _wsd(a: dict, sched: str, t_initial: int, warmup_t: int, decay_t, k: int) -> dict:
    """create_scheduler_v2's wsd / rsqrt: the warmup is always a prefix, so without warmup_prefix the stable and
    decay phases fit in the epochs after it; decay_epochs in (0, 1) is a fraction of them."""
    t_sched = t_initial if a["warmup_prefix"] else t_initial - warmup_t
    if 0 < a["decay_epochs"] < 1:
        decay_t = a["decay_epochs"] * t_sched
    decay_t = int(round(decay_t))
    if not 0 < decay_t <= t_sched:
        raise ParamError(("decay_epochs",), f"{sched} needs 0 < decay_epochs <= epochs"
                         f"{'' if a['warmup_prefix'] else ' - warmup_epochs'}: decay {decay_t} with a stable + decay "
                         f"length of {t_sched} (timm raises ValueError)")
    timescale = a["lr_stable_timescale"]
    return {"t_initial": t_sched, "decay_t": decay_t, "lr_min": a["min_lr"],
            "stable_fn": "rsqrt" if sched == "rsqrt" else "constant",
            "stable_timescale": None if timescale is None else timescale * k,
            "decay_fn": a["lr_decay_fn"] or ("linear" if sched == "rsqrt" else "1-sqrt")}


def _typed(key: str, value: Any, default: Any) -> Any:
    """A train.py argument as argparse would have typed it (null only where its default is None)."""
    if value is None:
        if default is None:
            return None
        raise ParamError((key,), f"null: timm's train.py needs a value here (its default is {shown(default)})")
    if key == "decay_epochs":  # train.py's type=float: a fraction (wsd / rsqrt) or a length
        number = to_float(value, (key,))
        return to_int(value, (key,)) if number.is_integer() and not isinstance(value, float) else number
    if key == "lr_stable_timescale":
        return to_float(value, (key,))
    if key == "lr_decay_fn" and not isinstance(value, str):
        raise ParamError((key,), f"expected a decay function name such as '1-sqrt', got {shown(value)}")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ParamError((key,), f"expected true or false, got {shown(value)}")
        return value
    if isinstance(default, int):
        return to_int(value, (key,))
    if isinstance(default, float):
        return to_float(value, (key,))
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ParamError((key,), f"expected a list (timm's nargs='+'), got {shown(value)}")
        return [to_int(v, (key, i)) for i, v in enumerate(value)]
    if key == "lr_noise":
        items = value if isinstance(value, list) else [value]
        return [to_float(v, (key, i)) for i, v in enumerate(items)] if isinstance(value, list) else \
            to_float(value, (key,))
    if key == "lr":
        return to_float(value, (key,))
    return value


def _timm_lr(a: dict, devices: int = 1) -> float:
    """timm's train.py: lr, else lr_base scaled by the global batch size (batch x grad_accum x devices)."""
    if a.get("lr") is not None:
        return a["lr"]
    batch = a["batch_size"] * a["grad_accum_steps"] * devices
    scale = a["lr_base_scale"] or ("sqrt" if any(o in str(a["opt"]).lower() for o in ("ada", "lamb")) else "linear")
    ratio = batch / a["lr_base_size"]
    return a["lr_base"] * (ratio ** 0.5 if scale == "sqrt" else ratio)


