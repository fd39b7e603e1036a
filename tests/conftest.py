"""Test setup: run numpy as the CLI does, so the engine is bit-identical to torch (see lrplot.cli.main)."""

import os
import sys

if "numpy" not in sys.modules:
    os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 X86_V3")

sys.path.insert(0, os.path.dirname(__file__))  # tests/torch_reference.py
