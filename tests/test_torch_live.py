"""Side by side with real torch on random configurations; skipped where torch is not installed (CI)."""

import numpy as np
import pytest

import lrplot
from lrplot.errors import LrplotError

torch = pytest.importorskip("torch")
from torch_reference import random_config, torch_run  # noqa: E402


@pytest.mark.parametrize("seed", range(10_000, 10_200))
def test_random_config_matches_torch(seed):
    config = random_config(seed)
    try:
        expected = torch_run(config)
    except Exception:
        with pytest.raises(LrplotError):
            lrplot.run_config(config)
        return
    result = lrplot.run_config(config)
    np.testing.assert_allclose(result.lr, np.array(expected["lr"]), rtol=1e-12, atol=0)
    if result.momentum is not None:
        np.testing.assert_allclose(result.momentum, np.array(expected["momentum"]), rtol=1e-12, atol=0)
