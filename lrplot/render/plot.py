"""PNG/SVG/PDF pictures of simulation results (matplotlib's object API, never pyplot).

Imported only when a picture is asked for: importing matplotlib costs more than simulating a million steps.
The look lives in ``lrplot.mplstyle``, applied only inside ``rc_context``: the host's rcParams, backend and
pyplot state are never changed.

* ``draw(ax, series, options)`` draws the learning-rate panel on a caller's Axes (a notebook's);
* ``figure(series, options)`` builds the whole picture (plus momentum and metric panels) as a Figure;
* ``render(series, fmt, options)`` saves that Figure as PNG/SVG/PDF bytes, exactly ``--size`` x ``--dpi``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._lazy import np
from .envelope import auto_log, band
from .fit import LEGEND_SIZE, fit_title, fit_ylabels, legend_below, literal, measure
from .formats import RenderOptions
from .marks import Mark, draw_labels, draw_lines, marks_of
from .mpl import Figure, Line2D, rc_context
from .ticks import Labels, plain_log_axis, step_axis, step_label, tick_label
from .titles import full_title, parameters, printable, wrap

__all__ = ["Series", "draw", "figure", "render", "step_label", "tick_label"]

STYLE = Path(__file__).with_name("lrplot.mplstyle")
#: Okabe & Ito's colour-blind-safe palette (yellow last: faint on white); overlays and param groups cycle it.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: Param groups that coincide (YOLO's weight and bn) stay visible: later groups are dashed over earlier ones.
GROUP_STYLES = ("-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2)))
ACCENT = "#D55E00"  # where a run resumed, where a log diverges, where a metric cut the lr
REFERENCE = "#8c8c8c"  # the uninterrupted run behind a resumed one
DEFAULT_SIZE = (8.0, 4.5)  # inches, one panel; each extra panel adds PANEL_HEIGHT
PANEL_HEIGHT = 1.8
_METADATA = {  # fixed or absent dates and versions: the same command gives the same bytes
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}
_TEXT_KEYS = {"png": ("Title", "Description"), "svg": ("Title", "Description"), "pdf": ("Title", "Subject")}


_STYLE_PARAMS: dict = {}


def _style():
    """lrplot's look (``lrplot.mplstyle``) for the duration of a ``with``: only the keys the file sets, over
    whatever the host has; rcParams are restored on leaving."""
    if not _STYLE_PARAMS:
        from matplotlib import rc_params_from_file

        _STYLE_PARAMS.update(rc_params_from_file(str(STYLE), use_default_template=False))
    return rc_context(rc=_STYLE_PARAMS)


@dataclass
class Series:
    """One run to draw: a result and how to label it."""

    result: Any
    label: str = ""


def write_png(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "png", options)


def write_svg(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "svg", options)


def write_pdf(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "pdf", options)


def _series(results: list, labels: list[str]) -> list[Series]:
    return [Series(r, label) for r, label in zip(results, labels)]


def _as_series(series) -> list[Series]:
    items = series if isinstance(series, (list, tuple)) else [series]
    out = [s if isinstance(s, Series) else Series(s) for s in items]
    if not out:
        raise ValueError("nothing to draw: give at least one result")
    return out


def render(series: list[Series], fmt: str, options: RenderOptions) -> bytes:
    """The picture as ``fmt`` (png, svg or pdf) bytes, exactly ``options.size`` at ``options.dpi``; the full
    title and every parameter are in the file's metadata."""
    series = _as_series(series)
    with _style():
        fig = figure(series, options)
        title, description = _TEXT_KEYS[fmt]
        metadata = dict(_METADATA[fmt])
        metadata[title] = printable(options.title or _title(series))
        metadata[description] = printable("; ".join(
            (f"{s.label}: " if s.label else "") + parameters(s.result) for s in series))
        buf = io.BytesIO()
        with np.errstate(all="ignore"):
            fig.savefig(buf, format=fmt, metadata=metadata, dpi=options.dpi or "figure")
    return buf.getvalue()


