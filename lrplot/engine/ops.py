"""Exact, vectorised replay of what schedulers do to ``group['lr']``.

Every torch scheduler step is one of four updates of a param group's learning
rate, computed in float64 in a fixed order of operations:

* ``MUL a``      ``lr = lr * a``                 (the chainable form of most schedulers)
* ``SET a``      ``lr = a``                      (closed forms: LambdaLR, CyclicLR, ...)
* ``AFFINE a,b`` ``lr = a * (lr - b) + b``       (CosineAnnealingLR with ``eta_min = b``)
* ``ADD a``      ``lr = lr + a``                 (CosineAnnealingLR past ``T_max``)

(Code 0 is a step that leaves the lr alone: ``lr * 1.0``.)  A run is the
sequence of these updates, ordered by step and, within a step, by the order
torch calls the schedulers.  :func:`replay` evaluates it exactly as
torch would, one multiplication at a time, but in numpy: runs of ``MUL``
between two ``SET`` are independent segments, each a ``cumprod`` from its start
value (segments of equal length are done together as the rows of one 2-D
``cumprod``, strided views when they are evenly spaced); only segments that
contain ``AFFINE``/``ADD`` need a sequential loop, done column-wise across
segments when there are many of them, else a tight Python loop.
"""

from __future__ import annotations

from .._lazy import np

MUL, SET, AFFINE, ADD = 1, 2, 3, 4

# A bucket of sequential segments is replayed column by column with numpy when it
# has at least this many segments; below that a plain Python loop is faster.
_COLUMNWISE_MIN_SEGMENTS = 24


def codes(mask, code: int):
    """``code`` where ``mask``, else 0 (no update), as int8 in one pass."""
    return np.where(mask, np.int8(code), np.int8(0))


