"""CSV and JSON bytes from a simulation result (no matplotlib here).

Floats are written as Python's ``repr`` of the float64 value: the shortest
string that reads back to the same bits, and the JSON is what ``json.dumps``
writes.  :mod:`.floats` spells whole columns that way at C speed.
"""

from __future__ import annotations

from typing import Any, Iterator

from .._lazy import np
from . import floats


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


def csv_chunks(cols: list[tuple[str, Any]], chunk_rows: int | None = None) -> Iterator[str]:
    """The CSV text in pieces, so a huge table never sits in memory as one string."""
    for chunk in csv_byte_chunks(cols, chunk_rows):
        yield chunk.decode()


def csv_byte_chunks(cols: list[tuple[str, Any]], chunk_rows: int | None = None,
                    header: str | None = None) -> Iterator[bytes]:
    """The CSV as bytes: a header line (default: the names as they are), then blocks of rows (see
    :mod:`.floats`), about 131,072 cells each unless ``chunk_rows`` says."""
    yield ((",".join(name for name, _ in cols) if header is None else header) + "\n").encode()
    n = len(cols[0][1])
    chunk_rows = chunk_rows or max(1024, (1 << 17) // len(cols))
    for start in range(0, n, chunk_rows):
        yield floats.csv_rows([floats.cells(values[start:start + chunk_rows], csv=True) for _, values in cols])


def csv_text(result: Any) -> str:
    return "".join(csv_chunks(columns(result)))


def json_text(result: Any) -> str:
    """The same data as the CSV, column-wise, plus the scheduler and its parameters."""
    return _json_document({"scheduler": result.scheduler, "params": _jsonable(result.params)},
                          columns(result)).decode()


_JSON_CHUNK = 1 << 17  # values per block of a JSON column


def _json_document(head: dict, cols: list[tuple[str, Any]]) -> bytes:
    """``json.dumps({**head, "columns": {name: values}}, allow_nan=False)``, the columns written by
    :mod:`.floats` (nan is null) instead of float by float."""
    import json  # not for CSV: start-up

    text = json.dumps(head, allow_nan=False)
    parts = [text[:-1].encode(), b", " if head else b"", b'"columns": {']
    for k, (name, values) in enumerate(cols):
        items = [floats.json_items(floats.cells(values[start:start + _JSON_CHUNK], csv=False))
                 for start in range(0, len(values), _JSON_CHUNK)]  # in blocks: bounded scratch memory
        parts += [b", " if k else b"", json.dumps(name).encode(), b": [", b", ".join(items), b"]"]
    parts.append(b"}}\n")
    return b"".join(parts)


def write_csv(results: list, labels: list[str], options=None) -> Iterator[bytes]:
    if len(results) == 1:
        yield from csv_byte_chunks(columns(results[0]))
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


def compare_columns(results: list, labels: list[str]) -> list[tuple[str, Any]]:
    """One column per run (and param group), aligned by step; shorter runs end in nan (an empty cell)."""
    n = max(len(r) for r in results)
    cols: list[tuple[str, Any]] = [("step", np.arange(n, dtype=np.int64))]
    for result, label in zip(results, labels):
        groups = result.lr.shape[1]
        for g in range(groups):
            values = np.full(n, np.nan)
            values[:len(result)] = result.lr[:, g]
            name = label if groups == 1 else f"{label}_lr_{group_names(result)[g]}"
            cols.append((name, values))
    return cols


def compare_csv_text(results: list, labels: list[str]) -> str:
    cols = compare_columns(results, labels)
    header = ",".join(_csv_field(name) for name, _ in cols)
    return b"".join(csv_byte_chunks(cols, header=header)).decode()


def compare_json_text(results: list, labels: list[str]) -> str:
    runs = [{"label": label, "scheduler": r.scheduler, "params": _jsonable(r.params)}
            for r, label in zip(results, labels)]
    return _json_document({"runs": runs}, compare_columns(results, labels)).decode()


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
