"""Does glibc's mallopt (keep freed memory instead of returning it to the kernel) help lrplot?

    python tests/benchmarks/bench_allocator.py [repeats]

Runs each command with and without the mallopt settings lrplot once used, alternating, in fresh processes,
and prints the median wall time of each and their ratio.  Not a test: machines here are noisy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

SETUP = ("import ctypes; libc = ctypes.CDLL('libc.so.6'); libc.mallopt(-3, 512 << 20); "
         "libc.mallopt(-1, 1024 << 20); ")
CASES = {
    "1e6-row cosine eta_min CSV": ["cosine", "--t-max", "1000", "--eta-min", "0.001", "-n", "1000000", "-f", "csv",
                                   "-o", "{tmp}/a.csv"],
    "1e6-row StepLR CSV": ["step", "--step-size", "30", "-n", "1000000", "-f", "csv", "-o", "{tmp}/b.csv"],
    "1e7-row cosine PNG": ["cosine", "--t-max", "100000", "-n", "10000000", "-o", "{tmp}/c.png"],
    "1e6-row OneCycle PNG": ["onecycle", "--max-lr", "0.1", "--total-steps", "1000000", "--momentum", "0.9",
                             "-o", "{tmp}/d.png"],
}


def once(args: list[str], mallopt: bool) -> float:
    code = (SETUP if mallopt else "") + f"from lrplot.cli.main import main; main({args!r})"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in CASES.items():
            args = [a.format(tmp=tmp) for a in args]
            times = {False: [], True: []}
            for _ in range(repeats):
                for flag in (False, True):
                    times[flag].append(once(args, flag))
            plain, tuned = statistics.median(times[False]), statistics.median(times[True])
            print(f"{name:32s} plain {plain:6.3f} s   mallopt {tuned:6.3f} s   mallopt/plain {tuned / plain:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
