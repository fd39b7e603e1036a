"""Titles: what the engine says the schedule is (``result.title``), fitted to a picture or a terminal.

A picture never cuts a title: it wraps onto a second line, then shrinks, then wraps further; what the user
typed is always all there.  The full parameter list (defaults included) goes into the file's metadata.
"""

from __future__ import annotations

import json
import re

MAX_TITLE = 100  # a terminal's one line


def title_of(result) -> str:
    """``StepLR(step_size=30, gamma=0.1)``, cut to one terminal line (pictures use ``full_title``)."""
    text = full_title(result)
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 3] + "..."


def full_title(result) -> str:
    """The scheduler and the parameters that differ from their defaults, whole."""
    return result.title or result.scheduler


def _value(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return repr(value) if isinstance(value, float) else str(value)


def parameters(result) -> str:
    """Every parameter, defaults included, and the optimizer's lr: ``StepLR(step_size=30, gamma=0.1) lr=0.1``."""
    params = ", ".join(f"{k}={_value(v)}" for k, v in (result.params or {}).items())
    lrs = list(getattr(result, "optimizer_lr", []) or [])
    lr = f" lr={_value(lrs[0]) if len(lrs) == 1 else _value(lrs)}" if lrs else ""
    return f"{result.scheduler}({params}){lr}"


def printable(text: str) -> str:
    """``text`` without control characters (invalid in SVG's XML, invisible in a picture)."""
    return "".join(ch if ch.isprintable() or ch == "\n" else "\N{REPLACEMENT CHARACTER}" for ch in text)


#: Inside a word too long for a line: after ``(`` or ``,`` first, then after ``_ / : .``, then anywhere.
_BREAKS = (re.compile(r"(?<=[(,\[])(?=.)"), re.compile(r"(?<=[_/:.=])(?=.)"))


def wrap(text: str, width: float, measure) -> list[str]:
    """``text`` in lines no wider than ``width`` (``measure(s)`` gives a string's width), breaking after spaces,
    and inside a word too long for a line after ``,`` ``/`` ``_`` or, failing those, anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph, width, measure):
            candidate = line + token
            if line and measure(candidate.rstrip()) > width:
                lines.append(line.rstrip())
                line = token.lstrip() if line else token
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def _tokens(text: str, width: float, measure) -> list[str]:
    out: list[str] = []
    for word in re.split(r"(?<= )", text):
        out += _split(word, width, measure, 0)
    return out


def _split(word: str, width: float, measure, level: int) -> list[str]:
    if not word or measure(word.rstrip()) <= width:
        return [word] if word else []
    if level < len(_BREAKS):
        pieces = _BREAKS[level].split(word)
        if len(pieces) > 1:
            return [part for piece in pieces for part in _split(piece, width, measure, level + 1)]
        return _split(word, width, measure, level + 1)
    out = []
    while word and measure(word.rstrip()) > width:  # no break point left: cut where it is too wide
        low, high = 1, len(word)  # the longest prefix that fits (at least one character)
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if measure(word[:mid]) <= width else (low, mid - 1)
        out.append(word[:low])
        word = word[low:]
    return out + ([word] if word else [])


def fit(text: str, width: float, size: float, smallest: float, measure_at, lines: int = 2) -> tuple[str, float]:
    """``text`` wrapped to ``width`` points in at most ``lines`` lines at a font size from ``size`` down to
    ``smallest``; at ``smallest`` in as many lines as it takes.  ``measure_at(size)`` gives a measure."""
    current = size
    while True:
        wrapped = wrap(text, width, measure_at(current))
        if len(wrapped) <= lines or current <= smallest:
            return "\n".join(wrapped), current
        current = max(smallest, current - 1)
