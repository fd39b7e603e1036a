"""Regenerate the golden fixtures with real torch (the only place torch is used).

    pip install torch==2.13.0
    python scripts/make_fixtures.py

Writes ``tests/fixtures/torch_golden.json`` (the configs) and
``tests/fixtures/torch_golden.npz`` (the learning rates and momenta torch
produced, float64, exactly).  Cases: every scheduler with several parameter
sets, several param groups, momentum and Adam beta1 cycling, nested
SequentialLR/ChainedScheduler, ReduceLROnPlateau with metric series, torch's
quirks, lengths up to 10,000 steps, and 300 random configurations.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from torch_reference import random_config, torch_run  # noqa: E402


def seq(children, milestones):
    return {"scheduler": "SequentialLR", "params": {"schedulers": children, "milestones": milestones}}


def chain(children):
    return {"scheduler": "ChainedScheduler", "params": {"schedulers": children}}


def s(name, **params):
    return {"scheduler": name, "params": params}


def case(sched, epochs, lr=0.1, **optimizer):
    return {**sched, "optimizer": {"lr": lr, **optimizer}, "epochs": epochs}


def noisy_plateau(n, seed):
    rng = np.random.default_rng(seed)
    base = 0.3 + 2.0 * np.exp(-np.arange(n) / (n / 6))
    return [round(float(v), 6) for v in base * (1 + 0.03 * rng.standard_normal(n))]


CASES = [
    # LambdaLR / MultiplicativeLR
    case(s("LambdaLR", lr_lambda="0.95 ** epoch"), 300),
    case(s("LambdaLR", lr_lambda="0.1 ** (epoch // 10)"), 120, lr=0.01),
    case(s("LambdaLR", lr_lambda=["0.9 ** epoch", "1 / (1 + 0.05 * epoch)"]), 200, lr=[0.1, 0.2]),
    case(s("LambdaLR", lr_lambda="min(1.0, (epoch + 1) / 500) * 0.5 * (1 + cos(pi * epoch / 10000))"), 10000),
    case(s("LambdaLR", lr_lambda="(epoch + 1) / 10 if epoch < 10 else max(exp(-0.05 * (epoch - 10)), 0.01)"), 200),
    case(s("MultiplicativeLR", lr_lambda="0.95"), 500),
    case(s("MultiplicativeLR", lr_lambda="0.9 if epoch % 5 == 0 else 1.0"), 200, lr=[0.1, 0.05]),
    case(s("MultiplicativeLR", lr_lambda="1 - 0.0001 * sqrt(epoch)"), 10000),
    # StepLR / MultiStepLR
    case(s("StepLR", step_size=30, gamma=0.1), 100),
    case(s("StepLR", step_size=5, gamma=0.5), 100),
    case(s("StepLR", step_size=1, gamma=0.999), 10000, lr=[0.1, 0.3, 1.0]),
    case(s("StepLR", step_size=7, gamma=1.5), 60),
    case(s("MultiStepLR", milestones=[20, 40, 60, 80], gamma=0.5), 100),
    case(s("MultiStepLR", milestones=[30, 80], gamma=0.5), 100),
    case(s("MultiStepLR", milestones=[10, 10, 50, 0], gamma=0.3), 100),  # duplicate counts twice, 0 at init
    case(s("MultiStepLR", milestones=[1000, 3000, 6000], gamma=0.2), 10000, lr=[0.1, 0.01]),
    # ConstantLR / LinearLR
    case(s("ConstantLR", factor=0.5, total_iters=80), 100),
    case(s("ConstantLR"), 20),
    case(s("ConstantLR", factor=0.1, total_iters=0), 20),
    case(s("LinearLR", start_factor=1, end_factor=0.1, total_iters=80), 100),
    case(s("LinearLR"), 20),
    case(s("LinearLR", start_factor=0.001, end_factor=1.0, total_iters=5000), 10000, lr=[0.1, 0.2]),
    case(s("LinearLR", start_factor=0.5, end_factor=0.0, total_iters=10), 30),
    # ExponentialLR / PolynomialLR
    case(s("ExponentialLR", gamma=0.9), 100),
    case(s("ExponentialLR", gamma=0.9995), 10000),
    case(s("PolynomialLR", total_iters=80, power=2.0), 100),
    case(s("PolynomialLR"), 20),
    case(s("PolynomialLR", total_iters=9000, power=0.5), 10000, lr=[0.1, 0.02]),
    case(s("PolynomialLR", total_iters=50, power=1.7), 80),
    # CosineAnnealingLR (climbs back after T_max) / warm restarts
    case(s("CosineAnnealingLR", T_max=25, eta_min=0), 100),
    case(s("CosineAnnealingLR", T_max=20, eta_min=0.05), 100),
    case(s("CosineAnnealingLR", T_max=100, eta_min=1e-6), 100),
    case(s("CosineAnnealingLR", T_max=3), 50),
    case(s("CosineAnnealingLR", T_max=1), 10),
    case(s("CosineAnnealingLR", T_max=700, eta_min=1e-5), 10000, lr=[0.1, 0.5]),
    case(s("CosineAnnealingLR", T_max=10000), 10000),
    case(s("CosineAnnealingWarmRestarts", T_0=20, T_mult=2, eta_min=0.01), 200),
    case(s("CosineAnnealingWarmRestarts", T_0=10), 100),
    case(s("CosineAnnealingWarmRestarts", T_0=1, T_mult=3), 100),
    case(s("CosineAnnealingWarmRestarts", T_0=50, T_mult=2, eta_min=1e-4), 10000, lr=[0.1, 0.2]),
    # CyclicLR
    case(s("CyclicLR", base_lr=0.1, max_lr=0.2, step_size_up=30, step_size_down=10), 200),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=2000), 10000),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=20, mode="triangular2"), 300),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=15, mode="exp_range", gamma=0.999), 500),
    case(s("CyclicLR", base_lr=[0.001, 0.002], max_lr=[0.1, 0.05], step_size_up=10, step_size_down=5,
           base_momentum=[0.8, 0.85], max_momentum=0.95), 200, lr=[0.1, 0.2], momentum=0.9),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=10, scale_fn="1 / (1 + 0.1 * x)",
           scale_mode="iterations"), 200, betas=[0.9, 0.999]),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=10, scale_fn="0.5 ** x", cycle_momentum=False), 200),
    case(s("CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.9,
           scale_mode="cycle"), 100),  # mode sets scale_mode: 'cycle' is overridden
    # OneCycleLR
    case(s("OneCycleLR", max_lr=0.1, pct_start=0.5, total_steps=120, div_factor=10, final_div_factor=10), 120),
    case(s("OneCycleLR", max_lr=0.1, total_steps=100), 101),  # torch allows one step past the end
    case(s("OneCycleLR", max_lr=[0.1, 0.3], epochs=10, steps_per_epoch=100, anneal_strategy="linear"), 1000,
         lr=[0.1, 0.2], momentum=0.9),
    case(s("OneCycleLR", max_lr=0.01, total_steps=10000, three_phase=True, pct_start=0.25), 10000,
         betas=[0.95, 0.999]),
    case(s("OneCycleLR", max_lr=1.0, total_steps=57, pct_start=0.0, cycle_momentum=False), 57),
    # SequentialLR / ChainedScheduler, nested
    case(seq([s("ExponentialLR", gamma=0.9), s("LinearLR", start_factor=1, end_factor=0.1, total_iters=80)], [50]),
         150),
    case(seq([s("LinearLR", start_factor=0.01, total_iters=5), s("CosineAnnealingLR", T_max=95)], [5]), 100),
    case(seq([s("LinearLR", start_factor=0.001, total_iters=500), s("CosineAnnealingLR", T_max=9500, eta_min=1e-5)],
             [500]), 10000, lr=[0.1, 0.01]),
    case(seq([s("ConstantLR", factor=0.1, total_iters=3), s("StepLR", step_size=5, gamma=0.5),
              s("CosineAnnealingWarmRestarts", T_0=7), s("PolynomialLR", total_iters=10, power=2.0)],
             [10, 30, 60]), 100),
    case(seq([s("MultiStepLR", milestones=[0, 3], gamma=0.5), s("ExponentialLR", gamma=0.8)], [0]), 30),
    case(seq([s("LambdaLR", lr_lambda="0.9 ** epoch"), s("MultiplicativeLR", lr_lambda="0.95")], [20]), 60),
    case(seq([s("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=5), s("ExponentialLR", gamma=0.9)], [40]), 80,
         momentum=0.9),
    case(chain([s("LinearLR", start_factor=1, end_factor=0.5, total_iters=10), s("ExponentialLR", gamma=0.95)]), 100),
    case(chain([s("ConstantLR", factor=0.1, total_iters=2), s("ExponentialLR", gamma=0.9)]), 30),
    case(chain([s("CosineAnnealingLR", T_max=10, eta_min=0.01), s("StepLR", step_size=7, gamma=0.5)]), 100),
    case(chain([s("StepLR", step_size=3, gamma=0.9), s("OneCycleLR", max_lr=0.1, total_steps=50)]), 50,
         momentum=0.9),
    case(chain([seq([s("LinearLR", start_factor=0.1, total_iters=5), s("ExponentialLR", gamma=0.97)], [5]),
                s("MultiStepLR", milestones=[30, 60], gamma=0.5)]), 100, lr=[0.1, 0.2]),
    case(seq([chain([s("ExponentialLR", gamma=0.9), s("LinearLR", start_factor=0.5, total_iters=4)]),
              s("CosineAnnealingLR", T_max=20)], [15]), 60),
    case(seq([seq([s("LinearLR", start_factor=0.2, total_iters=4), s("ExponentialLR", gamma=0.9)], [4]),
              s("StepLR", step_size=10, gamma=0.5)], [20]), 60),
    case(chain([chain([s("StepLR", step_size=10, gamma=0.5)]), s("PolynomialLR", total_iters=40, power=1.5)]), 60),
    # ReduceLROnPlateau
    {**case(s("ReduceLROnPlateau", mode="min", factor=0.5, patience=5, threshold=1e-4, threshold_mode="abs",
              cooldown=0, min_lr=0.001, eps=1e-8), 200), "metrics": noisy_plateau(200, 1)},
    {**case(s("ReduceLROnPlateau", patience=3, cooldown=2), 300, lr=[0.1, 0.2]), "metrics": noisy_plateau(300, 2)},
    {**case(s("ReduceLROnPlateau", mode="max", factor=0.3, patience=2, min_lr=[0.001, 0.0]), 150, lr=[0.1, 0.05]),
     "metrics": [round(1 - v / 3, 6) for v in noisy_plateau(150, 3)]},
    {**case(s("ReduceLROnPlateau", factor=0.1, patience=10), 10000), "metrics": noisy_plateau(10000, 4)},
]


def main() -> int:
    cases = list(CASES) + [random_config(seed) for seed in range(300)]
    kept, arrays, refused = [], {}, []
    for i, config in enumerate(cases):
        try:
            ref = torch_run(config)
        except Exception as exc:  # random configs torch itself refuses are not golden data
            print(f"case {i}: torch raised {type(exc).__name__}: {exc}", file=sys.stderr)
            refused.append({"config": config, "torch_error": type(exc).__name__})
            continue
        k = len(kept)
        kept.append(config)
        arrays[f"lr_{k}"] = np.array(ref["lr"], dtype=np.float64)
        arrays[f"momentum_{k}"] = np.array(ref["momentum"], dtype=np.float64)
        assert all(math.isfinite(v) for row in ref["lr"] for v in row)
    out = ROOT / "tests" / "fixtures"
    out.mkdir(parents=True, exist_ok=True)
    import torch

    (out / "torch_golden.json").write_text(json.dumps({"torch": torch.__version__, "cases": kept, "refused": refused}, indent=None))
    np.savez_compressed(out / "torch_golden.npz", **arrays)
    values = sum(a.size for name, a in arrays.items() if name.startswith("lr_"))
    print(f"{len(kept)} cases, {values} learning-rate values, torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
