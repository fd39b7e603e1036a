"""Time lrplot's engine for every scheduler in the registry at 1e3 and 1e6 steps (a benchmark, not a test).

    python tests/benchmarks/bench_engine.py [--repeat 5] [--rounds 3] [--before DIR] [--only NAME ...]

Each tree is timed in its own process (set up as the ``lrplot`` command sets itself up), ``--rounds`` times,
interleaved with the other tree (``--before DIR``: another checkout, e.g. ``git archive <commit> | tar -x -C
DIR``); a round keeps the best of ``--repeat`` simulations, and the table shows the median over rounds, in
milliseconds.  The issue's target: 1,000,000 steps of any scheduler but the metric-driven ones under 50 ms.

Every scheduler runs with its registry example (``spec.example``) unless :data:`CASES` gives parameters
that make 1e6 steps meaningful (a horizon of 1e6) or possible (the example is refused that long);
metric-driven schedulers run on lrplot's synthetic metric.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET_MS = 50.0

#: name (a registry name, or "Name(variant)") -> parameters; the rest of the registry runs its example.
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
    "OneCycleLR": {"max_lr": 0.1, "total_steps": None},  # None: the number of steps
    "SequentialLR": {"schedulers": [{"scheduler": "LinearLR", "params": {"start_factor": 0.01, "total_iters": 1000}},
                                    {"scheduler": "CosineAnnealingLR", "params": {"T_max": 999000}}],
                     "milestones": [1000]},
    "ChainedScheduler": {"schedulers": [{"scheduler": "ConstantLR", "params": {"factor": 0.5, "total_iters": 100}},
                                        {"scheduler": "ExponentialLR", "params": {"gamma": 0.999999}}]},
    "ReduceLROnPlateau": {"patience": 5},
    "CosineLRScheduler(noise on every step)": {"t_initial": 1000000, "noise_range_t": 0, "t_in_epochs": False},
    # the examples' 140 iterations would run 7,000 times past their last epoch (a negative lr): a real 1e6
    "ultralytics:BaseTrainer": {"epochs": 1000, "nb": 1000},
    "yolov5:train": {"epochs": 1000, "nb": 1000},
    # most examples last 100 steps; these run a 1e6-step schedule to its end, as a real run does
    "hf:cosine(1e6 horizon)": {"num_warmup_steps": 10000, "num_training_steps": 1000000},
    "hf:linear(1e6 horizon)": {"num_warmup_steps": 10000, "num_training_steps": 1000000},
    "hf:cosine_with_restarts(1e6 horizon)": {"num_warmup_steps": 10000, "num_training_steps": 1000000,
                                             "num_cycles": 3},
    "hf:warmup_stable_decay(1e6 horizon)": {"num_warmup_steps": 10000, "num_decay_steps": 200000,
                                            "num_training_steps": 1000000},
    "CosineLRScheduler(1e6 horizon)": {"t_initial": 1000000, "warmup_t": 10000, "warmup_lr_init": 1e-4,
                                       "lr_min": 1e-5, "t_in_epochs": False},
    "WSDLRScheduler(1e6 horizon)": {"t_initial": 1000000, "decay_t": 200000, "warmup_t": 10000, "t_in_epochs": False},
    "deepspeed:WarmupCosineLR(1e6 horizon)": {"total_num_steps": 1000000, "warmup_num_steps": 10000},
    "optax:warmup_cosine_decay_schedule(1e6 horizon)": {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10000,
                                                        "decay_steps": 1000000},
    "keras:CosineDecay(1e6 horizon)": {"initial_learning_rate": 0.0, "decay_steps": 990000, "warmup_target": 0.1,
                                       "warmup_steps": 10000},
    "megatron:OptimizerParamScheduler(1e6 horizon)": {"max_lr": 3e-4, "min_lr": 3e-5, "lr_warmup_steps": 10000,
                                                      "lr_decay_steps": 1000000, "lr_decay_style": "cosine"},
    "nemo:CosineAnnealing(1e6 horizon)": {"max_steps": 1000000, "warmup_steps": 10000},
}

WORKER = r"""
import json, sys, time
from lrplot._setup import prepare_process
prepare_process()  # as the lrplot command: numpy without its AVX-512 kernels, one BLAS thread
import lrplot
from lrplot.engine.registry import SCHEDULERS

