"""The output formats lrplot writes: one table, from which --format's choices and help, suffix inference,
the terminal rules and the README list all come.  Adding a format is adding a row and its writer.

A writer takes ``(results, labels, options)`` and yields the output as ``bytes`` chunks; writers are named
as ``module:function`` and imported only when used (matplotlib only for pictures).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # file name endings that select it, without the dot
    binary: bool  # never written to a terminal
    to_file: bool  # written to <name>.<suffix> when no --output is given (else stdout)
    help: str
    writer: str  # "module:function" under lrplot.render
    picture: bool = False  # draws curves: bounded in curves, pixels and title length

    def write(self, results: list, labels: list[str], options) -> "Iterator[bytes]":  # noqa: F821
        module, function = self.writer.split(":")
        return getattr(importlib.import_module(f"lrplot.render.{module}"), function)(results, labels, options)


FORMATS: tuple[Format, ...] = (
    Format("png", ("png",), True, True, "a PNG picture", "plot:write_png", picture=True),
    Format("svg", ("svg",), True, True, "an SVG picture", "plot:write_svg", picture=True),
    Format("pdf", ("pdf",), True, True, "a PDF picture", "plot:write_pdf", picture=True),
    Format("csv", ("csv",), False, False, "a CSV table on stdout", "table:write_csv"),
    Format("json", ("json",), False, False, "JSON on stdout", "table:write_json"),
    Format("term", ("term",), False, False, "a preview in the terminal (pip install 'lrplot[term]')",
           "term:write_term", picture=True),
)

#: Bounds on what a picture may ask for (each refused with its name before drawing).
MAX_CURVES = 50  # param groups x runs
MAX_PIXELS = 50_000_000  # width x height at the dpi
MAX_TITLE = 500  # characters of --title
SIZE_RANGE = (0.5, 100.0)  # inches, each side of --size
DPI_RANGE = (10, 1200)
DEFAULT_DPI = 150
LARGEST_DEFAULT_SIZE = (8.0, 8.1)  # inches: the default canvas with all three panels (lr, momentum, metric)


def pixels(size: tuple[float, float] | None, dpi: int | None) -> float:
    """How many pixels a picture of ``size`` (None: the default, at its largest) at ``dpi`` has."""
    width, height = size or LARGEST_DEFAULT_SIZE
    return width * height * (dpi or DEFAULT_DPI) ** 2

BY_NAME = {f.name: f for f in FORMATS}
BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}
NAMES = tuple(BY_NAME)


@dataclass
class RenderOptions:
    """How to draw: what the user asked for, independent of the format."""

    title: str | None = None
    log_y: bool | None = None  # None: automatic
    dpi: int | None = None
    size: tuple[float, float] | None = None  # inches
    marks: bool = True
    steps_per_epoch: int | None = None  # x axis in epochs
    epoch_axis: int | None = None  # optimizer steps per epoch of a counted run: epochs on a second x axis
    row_unit: str = "optimizer step"  # what a row of a counted run is (YOLO: an iteration)
    color: bool = False  # terminal preview: ANSI colours


def x_axes(results: list) -> tuple[int | None, int | None, str]:
    """What the x axis shows: ``(steps_per_epoch, epoch_axis, row_unit)`` for :class:`RenderOptions`.

    Rows of an epoch-stepped schedule are drawn in epochs; a counted run keeps its optimizer steps below
    and puts epochs above; runs that disagree are drawn in rows."""
    per_epoch = results[0].steps_per_epoch
    if any(r.steps_per_epoch != per_epoch for r in results):
        per_epoch = None
    epoch_axis, unit = None, "optimizer step"
    if per_epoch and all(getattr(r, "plan", None) is not None for r in results):
        per_epoch, epoch_axis = None, per_epoch  # a counted run: optimizer steps below, epochs above
        units = {r.plan.trainer.rows.rstrip("s") for r in results}
        unit = units.pop() if len(units) == 1 else "row"
    return per_epoch, epoch_axis, unit


def readme_cell() -> str:
    """The README's description of ``--format``."""
    return ", ".join(f"`{f.name}`" for f in FORMATS) + "; default from `-o`'s suffix, else `png`"


def help_text() -> str:
    """``--format``'s help."""
    return ("; ".join(f"{f.name}: {f.help}" for f in FORMATS) +
            ". Default: from --output's suffix, else png")
