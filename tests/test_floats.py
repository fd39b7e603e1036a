"""CSV and JSON numbers are Python's repr, byte for byte, whether orjson writes them or repr itself does."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import lrplot
from lrplot.render import floats, table


def _values(seed: int) -> np.ndarray:
    """Random float64 values of every decade from 1e-324 to 1e308, random bit patterns (subnormals among
    them), integer-valued floats, both zeros and the boundaries where orjson's spelling changes."""
    rng = np.random.default_rng(seed)
    decades = [rng.random(40) * 10.0 ** d for d in range(-324, 309)]
    bits = rng.integers(0, 2**63, 20_000, dtype=np.uint64).view(np.float64)
    subnormals = rng.integers(1, 2**52, 2_000, dtype=np.uint64).view(np.float64)
    integers = rng.integers(-10**6, 10**6, 2_000).astype(np.float64)
    large_integers = np.round(rng.random(2_000) * 1e6) * 10.0 ** rng.integers(0, 20, 2_000)
    edges = np.array([0.0, -0.0, 1e-4, np.nextafter(1e-4, 0), 1e-5, np.nextafter(1e-5, 0), 1e-9, 1e-10, 1e16,
                      np.nextafter(1e16, 0), 1e15, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308])
    values = np.concatenate(decades + [bits, subnormals, integers, large_integers, edges])
    values = values[np.isfinite(values)]
    return np.where(rng.random(len(values)) < 0.5, -values, values)


@pytest.fixture(autouse=True)
def _orjson_for_every_size(monkeypatch):
    """Columns of any length through orjson here (the CLI keeps small ones on repr: see test below)."""
    monkeypatch.setattr(floats, "SMALL", 0)


