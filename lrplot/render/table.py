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
    if getattr(result, "plan", None) is not None and result.steps_per_epoch:
        cols.append(("epoch", np.round(result.steps / result.steps_per_epoch, 4)))  # the epoch in progress
    elif getattr(result, "steps_per_epoch", None):
        cols.append(("epoch", result.steps // result.steps_per_epoch))
    groups = result.lr.shape[1]
    names = group_names(result)
    if groups == 1:
        cols.append(("lr", result.lr[:, 0]))
    else:
        cols += [(f"lr_{names[g]}", result.lr[:, g]) for g in range(groups)]
    if result.momentum is not None:
        if groups == 1:
            cols.append(("momentum", result.momentum[:, 0]))
        else:
            cols += [(f"momentum_{names[g]}", result.momentum[:, g]) for g in range(groups)]
    if result.metrics is not None:
        cols.append(("metric", result.metrics))
    return cols


def group_names(result: Any) -> list[str]:
    """The param groups' names: the trainer's (YOLO: weight, bn, bias), else their indexes."""
    names = list(getattr(result, "group_names", None) or [])
    return names if len(names) == result.lr.shape[1] else [str(g) for g in range(result.lr.shape[1])]


def _strings(values) -> Iterator[str]:
    if values.dtype.kind in "iu":
        return map(str, values.tolist())
    if np.isnan(values).any():  # an unknown value (the metric after the last step) is an empty cell
        return ("" if v != v else repr(v) for v in values.tolist())
    return map(float.__repr__, values.tolist())


def _json_values(values) -> list:
    out = values.tolist()
    if values.dtype.kind == "f" and np.isnan(values).any():
        return [None if v != v else v for v in out]
    return out


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


def json_text(result: Any) -> str:
    """The same data as the CSV, column-wise, plus the scheduler and its parameters."""
    data = {
        "scheduler": result.scheduler,
        "params": _jsonable(result.params),
        "columns": {name: _json_values(values) for name, values in columns(result)},
    }
    return json.dumps(data, allow_nan=False) + "\n"


def write_csv(results: list, labels: list[str], options=None) -> Iterator[bytes]:
    if len(results) == 1:
        for chunk in csv_chunks(columns(results[0])):
            yield chunk.encode()
    else:
        yield compare_csv_text(results, labels).encode()


def write_json(results: list, labels: list[str], options=None) -> Iterator[bytes]:
    yield (json_text(results[0]) if len(results) == 1 else compare_json_text(results, labels)).encode()


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


def compare_columns(results: list, labels: list[str]) -> list[tuple[str, list]]:
    """One column per run (and param group), aligned by step; shorter runs leave empty cells."""
    n = max(len(r) for r in results)
    cols: list[tuple[str, list]] = [("step", list(range(n)))]
    for result, label in zip(results, labels):
        groups = result.lr.shape[1]
        for g in range(groups):
            values = result.lr[:, g].tolist()
            name = label if groups == 1 else f"{label}_lr_{group_names(result)[g]}"
            cols.append((name, values + [None] * (n - len(values))))
    return cols


def compare_csv_text(results: list, labels: list[str]) -> str:
    cols = compare_columns(results, labels)
    header = ",".join(_csv_field(name) for name, _ in cols)
    cells = [[("" if v is None else (repr(v) if isinstance(v, float) else str(v))) for v in values]
             for _, values in cols]
    return header + "\n" + "".join(",".join(row) + "\n" for row in zip(*cells))


def compare_json_text(results: list, labels: list[str]) -> str:
    data = {
        "runs": [{"label": label, "scheduler": r.scheduler, "params": _jsonable(r.params)}
                 for r, label in zip(results, labels)],
        "columns": dict(compare_columns(results, labels)),
    }
    return json.dumps(data, allow_nan=False) + "\n"


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
