"""Titles from the registry: a scheduler and the parameters that differ from torch's defaults."""

from __future__ import annotations

from typing import Any


def describe(result) -> str:
    """``StepLR(step_size=30, gamma=0.1)``: the scheduler and the parameters that shape it."""
    return _describe(result.scheduler, result.params)


def _describe(name: str, params: dict) -> str:
    from ..engine.registry import lookup

    spec = lookup(name).spec
    parts = []
    for param in spec.params:
        value = params.get(param.name, param.default)
        if param.name == "schedulers":
            inner = " -> " if name == "SequentialLR" else " + "
            parts.append(inner.join(_describe(_child_name(c), c.get("params") or {}) for c in value))
            continue
        if value is None or (not param.required and value == param.default):
            continue
        parts.append(f"{param.name}={_short(value)}")
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= 100 else text[:97] + "..."


def _child_name(child: dict) -> str:
    from ..engine.registry import lookup

    return lookup(child["scheduler"]).spec.name


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ",".join(_short(v) for v in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
