"""PNG/SVG/PDF bytes from simulation results (matplotlib's object API, never pyplot).

Imported only when a picture is asked for: importing matplotlib costs more than
simulating a million steps.  The look lives in ``lrplot.mplstyle``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, FuncFormatter, MaxNLocator

from .._lazy import np
from .envelope import auto_log, band
from .formats import RenderOptions
from .titles import title_of

STYLE = Path(__file__).with_name("lrplot.mplstyle")
MAX_LABEL = 60  # characters of a legend entry
MAX_MARKS = 40  # more regime marks than this would only add noise (e.g. thousands of cycles)
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


@dataclass
class Series:
    """One run to draw: a result and how to label it."""

    result: Any
    label: str = ""


def tick_label(value: float) -> str:
    """The shortest label that reads back as the tick's own value (``1.25e-5``, not ``1.2e-5``)."""
    if value == 0:
        return "0"
    for digits in range(1, 17):
        text = f"{value:.{digits}g}"
        if abs(float(text) - value) <= 1e-9 * abs(value):
            break
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _lr_formatter():
    return FuncFormatter(lambda value, _pos: tick_label(value))


def literal(text: str) -> str:
    """User text drawn as written: a ``$`` would start matplotlib's mathtext (and can crash it)."""
    return text.replace("$", r"\$")


def write_png(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "png", options)


def write_svg(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "svg", options)


def write_pdf(results: list, labels: list[str], options: RenderOptions):
    yield render(_series(results, labels), "pdf", options)


def _series(results: list, labels: list[str]) -> list[Series]:
    return [Series(r, label) for r, label in zip(results, labels)]


def render(series: list[Series], fmt: str, options: RenderOptions) -> bytes:
    """The picture as bytes in ``fmt`` (png, svg or pdf)."""
    with rc_context(fname=str(STYLE)):
        fig = _figure(series, options)
        buf = io.BytesIO()
        kwargs = {"format": fmt, "metadata": _METADATA[fmt]}
        if options.dpi:
            kwargs["dpi"] = options.dpi
        with np.errstate(all="ignore"):
            fig.savefig(buf, **kwargs)
    return buf.getvalue()


def _figure(series: list[Series], options: RenderOptions) -> Figure:
    first = series[0].result
    momentum = [s for s in series if s.result.momentum is not None]
    metrics = [s for s in series if s.result.metrics is not None]
    panels = 1 + bool(momentum) + bool(metrics)
    width, height = options.size or (8.0, 4.5 if panels == 1 else 4.5 + 1.8 * (panels - 1))
    fig = Figure(figsize=(width, height))
    ratios = [3] + [1.4] * (panels - 1)
    axes = fig.subplots(panels, 1, sharex=True, gridspec_kw={"height_ratios": ratios}, squeeze=False)[:, 0]
    ax = axes[0]
    columns = max(200, int(width * (options.dpi or 150)))

    all_lr = np.concatenate([s.result.lr.ravel() for s in series] +
                            [s.result.uninterrupted.lr.ravel() for s in series
                             if getattr(s.result, "uninterrupted", None) is not None])
    log_y = auto_log(all_lr) if options.log_y is None else options.log_y
    lines = 0
    colors: dict[tuple[int, int], str] = {}
    for k, s in enumerate(series):
        result = s.result
        x = _x(result, options)
        for g in range(result.lr.shape[1]):
            y = result.lr[:, g]
            if log_y:
                y = np.where(y > 0, y, np.nan)
            label = _line_label(s, g, result, len(series))
            colors[(k, g)] = _draw_curve(ax, x, y, columns, label, style=GROUP_STYLES[g % len(GROUP_STYLES)])
            lines += 1
    for s in series:
        reference = getattr(s.result, "uninterrupted", None)
        if reference is not None and len(series) == 1:
            x = _x(reference, options)
            for g in range(reference.lr.shape[1]):
                y = reference.lr[:, g]
                ax.plot(x, np.where(y > 0, y, np.nan) if log_y else y, color="0.6", linestyle=(0, (4, 3)),
                        linewidth=1.1, drawstyle="steps-post", label="uninterrupted" if g == 0 else None, zorder=1)
            ax.axvline(s.result.steps[0] / (options.steps_per_epoch or 1), color="#d62728", linewidth=0.9,
                       linestyle=(0, (1, 2)), zorder=0.6)
            lines += 1
    if len(series) == 1 and getattr(first, "logged", None) is not None:
        lines += _draw_logged(ax, first.logged, options, [colors[(0, g)] for g in range(first.lr.shape[1])], log_y)
    if log_y:
        ax.set_yscale("log", nonpositive="mask")
    else:
        ax.yaxis.set_major_formatter(_lr_formatter())
        low = float(np.nanmin(all_lr)) if all_lr.size else 0.0
        if low >= 0:
            ax.set_ylim(bottom=0)
    ax.set_ylabel("learning rate")
    ax.set_title(literal(options.title or _title(series)))
    if lines > 1:
        ax.legend(loc="best")
    if options.marks:
        _draw_marks(axes, first, options, len(series))
    for k, s in enumerate(series):
        if s.result.momentum is None:
            continue
        m_ax = axes[1]
        x = _x(s.result, options)
        for g in range(s.result.momentum.shape[1]):
            _draw_curve(m_ax, x, s.result.momentum[:, g], columns, _line_label(s, g, s.result, len(series)),
                        colors[(k, g)], style=GROUP_STYLES[g % len(GROUP_STYLES)])
        m_ax.set_ylabel("beta1" if s.result.momentum_name == "beta1" else "momentum")
    for s in metrics:
        r_ax = axes[-1]
        x = _x(s.result, options)
        _draw_curve(r_ax, x, s.result.metrics, columns, "metric", "0.35")
        drops = s.result.reductions
        if drops:
            idx = np.array(drops[:500]) - int(s.result.steps[0]) - 1  # the metric that caused it
            r_ax.plot(x[idx], s.result.metrics[idx], linestyle="none", marker="v", color="#d62728",
                      markersize=5, label="lr reduced")
            r_ax.legend(loc="best")
        r_ax.set_ylabel("metric (synthetic)" if s.result.synthetic_metrics else "metric")
    axes[-1].set_xlabel("epoch" if options.steps_per_epoch else options.row_unit if options.epoch_axis else "step")
    if options.epoch_axis:
        per_epoch = float(options.epoch_axis)
        top = ax.secondary_xaxis("top", functions=(lambda s: s / per_epoch, lambda e: e * per_epoch))
        top.set_xlabel("epoch")
        top.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]))
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=10, integer=options.steps_per_epoch is None))
    if len(first) >= 10000:
        axes[-1].xaxis.set_major_formatter(EngFormatter(sep=""))
    longest = max(int(s.result.steps[-1]) + 1 for s in series)
    scale = options.steps_per_epoch or 1
    left = 0 if any(getattr(s.result, "uninterrupted", None) is not None for s in series) else \
        min(int(s.result.steps[0]) for s in series)
    ax.set_xlim(left / scale, max(longest - 1, 1) / scale if longest > columns else longest / scale)
    fig.align_ylabels(axes)
    return fig


