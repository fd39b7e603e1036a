"""Start-up cost of the everyday commands against their floors (a benchmark, not a test).

    python tests/benchmarks/bench_startup.py [--rounds 21] [--before DIR]

Runs, in fresh processes and interleaved round by round (this machine is shared and noisy, so only ratios
measured side by side mean anything), and prints the median wall time of each:

* the floors: ``python -c "import numpy"`` (also with ``OPENBLAS_NUM_THREADS=1``, as lrplot runs it: the
  default starts a BLAS thread pool, whose cost swings with the machine's load) and ``python -c "import typer"``;
* ``lrplot step --step-size 30 --gamma 0.1 --format csv`` (target <= 1.3x import numpy);
* ``lrplot --help`` and one bash completion request (targets <= 1.5x import typer);
* ``--before DIR``: the same commands from another checkout (e.g. ``git archive <commit> | tar -x -C DIR``),
  for a before/after comparison in the same run.

Each command runs as the ``lrplot`` console script does (``from lrplot.cli.main import main; main()``), with
the tree under test first on ``PYTHONPATH``.  Both trees are byte-compiled first and the processes may read
their ``.pyc`` files (``PYTHONDONTWRITEBYTECODE`` is dropped): pip byte-compiles an installed package, and a
run that compiles every module from source measures the compiler, not lrplot.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
SCRIPT = "import sys; sys.argv[0] = 'lrplot'; from lrplot.cli.main import main; main()"
COMPLETION = {"_LRPLOT_COMPLETE": "complete_bash", "COMP_WORDS": "lrplot cosine --t", "COMP_CWORD": "2"}
COMMANDS = {
    "csv": (["step", "--step-size", "30", "--gamma", "0.1", "--format", "csv"], {}),
    "help": (["--help"], {}),
    "completion": ([], COMPLETION),
}
TARGETS = {"csv": ("numpy", 1.3), "help": ("typer", 1.5), "completion": ("typer", 1.5)}


def environment(tree: str | None, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree is not None:
        env["PYTHONPATH"] = tree
    env.update(extra)
    return env


NEUTRAL = tempfile.mkdtemp(prefix="lrplot-bench-")  # the working directory: `python -c` puts it first on sys.path


def once(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=NEUTRAL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--before", help="another lrplot checkout to time side by side")
    args = parser.parse_args()
    trees = {"after": TREE} if args.before is None else {"before": os.path.abspath(args.before), "after": TREE}
    for tree in trees.values():
        compileall.compile_dir(os.path.join(tree, "lrplot"), quiet=1)
    runs: dict[str, tuple[list[str], dict]] = {
        "numpy": ([sys.executable, "-c", "import numpy"], environment(None, {})),
        # what lrplot itself runs: numpy with one BLAS thread (no thread pool to start; see lrplot/_setup.py)
        "numpy, 1 BLAS thread": ([sys.executable, "-c", "import numpy"], environment(None, {"OPENBLAS_NUM_THREADS": "1"})),
        "typer": ([sys.executable, "-c", "import typer"], environment(None, {})),
    }
    for label, tree in trees.items():
        for name, (argv, extra) in COMMANDS.items():
            runs[f"{name} {label}"] = ([sys.executable, "-c", SCRIPT, *argv], environment(tree, extra))
    times: dict[str, list[float]] = {key: [] for key in runs}
    for key, (argv, env) in runs.items():  # warm the page cache and any pyc
        once(argv, env)
    for _ in range(args.rounds):
        for key, (argv, env) in runs.items():
            times[key].append(once(argv, env))
    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"median of {args.rounds} interleaved runs, {sys.executable} ({sys.version.split()[0]})")
    for key in ("numpy", "numpy, 1 BLAS thread", "typer"):
        print(f"  python -c 'import {key.split(',')[0]}'{key[5:]:22s} {median[key] * 1e3:7.1f} ms")
    for name, (floor, target) in TARGETS.items():
        for label in trees:
            ms, ratio = median[f"{name} {label}"] * 1e3, median[f"{name} {label}"] / median[floor]
            verdict = "ok" if ratio <= target else "MISSED"
            extra = f", {median[f'{name} {label}'] / median['numpy, 1 BLAS thread']:4.2f}x with 1 BLAS thread" \
                if floor == "numpy" else ""
            print(f"  {name:10s} {label:6s}{'':20s} {ms:7.1f} ms  {ratio:5.2f}x import {floor} "
                  f"(target <= {target:g}x: {verdict}{extra})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
