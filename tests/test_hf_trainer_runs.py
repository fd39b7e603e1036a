"""lrplot against real HF Trainer runs: a tiny model trained on CPU by transformers 4.57 and 5.23 (one, two and
four data-parallel processes), the lr recorded inside every optimizer.step() (tests/fixtures/gen_hf_trainer.py).

Each case's TrainingArguments are written to a file and read back with
``lrplot from-config args.json --dataset-size N --devices W --transformers V``: the rows must be the Trainer's
optimizer steps and every lr bit-identical; what the Trainer refuses, lrplot refuses."""

import json
from pathlib import Path

import pytest

RUNS = Path(__file__).parent / "fixtures" / "runs"
VERSION_FLAG = {"4.57": "4", "5.23": "5.15+"}  # the warmup rules of that transformers
FILES = {version: json.loads((RUNS / f"hf_trainer_{version}.json").read_text()) for version in VERSION_FLAG}
CASES = [(version, name) for version, data in FILES.items() for name in data["cases"]]


def _run(cli, tmp_path, version, case):
    args = tmp_path / "training_args.json"
    args.write_text(json.dumps({"output_dir": "out", **case["args"]}))
    return cli("from-config", args, "--dataset-size", str(case["dataset_size"]), "--devices", str(case["devices"]),
               "--transformers", VERSION_FLAG[version], "-f", "csv")


@pytest.mark.parametrize("version,name", CASES, ids=[f"{v}/{n}" for v, n in CASES])
def test_matches_the_real_trainer(cli, tmp_path, version, name):
    case = FILES[version]["cases"][name]
    result = _run(cli, tmp_path, version, case)
    if "error" in case:
        assert result.exit_code == 2 and result.stdout == "", f"the Trainer refused: {case['error']}"
        return
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    column = rows[0].split(",").index("lr")
    lr = [float(row.split(",")[column]) for row in rows[1:]]
    assert len(lr) == len(case["lr"])
    assert lr == case["lr"]


def test_the_runs_cover_what_matters():
    for version, data in FILES.items():
        assert data["library_versions"]["transformers"].startswith(version)
        cases = data["cases"].values()
        assert {c["devices"] for c in cases} >= {1, 2, 4}
        assert any(c["args"].get("dataloader_drop_last") for c in cases)
        assert any(isinstance(c["args"].get("lr_scheduler_kwargs"), str) for c in cases)
        assert any("error" in c for c in cases)
