"""How many golden-fixture values lrplot reproduces bit for bit, and the worst relative difference, per family.

    python tests/benchmarks/exactness.py            # as the CLI runs numpy
    python tests/benchmarks/exactness.py --simd     # numpy's AVX-512 kernels left on (library use)

Reads every family file in tests/fixtures/golden/ (see golden_io.py); the family is the file's, so this
does not depend on how lrplot classifies its schedulers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if "--simd" not in sys.argv:
    os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 X86_V3")

import numpy as np  # noqa: E402

import lrplot  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
import golden_io  # noqa: E402


def main() -> int:
    for family in golden_io.families():
        golden = golden_io.load_family(family)
        exact = total = 0
        worst = 0.0
        for name, config in golden.cases.items():
            got, want = lrplot.run_config(config).lr, golden.lr(name)
            nonzero = want != 0
            worst = max(worst, float(np.max(np.abs(got - want)[nonzero] / np.abs(want[nonzero]), initial=0.0)))
            exact += int((got == want).sum())
            total += want.size
        print(f"{family:6s} bit-identical {exact}/{total}  worst relative difference {worst:.3g}  "
              f"({len(golden.cases)} cases, declared tolerance {golden.tolerance})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
