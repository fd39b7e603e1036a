"""Pictures: every scheduler and config renders, SVG is XML, output is deterministic, big curves keep their shape."""

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.engine.registry import SCHEDULERS
from lrplot.render.envelope import envelope
from lrplot.render.formats import RenderOptions as PlotOptions
from lrplot.render.plot import Series, render



@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_every_scheduler_renders_png_and_svg(name):
    spec = SCHEDULERS[name].spec
    groups = max(len(spec.family.param_groups), 2)  # a trainer's own groups (YOLO) take one lr each
    result = lrplot.simulate(name, lr=[0.1, 0.05, 0.02][:groups] + [0.01] * (groups - 3), params=spec.example)
    png = render([Series(result)], "png", PlotOptions())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    svg = render([Series(result)], "svg", PlotOptions())
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert name.encode() in svg or b"<path" in svg


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_output_is_deterministic(fmt):
    result = lrplot.simulate("onecycle", max_lr=0.1, total_steps=500, momentum=0.9)
    first = render([Series(result)], fmt, PlotOptions())
    second = render([Series(result)], fmt, PlotOptions())
    assert first == second
    assert b"CreationDate" not in first and b"<dc:date>" not in first


def test_same_command_same_bytes(tmp_path):
    outputs = []
    for i in range(2):
        out = tmp_path / f"{i}.svg"
        assert invoke(["cosine-restarts", "--t-0", "10", "-o", str(out)]).exit_code == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_envelope_keeps_every_peak_and_trough_within_one_pixel():
    steps = 1_000_000
    result = lrplot.simulate("cyclic", epochs=steps, base_lr=0.001, max_lr=0.1, step_size_up=37, step_size_down=55,
                             mode="exp_range", gamma=0.999998, cycle_momentum=False)
    x = result.steps.astype(float)
    y = result.lr[:, 0]
    columns = 1200
    xs, ys = envelope(x, y, columns)
    assert len(xs) <= 2 * columns + 2
    pixel = steps / columns
    inner = y[1:-1]
    peaks = np.flatnonzero((inner > y[:-2]) & (inner >= y[2:])) + 1
    troughs = np.flatnonzero((inner < y[:-2]) & (inner <= y[2:])) + 1
    assert len(peaks) > 10_000 and len(troughs) > 10_000
    for index, above in ((peaks, True), (troughs, False)):
        pos = np.searchsorted(xs, x[index])
        best = np.full(len(index), -np.inf if above else np.inf)
        for shift in range(-3, 3):  # drawn points within one pixel on either side
            j = np.clip(pos + shift, 0, len(xs) - 1)
            near = np.abs(xs[j] - x[index]) <= pixel
            candidate = np.where(near, ys[j], -np.inf if above else np.inf)
            best = np.maximum(best, candidate) if above else np.minimum(best, candidate)
        assert (best >= y[index]).all() if above else (best <= y[index]).all()


def test_small_curves_are_drawn_point_for_point():
    x = np.arange(100.0)
    y = np.cos(x)
    xs, ys = envelope(x, y, 1200)
    assert np.array_equal(xs, x) and np.array_equal(ys, y)


def test_log_scale_is_automatic_and_handles_zeros(recwarn):
    decays = lrplot.simulate("step", step_size=10, gamma=0.1, epochs=60)  # 6 decades: log
    zeros = lrplot.simulate("cosine", T_max=50, epochs=100)  # reaches exactly 0: linear
    from lrplot.render.envelope import auto_log as _auto_log

    for result, log in ((decays, True), (zeros, False)):
        assert _auto_log(result.lr) == log
        assert render([Series(result)], "svg", PlotOptions())[:5] == b"<?xml"
    forced = render([Series(zeros)], "png", PlotOptions(log_y=True))
    assert forced[:4] == b"\x89PNG"
    assert not [w for w in recwarn if "divide" in str(w.message) or "log" in str(w.message).lower()]


def test_compare_command(tmp_path):
    runs = tmp_path / "runs.yaml"
    runs.write_text("runs:\n  - {label: cosine, scheduler: cosine, params: {T_max: 100}}\n"
                    "  - {label: one-cycle, scheduler: onecycle, params: {max_lr: 0.1, total_steps: 100}}\n")
    step = Path(__file__).parents[1] / "configs" / "step.yaml"
    out = tmp_path / "cmp.png"
    result = invoke(["compare", str(runs), str(step), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    text = invoke(["compare", str(runs), str(step), "-f", "csv", "-n", "3"]).stdout
    lines = text.splitlines()
    # a run labelled "step" would collide with the index column: csv.DictReader must keep both
    assert lines[0] == "step,cosine,one-cycle,step (2)"
    import csv

    rows = list(csv.DictReader(text.splitlines()))
    assert [r["step"] for r in rows] == ["0", "1", "2"] and rows[0]["step (2)"] == "0.1"
    assert lines[1] == "0,0.1,0.0040000000000000036,0.1"
    short = tmp_path / "short.yaml"
    short.write_text("scheduler: exponential\nparams: {gamma: 0.5}\nepochs: 2\n")
    text = invoke(["compare", str(short), str(step), "-f", "csv"]).stdout.splitlines()
    assert text[1:4] == ["0,0.1,0.1", "1,0.05,0.1", "2,,0.1"]


def test_compare_errors_point_into_the_runs_list(tmp_path):
    runs = tmp_path / "runs.yaml"
    runs.write_text("runs:\n  - {scheduler: cosine, params: {T_max: 10}}\n  - scheduler: step\n    params: {gamma: 2}\n")
    result = invoke(["compare", str(runs), "-f", "csv"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("lrplot: error: runs.yaml:4: runs[1].params.step_size: missing required "
                                     "parameter of StepLR (integer >= 1: period of learning rate decay, in epochs)")


def test_terminal_preview():
    result = invoke(["cyclic", "--base-lr", "0.001", "--max-lr", "0.1", "--step-size-up", "20",
                                 "-n", "300", "--format", "term"])
    assert result.exit_code == 0, result.stderr
    assert "CyclicLR" in result.stdout and "\x1b[" not in result.stdout
    assert sum(ch in "▘▝▖▗▚▞▌▐▀▄█▙▛▜▟" for ch in result.stdout) > 50


def test_terminal_preview_without_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "uniplot", None)
    result = invoke(["step", "--step-size", "3", "--format", "term"])
    assert result.exit_code == 1
    assert result.stderr == "lrplot: error: --format term needs the optional extra: pip install 'lrplot[term]'\n"


def test_refuses_binary_to_a_terminal(monkeypatch, capsys):
    from lrplot.cli import output

    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(output.sys, "stdout", Tty())
    with pytest.raises(lrplot.LrplotError, match="refusing to write binary PNG to a terminal"):
        output.emit([lrplot.simulate("step", step_size=3)], output.Target.choose("png", "-", "step"), {})
