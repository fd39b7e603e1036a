"""How many golden-fixture values lrplot reproduces bit for bit, and the worst relative difference per family.

    python tests/benchmarks/exactness.py            # as the CLI runs numpy
    python tests/benchmarks/exactness.py --simd     # numpy's AVX-512 kernels left on (library use)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

if "--simd" not in sys.argv:
    os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 X86_V3")

import numpy as np  # noqa: E402

import lrplot  # noqa: E402
from lrplot.engine.registry import lookup  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def main() -> int:
    golden = json.loads((FIXTURES / "torch_golden.json").read_text())
    arrays = np.load(FIXTURES / "torch_golden.npz")
    stats: dict[str, list] = {}
    for i, config in enumerate(golden["cases"]):
        family = lookup(config["scheduler"]).spec.family
        got, want = lrplot.run_config(config).lr, arrays[f"lr_{i}"]
        nonzero = want != 0
        worst = float(np.max(np.abs(got - want)[nonzero] / np.abs(want[nonzero]), initial=0.0))
        entry = stats.setdefault(family, [0, 0, 0.0])
        entry[0] += int((got == want).sum())
        entry[1] += want.size
        entry[2] = max(entry[2], worst)
    for family, (exact, total, worst) in stats.items():
        print(f"{family:6s} bit-identical {exact}/{total}  worst relative difference {worst:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