def figure(series, options: RenderOptions | None = None, dpi: float | None = None) -> Figure:
    """The whole picture as a matplotlib Figure (no pyplot): the lr panel, then a momentum panel when a
    scheduler cycles momentum and a metric panel for ReduceLROnPlateau, legend below, title above."""
    series = _as_series(series)
    options = options or RenderOptions()
    momentum = [s for s in series if s.result.momentum is not None]
    metrics = [s for s in series if s.result.metrics is not None]
    panels = 1 + bool(momentum) + bool(metrics)
    size = options.size or (DEFAULT_SIZE[0], DEFAULT_SIZE[1] + PANEL_HEIGHT * (panels - 1))
    with _style():
        fig = Figure(figsize=size, layout="constrained", dpi=dpi or options.dpi or 150)
        axes = list(fig.subplots(panels, 1, sharex=True, squeeze=False,
                                 gridspec_kw={"height_ratios": [3] + [1.4] * (panels - 1)})[:, 0])
        drawn = _lr_panel(axes[0], series, options)
        extra = axes[1:]
        if momentum:
            _momentum_panel(extra.pop(0), series, drawn)
        if metrics:
            drawn.panel_handles += _metric_panel(extra.pop(0), metrics, drawn)
        _x_axis(axes, series, options, drawn)
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        marks = _marks(axes, series, options)
        handles = drawn.handles if drawn.lines > 1 else []
        handles += drawn.panel_handles
        if handles:
            legend_below(fig, handles)
        text, size_pt = fit_title(options.title or _title(series), size[0] * 72.0 - 8)
        fig.suptitle(text, fontsize=size_pt, fontweight="bold")
        fig.align_ylabels(axes)
        laid_out = fit_ylabels(fig, axes)
        draw_labels(axes[0], marks, drawn.curves, drawn.log_y, laid_out)
    return fig


def draw(ax, series, options: RenderOptions | None = None):
    """Draw the learning rate of ``series`` (results or ``Series``) on ``ax``, a caller's matplotlib Axes, and
    return it: curves, regime marks, legend (outside, right of the axes), title, axis labels, an epoch axis.

    lrplot's look applies to what it draws only; rcParams, the backend and pyplot are left as they were.
    """
    series = _as_series(series)
    options = options or RenderOptions()
    with _style():
        drawn = _lr_panel(ax, series, options)
        _x_axis([ax], series, options, drawn)
        draw_labels(ax, _marks([ax], series, options), drawn.curves, drawn.log_y)
        fig = ax.figure.figure  # the root Figure, also for an Axes in a SubFigure
        if drawn.lines > 1:
            width = fig.get_size_inches()[0] * 72.0 * 0.35
            labels = ["\n".join(wrap(h.get_label(), width, measure(LEGEND_SIZE, "normal"))) for h in drawn.handles]
            ax.legend(drawn.handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                      fontsize=LEGEND_SIZE, frameon=False)
        text, size_pt = fit_title(options.title or _title(series), ax.bbox.width * 72.0 / fig.dpi)
        ax.set_title(text, fontsize=size_pt, fontweight="bold")
    return ax


@dataclass
class _Drawn:
    """What the lr panel drew, for the panels, marks and legend that follow."""

    log_y: bool
    columns: int
    colors: dict = field(default_factory=dict)  # (run, group) -> colour
    styles: dict = field(default_factory=dict)  # (run, group) -> line style
    curves: list = field(default_factory=list)  # (x, y) arrays drawn on the lr panel: marks keep off them
    handles: list = field(default_factory=list)  # legend entries of the lr panel
    panel_handles: list = field(default_factory=list)  # legend entries of other panels
    lines: int = 0


