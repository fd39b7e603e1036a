"""The one error type that crosses from the library to the command line.

Every problem a user can fix (a bad parameter, a malformed config, an unknown
scheduler) is an :class:`LrplotError` with ``exit_code`` 2; failures of the
environment (a file that cannot be read or written) use exit code 1.  The CLI
converts it to a one-line message and an exit code in exactly one place.
"""

from __future__ import annotations


class LrplotError(Exception):
    """A problem the user can fix; ``str(err)`` is the whole message."""

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class LrplotIOError(LrplotError):
    """Reading or writing a file failed (exit code 1)."""

    exit_code = 1
