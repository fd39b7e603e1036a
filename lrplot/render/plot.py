"""PNG/SVG/PDF bytes from simulation results (matplotlib's object API, never pyplot).

Imported only when a picture is asked for: importing matplotlib costs more than
simulating a million steps.  The look lives in ``lrplot.mplstyle``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import EngFormatter, FuncFormatter, MaxNLocator  # noqa: E402

from .._lazy import np  # noqa: E402

STYLE = Path(__file__).with_name("lrplot.mplstyle")
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


@dataclass
class PlotOptions:
    title: str | None = None
    log_y: bool | None = None  # None: automatic
    dpi: int | None = None
    size: tuple[float, float] | None = None  # inches
    marks: bool = True
    x_label: str = "step"
    steps_per_epoch: int | None = None
    extra_marks: list = field(default_factory=list)


def envelope(x, y, columns: int):
    """Reduce ``(x, y)`` to the min and max of each of ``columns`` buckets, in drawing order.

    Keeps every local peak and trough to within one bucket: a million-step
    curve costs as much to draw as a thousand-step one, without aliasing.
    """
    n = len(y)
    if n <= 4 * columns:
        return x, y
    per = math.ceil(n / columns)
    buckets = math.ceil(n / per)
    pad = buckets * per - n
    yy = np.concatenate([y, np.full(pad, y[-1])]) if pad else y
    blocks = yy.reshape(buckets, per)
    lo = blocks.argmin(axis=1)
    hi = blocks.argmax(axis=1)
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    base = np.arange(buckets) * per
    idx = np.empty(2 * buckets, dtype=np.int64)
    idx[0::2] = base + first
    idx[1::2] = base + second
    idx = np.minimum(idx, n - 1)
    idx[-1] = n - 1  # always end on the last point
    idx[0] = 0
    return x[idx], y[idx]


def _auto_log(values) -> bool:
    finite = values[np.isfinite(values)]
    if finite.size == 0 or (finite <= 0).any():
        return False
    return finite.max() / finite.min() > 10 ** 2.5


def _lr_formatter():
    def fmt(value: float, _pos: int) -> str:
        if value == 0:
            return "0"
        magnitude = abs(value)
        if 1e-3 <= magnitude < 1e4:
            return f"{value:.4g}"
        return f"{value:.2g}".replace("e-0", "e-").replace("e+0", "e")
    return FuncFormatter(fmt)


def render(series: list[Series], fmt: str, options: PlotOptions) -> bytes:
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


def _figure(series: list[Series], options: PlotOptions) -> Figure:
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

    all_lr = np.concatenate([s.result.lr.ravel() for s in series])
    log_y = _auto_log(all_lr) if options.log_y is None else options.log_y
    lines = 0
    for s in series:
        result = s.result
        x = _x(result, options)
        for g in range(result.lr.shape[1]):
            y = result.lr[:, g]
            if log_y:
                y = np.where(y > 0, y, np.nan)
            xs, ys = envelope(x, y, columns)
            label = _line_label(s, g, result, len(series))
            # the lr is constant during a step, so draw steps unless the curve was reduced to its envelope
            ax.plot(xs, ys, label=label, drawstyle="steps-post" if len(xs) == len(x) else "default")
            lines += 1
    if log_y:
        ax.set_yscale("log", nonpositive="mask")
    else:
        ax.yaxis.set_major_formatter(_lr_formatter())
        low = float(np.nanmin(all_lr)) if all_lr.size else 0.0
        if low >= 0:
            ax.set_ylim(bottom=0)
    ax.set_ylabel("learning rate")
    ax.set_title(options.title or _title(series))
    if lines > 1:
        ax.legend(loc="best")
    if options.marks:
        _draw_marks(axes, first, options, len(series))
    for s in momentum:
        m_ax = axes[1]
        x = _x(s.result, options)
        for g in range(s.result.momentum.shape[1]):
            xs, ys = envelope(x, s.result.momentum[:, g], columns)
            m_ax.plot(xs, ys, color="0.35" if s.result.momentum.shape[1] == 1 and len(series) == 1 else None,
                      drawstyle="steps-post" if len(xs) == len(x) else "default",
                      label=_line_label(s, g, s.result, len(series)))
        m_ax.set_ylabel("beta1" if s.result.momentum_name == "beta1" else "momentum")
    for s in metrics:
        r_ax = axes[-1]
        x = _x(s.result, options)
        xs, ys = envelope(x, s.result.metrics, columns)
        r_ax.plot(xs, ys, color="0.35", label="metric")
        drops = [m for m, label in s.result.marks if label == "reduce"]
        if drops:
            idx = np.array(drops[:500]) - 1
            r_ax.plot(x[idx], s.result.metrics[idx], linestyle="none", marker="v", color="#d62728",
                      markersize=5, label="lr reduced")
            r_ax.legend(loc="best")
        r_ax.set_ylabel("metric (synthetic)" if s.result.synthetic_metrics else "metric")
    axes[-1].set_xlabel(options.x_label)
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=10, integer=options.steps_per_epoch is None))
    if len(first) >= 10000:
        axes[-1].xaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlim(_x(first, options)[0], _x(first, options)[-1] if len(first) > 1 else 1)
    fig.align_ylabels(axes)
    return fig


def _x(result, options: PlotOptions):
    steps = result.steps.astype(np.float64)
    if options.steps_per_epoch:
        return steps / options.steps_per_epoch
    return steps


def _draw_marks(axes, result, options: PlotOptions, runs: int) -> None:
    if runs > 1:
        return
    marks = [m for m in result.marks + options.extra_marks if m[1] != "reduce"]
    if not marks or len(marks) > MAX_MARKS:
        return
    scale = options.steps_per_epoch or 1
    for step, _label in marks:
        for ax in axes:
            ax.axvline(step / scale, color="0.55", linewidth=0.7, linestyle=(0, (3, 3)), zorder=0.5)


def _line_label(s: Series, g: int, result, runs: int) -> str:
    groups = result.lr.shape[1]
    if runs == 1:
        return f"group {g} (lr={result.optimizer_lr[g]:g})" if groups > 1 else "lr"
    return f"{s.label} [group {g}]" if groups > 1 else s.label


def _title(series: list[Series]) -> str:
    if len(series) > 1:
        return " vs ".join(s.label for s in series)
    return describe(series[0].result)


def describe(result) -> str:
    """``StepLR(step_size=30, gamma=0.1)``: the scheduler and the parameters that shape it."""
    return _describe(result.scheduler, result.params)


def _describe(name: str, params: dict) -> str:
    from ..engine.registry import lookup

    spec = lookup(name).spec
    parts = []
    for param in spec.params:
        value = params.get(param.name, param.default)
        if param.name == "schedulers":
            inner = " -> " if name == "SequentialLR" else " + "
            parts.append(inner.join(_describe(_child_name(c), c.get("params") or {}) for c in value))
            continue
        if value is None or (not param.required and value == param.default):
            continue
        parts.append(f"{param.name}={_short(value)}")
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= 100 else text[:97] + "..."


def _child_name(child: dict) -> str:
    from ..engine.registry import lookup

    return lookup(child["scheduler"]).spec.name


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ",".join(_short(v) for v in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