def _lr_panel(ax, series: list[Series], options: RenderOptions) -> _Drawn:
    fig = ax.figure.figure  # the root Figure, also for an Axes in a SubFigure
    columns = max(200, int(fig.get_size_inches()[0] * (options.dpi or max(fig.dpi, 150))))
    all_lr = np.concatenate([s.result.lr.ravel() for s in series] +
                            [s.result.uninterrupted.lr.ravel() for s in series
                             if getattr(s.result, "uninterrupted", None) is not None])
    log_y = auto_log(all_lr) if options.log_y is None else options.log_y
    drawn = _Drawn(log_y, columns)
    curve = 0
    for k, s in enumerate(series):
        result = s.result
        x = result.steps.astype(np.float64)
        for g in range(result.lr.shape[1]):
            y = result.lr[:, g]
            if log_y:
                y = np.where(y > 0, y, np.nan)
            color = PALETTE[curve % len(PALETTE)]
            style = GROUP_STYLES[(g + curve // len(PALETTE)) % len(GROUP_STYLES)]
            drawn.colors[(k, g)], drawn.styles[(k, g)] = color, style
            drawn.handles.append(_draw_curve(ax, x, y, columns, _line_label(s, g, result, len(series)), color,
                                             style))
            drawn.curves.append((x, y))
            drawn.lines += 1
            curve += 1
    for s in series:
        reference = getattr(s.result, "uninterrupted", None)
        if reference is not None and len(series) == 1:
            x = reference.steps.astype(np.float64)
            for g in range(reference.lr.shape[1]):
                y = reference.lr[:, g]
                y = np.where(y > 0, y, np.nan) if log_y else y
                (line,) = ax.plot(*_last_step_widened(x, y), color=REFERENCE, linestyle=(0, (4, 3)),
                                  linewidth=1.1, drawstyle="steps-post", label="uninterrupted", zorder=1)
                drawn.curves.append((x, y))
                if g == 0:
                    drawn.handles.append(line)
            drawn.lines += 1
    first = series[0].result
    if len(series) == 1 and getattr(first, "logged", None) is not None:
        _draw_logged(ax, first.logged, [drawn.colors[(0, g)] for g in range(first.lr.shape[1])], drawn)
    if log_y:
        ax.set_yscale("log", nonpositive="mask")
        plain_log_axis(ax.yaxis)
    else:
        ax.yaxis.set_major_formatter(Labels(tick_label))
        low = float(np.nanmin(all_lr)) if all_lr.size else 0.0
        if low >= 0:
            ax.set_ylim(bottom=0)
    ax.set_ylabel("learning rate")
    return drawn


def _momentum_panel(ax, series: list[Series], drawn: _Drawn) -> None:
    for k, s in enumerate(series):
        if s.result.momentum is None:
            continue
        x = s.result.steps.astype(np.float64)
        for g in range(s.result.momentum.shape[1]):
            _draw_curve(ax, x, s.result.momentum[:, g], drawn.columns, None, drawn.colors[(k, g)],
                        drawn.styles[(k, g)])
        ax.set_ylabel("beta1" if s.result.momentum_name == "beta1" else "momentum")
    ax.yaxis.set_major_formatter(Labels(tick_label))


def _metric_panel(ax, metrics: list[Series], drawn: _Drawn) -> list:
    handles = []
    for s in metrics:
        x = s.result.steps.astype(np.float64)
        _draw_curve(ax, x, s.result.metrics, drawn.columns, None, "#595959", "-")
        drops = s.result.reductions
        if drops:
            idx = np.array(drops[:500]) - int(s.result.steps[0]) - 1  # the metric that caused it
            (points,) = ax.plot(x[idx], s.result.metrics[idx], linestyle="none", marker="v", color=ACCENT,
                                markersize=5, label="lr reduced after this metric")
            if not handles:
                handles.append(points)
        ax.set_ylabel("metric (synthetic)" if s.result.synthetic_metrics else "metric")
    ax.yaxis.set_major_formatter(Labels(tick_label))
    return handles


def _x_axis(axes, series: list[Series], options: RenderOptions, drawn: _Drawn) -> None:
    """Steps below (``row_unit`` for a counted run); epochs above when a run has them, on the same scale."""
    bottom = axes[-1]
    step_axis(bottom.xaxis)
    bottom.set_xlabel(options.row_unit if options.epoch_axis else "step")
    longest = max(int(s.result.steps[-1]) + 1 for s in series)
    resumed = any(getattr(s.result, "uninterrupted", None) is not None for s in series)
    left = 0 if resumed else min(int(s.result.steps[0]) for s in series)
    axes[0].set_xlim(left, longest)  # a step is drawn as wide as it lasts; a band ends one step short
    per_epoch = options.epoch_axis or options.steps_per_epoch
    if per_epoch:
        per_epoch = float(per_epoch)
        top = axes[0].secondary_xaxis("top", functions=(lambda s: s / per_epoch, lambda e: e * per_epoch))
        top.set_xlabel("epoch")
        step_axis(top.xaxis, integer=False)


def _marks(axes, series: list[Series], options: RenderOptions) -> list[Mark]:
    """Draws the marks' lines (regime changes, where a run resumed); returns those to label."""
    if len(series) != 1:
        return []
    result = series[0].result
    marks = marks_of(result) if options.marks else []
    if getattr(result, "uninterrupted", None) is not None:
        start = int(result.steps[0])
        marks.append(Mark(float(start), f"resumed at {step_label(start)}", ACCENT, (0, (1, 2)), first=True))
    return draw_lines(axes, marks)


def _draw_curve(ax, x, y, columns: int, label: str | None, color: str, style="-"):
    """Steps when every step gets pixels; above that, the per-pixel min/max band. Returns its legend handle."""
    text = literal(label) if label is not None else None
    reduced = band(x, y, columns)
    if reduced is None:
        (line,) = ax.plot(*_last_step_widened(x, y), label=text, drawstyle="steps-post", color=color, linestyle=style, linewidth=1.6)
        return line
    xb, low, high = reduced
    ax.fill_between(xb, low, high, color=color, linewidth=1.2, edgecolor=color, linestyle=style, label=text)
    return Line2D([], [], color=color, linestyle=style, linewidth=1.6, label=text)  # the legend shows a line


def _last_step_widened(x, y):
    """Steps-post points whose last step is as wide as the others (the lr is constant during a step)."""
    return np.append(x, x[-1] + (x[1] - x[0] if len(x) > 1 else 1.0)), np.append(y, y[-1])


def _draw_logged(ax, comparison, colors: list, drawn: _Drawn) -> None:
    """The run's logged lr as hollow points over the predicted line; the first divergence as a cross."""
    x = comparison.rows.astype(np.float64)
    for g in range(comparison.logged.shape[1]):
        y = comparison.logged[:, g]
        y = np.where(y > 0, y, np.nan) if drawn.log_y else y
        (points,) = ax.plot(x, y, linestyle="none", marker="o", markersize=4, markerfacecolor="none",
                            markeredgewidth=1.0, color=colors[g % len(colors)], alpha=0.9, zorder=3,
                            label=literal(f"logged ({comparison.log.format})"))
        drawn.curves.append((x, y))
        if g == 0:
            drawn.handles.append(points)
    first = comparison.first
    if first is not None:
        (cross,) = ax.plot([x[first]], [comparison.logged[first, 0]], linestyle="none", marker="x", markersize=9,
                           markeredgewidth=2, color=ACCENT, zorder=4,
                           label=f"diverges at step {int(comparison.rows[first])}")
        drawn.handles.append(cross)
    drawn.lines += 2


def _line_label(s: Series, g: int, result, runs: int) -> str:
    groups = result.lr.shape[1]
    if runs == 1:
        name = "lr"
        if getattr(result, "uninterrupted", None) is not None:
            mode = getattr(result, "resume_mode", None)
            name = f"resumed ({mode})" if mode else "resumed"
        if groups > 1 and getattr(result, "group_names", None):
            return f"{result.group_names[g]} (lr0={result.optimizer_lr[g]:g})"
        return f"group {g} (lr={result.optimizer_lr[g]:g})" if groups > 1 else name
    name = result.group_names[g] if getattr(result, "group_names", None) else f"group {g}"
    return f"{s.label} [{name}]" if groups > 1 else s.label


def _title(series: list[Series]) -> str:
    if len(series) > 1:
        return " vs ".join(s.label for s in series)
    result = series[0].result
    if getattr(result, "uninterrupted", None) is not None:
        return f"{full_title(result)}, resumed at step {int(result.steps[0])}"
    return full_title(result)
