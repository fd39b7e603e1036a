"""PNG cost of a 1,000,000-step schedule against a 1,000-step one (a benchmark, not a test).

    python tests/benchmarks/bench_plot.py [--repeat 3]

Target (issue: plots): the million-step PNG costs at most 1.5x the thousand-step PNG, end to end in-process
(simulate + render), because curves are reduced to a per-pixel min/max envelope before drawing.
"""

from __future__ import annotations

import argparse
import sys
import time

from lrplot._setup import prepare_process

prepare_process()  # as the CLI runs

import lrplot  # noqa: E402
from lrplot.render.formats import RenderOptions  # noqa: E402
from lrplot.render.plot import Series, render  # noqa: E402

CASES = {
    "CyclicLR (many cycles)": ("cyclic", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 200}),
    "CosineAnnealingLR": ("cosine", {"T_max": None}),
    "OneCycleLR (+momentum panel)": ("onecycle", {"max_lr": 0.1, "total_steps": None}),
}


def best(name: str, params: dict, steps: int, repeat: int) -> float:
    params = {k: (steps if v is None else v) for k, v in params.items()}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = lrplot.simulate(name, epochs=steps, params=params)
        render([Series(result)], "png", RenderOptions())
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best("step", {"step_size": 3}, 10, 1)  # warm up imports and font cache
    print(f"{'case':30s} {'1e3 steps':>10s} {'1e6 steps':>10s} {'ratio':>6s}  (target <= 1.5x)")
    for label, (name, params) in CASES.items():
        small = best(name, params, 1_000, args.repeat)
        big = best(name, params, 1_000_000, args.repeat)
        print(f"{label:30s} {small * 1e3:8.0f}ms {big * 1e3:8.0f}ms {big / small:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
