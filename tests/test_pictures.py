"""Pictures as a reader sees them: exact canvas, whole titles, labelled marks, both step and epoch axes, a legend
clear of the curves, true tick labels that do not collide, and a host process left as it was."""

import io
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from lrplot_cli import invoke
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import lrplot
from lrplot.render.formats import RenderOptions
from lrplot.render.plot import PALETTE, Series, draw, figure, render
from lrplot.render.ticks import log_label, step_label, tick_label

ROOT = Path(__file__).resolve().parents[1]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def drawn(series, options=RenderOptions()):
    fig = figure(series, options)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig, canvas.get_renderer()


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def inside(box, outer, slack=0.5) -> bool:
    return (box.x0 >= outer.x0 - slack and box.x1 <= outer.x1 + slack and box.y0 >= outer.y0 - slack
            and box.y1 <= outer.y1 + slack)


STEP = lrplot.simulate("step", step_size=30, gamma=0.1)
ONECYCLE = lrplot.simulate("onecycle", max_lr=0.1, total_steps=300)


@pytest.mark.parametrize(("size", "dpi", "result"), [
    (None, None, STEP), (None, None, ONECYCLE), ((5, 3), 150, STEP), ((4, 2.5), 100, ONECYCLE),
    ((6, 3.4), 150, STEP), ((5, 3), 72, ONECYCLE), ((7.3, 4.1), 200, STEP), ((12, 2), 80, STEP)])
def test_the_png_is_exactly_size_times_dpi(size, dpi, result):
    png = render([Series(result)], "png", RenderOptions(size=size, dpi=dpi))
    width, height = size or (8.0, 4.5 if result.momentum is None else 6.3)
    assert png_size(png) == (round(width * (dpi or 150)), round(height * (dpi or 150)))


def test_the_command_line_canvas_does_not_stretch(tmp_path):
    out = tmp_path / "x.png"
    title = "a title much longer than the canvas is wide, which wraps instead of stretching the picture"
    assert invoke(["step", "--step-size", "30", "--size", "5x3", "--title", title, "-o", str(out)]).exit_code == 0
    assert png_size(out.read_bytes()) == (750, 450)


def test_svg_and_pdf_pages_are_the_size_asked_for():
    svg = render([Series(STEP)], "svg", RenderOptions(size=(5, 3)))
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("360pt", "216pt")
    pdf = render([Series(STEP)], "pdf", RenderOptions(size=(5, 3)))
    assert re.search(rb"/MediaBox \[\s*0 0 360 216\s*\]", pdf)


LONG = lrplot.simulate("multistep", milestones=list(range(10, 160, 10)), gamma=0.7, epochs=160)


@pytest.mark.parametrize("size", [(8, 4.5), (5, 3), (4, 2.5)])
def test_titles_are_whole_and_inside_the_canvas(size):
    fig, renderer = drawn([Series(LONG)], RenderOptions(size=size))
    title = fig._suptitle
    assert re.sub(r"\s", "", title.get_text()) == re.sub(r"\s", "", LONG.title)
    assert "..." not in title.get_text()
    assert inside(title.get_window_extent(renderer), fig.bbox)
    assert title.get_fontsize() >= 8


def test_an_unbreakable_title_is_cut_into_lines_not_dropped():
    text = "x" * 300
    fig, renderer = drawn([Series(STEP)], RenderOptions(size=(4, 2.5), title=text))
    lines = fig._suptitle.get_text().split("\n")
    assert "".join(lines) == text and len(lines) > 1
    assert inside(fig._suptitle.get_window_extent(renderer), fig.bbox)


def test_metadata_has_the_title_and_every_parameter():
    svg = render([Series(STEP)], "svg", RenderOptions(title="my run"))
    assert b"<dc:title>my run</dc:title>" in svg
    assert b"StepLR(step_size=30, gamma=0.1) lr=0.1" in svg  # gamma=0.1 is a default: not in the title
    pdf = render([Series(STEP)], "pdf", RenderOptions())
    assert b"/Subject (StepLR\\(step_size=30, gamma=0.1\\) lr=0.1)" in pdf
    assert b"/Title (StepLR\\(step_size=30\\))" in pdf
    png = render([Series(STEP)], "png", RenderOptions())
    assert b"Description\x00StepLR(step_size=30, gamma=0.1) lr=0.1" in png


