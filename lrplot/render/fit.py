"""Text that fits a fixed canvas: titles wrapped then shrunk, legend labels wrapped into columns, y labels
shortened on short panels.  Widths are measured with the font (``text_to_path``), not guessed from lengths.
"""

from __future__ import annotations

from .mpl import text_to_path
from .titles import fit, printable, wrap

TITLE_SIZE, SMALLEST_TITLE = 11.0, 8.0  # points
LEGEND_SIZE = 9.0


def literal(text: str) -> str:
    """User text drawn as written: a ``$`` would start matplotlib's mathtext (and can crash it)."""
    return printable(text).replace("$", r"\$")


def measure(size: float, weight: str):
    """A function giving a string's width in points in DejaVu Sans (matplotlib's font) at ``size``."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size, weight=weight)
    return lambda text: text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]


def fit_title(text: str, width: float) -> tuple[str, float]:
    """The whole title in at most two lines, shrinking to SMALLEST_TITLE first; then in as many as it takes."""
    wrapped, size = fit(printable(text), max(width, 36.0), TITLE_SIZE, SMALLEST_TITLE,
                        lambda points: measure(points, "bold"))
    return literal(wrapped), size


def legend_below(fig, handles: list) -> int:
    """One legend under the panels, in as many columns as fit the canvas: never over a curve.
    Returns its height in lines."""
    width = fig.get_size_inches()[0] * 72.0 - 16
    width_of = measure(LEGEND_SIZE, "normal")
    handle = LEGEND_SIZE * (2.0 + 0.8 + 2.0)  # handle length, its pad and the space between columns
    labels = ["\n".join(wrap(h.get_label(), width - handle, width_of)) for h in handles]
    widths = [max(width_of(line) for line in label.split("\n")) + handle for label in labels]
    columns = len(labels)
    while columns > 1 and sum(sorted(widths)[-columns:]) > width:
        columns -= 1
    fig.legend(handles, labels, loc="outside lower center", ncols=columns,
               fontsize=LEGEND_SIZE, frameon=False)
    return -(-len(labels) // columns) * max(label.count("\n") + 1 for label in labels)


#: Shorter names for a y axis label longer than its panel is tall (small canvases, several panels).
SHORT_LABELS = {"learning rate": "lr", "momentum": "mom.", "metric (synthetic)": "metric"}
GAP = 2.0  # points kept between two y labels


def fit_ylabels(fig, axes) -> bool:
    """Shorten y labels that would touch a neighbour's, stand out of their panel or leave the canvas, as laid
    out.  A layout pass costs ~50 ms: only for several panels or a short canvas; returns whether it ran."""
    if len(axes) == 1 and fig.get_size_inches()[1] >= 3:
        return False
    for _ in range(len(axes) + 1):
        fig.draw_without_rendering()
        boxes = [ax.yaxis.label.get_window_extent() for ax in axes]
        gap = GAP * fig.dpi / 72.0
        crowded = [i for i, box in enumerate(boxes)
                   if box.y0 < fig.bbox.y0 or box.y1 > fig.bbox.y1 or box.height > axes[i].bbox.height + 2 * gap or
                   any(j != i and box.y0 < other.y1 + gap and other.y0 < box.y1 + gap for j, other in enumerate(boxes))]
        crowded = [i for i in crowded if axes[i].get_ylabel() in SHORT_LABELS]
        if not crowded:
            return True
        longest = max(crowded, key=lambda i: boxes[i].height)
        axes[longest].set_ylabel(SHORT_LABELS[axes[longest].get_ylabel()])
    fig.draw_without_rendering()
    return True
