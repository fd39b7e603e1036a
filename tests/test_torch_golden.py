"""Every value torch 2.13 produced for the golden configs, reproduced within 1e-12 (and counted bit-identical)."""

import json
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot.errors import LrplotError

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = json.loads((FIXTURES / "torch_golden.json").read_text())
ARRAYS = np.load(FIXTURES / "torch_golden.npz")
CASES = GOLDEN["cases"]


def _id(i: int) -> str:
    config = CASES[i]
    return f"{i}-{config['scheduler']}"


@pytest.mark.parametrize("i", range(len(CASES)), ids=_id)
def test_matches_torch(i):
    config = CASES[i]
    result = lrplot.run_config(config)
    expected = ARRAYS[f"lr_{i}"]
    assert result.lr.shape == expected.shape
    np.testing.assert_allclose(result.lr, expected, rtol=1e-12, atol=0)
    if result.momentum is not None:
        np.testing.assert_allclose(result.momentum, ARRAYS[f"momentum_{i}"], rtol=1e-12, atol=0)


def test_fixtures_cover_every_scheduler():
    from lrplot.engine.registry import lookup

    def names(config):
        yield lookup(config["scheduler"]).spec.name
        for child in (config.get("params") or {}).get("schedulers", []):
            yield from names(child)

    seen = {name for config in CASES for name in names(config)}
    assert seen == set(lrplot.SCHEDULERS)
    assert max(len(ARRAYS[f"lr_{i}"]) for i in range(len(CASES))) == 10000
    assert any(ARRAYS[f"lr_{i}"].shape[1] > 1 for i in range(len(CASES)))


def test_bit_identical_share():
    """Where numpy runs without its AVX-512 kernels (as the CLI does), every value is bit-identical."""
    exact = total = 0
    for i, config in enumerate(CASES):
        got = lrplot.run_config(config).lr
        want = ARRAYS[f"lr_{i}"]
        exact += int(np.sum(got == want))
        total += want.size
    print(f"bit-identical: {exact}/{total}")
    assert exact / total > 0.99


@pytest.mark.parametrize("i", range(len(GOLDEN["refused"])))
def test_refuses_what_torch_refuses(i):
    with pytest.raises(LrplotError):
        lrplot.run_config(GOLDEN["refused"][i]["config"])
