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
        by_dtype: dict = {}  # dtype -> [exact, total, worst relative, worst float32 ulp]
        for name, config in golden.cases.items():
            got, want = lrplot.run_config(config).lr, golden.lr(name)
            dtype = golden_io.dtype_of(config) if "ulp32" in golden.tolerance else "float64"
            row = by_dtype.setdefault(dtype, [0, 0, 0.0, 0])
            nonzero = want != 0
            row[2] = max(row[2], float(np.max(np.abs(got - want)[nonzero] / np.abs(want[nonzero]), initial=0.0)))
            row[3] = max(row[3], int(golden_io.ulps32(got, want).max(initial=0)))
            row[0] += int((got == want).sum())
            row[1] += want.size
        for dtype, (exact, total, worst, ulp) in sorted(by_dtype.items()):
            extra = f", worst {ulp} float32 ulp" if "ulp32" in golden.tolerance else ""
            print(f"{family:9s} {dtype}: bit-identical {exact}/{total} ({100 * exact / total:.2f}%), worst relative "
                  f"difference {worst:.3g}{extra}  ({len(golden.cases)} cases, declared tolerance {golden.tolerance})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
