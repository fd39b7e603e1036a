"""Marks: where a schedule changes regime, as dashed lines labelled where they fall (``x0.1 at 30``).

Lines are dark and dashed (the grid is light and solid).  Labels run up the line, on whichever side and end
of it the curves leave free, and are thinned so that no two touch: a label every k-th mark when they are dense,
only lines when there are more than ``MAX_LABELLED``, nothing beyond ``MAX_MARKS`` (thousands of cycles).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._lazy import np
from .mpl import text_to_path
from .ticks import step_label

MAX_MARKS = 40  # more regime marks than this would only add noise (e.g. thousands of cycles)
MAX_LABELLED = 40
COLOR = "#4d4d4d"
DASHES = (0, (4, 2.5))
LABEL_SIZE = 7.5  # points
OFFSET = 2.0  # points between a line and its label
MARGIN = 3.0  # points kept free around a label


@dataclass
class Mark:
    step: float  # where, in steps (the x axis' unit)
    text: str  # the label as drawn
    color: str = COLOR
    dashes: tuple = DASHES
    first: bool = False  # labelled before the others (where a run resumed)


def marks_of(result) -> list[Mark]:
    """The engine's marks as labelled marks: ``(30, "x0.1")`` -> ``x0.1 at 30``."""
    return [Mark(float(step), f"{label} at {step_label(step)}") for step, label in result.marks]


def draw_lines(axes, marks: list[Mark]) -> list[Mark]:
    """The marks' lines on every axes; returns the marks to label (none beyond MAX_MARKS)."""
    if len(marks) > MAX_MARKS:
        return []
    for ax in axes:
        for mark in marks:
            ax.axvline(mark.step, color=mark.color, linewidth=0.9, linestyle=mark.dashes, zorder=1.5)
    return marks if len(marks) <= MAX_LABELLED else []


def _size_points(ax, laid_out: bool) -> tuple[float, float]:
    """The axes' size in points as placed now; before the layout has run, a conservative guess."""
    points = 72.0 / ax.figure.figure.dpi  # per pixel of the root Figure
    return ax.bbox.width * points, ax.bbox.height * points * (1.0 if laid_out else 0.85)


def draw_labels(ax, marks: list[Mark], curves: list, log_y: bool, laid_out: bool = False) -> list:
    """Labels beside the marks' lines on ``ax`` where the ``curves`` ([(x, y)] arrays) leave room."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if not marks or not (x1 > x0 and y1 > y0) or (log_y and y0 <= 0):
        return []
    width, height = _size_points(ax, laid_out)
    per_point = (x1 - x0) / width
    thickness = LABEL_SIZE * 1.25
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=LABEL_SIZE)
    fractions = [(x, _fraction(y, y0, y1, log_y)) for x, y in curves]
    lines = np.array(sorted(m.step for m in marks))
    drawn, taken = [], []
    for mark in sorted(marks, key=lambda m: (not m.first, m.step)):
        at = (mark.step - x0) / per_point
        if not 0 <= at <= width or any(abs(at - other) < 2 * (thickness + OFFSET) for other in taken):
            continue
        length = text_to_path.get_text_width_height_descent(mark.text, prop, ismath=False)[0] + 2 * MARGIN
        if length > height:
            continue
        others = lines[lines != mark.step]
        side, top, free = _place(mark.step, at, width, length / height, thickness * per_point, per_point,
                                 fractions, others)
        drawn.append(ax.annotate(
            mark.text, xy=(mark.step, 1.0 if top else 0.0), xycoords=ax.get_xaxis_transform(),
            xytext=(side * OFFSET, -MARGIN if top else MARGIN), textcoords="offset points", rotation=90,
            ha="left" if side > 0 else "right", va="top" if top else "bottom", fontsize=LABEL_SIZE,
            color=mark.color, zorder=2.5,
            bbox=None if free else {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.6},
            annotation_clip=False))
        drawn[-1].set_in_layout(False)
        taken.append(at)
    return drawn


def _fraction(y, y0: float, y1: float, log_y: bool):
    """``y`` as a fraction of the axes' height (NaN where not drawn)."""
    with np.errstate(all="ignore"):
        if log_y:
            return (np.log10(np.where(y > 0, y, np.nan)) - np.log10(y0)) / (np.log10(y1) - np.log10(y0))
        return (y - y0) / (y1 - y0)


def _place(step, at, width, tall, wide, per_point, fractions, others) -> tuple[int, bool, bool]:
    """(side, top, free) for a label ``tall`` (axes fraction) by ``wide`` (data units): the first place that
    touches no curve and no other mark's line, right then left of the line, at the top then at the bottom;
    when every place is taken, the first that fits in the axes (drawn on a white ground)."""
    margin = MARGIN * per_point
    fallback = None
    for top in (True, False):
        band = (1.0 - tall, 1.0) if top else (0.0, tall)
        for side in (1, -1):
            if side > 0 and at + OFFSET + wide / per_point > width or side < 0 and at - OFFSET - wide / per_point < 0:
                continue
            fallback = fallback or (side, top, False)
            near = step + side * OFFSET * per_point  # the line's own jump is not in the way: only beyond it
            low, high = (near, near + wide + margin) if side > 0 else (near - wide - margin, near)
            if ((others >= low - margin) & (others <= high + margin)).any():
                continue
            if not any(_touches(x, f, low, high, band) for x, f in fractions):
                return side, top, True
    return fallback or (1, True, False)


def _touches(x, f, low: float, high: float, band: tuple[float, float]) -> bool:
    """Whether the curve (steps-post) passes through the box [low, high] x band."""
    stop = int(np.searchsorted(x, high, side="right"))  # points up to the box's right edge
    if stop == 0:  # the curve starts right of the box
        return False
    start = max(int(np.searchsorted(x, low, side="right")) - 1, 0)  # and the value in force at its left edge
    part = f[start:stop]
    part = part[np.isfinite(part)]
    return bool(part.size) and bool(((part >= band[0] - 0.02) & (part <= band[1] + 0.02)).any() or
                                    (part.min() < band[0] and part.max() > band[1]))
