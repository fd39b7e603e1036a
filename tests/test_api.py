"""The Python API (lrplot.simulate / from_config / plot, Result): the command line's answers as objects.

Every config file lrplot ships or is tested on is read through ``lrplot.from_config`` and must give what
``lrplot from-config`` gives, bit for bit, or refuse with the same message."""

from __future__ import annotations

import doctest
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import lrplot
from lrplot import LrplotError
from lrplot.api import Result

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILES = sorted(p for p in (ROOT / "configs").rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                      and p.parent.name != "logs")
FIXTURE_FILES = sorted(p for d in ("real_configs", "real_configs_13", "real_configs_14")
                       for p in (ROOT / "tests" / "fixtures" / d).iterdir()
                       if p.suffix in (".yaml", ".yml", ".json") and p.name != "expected.yaml")


def _lr_column(csv_text: str) -> list[str]:
    rows = csv_text.splitlines()
    header = rows[0].split(",")
    lr = [h for h in header if h == "lr" or h.startswith("lr_")]
    return [",".join(row.split(",")[header.index(h)] for h in lr) for row in rows[1:]]


def _api_column(result) -> list[str]:
    return [",".join(repr(float(v)) for v in row) for row in result.lr]


@pytest.mark.parametrize("path", CONFIG_FILES + FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_from_config_reads_every_file_as_the_command_line_does(cli, path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = {"dataset_size": 10000} if path.parent.name != "configs" else {}
    flags = ["--dataset-size", "10000"] if run else []
    made = cli("from-config", str(path), *flags, "-f", "csv")
    if made.exit_code != 0:
        message = made.stderr.strip().splitlines()[-1].removeprefix("lrplot: error: ")
        with pytest.raises(LrplotError) as refused:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lrplot.from_config(path, **run)
        assert str(refused.value) == message
        return
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        result = lrplot.from_config(path, **run)
    assert isinstance(result, Result)
    assert _api_column(result) == _lr_column(made.stdout)
    assert [str(w.message) for w in said] == result.warnings
    for warning in result.warnings:
        assert warning in made.stderr


def test_most_files_are_read_not_refused(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    read = 0
    for path in FIXTURE_FILES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                lrplot.from_config(path, dataset_size=10000)
                read += 1
            except LrplotError:
                pass
    assert read >= len(FIXTURE_FILES) // 2  # the rest are refused on purpose (each with its reason, above)


def test_from_config_takes_the_run_as_keywords(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    made = cli("from-config", "configs/hf-trainer.json", "--dataset-size", "5000", "--devices", "2",
               "--grad-accum", "4", "--lr", "0.0003", "-f", "csv")
    assert made.exit_code == 0, made.stderr
    result = lrplot.from_config("configs/hf-trainer.json", dataset_size=5000, devices=2, grad_accum=4, lr=3e-4)
    assert _api_column(result) == _lr_column(made.stdout)
    assert result.plan is not None and result.plan.total_steps == len(result)


def test_from_config_refuses_an_unknown_keyword_naming_it():
    with pytest.raises(LrplotError, match=r"^from_config: 'dataset' is not a run option \(allowed: epochs, "):
        lrplot.from_config("configs/cosine.yaml", dataset=5)


@pytest.mark.parametrize("command,keywords", [
    (["step", "--step-size", "30", "--gamma", "0.1"], {"scheduler": "step", "step_size": 30, "gamma": 0.1}),
    (["cosine", "--t-max", "100", "--warmup", "5"], {"scheduler": "cosine", "T_max": 100, "warmup": 5}),
    (["cosine", "--t-max", "100", "--warmup", "10", "--warmup-start-factor", "0.5"],
     {"scheduler": "cosine", "T_max": 100, "warmup": {"steps": 10, "start_factor": 0.5}}),
    (["step", "--step-size", "3", "--steps-per-epoch", "4", "-n", "5"],
     {"scheduler": "step", "step_size": 3, "steps_per_epoch": 4, "epochs": 5}),
    (["cosine", "--t-max", "10", "--dataset-size", "1000", "--batch-size", "32", "--devices", "2", "-n", "3"],
     {"scheduler": "cosine", "T_max": 10, "dataset_size": 1000, "batch_size": 32, "devices": 2, "epochs": 3}),
    (["cosine", "--t-max", "10", "--dataset-size", "1000", "--batch-size", "32", "-n", "3"],
     {"scheduler": "cosine", "T_max": 10, "run": {"dataset_size": 1000, "batch_size": 32}, "epochs": 3}),
    (["step", "--step-size", "30", "--resume-at", "40", "--resume-mode", "fresh"],
     {"scheduler": "step", "step_size": 30, "resume_at": 40, "resume_mode": "fresh"}),
    (["onecycle", "--max-lr", "0.1", "--total-steps", "50", "--momentum", "0.9"],
     {"scheduler": "onecycle", "max_lr": 0.1, "total_steps": 50, "momentum": 0.9}),
    (["cosine", "--t-max", "100", "--lr", "0.1", "--lr", "0.01"], {"scheduler": "cosine", "T_max": 100,
                                                                 "lr": [0.1, 0.01]}),
])
def test_simulate_keywords_match_the_flags(cli, command, keywords):
    made = cli(*command, "-f", "csv")
    assert made.exit_code == 0, made.stderr
    keywords = dict(keywords)
    result = lrplot.simulate(keywords.pop("scheduler"), **keywords)
    assert _api_column(result) == _lr_column(made.stdout)
    if "--resume-at" in command:
        assert result.uninterrupted is not None and int(result.steps[0]) == 40


def test_at_reads_one_step():
    result = lrplot.simulate("StepLR", step_size=30, gamma=0.1)
    assert result.at(29) == 0.1 and result.at(30) == 0.1 * 0.1 and result.at(99) == result.lr[99, 0]
    groups = lrplot.simulate("cosine", T_max=100, lr=[0.1, 0.01])
    assert groups.at(50) == (groups.lr[50, 0], groups.lr[50, 1])
    assert groups.at(50, group=1) == groups.lr[50, 1]
    resumed = lrplot.simulate("StepLR", step_size=30, start_step=40, resume_mode="state")
    assert resumed.at(40) == resumed.lr[0, 0]


@pytest.mark.parametrize("call,message", [
    (lambda r: r.at(100), "at: step 100 is outside the simulated steps 0..99"),
    (lambda r: r.at(-1), "at: step -1 is outside the simulated steps 0..99"),
    (lambda r: r.at(2.5), "at: step 2.5 is not a whole number of steps"),
    (lambda r: r.at("3"), "at: step '3' is not a whole number of steps"),
    (lambda r: r.at(3, group=1), "at: group 1 is not a param group (0..0)"),
])
def test_at_refuses_what_was_not_simulated(call, message):
    with pytest.raises(LrplotError) as refused:
        call(lrplot.simulate("StepLR", step_size=30))
    assert str(refused.value) == message


def test_to_pandas_has_the_csv_columns(cli):
    import pandas

    made = cli("onecycle", "--max-lr", "0.1", "--total-steps", "20", "--momentum", "0.9", "-f", "csv")
    frame = lrplot.simulate("onecycle", max_lr=0.1, total_steps=20, momentum=0.9).to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    text = io.StringIO()
    frame.to_csv(text, float_format=lambda v: repr(float(v)), lineterminator="\n")
    assert text.getvalue() == made.stdout


def test_to_pandas_without_pandas_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(LrplotError) as refused:
        lrplot.simulate("StepLR", step_size=30).to_pandas()
    assert str(refused.value) == "to_pandas needs pandas, which lrplot does not install: pip install pandas"


def test_warnings_reach_a_notebook_as_python_warnings():
    with pytest.warns(lrplot.LrplotWarning) as said:
        result = lrplot.simulate("StepLR", step_size=30, start_step=40)  # resumed with last_epoch: departs
    assert result.warnings and [str(w.message) for w in said] == result.warnings


def test_repr_is_one_line():
    assert repr(lrplot.simulate("StepLR", step_size=30, gamma=0.5)) == \
        "<lrplot result: StepLR(step_size=30, gamma=0.5), steps 0..99, 1 param group>"


def test_a_result_shows_itself_as_a_png():
    png = lrplot.simulate("StepLR", step_size=30, gamma=0.1)._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 450)


@pytest.mark.parametrize("keywords,message", [
    ({"size": (3, 0.1)}, "size: (3, 0.1) is not (width, height) in inches, each in [0.5, 100]"),
    ({"dpi": 5}, "dpi: 5 is invalid: a whole number in [10, 1200]"),
    ({"log_y": "yes"}, "log_y: 'yes' is not True, False or None (automatic)"),
    ({"labels": ["a", "b"]}, "labels: give one text per result (1), not ['a', 'b']"),
])
def test_plot_refuses_bad_picture_keywords_by_name(keywords, message):
    with pytest.raises(LrplotError) as refused:
        lrplot.plot("StepLR", step_size=30, **keywords)
    assert str(refused.value) == message


HOST = r"""
import matplotlib
matplotlib.use("pdf")
import matplotlib.pyplot as plt
plt.rcParams["lines.linewidth"] = 7.0
plt.rcParams["axes.grid"] = False
fig, ax = plt.subplots()
before = dict(matplotlib.rcParams)
backend = matplotlib.get_backend()
import lrplot
result = lrplot.simulate("StepLR", step_size=30, gamma=0.1)
drawn = result.plot(ax=ax)
assert drawn is ax, drawn
assert len(ax.get_lines()) + len(ax.collections) >= 1
other = lrplot.plot([result, lrplot.simulate("cosine", T_max=100)], labels=["step", "cosine"])
assert type(other).__name__ == "Figure" and other.axes
on_axes = lrplot.plot("onecycle", ax=ax, max_lr=0.1, total_steps=100)
assert on_axes is ax
result._repr_png_()
assert matplotlib.get_backend() == backend, matplotlib.get_backend()
after = dict(matplotlib.rcParams)
changed = {k for k in before if before[k] != after[k] and not (before[k] != before[k])}
assert not changed, changed
assert plt.get_fignums() == [1], plt.get_fignums()
print("host unchanged")
"""


def test_plot_leaves_the_host_program_as_it_was():
    made = subprocess.run([sys.executable, "-c", HOST], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "MPLBACKEND": ""}, timeout=120)
    assert made.returncode == 0, made.stderr
    assert made.stdout == "host unchanged\n"


@pytest.mark.parametrize("module", ["lrplot", "lrplot.api", "lrplot.api.result"])
def test_docstring_examples_run(module, monkeypatch):
    import importlib

    monkeypatch.chdir(ROOT)
    found = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert found.attempted > 0 and found.failed == 0
