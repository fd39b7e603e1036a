"""Real training configs from public repositories (tests/fixtures/real_configs, sources in MANIFEST.tsv), each
read as its trainer reads it.  The expected values (expected.yaml) were computed independently of lrplot,
from each trainer's own rules and formulas, for ``lrplot from-config FILE --dataset-size 10000``."""

import csv
import io
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent / "fixtures" / "real_configs"
EXPECTED = yaml.safe_load((HERE / "expected.yaml").read_text())
MANIFEST = {row["file"]: row for row in csv.DictReader(io.StringIO((HERE / "MANIFEST.tsv").read_text()),
                                                       delimiter="\t")}
FILES = sorted(p.name for p in HERE.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.name != "expected.yaml")
READ = [name for name in FILES if "refused" not in EXPECTED[name]]
REFUSED = [name for name in FILES if "refused" in EXPECTED[name]]


def test_every_file_has_a_source_and_an_expectation():
    assert len(FILES) >= 25 and set(FILES) == set(EXPECTED) == set(MANIFEST)
    for row in MANIFEST.values():
        assert row["repository"] and row["path"] and len(row["commit"]) == 40


@pytest.mark.parametrize("name", READ)
def test_read_as_the_trainer_reads_it(cli, name):
    want = EXPECTED[name]
    result = cli("from-config", HERE / name, "--dataset-size", "10000", "-f", "csv", "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"lrplot: read as {want['shape']}")
    rows = result.stdout.splitlines()
    assert len(rows) - 1 == want["steps"]
    header = rows[0].split(",")
    lr = [float(row.split(",")[header.index("lr")]) for row in rows[1:]]
    for step, value in want["values"].items():
        assert lr[int(step)] == value, f"step {step}"
    assert max(lr) <= max(want["lr"], max(want["values"].values()))
    if want["steps_per_epoch"]:
        assert f"= {want['steps_per_epoch']:,} optimizer steps per epoch" in result.stderr
    else:
        assert "epoch" not in header


@pytest.mark.parametrize("name", READ)
def test_the_schedule_and_its_warmup(name):
    from lrplot.config.load import load
    from lrplot.config.shapes import translate

    want = EXPECTED[name]
    config = translate(load(str(HERE / name)).data, {"dataset_size": 10000, "base": str(HERE)}).config
    params = config.get("params") or {}
    if want["scheduler"] == "constant":
        assert config["scheduler"] in ("LambdaLR", "hf:constant") and params.get("lr_lambda", "1.0") == "1.0"
    else:
        assert config["scheduler"] == want["scheduler"]
    warmup = params.get("num_warmup_steps", params.get("warmup_num_steps"))
    assert warmup == want["warmup"]


@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_the_reason(cli, name):
    result = cli("from-config", HERE / name, "--dataset-size", "10000", "-f", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert EXPECTED[name]["refused"].lower() in result.stderr.lower()
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
