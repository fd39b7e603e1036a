"""lrplot's own YAML: a ``scheduler`` name at the top (the schema is in :mod:`lrplot.engine.schema`)."""

from __future__ import annotations

from typing import Any

from . import Translation

NAME = "lrplot"


def detect(data: Any) -> float:
    """Surest of all when every key is lrplot's own; a string ``scheduler`` among other keys is weaker."""
    if not isinstance(data, dict) or not isinstance(data.get("scheduler"), str):
        return 0.0
    from ...engine.schema import CONFIG_KEYS

    return 100.0 if all(key in CONFIG_KEYS for key in data) else 1.0


def translate(data: dict, run: dict) -> Translation:
    return Translation(NAME, data)
