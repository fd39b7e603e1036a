"""Pictures for the Python API: on the caller's matplotlib Axes, on a new Figure, or as PNG bytes.

matplotlib is imported only here, when a picture is asked for, through the object API (never pyplot): a
notebook's backend, its open figures and its rcParams are left as they were.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..errors import LrplotError, shown
from ..render.formats import DPI_RANGE, MAX_CURVES, MAX_PIXELS, MAX_TITLE, SIZE_RANGE, RenderOptions, pixels, x_axes

#: The keywords :func:`plot` takes for the picture (everything else is :func:`lrplot.simulate`'s).
PICTURE_KEYWORDS = ("labels", "title", "log_y", "marks", "size", "dpi")


def render_options(results: list, title: str | None = None, log_y: bool | None = None, marks: bool = True,
                   size: Any = None, dpi: int | None = None) -> RenderOptions:
    """The picture's options, each checked and refused by its keyword's name."""
    curves = sum(r.lr.shape[1] for r in results)
    if curves > MAX_CURVES:
        raise LrplotError(f"plot: at most {MAX_CURVES} curves (param groups x runs) in a picture; this has {curves}")
    if title is not None and (not isinstance(title, str) or len(title) > MAX_TITLE):
        raise LrplotError(f"title: {shown(title, 40)} is not a text of at most {MAX_TITLE} characters")
    if size is not None:
        if (not isinstance(size, (tuple, list)) or len(size) != 2 or
                not all(isinstance(v, numbers.Real) and SIZE_RANGE[0] <= v <= SIZE_RANGE[1] for v in size)):
            raise LrplotError(f"size: {shown(size, 40)} is not (width, height) in inches, each in "
                              f"[{SIZE_RANGE[0]:g}, {SIZE_RANGE[1]:g}]")
        size = (float(size[0]), float(size[1]))
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, numbers.Integral)
                            or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]):
        raise LrplotError(f"dpi: {shown(dpi, 40)} is invalid: a whole number in [{DPI_RANGE[0]}, {DPI_RANGE[1]}]")
    if pixels(size, dpi) > MAX_PIXELS:
        raise LrplotError(f"size x dpi: above lrplot's limit of {MAX_PIXELS:,} pixels; lower either")
    if log_y is not None and not isinstance(log_y, bool):
        raise LrplotError(f"log_y: {shown(log_y, 40)} is not True, False or None (automatic)")
    per_epoch, epoch_axis, unit = x_axes(results)
    return RenderOptions(title=title, log_y=log_y, dpi=dpi, size=size, marks=bool(marks),
                         steps_per_epoch=per_epoch, epoch_axis=epoch_axis, row_unit=unit)


def _series(results: list, labels: Any):
    from ..render.plot import Series

    if labels is None:
        labels = [r.title or r.scheduler for r in results] if len(results) > 1 else [""]
    labels = list(labels)
    if len(labels) != len(results) or not all(isinstance(label, str) for label in labels):
        raise LrplotError(f"labels: give one text per result ({len(results)}), not {shown(labels, 60)}")
    return [Series(r, label) for r, label in zip(results, labels)]


def plot(results: list, ax=None, labels: Any = None, **options: Any):
    """Draw ``results`` on ``ax`` and return it; without ``ax``, a new Figure with every panel, returned."""
    from ..render import plot as picture

    checked = render_options(results, **options)
    series = _series(results, labels)
    if ax is None:
        return picture.figure(series, checked)
    if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise LrplotError(f"ax: {shown(ax, 60)} is not a matplotlib Axes")
    return picture.draw(ax, series, checked)


def png(results: list, labels: Any = None, **options: Any) -> bytes:
    """The picture as PNG bytes (what a notebook displays)."""
    from ..render import plot as picture

    options.setdefault("dpi", 100)
    checked = render_options(results, **options)
    return picture.render(_series(results, labels), "png", checked)
