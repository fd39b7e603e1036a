"""timm's per-step noise: microseconds per draw, three ways (a benchmark, not a test).

    python tests/benchmarks/bench_noise.py [--draws 20000]

* a fresh ``numpy.random.RandomState(noise_seed + t)`` per draw (what lrplot did first: the issue's 69 s for
  375,300 updates);
* one RandomState re-seeded per draw (``timm_noise``, the one-step form);
* every draw of a run at once (``timm_noises``: the generators' first words for all seeds together).

All three give the same values (checked here on the first draws; tests/test_fast_paths.py checks more).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from lrplot._setup import prepare_process

prepare_process()

import numpy as np  # noqa: E402

from lrplot.engine.schedulers.timm_noise import timm_noise, timm_noises  # noqa: E402

SEED, PCT, STD = 42, 0.67, 1.0  # timm's defaults


def fresh_randomstate(t: int) -> float:
    state = np.random.RandomState((SEED + t) & 0xFFFFFFFF)
    words = iter(lambda: int(state.randint(0, 2**32, dtype=np.uint64)), None)
    while True:
        u1 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) / (1 << 53)
        u2 = (((next(words) << 32) | next(words)) & ((1 << 53) - 1)) / (1 << 53)
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        for value in (radius * math.cos(2.0 * math.pi * u1), radius * math.sin(2.0 * math.pi * u1)):
            noise = float(np.float32(value)) * STD
            if abs(noise) < PCT:
                return noise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--run", type=int, default=375_300, help="draws of the all-at-once run (the issue's case)")
    args = parser.parse_args()
    ts = np.arange(args.draws)
    start = time.perf_counter()
    fresh = [fresh_randomstate(t) for t in ts.tolist()]
    per_fresh = (time.perf_counter() - start) / args.draws
    start = time.perf_counter()
    reseeded = [timm_noise(t, SEED, "normal", PCT, STD) for t in ts.tolist()]
    per_reseeded = (time.perf_counter() - start) / args.draws
    start = time.perf_counter()
    together = timm_noises(np.arange(args.run), SEED, "normal", PCT, STD)
    per_together = (time.perf_counter() - start) / args.run
    assert fresh == reseeded == together[:args.draws].tolist()
    print(f"fresh RandomState per draw   {per_fresh * 1e6:7.1f} us/draw  "
          f"({per_fresh * args.run:6.1f} s for {args.run:,})")
    print(f"one RandomState, re-seeded   {per_reseeded * 1e6:7.1f} us/draw  ({per_reseeded * args.run:6.1f} s)")
    print(f"all draws at once            {per_together * 1e6:7.1f} us/draw  ({per_together * args.run:6.2f} s, measured)")
    print(f"speed-up: {per_fresh / per_together:.0f}x over a fresh RandomState, {per_reseeded / per_together:.0f}x "
          "over re-seeding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
