"""Every value torch, transformers and timm produced for the golden configs, within each family's tolerance.

The fixtures are one pair of files per family (tests/fixtures/golden/<family>.json/.npz, written by
tests/fixtures/gen_<family>.py, read with tests/fixtures/golden_io.py), keyed by case name, so a
failure names the schedule ("torch/StepLR-step_size=30-gamma=0.1-100"), not a position.  A tolerance of
rtol 0 means bit-identical, which holds where numpy runs without its AVX-512 kernels (see conftest.py).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot.errors import LrplotError

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import golden_io  # noqa: E402

GOLDEN = {family: golden_io.load_family(family) for family in golden_io.families()}
CASES = [(family, name) for family, golden in GOLDEN.items() for name in golden.cases]
REFUSED = [(family, name) for family, golden in GOLDEN.items() for name in golden.refused]


def _ids(pairs):
    return [f"{family}/{name}" for family, name in pairs]


#: Where a float64 run still rounds through float32, so it is held to the float32 bound, with the reason:
FLOAT32_INSIDE = {
    "optax:cosine_onecycle_schedule": "piecewise_interpolate's pct is int32 / weak int64 = float32: its cosine "
                                      "runs in float32 under x64",
    "optax:piecewise_interpolate_schedule": "the same, with interpolate_type cosine",
    "keras:CosineDecay": "keras.ops.cos casts to float32 even in float64",
    "keras:CosineDecayRestarts": "the same",
}
#: float32 runs whose library value depends on XLA compiling part of the schedule: lrplot follows the eager
#: operations, within a wider bound.  CosineDecayRestarts with t_mul != 1 runs its restart arithmetic inside
#: ops.cond, which XLA compiles (divisions by constants become reciprocal multiplications, constants fold).
WIDER = {"keras:CosineDecayRestarts": 32}


def _schedules(config):
    yield config["scheduler"], config.get("params") or {}
    for child in (config.get("params") or {}).get("schedules", []):
        yield from _schedules(child)


def _assert_ulp32(config, got, want, bound):
    pairs = list(_schedules(config))
    inside = [name for name, p in pairs if name in FLOAT32_INSIDE and p.get("interpolate_type", "cosine") == "cosine"]
    if golden_io.dtype_of(config) == "float64" and not inside:
        np.testing.assert_array_equal(got, want)  # bit-identical
        return
    bound = max([bound] + [WIDER.get(name, bound) for name, p in pairs if p.get("t_mul", 1.0) != 1.0])
    distance = golden_io.ulps32(got, want)
    assert distance.max() <= bound, f"{int(distance.max())} float32 ulp apart at step {int(distance.argmax())}"


def _assert_within(got, want, tolerance):
    rtol, atol = tolerance["rtol"], tolerance.get("atol", 0)
    if rtol == 0 and atol == 0:
        np.testing.assert_array_equal(got, want)  # bit-identical
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("family,name", CASES, ids=_ids(CASES))
def test_matches_library(family, name):
    golden = GOLDEN[family]
    result = lrplot.run_config(golden.cases[name])
    expected = golden.lr(name)
    assert result.lr.shape == expected.shape
    if "ulp32" in golden.tolerance:
        _assert_ulp32(golden.cases[name], result.lr, expected, golden.tolerance["ulp32"])
        return
    _assert_within(result.lr, expected, golden.tolerance)
    if result.momentum is not None:
        _assert_within(result.momentum, golden.momentum(name), golden.tolerance)


@pytest.mark.parametrize("family,name", REFUSED, ids=_ids(REFUSED))
def test_refuses_what_the_library_refuses(family, name):
    with pytest.raises(LrplotError):
        lrplot.run_config(GOLDEN[family].refused[name]["config"])


def test_family_files_are_complete():
    """Each file declares its family and tolerance, names every case once, and holds exactly its arrays."""
    assert set(GOLDEN) == {"torch", "hf", "timm", "deepspeed", "torchtune", "axolotl", "optax", "keras", "megatron",
                           "nemo"}
    for family, golden in GOLDEN.items():
        assert golden.family == family
        assert golden.library_versions
        assert set(golden.tolerance) <= {"rtol", "atol", "ulp32"} and golden.tolerance["rtol"] >= 0
        # a repeated name would already have failed load_family (json keys are checked there)
        assert not set(golden.cases) & set(golden.refused)
        assert all(name and "/" not in name for name in [*golden.cases, *golden.refused])
        assert sorted(golden.arrays.files) == sorted(f"{n}/{k}" for n in golden.cases for k in ("lr", "momentum"))
        configs = [*golden.cases.values(), *(r["config"] for r in golden.refused.values())]
        assert {golden_io.family_of(config) for config in configs} == {family}


@pytest.mark.parametrize("family", sorted(GOLDEN))
def test_fixtures_match_their_generator(family):
    """The stored names and configs are what gen_<family>.py defines (its cases() needs no torch)."""
    import importlib
    import json

    generator = importlib.import_module(f"gen_{family}")
    defined = json.loads(json.dumps(generator.cases()))
    golden = GOLDEN[family]
    stored = {**golden.cases, **{name: r["config"] for name, r in golden.refused.items()}}
    assert sorted(stored) == sorted(defined)
    assert stored == defined
    assert golden.tolerance == generator.TOLERANCE


def test_fixtures_cover_every_scheduler():
    from lrplot.engine.registry import lookup

    def names(config):
        yield lookup(config["scheduler"]).spec.name
        for child in (config.get("params") or {}).get("schedulers", []):
            yield from names(child)

    seen = {name for golden in GOLDEN.values() for config in golden.cases.values() for name in names(config)}
    from test_yolo import COVERED  # the YOLO trainers' goldens are whole runs (tests/fixtures/golden_runs)

    assert seen | set(COVERED.values()) == set(lrplot.SCHEDULERS)
    shapes = [GOLDEN[family].lr(name).shape for family, name in CASES]
    assert max(steps for steps, _ in shapes) == 10000
    assert any(groups > 1 for _, groups in shapes)
