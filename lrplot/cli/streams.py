"""Standard streams that fail the way a command-line user expects.

* A reader that goes away (``lrplot ... | head -3``) is success: the pipe's EPIPE becomes
  :class:`OutputClosed`, which is not an ``OSError``, so click's own EPIPE handler (exit 1) never sees it.
* A closed or full stdout is an I/O error (exit 1) with a message; a closed stderr loses the message, never
  the exit code.
* User text in a message is escaped for the terminal and cut short (:func:`lrplot.errors.printable`).
"""

from __future__ import annotations

import os
import sys

from ..errors import LrplotIOError, printable


class OutputClosed(Exception):
    """The reader of stdout went away: stop quietly, exit 0."""


class _Guarded:
    """A stream whose BrokenPipeError becomes OutputClosed."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, data):
        try:
            return self._stream.write(data)
        except BrokenPipeError:
            raise OutputClosed from None

    def flush(self):
        try:
            return self._stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None

    @property
    def buffer(self):
        return _Guarded(self._stream.buffer)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def guard_stdout() -> None:
    if sys.stdout is not None and not isinstance(sys.stdout, _Guarded):
        sys.stdout = _Guarded(sys.stdout)


def stdout_binary():
    """stdout's byte stream, or an I/O error naming the problem."""
    if sys.stdout is None:
        raise LrplotIOError("cannot write to standard output: it is closed")
    return sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout


def write_stdout(chunks) -> None:
    out = stdout_binary()
    try:
        sys.stdout.flush()
        for chunk in chunks:
            out.write(chunk)
        out.flush()
    except OSError as exc:
        raise LrplotIOError(f"cannot write to standard output: {exc.strerror or exc}") from None


def silence_stdout() -> None:
    """After the reader left: point fd 1 at /dev/null so that nothing fails again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def say(message: str) -> None:
    """One line on stderr, escaped; a closed or full stderr is not an error of its own."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(printable(message) + "\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def finish() -> None:
    """Flush both streams now, so that no failure is reported by the interpreter at exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except OutputClosed:
            silence_stdout()
        except (OSError, ValueError):
            pass
