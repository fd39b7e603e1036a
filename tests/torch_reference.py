"""Run an lrplot config dict through real torch (only the fixture generators and the live tests use it).

torch, transformers and timm are each imported inside the function that needs them, so
fixtures/gen_torch.py never imports transformers or timm, gen_hf.py never timm, gen_timm.py never
transformers.  Expressions (``lr_lambda``, ``scale_fn``) become plain Python callables with
Python semantics, exactly what a user's ``lambda epoch: ...`` would be.
"""

from __future__ import annotations

import random
import warnings
from typing import Any

from lrplot.engine.expr import compile_expression
from lrplot.engine.registry import lookup


def _callables(value: Any, var: str):
    if isinstance(value, list):
        return [compile_expression(v, var).python() for v in value]
    return compile_expression(value, var).python()


def _make_hf(name: str, params: dict, opt):
    from transformers import get_scheduler

    kwargs = dict(params)
    warmup = kwargs.pop("num_warmup_steps", 0)
    training = kwargs.pop("num_training_steps", None)
    return get_scheduler(name, opt, num_warmup_steps=warmup, num_training_steps=training,
                         scheduler_specific_kwargs=kwargs)


def _make(torch_sched, name: str, params: dict, opt, last_epoch: int = -1):
    """The torch scheduler for a config; ``last_epoch`` as resuming code passes it (see lrplot's start_step)."""
    cls_name = lookup(name).spec.name
    kwargs = dict(params or {})
    if cls_name.startswith("hf:"):
        if last_epoch != -1:
            raise NotImplementedError("resume fixtures cover torch schedulers")
        return _make_hf(cls_name[3:], kwargs, opt)
    if cls_name in ("SequentialLR", "ChainedScheduler"):
        # a resumed chain passes last_epoch to each child; SequentialLR's children are built fresh
        child_epoch = last_epoch if cls_name == "ChainedScheduler" else -1
        children = [_make(torch_sched, c["scheduler"], c.get("params") or {}, opt, child_epoch)
                    for c in kwargs.pop("schedulers")]
        if cls_name == "SequentialLR":
            own = kwargs.get("last_epoch", -1)  # a nested SequentialLR built with its own last_epoch
            return torch_sched.SequentialLR(opt, schedulers=children, milestones=kwargs["milestones"],
                                            last_epoch=last_epoch if last_epoch != -1 else own)
        return torch_sched.ChainedScheduler(children, optimizer=opt)
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = _callables(kwargs["lr_lambda"], "epoch")
    if kwargs.get("scale_fn") is not None:
        kwargs["scale_fn"] = _callables(kwargs["scale_fn"], "x")
    if cls_name == "OneCycleLR" and "pct_start" in kwargs:
        kwargs["pct_start"] = float(kwargs["pct_start"])
    if last_epoch != -1:  # ReduceLROnPlateau has no last_epoch
        kwargs["last_epoch"] = last_epoch
    return getattr(torch_sched, cls_name)(opt, **kwargs)


def load_timm_schedulers():
    """timm's scheduler classes without importing timm (and torchvision): an empty package over its folder."""
    import importlib.util
    import sys
    import types

    if "timm.scheduler" in sys.modules:
        return sys.modules["timm.scheduler"]
    spec = importlib.util.find_spec("timm")
    package = types.ModuleType("timm")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["timm"] = package
    import timm.scheduler  # noqa: F401

    return sys.modules["timm.scheduler"]