def replay(n: int, start: float, step: "np.ndarray", code: "np.ndarray", a: "np.ndarray",
           b: "np.ndarray | None" = None, every_step: bool = False) -> "np.ndarray":
    """Learning rate for rows ``0..n-1``.

    ``start`` is the value after construction (row 0); ``step`` (sorted) says at
    which row each update happens; ``code``/``a``/``b`` describe the updates
    (code 0: no update).  Row ``t`` is the value after the last update with ``step <= t``.
    ``every_step``: the caller knows ``step`` is ``1..n-1``, one update a row.
    """
    count = len(step)
    if count == 0:
        return np.full(n, start, dtype=np.float64)
    values = np.empty(count + 1)  # the updates' operands, after row 0's value: replay's own copy
    values[0] = start
    values[1:] = a
    codes = np.empty(count + 1, dtype=np.int8)
    codes[0] = SET
    codes[1:] = code
    if (codes == SET).all():  # closed forms: every update sets the lr
        return _rows(n, values, step, every_step)
    noop = codes == 0
    if noop.any():  # no update: lr * 1.0 is lr, bit for bit
        values[noop] = 1.0
        codes[noop] = MUL
    # Updates that discard the incoming value are SETs: x*0 == 0 for every finite x, which starts a new
    # independent segment.
    codes[(values == 0.0) & (codes == MUL)] = SET
    offsets = None
    if (codes >= AFFINE).any():  # AFFINE/ADD: a sequential recurrence, unless it can be folded away
        offsets = np.zeros(count + 1)
        if b is not None:
            offsets[1:] = b
        affine = codes == AFFINE
        zero_ratio = affine & (values == 0.0)  # 0*(x-b)+b == b: a SET
        codes[zero_ratio] = SET
        values[zero_ratio] = offsets[zero_ratio]
        codes[affine & (offsets == 0.0) & ~zero_ratio] = MUL  # a*(x-0)+0 == a*x (up to the sign of a zero)
    is_set = codes == SET
    if offsets is not None:
        _fold_after_set(values, codes, offsets, is_set)
    out = np.empty(count + 1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if is_set.all():
            out = values
        else:
            starts = np.flatnonzero(is_set)
            sequential_ops = (codes >= AFFINE) if offsets is not None else None
            if len(starts) == 1 and (sequential_ops is None or not sequential_ops.any()):
                np.cumprod(values, out=out)
            else:
                lengths = np.diff(np.append(starts, count + 1))
                sequential = np.zeros(len(starts), dtype=bool)
                if sequential_ops is not None and sequential_ops.any():
                    segment = np.cumsum(is_set) - 1
                    sequential[segment[sequential_ops]] = True
                _cumprod_segments(values, starts[~sequential], lengths[~sequential], out)
                if sequential.any():
                    _sequential_segments(values, codes, offsets, starts[sequential], lengths[sequential], out)
    return _rows(n, out, step, every_step)


def _rows(n: int, out, step, every_step: bool):
    """Row t shows the value after the last update at a step <= t (several updates at one step: the last)."""
    count = len(step)
    if every_step or (count == n - 1 and step[0] == 1 and step[-1] == n - 1 and (step[1:] > step[:-1]).all()):
        return out  # one update at each of the steps 1..n-1: rows and updates line up
    rows = np.empty(count + 2, dtype=np.int64)
    rows[0], rows[1:-1], rows[-1] = 0, step, n
    return np.repeat(out, np.diff(rows))


def _fold_after_set(values, codes, offsets, is_set, rounds: int = 4) -> None:
    """Turn ADD/AFFINE updates that directly follow a SET into SETs (same float ops, vectorised).

    CosineAnnealingLR's ADD after T_max always follows the exact zero of the
    previous step, so this removes every sequential segment of the default
    ``eta_min=0`` case.
    """
    for _ in range(rounds):
        foldable = np.flatnonzero((codes[1:] >= AFFINE) & is_set[:-1]) + 1  # AFFINE/ADD right after a SET
        if len(foldable) == 0:
            return
        prev = values[foldable - 1]
        add = codes[foldable] == ADD
        v, off = values[foldable], offsets[foldable]
        with np.errstate(all="ignore"):
            values[foldable] = np.where(add, prev + v, v * (prev - off) + off)
        codes[foldable] = SET
        is_set[foldable] = True


def _cumprod_segments(values, starts, lengths, out) -> None:
    from numpy.lib.stride_tricks import as_strided

    for length in np.unique(lengths):
        first = starts[lengths == length]
        if length == 1:
            out[first] = values[first]
        elif len(first) == 1:
            s = int(first[0])
            np.cumprod(values[s:s + length], out=out[s:s + length])
        elif (np.diff(first) == first[1] - first[0]).all():  # evenly spaced (one per period): strided views
            s, stride, rows = int(first[0]), int(first[1] - first[0]), len(first)
            view = {"shape": (rows, int(length)), "strides": (stride * values.itemsize, values.itemsize)}
            np.multiply.accumulate(as_strided(values[s:], **view), axis=1,
                                   out=as_strided(out[s:], **view, writeable=True))
        else:
            index = first[:, None] + np.arange(length)
            out[index] = np.multiply.accumulate(values[index], axis=1)


def _sequential_segments(values, codes, offsets, starts, lengths, out) -> None:
    for length in np.unique(lengths):
        first = starts[lengths == length]
        if len(first) >= _COLUMNWISE_MIN_SEGMENTS:
            _columnwise(values, codes, offsets, first, int(length), out)
        else:
            for s in first.tolist():
                _scalar_loop(values, codes, offsets, s, int(length), out)


def _scalar_loop(values, codes, offsets, s: int, length: int, out) -> None:
    kinds = codes[s + 1:s + length]
    offs = offsets[s + 1:s + length]
    if length > 1 and (kinds == AFFINE).all() and (offs == offs[0]).all():  # CosineAnnealingLR's eta_min
        out[s:s + length] = _affine_run(float(values[s]), values[s + 1:s + length].tolist(), float(offs[0]))
        return
    vals = values[s:s + length].tolist()
    kinds = codes[s:s + length].tolist()
    offs = offsets[s:s + length].tolist()
    result = [0.0] * length
    y = result[0] = vals[0]
    for k in range(1, length):
        kind = kinds[k]
        if kind == MUL:
            y = y * vals[k]
        elif kind == AFFINE:
            y = vals[k] * (y - offs[k]) + offs[k]
        else:  # ADD
            y = y + vals[k]
        result[k] = y
    out[s:s + length] = result


def _affine_run(y: float, ratios: list, offset: float) -> list:
    """``y = r * (y - offset) + offset`` for each ratio, in Python floats (the tightest loop Python has)."""
    result = [y]
    append = result.append
    for r in ratios:
        y = r * (y - offset) + offset
        append(y)
    return result


def _columnwise(values, codes, offsets, first, length: int, out) -> None:
    """Many segments of one length, side by side: a loop over their columns (each a numpy operation on all
    segments), with the operands gathered once into rows of a contiguous array."""
    stride = int(first[1] - first[0])
    if (np.diff(first) == stride).all() and stride >= length:  # evenly spaced: strided views, no copies
        from numpy.lib.stride_tricks import as_strided

        def columns(array, writeable=False):
            return as_strided(array[int(first[0]):], (length, len(first)), (array.itemsize, stride * array.itemsize),
                              writeable=writeable)

        vals, kinds, offs, result = columns(values), columns(codes), columns(offsets), columns(out, True)
        index = None
    else:
        index = first[None, :] + np.arange(length)[:, None]  # (length, segments)
        vals, kinds, offs = values[index], codes[index], offsets[index]
        result = np.empty_like(vals)
    y = result[0] = vals[0]
    all_affine = (kinds == AFFINE).all(axis=1)
    all_mul = (kinds == MUL).all(axis=1)
    scratch = np.empty_like(y)
    for k in range(1, length):
        v, off = vals[k], offs[k]
        row = result[k]
        if all_affine[k]:
            np.subtract(y, off, out=scratch)
            np.multiply(v, scratch, out=scratch)
            np.add(scratch, off, out=row)
        elif all_mul[k]:
            np.multiply(y, v, out=row)
        else:
            kind = kinds[k]
            row[:] = np.where(kind == MUL, y * v, np.where(kind == AFFINE, v * (y - off) + off, y + v))
        y = row
    if index is not None:
        out[index] = result
