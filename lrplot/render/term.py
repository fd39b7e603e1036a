"""A terminal preview for people on a remote machine (optional extra: ``pip install 'lrplot[term]'``)."""

from __future__ import annotations

import math
import shutil

from .._lazy import np
from ..errors import LrplotError
from .envelope import auto_log, envelope


def write_term(results: list, labels: list[str], options):
    from .titles import title_of

    title = options.title or (title_of(results[0]) if len(results) == 1 else " vs ".join(labels))
    yield (render_term(list(zip(labels, results)), title, options.log_y, options.color) + "\n").encode()


def render_term(series: list, title: str, log_y: bool | None, color: bool = False) -> str:
    try:
        from uniplot import plot_to_string
    except ImportError:
        raise LrplotError("--format term needs the optional extra: pip install 'lrplot[term]'", exit_code=1) from None
    columns, lines = shutil.get_terminal_size((100, 30))
    width = max(30, min(columns - 20, 140))
    height = max(8, min(lines - 8, 25))
    ys, xs, labels = [], [], []
    for label, result in series:
        x = result.steps.astype(np.float64)
        for g in range(result.lr.shape[1]):
            ex, ey = envelope(x, result.lr[:, g], width * 2)
            xs.append(ex)
            ys.append(ey)
            groups = result.lr.shape[1]
            labels.append(f"{label} group {g}".strip() if groups > 1 else (label or "lr"))
    values = np.concatenate(ys)
    if log_y is None:
        log_y = auto_log(values)
    if log_y:
        keep = [y > 0 for y in ys]
        xs = [x[k] for x, k in zip(xs, keep)]
        ys = [y[k] for y, k in zip(ys, keep)]
    extra = {} if color else {"color": False}  # no ANSI escapes when the output is a file or a pipe
    y_unit = ""
    magnitude = float(np.max(np.abs(values))) if len(values) else 0.0
    if not log_y and magnitude > 0 and not 1e-2 <= magnitude < 1e4:
        # uniplot rounds its labels to a few decimals: show small (or huge) rates in units of 10^e
        exponent = int(math.floor(math.log10(magnitude)))
        ys = [y / 10.0 ** exponent for y in ys]
        y_unit = f"e{exponent}"
    text = plot_to_string(ys, xs, title=title, lines=True, width=width, height=height, y_as_log=log_y,
                          legend_labels=labels if len(labels) > 1 else None, x_unit="", y_unit=y_unit, **extra)
    return text if isinstance(text, str) else "\n".join(text)