def _without_orjson(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson raises ImportError
    monkeypatch.setattr(floats, "_state", {})


def test_orjson_is_used_here():
    assert floats.available(), "orjson is a dependency: the fast path must be the one tested below"


@pytest.mark.parametrize("seed", [0, 1])
def test_json_list_is_json_dumps(seed):
    values = _values(seed)
    assert floats.json_list(floats.cells(values, csv=False)) == json.dumps(values.tolist()).encode()


@pytest.mark.parametrize("seed", [2])
def test_csv_cells_are_repr(seed):
    values = _values(seed)
    steps = np.arange(len(values))
    want = "".join(f"{i},{v!r}\n" for i, v in enumerate(values.tolist())).encode()
    assert floats.csv_rows([floats.cells(steps, csv=True), floats.cells(values, csv=True)]) == want


def test_nan_is_empty_in_csv_and_null_in_json():
    values = np.array([0.5, np.nan, 2.5e-5, np.nan])
    assert floats.csv_rows([floats.cells(values, csv=True)]) == b"0.5\n\n2.5e-05\n\n"
    assert floats.json_list(floats.cells(values, csv=False)) == b"[0.5, null, 2.5e-05, null]"


def test_infinity_falls_back_to_repr_in_csv_and_is_refused_in_json():
    values = np.array([1e-7, np.inf, -np.inf])
    assert floats.csv_rows([floats.cells(values, csv=True)]) == b"1e-07\ninf\n-inf\n"
    with pytest.raises(ValueError):
        floats.cells(values, csv=False)


def test_empty_and_single_columns():
    assert floats.csv_rows([floats.cells(np.zeros(0), csv=True)]) == b""
    assert floats.json_list(floats.cells(np.zeros(0), csv=False)) == b"[]"
    assert floats.json_list(floats.cells(np.array([3e-5]), csv=False)) == b"[3e-05]"


def test_without_orjson_the_same_bytes(monkeypatch):
    values = _values(3)[:30_000]
    fast_json = floats.json_list(floats.cells(values, csv=False))
    fast_csv = floats.csv_rows([floats.cells(np.arange(len(values)), csv=True), floats.cells(values, csv=True)])
    _without_orjson(monkeypatch)
    assert not floats.available()
    assert floats.json_list(floats.cells(values, csv=False)) == fast_json
    assert floats.csv_rows([floats.cells(np.arange(len(values)), csv=True),
                            floats.cells(values, csv=True)]) == fast_csv


def test_an_orjson_that_spells_differently_is_not_used(monkeypatch):
    import orjson

    class Respelled:
        OPT_SERIALIZE_NUMPY = orjson.OPT_SERIALIZE_NUMPY

        @staticmethod
        def dumps(value, option=0):
            return orjson.dumps(value, option=option).replace(b"e-", b"E-")

    monkeypatch.setitem(sys.modules, "orjson", Respelled)
    monkeypatch.setattr(floats, "_state", {})
    assert not floats.available()
    assert floats.json_list(floats.cells(np.array([1e-7, 0.5]), csv=False)) == b"[1e-07, 0.5]"


@pytest.mark.parametrize("spelling", ["e16", "e+16"])
def test_both_exponent_spellings_of_orjson_are_repr(spelling, monkeypatch):
    """orjson 3.8 writes ``1e16``, 3.10+ ``1e+16``: each, respelled, is repr's text (and is used)."""
    import re

    import orjson

    class Spelled:
        OPT_SERIALIZE_NUMPY = orjson.OPT_SERIALIZE_NUMPY

        @staticmethod
        def dumps(value, option=0):
            text = orjson.dumps(value, option=option)
            if spelling == "e+16":
                return re.sub(rb"e(\d)", rb"e+\1", text)
            return text.replace(b"e+", b"e")

    monkeypatch.setitem(sys.modules, "orjson", Spelled)
    monkeypatch.setattr(floats, "_state", {})
    assert floats.available()
    values = _values(4)[:40_000]
    assert floats.json_list(floats.cells(values, csv=False)) == json.dumps(values.tolist()).encode()


def _reference_csv(result) -> bytes:
    """The CSV as lrplot wrote it before orjson: float by float with repr."""
    cols = table.columns(result)
    lines = [",".join(name for name, _ in cols)]
    for row in zip(*(values.tolist() for _, values in cols)):
        lines.append(",".join("" if v != v else repr(v) for v in row))
    return ("\n".join(lines) + "\n").encode()


def _reference_json(result) -> bytes:
    cols = {name: [None if v != v else v for v in values.tolist()] for name, values in table.columns(result)}
    data = {"scheduler": result.scheduler, "params": table._jsonable(result.params), "columns": cols}
    return (json.dumps(data, allow_nan=False) + "\n").encode()


RESULTS = {
    "cosine to eta_min, 2 groups": lambda: lrplot.simulate("CosineAnnealingLR", epochs=5000, lr=[0.1, 3e-5],
                                                           T_max=1000, eta_min=1e-9),
    "onecycle with momentum": lambda: lrplot.simulate("OneCycleLR", epochs=3000, max_lr=2e-5, total_steps=3000),
    "plateau with metrics": lambda: lrplot.simulate("ReduceLROnPlateau", epochs=400, lr=1e17, patience=3),
    "epochs column": lambda: lrplot.simulate({"scheduler": "StepLR", "params": {"step_size": 7},
                                              "epochs": 300, "steps_per_epoch": 7}),
}


@pytest.mark.parametrize("name", sorted(RESULTS))
@pytest.mark.parametrize("with_orjson", [True, False])
def test_tables_are_the_reference_bytes(name, with_orjson, monkeypatch):
    result = RESULTS[name]()
    if not with_orjson:
        _without_orjson(monkeypatch)
    assert b"".join(table.write_csv([result], [""])) == _reference_csv(result)
    assert b"".join(table.csv_byte_chunks(table.columns(result), chunk_rows=97)) == _reference_csv(result)
    assert b"".join(table.write_json([result], [""])) == _reference_json(result)
    monkeypatch.setattr(table, "_JSON_CHUNK", 97)  # columns written in blocks: the joins between them
    assert b"".join(table.write_json([result], [""])) == _reference_json(result)


def test_compare_tables_pad_shorter_runs():
    short = lrplot.simulate("ExponentialLR", epochs=3, gamma=1e-3)
    long = lrplot.simulate("StepLR", epochs=5, lr=[1e-5, 2e20], step_size=2)
    csv = b"".join(table.write_csv([short, long], ["a,b", "c"])).decode()
    lines = csv.splitlines()
    assert lines[0] == 'step,"a,b",c_lr_0,c_lr_1'
    for i, line in enumerate(lines[1:]):
        shorts = [repr(float(short.lr[i, 0]))] if i < 3 else [""]
        assert line.split(",") == [str(i)] + shorts + [repr(float(v)) for v in long.lr[i]]
    assert lines[3] == "2,1.0000000000000001e-07,1.0000000000000002e-06,2e+19"
    data = json.loads(b"".join(table.write_json([short, long], ["a,b", "c"])))
    assert data["columns"]["a,b"] == short.lr[:, 0].tolist() + [None, None]
    assert list(data["columns"]) == ["step", "a,b", "c_lr_0", "c_lr_1"]


SMALL_TABLE = ("import sys; from lrplot.cli.main import main\n"
               "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
               "sys.stderr.write('MODULES ' + ' '.join(m for m in ('orjson', 'json') if m in sys.modules))\n")


@pytest.mark.parametrize("steps,orjson_loaded", [("100", False), ("5000", True)])
def test_small_tables_do_not_import_orjson_or_json(steps, orjson_loaded):
    """Start-up: a 100-row CSV is written by repr; orjson's import would cost more than it saves."""
    import subprocess

    proc = subprocess.run([sys.executable, "-c", SMALL_TABLE, "step", "--step-size", "30", "-n", steps, "-f", "csv"],
                          capture_output=True, text=True)
    loaded = proc.stderr.split("MODULES ")[-1].split()
    assert ("orjson" in loaded) == orjson_loaded
    assert orjson_loaded or "json" not in loaded