#: Param groups that coincide (YOLO's weight and bn) stay visible: later groups are dashed over earlier ones.
GROUP_STYLES = ("-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2)))


def _draw_curve(ax, x, y, columns: int, label: str, color=None, style="-") -> str:
    """Steps when every step gets pixels; above that, the per-pixel min/max band. Returns the colour."""
    reduced = band(x, y, columns)
    if reduced is None:
        # the lr is constant during a step: draw steps, the last one as wide as the others
        xs = np.append(x, x[-1] + (x[1] - x[0] if len(x) > 1 else 1.0))
        ys = np.append(y, y[-1])
        (line,) = ax.plot(xs, ys, label=literal(label), drawstyle="steps-post", color=color, linestyle=style)
        return line.get_color()
    xb, low, high = reduced
    color = color or ax._get_lines.get_next_color()
    ax.fill_between(xb, low, high, color=color, linewidth=1.2, edgecolor=color, label=literal(label))
    return color


def _draw_logged(ax, comparison, options: RenderOptions, colors: list, log_y: bool) -> int:
    """The run's logged lr as hollow points over the predicted line; the first divergence as a red cross."""
    x = comparison.rows / (options.steps_per_epoch or 1)
    for g in range(comparison.logged.shape[1]):
        y = comparison.logged[:, g]
        ax.plot(x, np.where(y > 0, y, np.nan) if log_y else y, linestyle="none", marker="o", markersize=4,
                markerfacecolor="none", markeredgewidth=1.0, color=colors[g % len(colors)], alpha=0.9, zorder=3,
                label=literal(f"logged ({comparison.log.format})") if g == 0 else None)
    first = comparison.first
    if first is not None:
        ax.plot([x[first]], [comparison.logged[first, 0]], linestyle="none", marker="x", markersize=9,
                markeredgewidth=2, color="#d62728", zorder=4, label=f"diverges at step {int(comparison.rows[first])}")
    return 2


def _x(result, options: RenderOptions):
    steps = result.steps.astype(np.float64)
    if options.steps_per_epoch:
        return steps / options.steps_per_epoch
    return steps


def _draw_marks(axes, result, options: RenderOptions, runs: int) -> None:
    if runs > 1:
        return
    marks = result.marks
    if not marks or len(marks) > MAX_MARKS:
        return
    scale = options.steps_per_epoch or 1
    for step, _label in marks:
        for ax in axes:
            ax.axvline(step / scale, color="0.55", linewidth=0.7, linestyle=(0, (3, 3)), zorder=0.5)


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
    label = s.label if len(s.label) <= MAX_LABEL else s.label[:MAX_LABEL - 3] + "..."
    name = result.group_names[g] if getattr(result, "group_names", None) else f"group {g}"
    return f"{label} [{name}]" if groups > 1 else label


def _title(series: list[Series]) -> str:
    if len(series) > 1:
        text = " vs ".join(s.label for s in series)
        return text if len(text) <= 100 else text[:97] + "..."
    result = series[0].result
    if getattr(result, "uninterrupted", None) is not None:
        return f"{title_of(result)}, resumed at step {int(result.steps[0])}"
    return title_of(result)


