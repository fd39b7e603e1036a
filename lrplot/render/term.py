"""A terminal preview for people on a remote machine (optional extra: ``pip install 'lrplot[term]'``).

It fits the terminal: no line is wider than ``COLUMNS`` (or the terminal's width), y-axis labels and legend
included; colour only when the caller says so (a terminal, without ``NO_COLOR`` or ``TERM=dumb``).  Its axes
read as the picture's: x in steps, or epochs with ``--steps-per-epoch``; small or huge rates in units of
10^e written on every label (``5e-3``), zero as ``0``.
"""

from __future__ import annotations

import math
import re
import shutil
import textwrap

from .._lazy import np
from ..errors import LrplotError
from .envelope import auto_log, envelope

MIN_PLOT_WIDTH = 16  # characters of plotting area below which a preview shows nothing useful
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ZERO_IN_UNITS = re.compile(r"(│ )[-+]?0(?:\.0*)?e[-+]?\d+$")  # uniplot writes zero in units of 10^e as 0e-3


def write_term(results: list, labels: list[str], options):
    from .titles import title_of

    title = options.title or (title_of(results[0]) if len(results) == 1 else " vs ".join(labels))
    x_label = "epoch" if options.steps_per_epoch else options.row_unit if options.epoch_axis else "step"
    text = render_term(list(zip(labels, results)), title, options.log_y, options.color,
                       per_epoch=options.steps_per_epoch, x_label=x_label)
    yield (text + "\n").encode()


def render_term(series: list, title: str, log_y: bool | None, color: bool = False, per_epoch: int | None = None,
                x_label: str = "step") -> str:
    try:
        from uniplot import plot_to_string
    except ImportError:
        raise LrplotError("--format term needs the optional extra: pip install 'lrplot[term]'", exit_code=1) from None
    columns, lines = shutil.get_terminal_size((100, 30))  # COLUMNS and LINES first, as POSIX says
    if columns < MIN_PLOT_WIDTH + 12:
        raise LrplotError(f"--format term: the terminal is {columns} columns wide; a preview needs at least "
                          f"{MIN_PLOT_WIDTH + 12} (set COLUMNS, or use -f csv)")  # a usage error: exit 2
    height = max(8, min(lines - 8, 25))
    xs, ys, labels = _curves(series, min(columns, 140) * 2, per_epoch)
    values = np.concatenate(ys)
    if log_y is None:
        log_y = auto_log(values)
    if log_y:
        keep = [y > 0 for y in ys]
        xs = [x[k] for x, k in zip(xs, keep)]
        ys = [y[k] for y, k in zip(ys, keep)]
    y_unit = ""
    magnitude = float(np.max(np.abs(values))) if len(values) else 0.0
    if not log_y and magnitude > 0 and not 1e-2 <= magnitude < 1e4:
        # uniplot rounds its labels to a few decimals: small (or huge) rates in units of 10^e, on every label
        exponent = int(math.floor(math.log10(magnitude)))
        ys = [y / 10.0 ** exponent for y in ys]
        y_unit = f"e{exponent}"
    limit = min(columns, 150)  # wider than that, a preview is no easier to read
    labels = [_cut(label, limit - 4) for label in labels]
    options = dict(title="\n".join(textwrap.wrap(title, limit) or [""]), lines=True, height=height,
                   y_as_log=log_y, legend_labels=labels if len(labels) > 1 else None, x_unit="", y_unit=y_unit,
                   **({} if color else {"color": False}), **_no_zero_line())  # no ANSI into a file or a pipe

    def draw(width: int) -> list[str]:
        text = plot_to_string(ys, xs, width=width, **options)
        return _finish((text if isinstance(text, str) else "\n".join(text)).split("\n"), width, x_label)

    width, fitted = limit - 3 - 8, None  # borders, a space, a guess at the y labels: measured, then adjusted
    for _ in range(4):
        out = draw(max(width, MIN_PLOT_WIDTH))
        over = max(_visible(line) for line in out) - limit
        if over <= 0:
            fitted = out
            if over == 0 or width >= limit:
                break
        elif fitted is not None:
            break  # widening overshot: the last one that fitted
        width -= over
    if fitted is not None:
        return "\n".join(fitted)
    raise LrplotError(f"--format term: the preview does not fit in {columns} columns (set COLUMNS, or use -f csv)")


def _curves(series: list, points: int, per_epoch: int | None):
    """Each run's (and param group's) curve as drawn: min/max per column when long, else a staircase (row i
    holds from step i to step i+1, as the picture draws it); x in epochs with ``per_epoch``."""
    xs, ys, labels = [], [], []
    scale = float(per_epoch or 1)
    for label, result in series:
        x = result.steps.astype(np.float64)
        groups = result.lr.shape[1]
        for g in range(groups):
            ex, ey = envelope(x, result.lr[:, g], points)
            if len(ex) == len(x):  # every row kept: draw the steps, not ramps between them
                ex = np.repeat(np.append(x, x[-1] + 1), 2)[1:-1]
                ey = np.repeat(result.lr[:, g], 2)
            xs.append(ex / scale)
            ys.append(ey)
            labels.append(f"{label} group {g}".strip() if groups > 1 else (label or "lr"))
    return xs, ys, labels


def _finish(out: list[str], width: int, x_label: str) -> list[str]:
    """The axes named: "lr" beside the top of the y labels, the x unit after the x labels; zero as 0."""
    out = [_ZERO_IN_UNITS.sub(r"\g<1>0", line) for line in out]
    bottom = next((i for i, line in enumerate(out) if line.startswith(("└", "╰"))), None)
    top = next((i for i, line in enumerate(out) if line.startswith(("┌", "╭"))), None)
    if top is not None:
        out[top] += " lr"
    if bottom is not None:
        ticks = out[bottom + 1] if bottom + 1 < len(out) and "█" not in out[bottom + 1] else None
        if ticks is not None and len(ticks) + 2 + len(x_label) <= width + 2:
            out[bottom + 1] = ticks + " " * (width + 2 - len(ticks) - len(x_label)) + x_label
        else:
            out.insert(bottom + 1 + (ticks is not None), x_label.rjust(width + 2))
    return out


def _no_zero_line() -> dict:
    """No vertical grid line at x = 0 (it doubles the left border); uniplot versions without the option draw it."""
    try:
        from uniplot.options import Options
    except ImportError:  # pragma: no cover - an old uniplot
        return {}
    return {"x_gridlines": []} if "x_gridlines" in getattr(Options, "__dataclass_fields__", {}) else {}


def _visible(line: str) -> int:
    return len(_ANSI.sub("", line))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."
