"""A small PNG end to end, against the floor: a minimal matplotlib Figure + Agg savefig (a benchmark, not a test).

    python tests/benchmarks/bench_png.py [--runs 15]

Target (issue 10): ``lrplot step --step-size 30 --gamma 0.1 -o x.png`` costs at most 1.2x a process that
imports ``matplotlib.figure`` only and saves a 2-point line at the same size and dpi (8x4.5 in, 150 dpi).
Both run as fresh processes, interleaved, so that the machine's load hits both alike; medians are quoted.
Byte-code is written by the warm-up run (as an installed package has it), even under PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = ("from matplotlib.figure import Figure; fig = Figure(figsize=(8, 4.5)); ax = fig.add_subplot(); "
         "ax.plot([0, 1], [0, 1]); fig.savefig({path!r}, dpi=150)")


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed lrplot has its .pyc files, as matplotlib has
    with tempfile.TemporaryDirectory() as tmp:
        lrplot = [sys.executable, "-m", "lrplot", "step", "--step-size", "30", "--gamma", "0.1",
                  "-o", str(Path(tmp) / "x.png")]
        floor = [sys.executable, "-c", FLOOR.format(path=str(Path(tmp) / "y.png"))]
        timed(lrplot, env), timed(floor, env)  # warm the file cache and matplotlib's font cache
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed(lrplot, env))
            theirs.append(timed(floor, env))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"small PNG (lrplot step --step-size 30 --gamma 0.1 -o x.png): median {a * 1e3:.0f} ms")
    print(f"floor (matplotlib.figure + Agg savefig, 2 points, 8x4.5 in, 150 dpi): median {b * 1e3:.0f} ms")
    print(f"ratio {a / b:.2f}x (target <= 1.2x), {args.runs} interleaved runs each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
