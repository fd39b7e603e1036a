"""Reading a user's file (a config, a metrics file) the same way everywhere: bounded, UTF-8, text only.

A path or ``-`` for stdin; a FIFO or ``<(...)`` works like a file; a directory, a file over the limit,
binary bytes (NUL) and another encoding (UTF-16, latin-1) are each refused with what was expected.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import LrplotError, LrplotIOError, shown


def read_text(source: str, what: str, limit: int) -> tuple[str, str]:
    """The text of ``source`` and the name to use in messages; ``what`` says what the file should be."""
    if source == "-":
        name = "<stdin>"
        stream = getattr(sys.stdin, "buffer", None)
        if sys.stdin is None:
            raise LrplotIOError(f"{name}: standard input is closed")
        raw = _read_bounded(stream, limit, name, what) if stream is not None else \
            sys.stdin.read(limit + 1).encode()
    else:
        name = shown(Path(source).name or source)[1:-1]
        try:
            with Path(source).open("rb") as handle:
                raw = _read_bounded(handle, limit, name, what)
        except FileNotFoundError:
            raise LrplotError(f"{shown(source)[1:-1]}: no such file") from None
        except IsADirectoryError:
            raise LrplotError(f"{shown(source)[1:-1]}: is a directory, not {what}") from None
        except OSError as exc:
            raise LrplotIOError(f"{name}: cannot read ({exc.strerror})") from None
    if len(raw) > limit:
        raise LrplotError(f"{name}: larger than {limit >> 20} MB; this is not {what}")
    return decode(raw, name, what), name


def _read_bounded(handle, limit: int, name: str, what: str) -> bytes:
    """Up to ``limit + 1`` bytes, in pieces, stopping early at binary data (``/dev/zero`` ends at once)."""
    pieces, size = [], 0
    while size <= limit:
        piece = handle.read(min(1 << 20, limit + 1 - size))
        if not piece:
            break
        if b"\x00" in piece and not (size == 0 and piece[:2] in (b"\xff\xfe", b"\xfe\xff")):
            decode(b"".join(pieces) + piece, name, what)  # raises, naming UTF-16 or binary data
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def decode(raw: bytes, name: str, what: str) -> str:
    sample = raw[:64]
    odd, even = sample[1::2], sample[0::2]
    ascii_utf16 = len(sample) >= 4 and ((not any(odd) and all(even)) or (not any(even) and all(odd)))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or ascii_utf16:
        raise LrplotError(f"{name}: looks like UTF-16; lrplot reads {what} as UTF-8 (save it as UTF-8)")
    if b"\x00" in raw:
        raise LrplotError(f"{name}: binary data (NUL bytes); expected {what} as UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LrplotError(f"{name}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}; a latin-1 file?); "
                          f"save {what} as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text
