"""CSV and JSON bytes from a simulation result (no matplotlib here).

Floats are written as Python's ``repr`` of the float64 value: the shortest
string that reads back to the same bits.  A million rows take a fraction of a
second because every loop below runs in C (``map``/``zip``/``join``).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from .._lazy import np


def columns(result: Any) -> list[tuple[str, Any]]:
    """``[(header, 1-d array), ...]`` in the CSV contract's order."""
    cols: list[tuple[str, Any]] = [("step", result.steps)]
    groups = result.lr.shape[1]
    if groups == 1:
        cols.append(("lr", result.lr[:, 0]))
    else:
        cols += [(f"lr_{g}", result.lr[:, g]) for g in range(groups)]
    if result.momentum is not None:
        if groups == 1:
            cols.append(("momentum", result.momentum[:, 0]))
        else:
            cols += [(f"momentum_{g}", result.momentum[:, g]) for g in range(groups)]
    if result.metrics is not None:
        cols.append(("metric", result.metrics))
    return cols


def _strings(values) -> Iterator[str]:
    if values.dtype.kind in "iu":
        return map(str, values.tolist())
    return map(float.__repr__, values.tolist())


def csv_chunks(cols: list[tuple[str, Any]], chunk_rows: int = 65536) -> Iterator[str]:
    """The CSV text in pieces, so a huge table never sits in memory as one string."""
    yield ",".join(name for name, _ in cols) + "\n"
    n = len(cols[0][1])
    for start in range(0, n, chunk_rows):
        parts = [_strings(values[start:start + chunk_rows]) for _, values in cols]
        rows = parts[0] if len(parts) == 1 else map(",".join, zip(*parts))
        yield "\n".join(rows) + "\n"


def csv_text(result: Any) -> str:
    return "".join(csv_chunks(columns(result)))


def json_text(result: Any, extra: dict | None = None) -> str:
    """The same data as the CSV, column-wise, plus the scheduler and its parameters."""
    data = {
        "scheduler": result.scheduler,
        "params": _jsonable(result.params),
        "columns": {name: values.tolist() for name, values in columns(result)},
    }
    if extra:
        data.update(extra)
    return json.dumps(data, allow_nan=False) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
