"""The one error type that crosses from the library to the command line, and its located variant.

Every problem a user can fix (a bad parameter, a malformed config, an unknown
scheduler) is an :class:`LrplotError` with ``exit_code`` 2; failures of the
environment (a file that cannot be read or written) use exit code 1.  The CLI
converts it to a one-line message and an exit code in exactly one place.

This module imports nothing of lrplot's, so every layer can raise these errors
without importing the engine.
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


class ParamError(LrplotError):
    """A bad value at a place in a config.  ``path`` locates it, e.g. ``("params", "schedulers", 1, "gamma")``.

    The config layer re-words it with the file and line, the CLI with the flag the user typed.
    """

    def __init__(self, path: tuple, detail: str) -> None:
        self.path = tuple(path)
        self.detail = detail
        super().__init__(f"{format_path(self.path)}: {detail}" if self.path else detail)

    def relocated(self, path: tuple) -> "ParamError":
        """The same error at another config path."""
        return ParamError(path, self.detail)


class EndOfSchedule(ParamError):
    """A scheduler stepped past the end its library allows (OneCycleLR's total_steps): torch raises there."""

    def __init__(self, path: tuple, detail: str, limit: int) -> None:
        super().__init__(path, detail)
        self.limit = limit

    def relocated(self, path: tuple) -> "EndOfSchedule":
        return EndOfSchedule(path, self.detail, self.limit)


class NotFinite(LrplotError):
    """The schedule computes a non-finite learning rate at ``step``."""

    def __init__(self, message: str, step: int) -> None:
        super().__init__(message)
        self.step = step


def format_path(path: tuple) -> str:
    """``("params", "schedulers", 1, "gamma")`` -> ``params.schedulers[1].gamma``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


MAX_MESSAGE = 1000  # characters of one message; user text beyond it is cut
MAX_SHOWN = 80  # characters of one piece of user text echoed inside a message


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` safe for a terminal: control and format characters (ESC, OSC, bidi, newlines) escaped, and
    cut to ``limit`` characters."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0 or ch in "\u200e\u200f\u2028\u2029" or 0x202A <= code <= 0x202E \
                or 0x2066 <= code <= 0x2069 or code == 0xFEFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
        if len(out) > limit:
            break
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A user's value inside a message: its repr, escaped, cut to ``limit`` characters."""
    text = value if isinstance(value, str) and len(value) > 10 * limit else None
    return printable(repr(text[: 2 * limit] if text is not None else value), limit)
