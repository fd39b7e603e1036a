"""Same bits as another checkout: every scheduler, many parameter sets, two trees (a check, not a test).

    python tests/benchmarks/same_bits.py --before DIR

Runs the configurations built in ``WORKER`` (each registry example at 7, 1000 and 4321 steps with one and
three param groups, plus variants of the schedulers whose fast paths differ: eta_min recursions, restarts, OneCycle phases,
SequentialLR milestones, chains, timm cycles and noise, WSD shapes, YOLO warmups, plateau metrics) in this
tree and in ``DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``), each in its own process set up as the
``lrplot`` command is, and compares lr, momentum, marks and reductions bit for bit (errors by message).
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORKER = r'''
import pickle, sys
from lrplot._setup import prepare_process
prepare_process()
import numpy as np, lrplot
from lrplot.engine.registry import SCHEDULERS
cases = []
for name, cls in SCHEDULERS.items():
    ex = cls.spec.example
    for n in (7, 1000, 4321):
        cases.append({"scheduler": name, "params": ex, "epochs": n})
        cases.append({"scheduler": name, "params": ex, "epochs": n, "optimizer": {"lr": [0.1, 0.02, 3e-5]}})
S = lambda name, n, **p: cases.append({"scheduler": name, "params": p, "epochs": n})
for T in (1, 2, 3, 7, 1000):
    for eta in (0.0, 1e-5, 0.05):
        S("CosineAnnealingLR", 5000, T_max=T, eta_min=eta)
    for mult in (1, 2, 3):
        S("CosineAnnealingWarmRestarts", 5000, T_0=T, T_mult=mult, eta_min=0.001)
for strat in ("cos", "linear"):
    for three in (False, True):
        for pct in (0.0, 0.1, 0.3, 0.6, 1.0):
            S("OneCycleLR", 3000, max_lr=0.1, total_steps=3000, anneal_strategy=strat, three_phase=three, pct_start=pct)
for ms in ([0], [10], [10, 10], [5, 40], [4000], [0, 3]):
    kids = [{"scheduler": "LinearLR", "params": {"start_factor": 0.1, "total_iters": 7}},
            {"scheduler": "CosineAnnealingLR", "params": {"T_max": 13, "eta_min": 0.001}},
            {"scheduler": "CosineAnnealingWarmRestarts", "params": {"T_0": 5, "T_mult": 2}}][:len(ms) + 1]
    S("SequentialLR", 300, schedulers=kids, milestones=ms)
S("ChainedScheduler", 3000, schedulers=[{"scheduler": "ConstantLR", "params": {"factor": 0.5, "total_iters": 100}},
                                       {"scheduler": "ExponentialLR", "params": {"gamma": 0.999}},
                                       {"scheduler": "StepLR", "params": {"step_size": 7}}])
S("ChainedScheduler", 3000, schedulers=[{"scheduler": "CosineAnnealingLR", "params": {"T_max": 50, "eta_min": 0.01}},
                                       {"scheduler": "MultiStepLR", "params": {"milestones": [5, 500]}}])
for tn in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
    for extra in ({}, {"cycle_limit": 3}, {"cycle_mul": 2.0, "cycle_limit": 5}, {"cycle_decay": 0.5, "cycle_limit": 4},
                  {"k_decay": 1.5}, {"warmup_t": 10, "warmup_prefix": True, "warmup_lr_init": 1e-4}, {"lr_min": 0.01}):
        S(tn, 2000, t_initial=100, **extra)
for st in ({"decay_t": 30, "decay_rate": 0.5}, {"decay_t": 2.5, "decay_rate": 0.9}, {"decay_t": 30, "decay_rate": 0.5, "warmup_t": 3}):
    S("StepLRScheduler", 5000, **st)
S("MultiStepLRScheduler", 5000, decay_t=[30, 60, 60, 4000], decay_rate=0.5)
for dfn in ("linear", "1-sqrt", "cosine", "power", "exp"):
    S("WSDLRScheduler", 3000, t_initial=1000, decay_t=200, warmup_t=10, decay_fn=dfn)
for wt in ("linear", "cosine", "1-sqrt"):
    for dt in ("linear", "cosine", "1-sqrt"):
        S("hf:warmup_stable_decay", 400, num_warmup_steps=30, num_decay_steps=100, num_training_steps=300, warmup_type=wt, decay_type=dt, min_lr_ratio=0.1)
        S("hf:warmup_stable_decay", 400, num_warmup_steps=30, num_decay_steps=40, num_training_steps=50, warmup_type=wt, decay_type=dt)
for y in ("ultralytics:BaseTrainer", "yolov5:train"):
    for extra in ({}, {"cos_lr": True}, {"warmup_epochs": 0}, {"warmup_epochs": 50}):
        cases.append({"scheduler": y, "params": {"epochs": 30, "nb": 11, **extra}, "optimizer": {"lr": 0.01, "momentum": 0.9}})
rng = np.random.default_rng(0)
for i in range(40):
    m = (1 / (1 + np.arange(500) * 0.01) + rng.normal(0, 0.02, 500)).tolist()
    p = {"patience": int(rng.integers(0, 6)), "cooldown": int(rng.integers(0, 4)), "threshold": float(rng.choice([0, 1e-4, 0.01])),
         "mode": str(rng.choice(["min", "max"])), "threshold_mode": str(rng.choice(["rel", "abs"])), "factor": 0.5}
    cases.append({"scheduler": "ReduceLROnPlateau", "params": p, "epochs": 501, "metrics": m})
    cases.append({"scheduler": "PlateauLRScheduler", "params": {"patience_t": p["patience"], "mode": p["mode"], "warmup_t": int(rng.integers(0, 20)), "noise_range_t": [10, 300]}, "epochs": 501, "metrics": m})
for n in (100, 20000):
    S("CosineLRScheduler", n, t_initial=n, noise_range_t=0, t_in_epochs=False)
    S("CosineLRScheduler", n, t_initial=n, noise_range_t=0, noise_type="uniform", t_in_epochs=False)
out = []
for c in cases:
    try:
        r = lrplot.run_config(c)
        out.append((r.lr, r.momentum, r.marks, list(r.reductions)))
    except Exception as e:
        out.append(f"{type(e).__name__}: {e}")
pickle.dump((cases, out), open(sys.argv[1], "wb"))
'''


def run(tree: str, path: str) -> tuple:
    subprocess.run([sys.executable, "-c", WORKER, path], check=True, cwd=os.path.dirname(path),
                   env={**os.environ, "PYTHONPATH": tree})
    with open(path, "rb") as f:
        return pickle.load(f)


def _same(a, b) -> bool:
    import numpy as np

    if isinstance(a, str) or isinstance(b, str):
        return a == b
    momentum = (a[1] is None and b[1] is None) or (a[1] is not None and b[1] is not None and np.array_equal(a[1], b[1]))
    return np.array_equal(a[0], b[0]) and momentum and a[2] == b[2] and a[3] == b[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases, before = run(os.path.abspath(args.before), os.path.join(folder, "before.pkl"))
        _, after = run(TREE, os.path.join(folder, "after.pkl"))
    differ = [case for case, a, b in zip(cases, before, after) if not _same(a, b)]
    for case in differ:
        print("differs:", case)
    print(f"{len(cases)} configurations, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
