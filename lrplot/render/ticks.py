"""Tick labels that are true and do not collide, in plain text (matplotlib's mathtext parser is slow to build).

* every label reads back as its tick's own value (``1.25e-5``, not ``1.2e-5``; ``2.5M``, not ``2M``);
* the number of ticks on an x axis follows from the axis' drawn length and its labels' width, so a
  4-inch canvas shows fewer ticks instead of ``9001000``;
* log axes are labelled ``0.01``/``1e-5``, never ``$10^{-5}$``.
"""

from __future__ import annotations

import math

from .mpl import ticker

CHAR_EM = 0.62  # a digit's width in DejaVu Sans, in ems (0.636; '.' and '-' are narrower, 'k'/'M' wider)
GAP_EM = 1.2  # blank space between two x tick labels, in ems


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
        if -4 <= int(exponent) <= 5:  # 1e+01 -> 10, 2.5e+04 -> 25000
            return f"{value:.{max(0, digits - 1 - int(exponent))}f}"
        text = f"{mantissa}e{int(exponent)}"
    return text


def step_label(value: float, compact_from: float = 10_000) -> str:
    """A step count, exactly: ``250``, ``12500``, ``250k``, ``2.5M``: with a suffix from ``compact_from`` on,
    and only when it stays exact."""
    if value != round(value):
        return tick_label(value)
    n = int(round(value))
    for size, suffix in ((10 ** 9, "G"), (10 ** 6, "M"), (10 ** 3, "k")):
        if abs(n) >= max(size, compact_from):
            text = tick_label(n / size)
            if float(text) * size == n and len(text) <= 4:
                return text + suffix
    return str(n)


class StepLabels(ticker.Formatter):
    """Step counts in one notation per axis: ``2000, 4000, 8000`` or ``2k, 4k, ... 10k, 12k``."""

    def __call__(self, x, pos=None):
        high = max(abs(v) for v in self.axis.get_view_interval()) if self.axis is not None else abs(x)
        return step_label(x, 1000 if high >= 10_000 else 10_000)


class Labels(ticker.Formatter):
    """A formatter from a plain function of the value."""

    def __init__(self, function):
        self.function = function

    def __call__(self, x, pos=None):
        return self.function(x)


def fontsize_of(axis) -> float:
    """The tick labels' font size in points (as the axis' first tick has it: new ticks copy it)."""
    return axis.majorTicks[0].label1.get_fontsize()


class FittingLocator(ticker.MaxNLocator):
    """As many ticks as the axis' drawn length holds with their labels side by side, at most ``most``.

    MaxNLocator's fixed ``nbins`` is right for one width only: at 4 inches ``900`` and ``1000`` touch.
    """

    def __init__(self, most: int = 10, **kwargs):
        super().__init__(nbins=most, **kwargs)
        self.most = most

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin, vmax):
        axis = self.axis
        if axis is None or axis.axes is None:
            return super().tick_values(vmin, vmax)
        length = axis.axes.bbox.width * 72.0 / axis.axes.figure.dpi
        em = fontsize_of(axis)
        formatter = axis.get_major_formatter()
        for bins in range(self.most, 0, -1):
            self.set_params(nbins=bins)
            ticks = super().tick_values(vmin, vmax)
            shown = [t for t in ticks if vmin - 1e-9 * abs(vmin) <= t <= vmax + 1e-9 * abs(vmax)]
            if len(shown) < 2:
                return ticks
            widest = max(len(formatter(t)) for t in shown) * CHAR_EM * em
            spacing = length * (shown[1] - shown[0]) / (vmax - vmin) if vmax > vmin else length
            if spacing >= widest + GAP_EM * em:
                return ticks
        return ticks


def log_label(value: float, exponents: bool = False) -> str:
    """A log axis' label in plain text: ``100``, ``0.01``, ``2e-5``; with ``exponents``, ``1e-2`` too."""
    if value <= 0:
        return ""
    exponent = math.floor(math.log10(value) + 1e-12)
    if exponent == 0 or (not exponents and -3 <= exponent <= 4):
        return tick_label(value)
    return f"{tick_label(round(value / 10.0 ** exponent, 12))}e{exponent}"


def _exponents(axis) -> bool:
    """One notation per axis: exponents when it reaches below 0.001 or above 1e5."""
    low, high = sorted(axis.get_view_interval())
    return low < 1e-3 or high >= 1e5


class LogLabels(ticker.Formatter):
    """A log axis' decades in plain text: ``100, 1, 0.01`` or ``1, 1e-3, 1e-6``."""

    def __call__(self, x, pos=None):
        return log_label(x, self.axis is not None and _exponents(self.axis))


class LogMinorLabels(ticker.Formatter):
    """Labels on a log axis' minor ticks when the decades alone would leave it with too few labels.

    Labels the 2s and 5s (or every tick on a very short axis) when they are a label's height apart.
    """

    def __call__(self, x, pos=None):
        axis = self.axis
        if axis is None or axis.axes is None:
            return ""
        low, high = sorted(axis.get_view_interval())
        if low <= 0 or high <= 0:
            return ""
        decades = math.log10(high) - math.log10(low)
        if decades > 1.5:
            return ""
        mantissa = round(x / 10.0 ** math.floor(math.log10(x) + 1e-12), 6)
        length = axis.axes.bbox.height * 72.0 / axis.axes.figure.dpi
        per_decade = length / max(decades, 1e-9)
        em = fontsize_of(axis)
        room = per_decade * math.log10(10 / 9)  # the closest two minor ticks: 9 and 10
        if room >= 1.3 * em or (mantissa in (2.0, 5.0) and per_decade * math.log10(2) >= 1.3 * em):
            return log_label(x, _exponents(axis))
        return ""


def plain_log_axis(axis) -> None:
    """A log axis labelled in plain text (matplotlib's default formatters use mathtext).

    Minor ticks only where they may be labelled (an axis of 1.5 decades or less): a tick costs ~1 ms to
    build, a long log axis would build dozens of unlabelled ones.
    """
    axis.set_major_formatter(LogLabels())
    low, high = sorted(axis.get_view_interval())
    if low > 0 and math.log10(high / low) > 1.5:
        axis.set_minor_locator(ticker.NullLocator())
    else:
        axis.set_minor_formatter(LogMinorLabels())


def step_axis(axis, integer: bool = True) -> None:
    """An x axis counting steps: exact labels, as many as fit."""
    axis.set_major_formatter(StepLabels() if integer else Labels(tick_label))
    axis.set_major_locator(FittingLocator(integer=integer, steps=[1, 2, 2.5, 5, 10]))
