"""Min/max decimation: a million-step curve drawn at the cost of a thousand, without aliasing."""

from __future__ import annotations

import math

from .._lazy import np


LOG_SPAN = 10 ** 2.5  # a curve spanning more than ~2.5 decades is drawn on a log axis


def auto_log(values) -> bool:
    """Whether a log y axis shows ``values`` better: all positive and spanning more than LOG_SPAN."""
    finite = values[np.isfinite(values)]
    if finite.size == 0 or (finite <= 0).any():
        return False
    return bool(finite.max() / finite.min() > LOG_SPAN)


def _blocks(y, columns: int):
    """``y`` as ``(buckets, per)`` blocks (the last padded with its final value), or None when short enough."""
    n = len(y)
    if n <= 4 * columns:
        return None
    per = math.ceil(n / columns)
    buckets = math.ceil(n / per)
    pad = buckets * per - n
    yy = np.concatenate([y, np.full(pad, y[-1])]) if pad else y
    return yy.reshape(buckets, per)


def envelope(x, y, columns: int):
    """Reduce ``(x, y)`` to the min and max of each of ``columns`` buckets, in drawing order.

    Keeps every local peak and trough to within one bucket: a million-step
    curve costs as much to draw as a thousand-step one, without aliasing.
    """
    blocks = _blocks(y, columns)
    if blocks is None:
        return x, y
    n = len(y)
    buckets, per = blocks.shape
    lo = blocks.argmin(axis=1)
    hi = blocks.argmax(axis=1)
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    base = np.arange(buckets) * per
    idx = np.empty(2 * buckets, dtype=np.int64)
    idx[0::2] = base + first
    idx[1::2] = base + second
    idx = np.minimum(idx, n - 1)
    idx[-1] = n - 1  # always end on the last point
    idx[0] = 0
    return x[idx], y[idx]


def band(x, y, columns: int):
    """Per-bucket ``(x, low, high)`` of ``y`` in ``columns`` buckets (None when no reduction is needed).

    Drawn as a filled band whose outline passes through every bucket's minimum
    and maximum, so peaks and troughs stay within one pixel; rasterising one
    outline is much cheaper than a zigzag through every bucket.
    """
    blocks = _blocks(y, columns)
    if blocks is None:
        return None
    n = len(y)
    buckets, per = blocks.shape
    has_nan = bool(np.isnan(y).any())
    with np.errstate(invalid="ignore"):
        low = np.nanmin(blocks, axis=1) if has_nan else blocks.min(axis=1)
        high = np.nanmax(blocks, axis=1) if has_nan else blocks.max(axis=1)
    xb = x[np.minimum(np.arange(buckets) * per + per // 2, n - 1)]
    return xb, low, high