cases, repeat = json.loads(sys.argv[1]), int(sys.argv[2])
lrplot.simulate("StepLR", epochs=10, step_size=2)  # numpy imported, caches warm
out = {}
for label, (name, params) in cases.items():
    if name not in SCHEDULERS:
        out[label] = "absent"
        continue
    times = {}
    for steps in (1_000, 1_000_000):
        given = {k: (steps if v is None else v) for k, v in params.items()}
        best = float("inf")
        try:
            for _ in range(repeat):
                start = time.perf_counter()
                lrplot.simulate(name, epochs=steps, params=given)
                best = min(best, time.perf_counter() - start)
                if best > 1.0:  # seconds: once is enough
                    break
        except Exception as err:  # a tree that refuses (or lacks) the case
            best = f"{type(err).__name__}: {str(err)[:60]}"
        times[steps] = best * 1e3 if isinstance(best, float) else best
    out[label] = times
print(json.dumps(out))
"""


def cases() -> dict[str, tuple[str, dict]]:
    """Every registry scheduler (its example, or CASES' parameters), plus CASES' variants."""
    sys.path.insert(0, TREE)
    from lrplot.engine.registry import SCHEDULERS

    out: dict[str, tuple[str, dict]] = {}
    for name, cls in SCHEDULERS.items():
        out[name] = (name, CASES.get(name, cls.spec.example))
        out.update({label: (name, params) for label, params in CASES.items() if label.startswith(name + "(")})
    return out


def run_tree(tree: str, chosen: dict, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": tree}
    proc = subprocess.run([sys.executable, "-c", WORKER, json.dumps(chosen), str(repeat)], env=env,
                          cwd=tempfile.gettempdir(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker for {tree} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def _median(values: list) -> float | str:
    numbers = [v for v in values if isinstance(v, float)]
    return statistics.median(numbers) if len(numbers) == len(values) else values[0]


def _cell(value) -> str:
    return f"{value:9.1f}" if isinstance(value, float) else f"{str(value)[:9]:>9s}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="another lrplot checkout, timed side by side")
    parser.add_argument("--only", nargs="*", help="case labels to time (default: all)")
    args = parser.parse_args()
    chosen = {k: v for k, v in cases().items() if not args.only or k in args.only}
    trees = {"after": TREE} if args.before is None else {"before": os.path.abspath(args.before), "after": TREE}
    results: dict[str, list[dict]] = {label: [] for label in trees}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            results[label].append(run_tree(tree, chosen, args.repeat))
    header = "".join(f" {label + ' 1e3':>9s} {label + ' 1e6':>9s}" for label in trees)
    print(f"median over {args.rounds} rounds of the best of {args.repeat}, ms\n{'case':52s}{header}")
    misses = []
    for case, (name, _) in chosen.items():
        row = []
        for label in trees:
            runs = [r[case] for r in results[label]]
            if any(not isinstance(r, dict) for r in runs):
                row += ["absent", "absent"]
                continue
            row += [_median([r[str(steps)] for r in runs]) for steps in (1_000, 1_000_000)]
        print(f"{case:52s}" + "".join(f" {_cell(v)}" for v in row))
        big = row[-1]
        from_registry = name in sys.modules["lrplot.engine.registry"].SCHEDULERS
        metric = from_registry and sys.modules["lrplot.engine.registry"].SCHEDULERS[name].spec.metric_driven
        if isinstance(big, float) and big >= TARGET_MS and not metric and "noise" not in case:
            misses.append((case, big))
    print(f"\n1e6 steps at or over {TARGET_MS:g} ms (metric-driven and noise cases excluded): "
          + (", ".join(f"{case} {ms:.0f}" for case, ms in misses) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
