"""End-to-end CLI timings, side by side with the torch way (a benchmark, not a test).

    python tests/benchmarks/bench_cli.py [--repeat 3]

For each case it runs ``lrplot ...`` and a script that imports torch, builds the
same scheduler, steps it and prints the same CSV, both writing to /dev/null,
and prints the best wall time of each and their ratio.  Also times
``lrplot --help`` and one shell-completion request.  Needs torch for the
ratios (``pip install torch==2.13.0``); without it only lrplot is timed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

TORCH_STEP = """
import torch
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
out = ["step,lr"]
for i in range(100):
    out.append(f"{i},{opt.param_groups[0]['lr']!r}")
    opt.step(); sched.step()
print("\\n".join(out))
"""

TORCH_COSINE = """
import torch
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1000000)
group = opt.param_groups[0]
out = ["step,lr"]
for i in range(1000000):
    out.append(f"{i},{group['lr']!r}")
    opt.step(); sched.step()
print("\\n".join(out))
"""

CASES = [
    ("StepLR, 100 rows, csv", ["step", "--step-size", "30", "--gamma", "0.1", "--format", "csv"], TORCH_STEP, 8.0),
    ("CosineAnnealingLR, 1e6 rows, csv", ["cosine", "--t-max", "1000000", "--epochs", "1000000", "--format", "csv"],
     TORCH_COSINE, 8.0),
]


def best(cmd: list[str], repeat: int, env: dict | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed: {proc.stderr.decode()}")
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lrplot = [sys.executable, "-m", "lrplot"]
    try:
        import importlib.util

        has_torch = importlib.util.find_spec("torch") is not None
    except ImportError:
        has_torch = False
    print(f"{'case':36s} {'lrplot':>9s} {'torch':>9s} {'ratio':>7s}  target")
    for name, cli_args, torch_code, target in CASES:
        ours = best(lrplot + cli_args, args.repeat)
        if has_torch:
            theirs = best([sys.executable, "-c", torch_code], max(1, args.repeat // 2))
            ok = "ok" if theirs / ours >= target else "MISSED"
            print(f"{name:36s} {ours:8.3f}s {theirs:8.3f}s {theirs / ours:6.1f}x  >= {target:g}x {ok}")
        else:
            print(f"{name:36s} {ours:8.3f}s {'-':>9s}")
    help_time = best(lrplot + ["--help"], args.repeat * 2)
    env = dict(os.environ, _LRPLOT_COMPLETE="complete_bash", COMP_WORDS="lrplot cos", COMP_CWORD="1")
    completion = best([sys.executable, "-m", "lrplot"], args.repeat * 2, env=env)
    exe = os.path.join(os.path.dirname(sys.executable), "lrplot")
    script_help = best([exe, "--help"], args.repeat * 2) if os.path.exists(exe) else float("nan")
    baseline = best([sys.executable, "-c", "pass"], args.repeat * 2)
    print(f"{'lrplot --help (python -m)':36s} {help_time * 1e3:7.0f}ms  (target < 150 ms)")
    print(f"{'lrplot --help (console script)':36s} {script_help * 1e3:7.0f}ms  (target < 150 ms)")
    print(f"{'shell completion request':36s} {completion * 1e3:7.0f}ms  (target < 150 ms)")
    print(f"{'python -c pass (interpreter start)':36s} {baseline * 1e3:7.0f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
