"""Metric files for metric-driven schedulers (``--metrics FILE``): one value per line, or a CSV with a header.

Read like a config (bounded, UTF-8, a BOM allowed); a first line is a header only when every cell in it
is a name (so a mistyped first value is an error, not a header); the column is ``metric``, ``val_loss``,
``loss`` or ``value``, else the last.
"""

from __future__ import annotations

import re

from ..engine.params import parse_float
from ..engine.schema import MAX_STEPS
from ..errors import LrplotError, shown
from .read import read_text

MAX_BYTES = 256 << 20  # ten million values of up to ~25 characters
_NAME = re.compile(r"^[A-Za-z_][\w./ -]*$")
PREFERRED = ("metric", "val_loss", "loss", "value")


def read_metrics(source: str) -> list[float]:
    try:
        text, name = read_text(source, "a metrics file (numbers, one per line, or a CSV)", MAX_BYTES)
    except LrplotError as err:
        raise type(err)(f"--metrics: {err}") from None
    where = f"--metrics: {name}"
    lines = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines())
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise LrplotError(f"{where}: no values")
    if len(lines) > MAX_STEPS + 1:
        raise LrplotError(f"{where}: {len(lines):,} lines; lrplot simulates at most {MAX_STEPS:,} steps")
    first = [cell.strip() for cell in lines[0][1].split(",")]
    column = len(first) - 1
    if all(_NAME.match(cell) for cell in first) and not any(_number(cell) for cell in first):
        header = [cell.lower() for cell in first]
        column = next((header.index(n) for n in PREFERRED if n in header), len(header) - 1)
        lines = lines[1:]
    values = []
    for number, line in lines:
        cells = line.split(",")
        try:
            values.append(parse_float(cells[column].strip()))
        except (ValueError, IndexError):
            raise LrplotError(f"{where}:{number}: {shown(line)} is not a number") from None
    if not values:
        raise LrplotError(f"{where}: no values")
    return values


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
