"""Time lrplot's engine per scheduler for 1e3 and 1e6 steps (a benchmark, not a test).

    python tests/benchmarks/bench_engine.py [--repeat 5]

Prints the best of ``--repeat`` runs in milliseconds.  The issue's target:
1,000,000 steps of any scheduler but ReduceLROnPlateau under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 X86_V3")  # as the CLI runs

import lrplot  # noqa: E402
from lrplot.cli.main import _keep_freed_memory  # noqa: E402

CASES = {
    "LambdaLR": {"lr_lambda": "0.95 ** (epoch // 1000)"},
    "MultiplicativeLR": {"lr_lambda": "0.9999 if epoch % 10 == 0 else 1.0"},
    "StepLR": {"step_size": 30, "gamma": 0.9},
    "MultiStepLR": {"milestones": [1000, 50000, 300000], "gamma": 0.5},
    "ConstantLR": {"factor": 0.5, "total_iters": 1000},
    "LinearLR": {"start_factor": 0.01, "total_iters": 500000},
    "ExponentialLR": {"gamma": 0.999999},
    "PolynomialLR": {"total_iters": 900000, "power": 2.0},
    "CosineAnnealingLR": {"T_max": 1000},
    "CosineAnnealingLR(eta_min, T_max=1000)": {"T_max": 1000, "eta_min": 1e-5},
    "CosineAnnealingLR(eta_min, T_max=1e6)": {"T_max": 1000000, "eta_min": 1e-5},
    "CosineAnnealingWarmRestarts": {"T_0": 1000, "T_mult": 2},
    "CyclicLR": {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 500, "mode": "exp_range", "gamma": 0.99999},
    "OneCycleLR": {"max_lr": 0.1, "total_steps": 1000000},
    "SequentialLR": {"schedulers": [{"scheduler": "LinearLR", "params": {"start_factor": 0.01, "total_iters": 1000}},
                                    {"scheduler": "CosineAnnealingLR", "params": {"T_max": 999000}}],
                     "milestones": [1000]},
    "ChainedScheduler": {"schedulers": [{"scheduler": "ConstantLR", "params": {"factor": 0.5, "total_iters": 100}},
                                        {"scheduler": "ExponentialLR", "params": {"gamma": 0.999999}}]},
    "ReduceLROnPlateau": {"patience": 5},
}


def best_ms(name: str, params: dict, steps: int, repeat: int) -> float:
    scheduler = name.split("(")[0]
    if scheduler == "OneCycleLR":
        params = {**params, "total_steps": steps}
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        lrplot.simulate(scheduler, epochs=steps, params=params)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _keep_freed_memory()  # as the CLI runs
    lrplot.simulate("StepLR", epochs=10, step_size=2)  # warm imports
    print(f"{'scheduler':42s} {'1e3 steps':>10s} {'1e6 steps':>10s}")
    worst = 0.0
    for name, params in CASES.items():
        small = best_ms(name, params, 1_000, args.repeat)
        big = best_ms(name, params, 1_000_000, args.repeat)
        if not name.startswith("ReduceLROnPlateau"):
            worst = max(worst, big)
        print(f"{name:42s} {small:8.2f}ms {big:8.1f}ms")
    print(f"slowest 1e6-step simulation (ReduceLROnPlateau excluded): {worst:.1f} ms (target < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
