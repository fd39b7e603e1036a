"""Python's ``repr`` of float64 columns at C speed: orjson's shortest round-trip digits, respelled as repr.

``repr(x)`` is the shortest string that reads back to the same bits, but it costs ~0.6 us a value; orjson
(Ryu) finds the same shortest digits about 20x faster and spells them differently in three places:

=====================  =================  ==============
value                  orjson             repr
=====================  =================  ==============
|x| >= 1e16, < 1e-5    ``1e16``, ``1e-7``  ``1e+16``, ``1e-07``: a sign and at least two exponent digits
                       (``1e+16``: newer)
1e-5 <= |x| < 1e-4     ``0.0000123``       ``1.23e-05``
nan, inf               ``null``            ``nan``, ``inf``
=====================  =================  ==============

Each output cell is assembled from at most five byte segments of orjson's text and of :data:`_EXTRA`
(``1e`` + ``+0`` + ``7`` is ``1e+07``), and a whole block of rows is one numpy gather.  ``nan`` cells
are empty (CSV) or ``null`` (JSON); a column with an infinity, or any column when orjson is missing or
spells a probe value differently from repr (:func:`available`), goes through ``repr`` itself.
``tests/test_floats.py`` compares the result with ``repr`` on random values of every decade.
"""

from __future__ import annotations

from .._lazy import np

_EXTRA = b"+0.e-05,\n, "  # inserted bytes: "+0", "+", "0", ".", "e-05", then the separators
_PLUS0, _DOT, _E05, _COMMA, _NEWLINE, _COMMA_SPACE = 0, 2, 3, 7, 8, 9
_PROBES = (0.0, -0.0, 1.0, 0.1, -2.5, 1e15, 1e16, 1.2345e17, 1e22, -1.7976931348623157e308, 1e-4, 1.5e-4,
           1e-5, 2.5e-5, -9.99e-5, 1e-6, 1.2345e-7, 1e-9, 1e-10, 3e-100, 5e-324, 2.2250738585072014e-308,
           123456.789, 0.30000000000000004)
_state: dict = {}


def _orjson():
    """orjson, when installed and spelling every probe as this module expects (else None: use repr)."""
    if "checked" not in _state:
        _state["checked"], _state["orjson"] = True, None
        try:
            import orjson
        except ImportError:
            return None
        _state["orjson"] = orjson
        probes = np.array(_PROBES, dtype=np.float64)
        if json_list(_float_cells(probes, csv=False)) != ("[" + ", ".join(map(repr, _PROBES)) + "]").encode():
            _state["orjson"] = None
    return _state["orjson"]


def available() -> bool:
    """Whether columns are formatted at C speed (orjson importable and agreeing with repr on the probes)."""
    return _orjson() is not None


class Cells:
    """One column as byte segments: cell ``i`` is the concatenation over ``k`` of
    ``source[start[i, k]:start[i, k] + length[i, k]]``."""

    def __init__(self, source, start, length) -> None:
        self.source, self.start, self.length = source, start, length

    def __len__(self) -> int:
        return len(self.start)


#: Below this many values a column is written by repr/str: orjson's import (~3 ms) costs more than it saves.
SMALL = 4096


def cells(values, csv: bool) -> Cells:
    """The column's cells as ``str``/``repr`` write them; nan is an empty cell (``csv``) or ``null`` (JSON)."""
    values = np.asarray(values)
    orjson = _orjson() if len(values) >= SMALL else None
    if values.dtype.kind in "iub":
        values = np.ascontiguousarray(values, dtype=np.int64)
        if orjson is None:
            return _python_cells(map(str, values.tolist()))
        return _parse(orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY))[0]
    values = np.ascontiguousarray(values, dtype=np.float64)
    infinite = np.isinf(values).any()
    if infinite and not csv:
        raise ValueError("Out of range float values are not JSON compliant")  # as json.dumps(allow_nan=False)
    if orjson is None or infinite:
        nan = "" if csv else "null"
        return _python_cells(nan if v != v else repr(v) for v in values.tolist())
    return _float_cells(values, csv)


def _python_cells(texts) -> Cells:
    """Cells from Python strings (the path without orjson)."""
    encoded = [t.encode() for t in texts]
    length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    start = np.cumsum(length) - length
    source = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return Cells(source, start[:, None], length[:, None])


def _parse(text: bytes):
    """orjson's ``[a,b,...]`` as cells, with each cell's start and end (exclusive)."""
    source = np.frombuffer(text, dtype=np.uint8)
    ends = np.flatnonzero(source == ord(","))
    if len(text) > 2:
        ends = np.append(ends, len(text) - 1)
    starts = np.empty(len(ends), dtype=np.int64)
    if len(ends):
        starts[0] = 1
        starts[1:] = ends[:-1] + 1
    return Cells(source, starts[:, None], (ends - starts)[:, None]), starts, ends


