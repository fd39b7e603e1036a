"""lrplot's own YAML: a ``scheduler`` name at the top (the schema is in :mod:`lrplot.engine.schema`)."""

from __future__ import annotations

from typing import Any

from . import Translation

NAME = "lrplot"


def detect(data: Any) -> float:
    return 2.0 if isinstance(data, dict) and isinstance(data.get("scheduler"), str) else 0.0


def translate(data: dict, run: dict) -> Translation:
    return Translation(NAME, data)
