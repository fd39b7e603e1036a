"""Titles: what the engine says the schedule is (``result.title``), fitted to a picture or a terminal."""

from __future__ import annotations

MAX_TITLE = 100


def title_of(result) -> str:
    """``StepLR(step_size=30, gamma=0.1)``, cut to a length a figure can show."""
    text = result.title or result.scheduler
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 3] + "..."
