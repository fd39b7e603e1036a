"""Resume modes against real torch, the run's own log against the prediction, and the one-line answers."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fixtures"
RESUME = json.loads((HERE / "golden_runs" / "resume_modes.json").read_text())
LOGS = HERE / "logs"
MANIFEST = list(csv.DictReader(io.StringIO((LOGS / "MANIFEST.tsv").read_text()), delimiter="\t"))


@pytest.mark.parametrize("case", sorted(RESUME))
def test_resume_modes_are_torchs(cli, case):
    mode = case.split("/")[1]
    result = cli(*RESUME[case]["args"], "--lr", "0.1", "--momentum", "0.9", "-n", "20", "--resume-at", "10",
                 "--resume-mode", mode, "-f", "csv", "-q")
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[1].startswith("10,") and [float(r.split(",")[1]) for r in rows[1:]] == RESUME[case]["rows"]


def test_start_step_is_resume_at_with_last_epoch(cli):
    old = cli("cosine", "--t-max", "15", "-n", "20", "--start-step", "10", "-f", "csv", "-q")
    new = cli("cosine", "--t-max", "15", "-n", "20", "--resume-at", "10", "--resume-mode", "last-epoch", "-f", "csv",
              "-q")
    assert old.exit_code == 0 and old.stdout == new.stdout


def test_fresh_resume_restarts_the_warmup_and_check_says_where(cli):
    args = ("hf-linear", "--num-warmup-steps", "10", "--num-training-steps", "100", "--resume-at", "50")
    fresh = cli(*args, "--resume-mode", "fresh", "-f", "csv", "-q")
    rows = fresh.stdout.splitlines()
    assert rows[1] == "50,0.0" and rows[2] == "51,0.010000000000000002"  # warmup from 0 again: 0.1 x 1/10
    assert "departs from the uninterrupted run at step 50" in fresh.stderr
    state = cli(*args, "-f", "csv", "-q")
    whole = cli("hf-linear", "--num-warmup-steps", "10", "--num-training-steps", "100", "-f", "csv", "-q")
    assert state.stderr == "" and state.stdout.splitlines()[1:] == whole.stdout.splitlines()[51:]  # seamless
    check = cli(*args, "--resume-mode", "fresh", "--check")
    assert check.exit_code == 1 and check.stdout.startswith("--resume-mode: resume-departs warning: resumed at step "
                                                            "50 (fresh)")


def test_resume_flags_refused_clearly(cli):
    bad = cli("cosine", "--t-max", "10", "--resume-mode", "sideways", "--resume-at", "3", "-f", "csv")
    assert bad.exit_code == 2 and bad.stderr.startswith("lrplot: error: --resume-mode: 'sideways' is not one of state")
    both = cli("cosine", "--t-max", "10", "--start-step", "3", "--resume-at", "3", "-f", "csv")
    assert both.exit_code == 2 and "not both" in both.stderr
    timm = cli("timm-cosine", "--t-initial", "20", "--resume-at", "3", "--resume-mode", "last-epoch-minus-1")
    assert timm.exit_code == 2 and "is not built that way" in timm.stderr


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["path"])
def test_real_logs_match_the_prediction(cli, row, monkeypatch):
    monkeypatch.chdir(LOGS)
    result = cli("check", *row["lrplot_command"].split()[1:], "--log", row["path"], "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "log-diverges"]
    assert len(found) == 1 and found[0]["severity"] == "info", result.stdout
    assert "matches the prediction within 1e-06" in found[0]["message"]


def _tamper_hf(path: Path, step: int, factor: float) -> None:
    data = json.loads(path.read_text())
    for entry in data["log_history"]:
        if entry.get("step") == step:
            entry["learning_rate"] *= factor
    path.write_text(json.dumps(data))


def test_a_tampered_log_is_caught(cli, tmp_path, monkeypatch):
    shutil.copytree(LOGS / "hf5-cosine", tmp_path / "run")
    monkeypatch.chdir(tmp_path)
    _tamper_hf(tmp_path / "run" / "trainer_state.json", 12, 1.001)
    result = cli("check", "run/args.yaml", "--dataset-size", "50", "--log", "run/trainer_state.json")
    assert result.exit_code == 1
    assert "log-diverges error: the logged lr departs from the prediction at step 11:" in result.stdout
    assert "(relative difference 0.001)" in result.stdout and "1 of 21 entries differ" in result.stdout
    loose = cli("check", "run/args.yaml", "--dataset-size", "50", "--log", "run/trainer_state.json", "--log-rtol",
                "0.01")
    assert loose.exit_code == 0
    wrong_run = cli("check", "run/args.yaml", "--dataset-size", "60", "--log", LOGS / "hf5-cosine" /
                    "trainer_state.json")
    assert wrong_run.exit_code == 1 and "log-diverges error" in wrong_run.stdout


def test_a_log_longer_than_the_prediction(cli, monkeypatch):
    monkeypatch.chdir(LOGS)
    result = cli("check", "hf5-cosine/args.yaml", "--max-steps", "15", "--dataset-size", "50", "--log",
                 "hf5-cosine/trainer_state.json")
    assert result.exit_code == 1 and "logged entries lie past the predicted run's last step" in result.stdout


def test_log_on_a_plotting_command_draws_and_says(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(LOGS)
    out = tmp_path / "x.png"
    result = cli("from-config", "lightning-step/config.yaml", "--dataset-size", "35", "--lr", "0.1,0.01", "--log",
                 "lightning-step/metrics.csv", "-o", out)
    assert result.exit_code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    assert "lrplot: log: the logged lr (Lightning metrics.csv, 15 entries) matches the prediction" in result.stderr


def test_unreadable_logs_are_refused_in_one_line(cli, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    for path, phrase in ((junk, "a CSV lrplot cannot read as a log"), (tmp_path / "none.json", "no such file")):
        result = cli("check", HERE.parent.parent / "configs" / "cosine.yaml", "--log", path)
        assert result.exit_code in (1, 2) and phrase in result.stderr and len(result.stderr.splitlines()) == 1


def test_at_prints_every_group_at_the_steps(cli):
    result = cli("cosine", "--t-max", "100", "--lr", "0.1,0.2", "--at", "0,50", "--at", "99")
    whole = cli("cosine", "--t-max", "100", "--lr", "0.1,0.2", "-f", "csv").stdout.splitlines()
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["step,lr_0,lr_1", whole[1], whole[51], whole[100]]
    outside = cli("cosine", "--t-max", "100", "--at", "100")
    assert outside.exit_code == 2 and outside.stderr.endswith("--at: step 100 is outside the run's steps 0..99\n")


def test_summary_line_and_quiet(cli):
    result = cli("hf-cosine", "--num-warmup-steps", "10", "--num-training-steps", "100", "-f", "csv")
    assert result.stderr == ("lrplot: lr: peak 0.1 at step 10, warmup ends at step 10, final 3.046e-05 at step 99, "
                             "minimum 0 at step 0\n")
    assert cli("hf-cosine", "--num-warmup-steps", "10", "--num-training-steps", "100", "-f", "csv", "-q").stderr == ""
