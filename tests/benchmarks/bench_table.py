"""1e6-row CSV and JSON, end to end and the writer alone, before/after side by side (a benchmark, not a test).

    python tests/benchmarks/bench_table.py --before DIR [--rounds 7]

``DIR`` is another checkout (e.g. ``git archive <commit> | tar -x -C DIR``).  Each round runs, interleaved:

* ``lrplot cosine --t-max 1000000 -n 1000000 -f csv|json > file`` as a process, for both trees, and checks
  that both trees wrote the same bytes;
* in-process, the writer alone (``render.table.write_csv``/``write_json`` of the same result), best of 3.

Prints medians over rounds and the before/after ratios.  The issue's target: the 1e6-row CSV at least 2x
faster, byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARGS = ["cosine", "--t-max", "1000000", "-n", "1000000"]
CLI = "import sys; sys.argv[0] = 'lrplot'; from lrplot.cli.main import main; main()"
WRITER = r"""
import json, sys, time
from lrplot._setup import prepare_process
prepare_process()
import lrplot
from lrplot.render import table
result = lrplot.simulate("CosineAnnealingLR", epochs=1_000_000, T_max=1_000_000, eta_min=1e-5)
out = {}
for name, write in (("csv", table.write_csv), ("json", table.write_json)):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _chunk in write([result], [""]):
            pass
        best = min(best, time.perf_counter() - start)
    out[name] = best
print(json.dumps(out))
"""


def process(tree: str, fmt: str, folder: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = tree
    path = os.path.join(folder, f"out.{fmt}")
    with open(path, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CLI, *ARGS, "-f", fmt], stdout=sink, stderr=subprocess.PIPE,
                              env=env, cwd=folder)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode())
    with open(path, "rb") as written:
        return elapsed, hashlib.sha256(written.read()).hexdigest()


def writer(tree: str, folder: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", WRITER], capture_output=True, text=True, cwd=folder,
                          env={**os.environ, "PYTHONPATH": tree})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    trees = {"before": os.path.abspath(args.before), "after": TREE}
    ends: dict = {(t, f): [] for t in trees for f in ("csv", "json")}
    writes: dict = {(t, f): [] for t in trees for f in ("csv", "json")}
    digests: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            for label, tree in trees.items():
                for fmt in ("csv", "json"):
                    elapsed, digest = process(tree, fmt, folder)
                    ends[label, fmt].append(elapsed)
                    digests.setdefault((label, fmt), digest)
                for fmt, seconds in writer(tree, folder).items():
                    writes[label, fmt].append(seconds)
    print(f"median of {args.rounds} rounds; 1e6 rows of `lrplot {' '.join(ARGS)}`")
    for fmt in ("csv", "json"):
        same = digests["before", fmt] == digests["after", fmt]
        for kind, table in (("process", ends), ("writer alone", writes)):
            before, after = (statistics.median(table[t, fmt]) for t in trees)
            print(f"  {fmt:4s} {kind:13s} before {before * 1e3:7.0f} ms  after {after * 1e3:7.0f} ms  "
                  f"{before / after:4.1f}x faster")
        print(f"  {fmt:4s} output bytes identical: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
