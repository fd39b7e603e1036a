"""Test setup: the process is prepared as the ``lrplot`` command prepares it (bit-identical numpy)."""

import os
import sys

from lrplot._setup import prepare_process

prepare_process()
sys.path.insert(0, os.path.dirname(__file__))  # tests/torch_reference.py, tests/lrplot_cli.py

import pytest  # noqa: E402

from lrplot_cli import invoke  # noqa: E402


@pytest.fixture
def cli():
    """Run the real entry point: ``cli("step", "--step-size", "3")`` -> result with exit_code, stdout, stderr."""
    return invoke