def _float_cells(values, csv: bool) -> Cells:
    """orjson's text of finite float64 ``values``, in up to five segments a cell that spell each as repr."""
    orjson = _state["orjson"]
    plain, starts, ends = _parse(orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY))
    extra = len(plain.source)
    e_at = np.flatnonzero(plain.source == ord("e"))
    magnitude = np.abs(values)
    small = np.flatnonzero((magnitude < 2e-4) & (magnitude > 0))
    if not len(e_at) and not len(small):  # nothing to respell: orjson's cells as they are
        if csv:
            plain.length[values != values] = 0  # nan (orjson: null): an empty cell
        return plain
    source = np.concatenate([plain.source, np.frombuffer(_EXTRA, dtype=np.uint8)])
    n = len(starts)
    start = np.zeros((n, 5), dtype=np.int64)
    length = np.zeros((n, 5), dtype=np.int64)
    start[:, 0], length[:, 0] = starts, ends - starts
    # exponent form: "<mantissa>e[-]<digits>" gets repr's sign and two-digit exponent inserted
    if len(e_at):
        cell = np.searchsorted(ends, e_at)
        signed = (source[e_at + 1] == ord("-")) | (source[e_at + 1] == ord("+"))  # orjson >= 3.10 writes "e+16"
        digits_at = e_at + 1 + signed
        one_digit = ends[cell] - digits_at == 1
        length[cell, 0] = digits_at - starts[cell]
        start[cell, 1] = extra + _PLUS0 + signed  # "+0" or "+" without a sign; "0" or nothing after one
        length[cell, 1] = (~signed).astype(np.int64) + one_digit
        start[cell, 2], length[cell, 2] = digits_at, ends[cell] - digits_at
    # 1e-5 <= |x| < 1e-4: orjson's "[-]0.0000dr..." is repr's "[-]d[.r...]e-05"
    if len(small):
        sign = (source[starts[small]] == ord("-")).astype(np.int64)
        head = starts[small] + sign
        window = source[np.minimum(head[:, None] + np.arange(6), len(source) - 1)]
        positional = (window == np.frombuffer(b"0.0000", dtype=np.uint8)).all(axis=1) & (ends[small] - head >= 7)
        cell, sign, head = small[positional], sign[positional], head[positional]
        rest = ends[cell] - (head + 7)
        length[cell, 0] = sign
        start[cell, 1], length[cell, 1] = head + 6, 1
        start[cell, 2], length[cell, 2] = extra + _DOT, (rest > 0).astype(np.int64)
        start[cell, 3], length[cell, 3] = head + 7, rest
        start[cell, 4], length[cell, 4] = extra + _E05, 4
    if csv:
        length[values != values] = 0  # nan (orjson: null): an empty cell
    return Cells(source, start, length)


def _gather(source, start, length) -> bytes:
    """The concatenation of the segments ``source[start:start+length]``, in row-major order."""
    start, length = start.ravel(), length.ravel()
    total = int(length.sum())
    if total == 0:
        return b""
    offset = np.cumsum(length) - length
    if total >= 1 << 31 or len(source) >= 1 << 31:
        index = np.repeat(start - offset, length)
        index += np.arange(total, dtype=np.int64)
    else:  # int32 indices: half the memory traffic of int64
        index = np.repeat((start - offset).astype(np.int32), length)
        index += _counting(total)
    return source[index].tobytes()


def _counting(total: int):
    """``arange(total)`` as int32, from one cached array (a chunk needs the same one every time)."""
    ramp = _state.get("ramp")
    if ramp is None or len(ramp) < total:
        ramp = _state["ramp"] = np.arange(max(total, 1 << 21), dtype=np.int32)
    return ramp[:total]


def _combined(columns: list[Cells]):
    """One source for several columns (and the separators), each column's starts moved to its place in it."""
    sources, starts, at = [], [], 0
    for column in columns:
        sources.append(column.source)
        starts.append(column.start + at)
        at += len(column.source)
    sources.append(np.frombuffer(_EXTRA, dtype=np.uint8))
    return np.concatenate(sources), starts, at


def csv_rows(columns: list[Cells]) -> bytes:
    """Rows ``a,b,c\\n`` from columns of equal length."""
    source, starts, extra = _combined(columns)
    n = len(columns[0])
    parts_start, parts_length = [], []
    for k, (start, column) in enumerate(zip(starts, columns)):
        last = k == len(columns) - 1
        parts_start += [start, np.full((n, 1), extra + (_NEWLINE if last else _COMMA), dtype=np.int64)]
        parts_length += [column.length, np.ones((n, 1), dtype=np.int64)]
    return _gather(source, np.concatenate(parts_start, axis=1), np.concatenate(parts_length, axis=1))


def json_list(column: Cells) -> bytes:
    """``[a, b, c]`` as ``json.dumps`` writes a list."""
    return b"[" + json_items(column) + b"]"


def json_items(column: Cells) -> bytes:
    """``a, b, c``: a list's items as ``json.dumps`` separates them."""
    source, (start,), extra = _combined([column])
    n = len(column)
    start = np.concatenate([start, np.full((n, 1), extra + _COMMA_SPACE, dtype=np.int64)], axis=1)
    length = np.concatenate([column.length, np.full((n, 1), 2, dtype=np.int64)], axis=1)
    if n:
        length[-1, -1] = 0  # no separator after the last value
    return _gather(source, start, length)