def test_long_compare_labels_are_wrapped_not_cut():
    label = "a-very-long-run-label-" * 5
    fig, renderer = drawn([Series(STEP, label), Series(ONECYCLE, "short")], RenderOptions(size=(5, 3)))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[0].replace("\n", "") == label and "..." not in texts[0]
    assert fig._suptitle.get_text().replace("\n", "").replace(" ", "") == (label + " vs short").replace(" ", "")
    assert inside(fig.legends[0].get_window_extent(renderer), fig.bbox)


def _mark_labels(fig):
    return [t for t in fig.axes[0].texts if t.get_rotation() == 90]


@pytest.mark.parametrize("size", [(8, 4.5), (5, 3), (4, 2.5)])
def test_marks_are_labelled_where_they_fall_and_differ_from_the_grid(size):
    fig, renderer = drawn([Series(STEP)], RenderOptions(size=size))
    ax = fig.axes[0]
    assert [t.get_text() for t in _mark_labels(fig)] == ["x0.1 at 30", "x0.1 at 60", "x0.1 at 90"]
    lines = [line for line in ax.get_lines() if line.get_xdata()[0] in (30, 60, 90) and len(line.get_xdata()) == 2]
    grid = ax.xaxis.get_gridlines()[0]
    assert len(lines) == 3
    for line in lines:
        assert line.get_color() != grid.get_color() and line.get_linestyle() != grid.get_linestyle()
    boxes = [t.get_window_extent(renderer) for t in _mark_labels(fig)]
    assert all(inside(box, ax.bbox) for box in boxes)
    # each label sits where the curve is not: no point of the drawn steps falls inside it
    line = ax.get_lines()[0]
    xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    t = np.linspace(0, 1, 50)
    along = [np.column_stack([x0 + t * (x1 - x0), np.full_like(t, y0)]) for x0, x1, y0 in zip(xs, xs[1:], ys)]
    up = [np.column_stack([np.full_like(t, x1), y0 * (y1 / y0) ** t]) for x1, y0, y1 in zip(xs[1:], ys, ys[1:])]
    points = ax.transData.transform(np.vstack(along + up))
    for box in boxes:
        assert not ((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
                    & (points[:, 1] < box.y1)).any()


@pytest.mark.parametrize(("name", "params", "label"), [
    ("onecycle", {"max_lr": 0.1, "total_steps": 1000}, "peak 0.1 at 299"),
    ("hf-cosine", {"num_warmup_steps": 17, "num_training_steps": 100}, "warmup ends at 17"),
    ("cosine-restarts", {"T_0": 20}, "restart at 20"),
    ("multistep", {"milestones": [50]}, "x0.1 at 50"),
])
def test_mark_labels_say_what_happens(name, params, label):
    fig, _ = drawn([Series(lrplot.simulate(name, params=params))])
    assert label in [t.get_text() for t in _mark_labels(fig)]


@pytest.mark.parametrize("size", [(8, 4.5), (5, 3), (4, 2.5)])
def test_dense_marks_are_thinned_so_labels_never_touch(size):
    result = lrplot.simulate("step", step_size=3, gamma=0.9, epochs=100)
    fig, renderer = drawn([Series(result)], RenderOptions(size=size))
    boxes = [t.get_window_extent(renderer) for t in _mark_labels(fig)]
    assert 2 <= len(boxes) < len(result.marks)
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    many = lrplot.simulate("step", step_size=2, gamma=0.99, epochs=1000)  # 499 marks: neither lines nor labels
    fig, _ = drawn([Series(many)], RenderOptions(size=size))
    assert not _mark_labels(fig) and len(fig.axes[0].get_lines()) == 1


def test_resume_is_marked_and_labelled_first():
    result = lrplot.simulate({"scheduler": "step", "params": {"step_size": 30}, "start_step": 59, "epochs": 100})
    fig, _ = drawn([Series(result)], RenderOptions(size=(5, 3)))
    assert "resumed at 59" in [t.get_text() for t in _mark_labels(fig)]


def _secondary(fig):
    return [child for child in fig.axes[0].get_children() if type(child).__name__ == "SecondaryAxis"]


def test_steps_per_epoch_shows_steps_below_and_epochs_above():
    result = lrplot.simulate({"scheduler": "cosine", "params": {"T_max": 1000}, "steps_per_epoch": 100, "epochs": 10})
    fig, renderer = drawn([Series(result)], RenderOptions(steps_per_epoch=100))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step" and 500 in ax.get_xticks()
    (top,) = _secondary(fig)
    assert top.get_xlabel() == "epoch"
    assert top.xaxis.get_transform() is not None and ax.get_xlim() == (0, 1000)
    labels = {t.get_text() for t in top.xaxis.get_ticklabels() if t.get_visible()}
    assert {"0", "5", "10"} <= labels


def test_a_counted_run_shows_optimizer_steps_below_and_epochs_above(tmp_path, monkeypatch):
    from lrplot.render import plot

    made = []
    monkeypatch.setattr(plot, "figure", lambda *args, **kwargs: made.append(figure(*args, **kwargs)) or made[-1])
    config = ROOT / "configs" / "trainers" / "trl-sft.yaml"
    out = tmp_path / "run.png"
    result = invoke(["from-config", str(config), "--dataset-size", "12000", "--devices", "4", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    (fig,) = made
    assert fig.axes[0].get_xlabel() == "optimizer step" and _secondary(fig)[0].get_xlabel() == "epoch"


CASES = {
    "compare": [Series(lrplot.simulate("cosine", T_max=100), "cosine"), Series(ONECYCLE, "onecycle"),
                Series(lrplot.simulate("multistep", milestones=[20, 40], epochs=100), "multistep")],
    "groups": [Series(lrplot.simulate("step", step_size=30, lr=[0.1, 0.01]))],
    "resume": [Series(lrplot.simulate({"scheduler": "hf-linear", "start_step": 50,
                                       "params": {"num_warmup_steps": 10, "num_training_steps": 100}}))],
    "plateau": [Series(lrplot.simulate("plateau", epochs=60))],
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("size", [(8, 4.5), (5, 3)])
def test_the_legend_is_never_over_a_curve(case, size):
    fig, renderer = drawn(CASES[case], RenderOptions(size=size))
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert inside(box, fig.bbox)
    for ax in fig.axes:
        assert not overlaps(box, ax.get_window_extent(renderer))
        for label in ax.xaxis.get_ticklabels() + [ax.xaxis.label]:
            if label.get_visible() and label.get_text():
                assert not overlaps(box, label.get_window_extent(renderer))


def test_overlays_and_groups_take_the_colour_blind_safe_palette():
    fig, _ = drawn(CASES["compare"])
    colours = [line.get_color() for line in fig.axes[0].get_lines()[:3]]
    assert colours == list(PALETTE[:3])
    fig, _ = drawn(CASES["groups"])
    assert [line.get_color() for line in fig.axes[0].get_lines()[:2]] == list(PALETTE[:2])


def _visible_ticks(axis):
    return [(tick, label) for tick, label in zip(axis.get_majorticklocs(), axis.get_ticklabels())
            if label.get_visible() and label.get_text()]


@pytest.mark.parametrize("steps", [100, 1000, 900_000, 2_000_000])
@pytest.mark.parametrize("size", [(8, 4.5), (5, 3), (4, 2.5)])
def test_x_tick_labels_are_true_and_apart(steps, size):
    result = lrplot.simulate("cosine", T_max=steps, epochs=steps)
    fig, renderer = drawn([Series(result)], RenderOptions(size=size))
    axis = fig.axes[0].xaxis
    low, high = fig.axes[0].get_xlim()
    ticks = [(t, label) for t, label in _visible_ticks(axis) if low <= t <= high]
    assert len(ticks) >= 3
    boxes = [label.get_window_extent(renderer) for _, label in ticks]
    assert all(b.x1 + 2 < c.x0 for b, c in zip(boxes, boxes[1:])), [label.get_text() for _, label in ticks]
    for tick, label in ticks:
        text = label.get_text()
        value = float(text[:-1]) * {"k": 1e3, "M": 1e6, "G": 1e9}[text[-1]] if text[-1] in "kMG" else float(text)
        assert value == tick, (text, tick)


def test_tick_label_functions_are_exact():
    assert [step_label(v) for v in (0, 900, 1000, 12500, 250_000, 2_500_000, 10_000_000, 1_234_567)] == \
        ["0", "900", "1000", "12.5k", "250k", "2.5M", "10M", "1234567"]
    assert step_label(2000, compact_from=1000) == "2k"
    assert [tick_label(v) for v in (10.0, 25000.0, 1.25e-5, 0.85)] == ["10", "25000", "1.25e-5", "0.85"]
    assert [log_label(v) for v in (100, 0.01, 1e-4, 2e-5)] == ["100", "0.01", "1e-4", "2e-5"]
    assert [log_label(v, exponents=True) for v in (1, 0.01, 1e-6)] == ["1", "1e-2", "1e-6"]


def test_log_axes_are_plain_text_and_never_build_the_mathtext_parser():
    code = ("import lrplot; from lrplot.render.plot import render, Series; "
            "from lrplot.render.formats import RenderOptions; from matplotlib import mathtext; "
            "r = lrplot.simulate('step', step_size=10, gamma=0.1, epochs=60); "
            "render([Series(r)], 'png', RenderOptions()); render([Series(r)], 'svg', RenderOptions(size=(4, 2.5))); "
            "short = lrplot.simulate('exponential', gamma=0.99, epochs=100); "
            "render([Series(short)], 'png', RenderOptions(log_y=True)); "
            "print(mathtext.MathTextParser._parser is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
    fig, _ = drawn([Series(lrplot.simulate("exponential", gamma=0.99, epochs=100))], RenderOptions(log_y=True))
    labels = [t.get_text() for t in fig.axes[0].yaxis.get_ticklabels(which="both") if t.get_text()]
    assert len(labels) >= 2 and not any("$" in text for text in labels)


def test_rcparams_and_backend_are_the_same_after_draw_figure_and_render():
    before, backend = dict(matplotlib.rcParams), matplotlib.get_backend()
    host = Figure(figsize=(6, 3))
    ax = host.add_subplot()
    assert draw(ax, [ONECYCLE, Series(STEP, "step")]) is ax
    render([Series(ONECYCLE)], "png", RenderOptions())
    figure([Series(STEP)])
    assert dict(matplotlib.rcParams) == before and matplotlib.get_backend() == backend
    assert len(ax.get_lines()) >= 2 and ax.get_legend() is not None and ax.get_title()


def test_draw_puts_its_legend_outside_the_callers_axes():
    host = Figure(figsize=(8, 4), layout="constrained")
    ax = host.add_subplot()
    draw(ax, CASES["compare"])
    canvas = FigureCanvasAgg(host)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert not overlaps(ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer))


def test_a_figure_saved_outside_lrplot_looks_like_the_rendered_png():
    from PIL import Image

    png = render([Series(ONECYCLE)], "png", RenderOptions())
    buf = io.BytesIO()
    figure([Series(ONECYCLE)]).savefig(buf, format="png")
    assert Image.open(io.BytesIO(png)).tobytes() == Image.open(buf).tobytes()


def test_the_command_skips_mplot3d_and_a_library_host_keeps_3d_axes():
    command = ("import sys; from lrplot._setup import prepare_process; prepare_process(); import lrplot; "
               "from lrplot.render.plot import render, Series; from lrplot.render.formats import RenderOptions; "
               "render([Series(lrplot.simulate('step', step_size=3))], 'png', RenderOptions()); "
               "print('mpl_toolkits.mplot3d' in sys.modules, sys.modules.get('mpl_toolkits.mplot3d', 0) is None)")
    out = subprocess.run([sys.executable, "-W", "error", "-c", command], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"] and not out.stderr
    library = ("import lrplot; from lrplot.render.plot import render, Series; "
               "from lrplot.render.formats import RenderOptions; "
               "render([Series(lrplot.simulate('step', step_size=3))], 'png', RenderOptions()); "
               "from matplotlib.figure import Figure; print(type(Figure().add_subplot(projection='3d')).__name__)")
    out = subprocess.run([sys.executable, "-c", library], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Axes3D"