def timm_run(config: dict) -> dict:
    """The lr timm gives, stepped as timm's train.py does (step(epoch) per epoch, step_update per update)."""
    scheduler_module = load_timm_schedulers()
    import torch

    optimizer = config.get("optimizer") or {}
    lrs = optimizer.get("lr", 0.1)
    lrs = lrs if isinstance(lrs, list) else [lrs]
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    opt = torch.optim.SGD(groups, lr=lrs[0], momentum=optimizer.get("momentum", 0.0))
    name = lookup(config["scheduler"]).spec.name
    params = dict(config.get("params") or {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = getattr(scheduler_module, name)(opt, **params)
        per_epoch = config.get("steps_per_epoch")
        metrics = config.get("metrics")
        in_epochs = params.get("t_in_epochs", True)
        rows = []
        n = config["epochs"] * (per_epoch or 1)
        for j in range(n):
            rows.append([float(g["lr"]) for g in opt.param_groups])
            t = j + 1
            if metrics is not None:
                sched.step(t, metrics[j])
            elif per_epoch:
                sched.step_update(t)
                if t % per_epoch == 0:
                    sched.step(t // per_epoch)
            elif in_epochs:
                sched.step(t)
            else:
                sched.step_update(t)
    return {"lr": rows, "momentum": [[0.0] * len(lrs)] * len(rows)}


def torch_run(config: dict) -> dict:
    """``{"lr": [[...], ...], "momentum": [[...]] or None}`` from torch itself (or timm / transformers)."""
    family = lookup(config["scheduler"]).spec.family
    if getattr(family, "name", family) == "timm":  # a Family, or its name in older lrplot
        return timm_run(config)
    from torch.optim import lr_scheduler

    from fixtures.torch_rows import dummy_optimizer

    optimizer = config.get("optimizer") or {}
    opt, read_m = dummy_optimizer(optimizer)
    n = config["epochs"]
    metrics = config.get("metrics")
    start = config.get("start_step", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = _make(lr_scheduler, config["scheduler"], config.get("params") or {}, opt)
        if start:  # run to the checkpoint, restore the optimizer into a new one, rebuild with last_epoch
            for _ in range(start):
                opt.step()
                sched.step()
            saved = opt.state_dict()
            opt, _ = dummy_optimizer(optimizer)  # a new one, as after a restart
            opt.load_state_dict(saved)
            sched = _make(lr_scheduler, config["scheduler"], config.get("params") or {}, opt, last_epoch=start)
            n -= start
        lr_rows, m_rows = [], []
        for i in range(n):
            lr_rows.append([float(g["lr"]) for g in opt.param_groups])
            m_rows.append([float(read_m(g)) for g in opt.param_groups])
            if i < n - 1:
                opt.step()
                if metrics is not None:
                    sched.step(metrics[i])
                else:
                    sched.step()
    return {"lr": lr_rows, "momentum": m_rows}


# --- random configurations for the live differential test --------------------------------------

def _leaf(rng: random.Random, groups: int, steps: int) -> dict:
    kind = rng.choice(["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                       "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "LambdaLR", "MultiplicativeLR",
                       "CyclicLR", "OneCycleLR"])
    r = rng.random
    if kind == "StepLR":
        p = {"step_size": rng.randint(1, 40), "gamma": round(r(), 3)}
    elif kind == "MultiStepLR":
        p = {"milestones": sorted(rng.randint(0, steps) for _ in range(rng.randint(0, 5))), "gamma": round(r() * 1.5, 3)}
    elif kind == "ConstantLR":
        p = {"factor": round(r() * 0.99 + 0.01, 4), "total_iters": rng.randint(0, 30)}
    elif kind == "LinearLR":
        p = {"start_factor": round(r() * 0.99 + 0.01, 4), "end_factor": round(r(), 4), "total_iters": rng.randint(1, 60)}
    elif kind == "ExponentialLR":
        p = {"gamma": round(0.8 + 0.2 * r(), 5)}
    elif kind == "PolynomialLR":
        p = {"total_iters": rng.randint(1, 80), "power": rng.choice([1.0, 2.0, 0.5, round(r() * 3, 3)])}
    elif kind == "CosineAnnealingLR":
        p = {"T_max": rng.randint(1, 60), "eta_min": rng.choice([0.0, 1e-4, round(r() * 0.01, 5)])}
    elif kind == "CosineAnnealingWarmRestarts":
        p = {"T_0": rng.randint(1, 30), "T_mult": rng.randint(1, 3), "eta_min": rng.choice([0.0, 1e-5])}
    elif kind == "LambdaLR":
        p = {"lr_lambda": rng.choice(["0.95 ** epoch", "1 / (1 + 0.1 * epoch)", "0.1 ** (epoch // 10)",
                                      "min(1.0, (epoch + 1) / 10)", "exp(-0.01 * epoch)",
                                      "0.5 * (1 + cos(pi * epoch / 50))"])}
    elif kind == "MultiplicativeLR":
        p = {"lr_lambda": rng.choice(["0.99", "0.9 if epoch % 5 == 0 else 1.0", "1 - 0.001 * (epoch % 7)"])}
    elif kind == "CyclicLR":
        mode = rng.choice(["triangular", "triangular2", "exp_range"])
        p = {"base_lr": round(r() * 0.01, 5), "max_lr": round(0.01 + r() * 0.1, 5),
             "step_size_up": rng.randint(1, 30), "step_size_down": rng.choice([None, rng.randint(1, 30)]),
             "mode": mode, "gamma": round(0.99 + 0.01 * r(), 5), "cycle_momentum": rng.random() < 0.5}
    else:
        p = {"max_lr": round(0.01 + r(), 4), "total_steps": steps + rng.randint(0, 20),
             "pct_start": round(0.05 + 0.9 * r(), 3), "anneal_strategy": rng.choice(["cos", "linear"]),
             "three_phase": rng.random() < 0.3, "cycle_momentum": rng.random() < 0.5}
    return {"scheduler": kind, "params": p}


def _composite(rng: random.Random, groups: int, steps: int, depth: int) -> dict:
    children = []
    for _ in range(rng.randint(1, 3)):
        if depth < 2 and rng.random() < 0.25:
            children.append(_composite(rng, groups, steps, depth + 1))
            continue
        child = _leaf(rng, groups, steps)
        while child["scheduler"] in ("OneCycleLR", "CyclicLR") and rng.random() < 0.7:
            child = _leaf(rng, groups, steps)
        children.append(child)
    if rng.random() < 0.5:
        milestones = sorted(rng.randint(0, steps) for _ in children[1:])
        return {"scheduler": "SequentialLR", "params": {"schedulers": children, "milestones": milestones}}
    return {"scheduler": "ChainedScheduler", "params": {"schedulers": children}}


def random_config(seed: int) -> dict:
    """A random valid config: a leaf, ReduceLROnPlateau, or nested SequentialLR/ChainedScheduler."""
    rng = random.Random(seed)
    groups = rng.choice([1, 1, 2, 3])
    steps = rng.randint(1, 300)
    shape = rng.random()
    extra: dict = {}
    if shape < 0.5:
        sched = _leaf(rng, groups, steps)
    elif shape < 0.6:
        sched = {"scheduler": "ReduceLROnPlateau", "params": {
            "mode": rng.choice(["min", "max"]), "factor": round(rng.random() * 0.9, 3),
            "patience": rng.randint(0, 8), "threshold": rng.choice([1e-4, 0.0, 0.01]),
            "threshold_mode": rng.choice(["rel", "abs"]), "cooldown": rng.randint(0, 4),
            "min_lr": rng.choice([0.0, 1e-3]), "eps": rng.choice([1e-8, 0.0])}}
        level = 1.0
        metrics = []
        for _ in range(steps):
            level = level * (1 - 0.05 * rng.random()) if rng.random() < 0.4 else level * (1 + 0.02 * rng.random())
            metrics.append(round(level, 6))
        extra["metrics"] = metrics
    else:
        sched = _composite(rng, groups, steps, 0)
    lrs = [round(0.001 + rng.random(), 4) for _ in range(groups)]
    optimizer: dict = {"lr": lrs if groups > 1 else lrs[0]}
    if rng.random() < 0.3:
        optimizer["betas"] = [0.9, 0.999]
    else:
        optimizer["momentum"] = rng.choice([0.0, 0.9])
    return {**sched, "optimizer": optimizer, "epochs": steps, **extra}
