"""The ``lrplot`` entry point: process setup, then the one place errors become exit codes.

Exit codes: 0 success, 2 usage/config/parameter errors, 1 runtime and I/O failures.
"""

from __future__ import annotations

import os
import sys

# Bit-identical to torch: numpy's AVX-512/AVX2 kernels for pow/exp/log/tanh differ
# from C libm (what Python's math and ``**`` use) in the last bit.  Must be set
# before numpy is first imported, which nothing above has done.
if "numpy" not in sys.modules:
    os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 X86_V3")


def _keep_freed_memory() -> None:
    """Let glibc reuse freed blocks instead of returning them to the kernel.

    A million-step simulation allocates dozens of short-lived 8 MB arrays; on
    VMs where page faults are expensive, re-faulting them costs more than the
    arithmetic.  Harmless where unsupported.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 512 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1024 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    _keep_freed_memory()
    from .app import command

    code = command(argv).main(args=argv, prog_name="lrplot", standalone_mode=False)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
