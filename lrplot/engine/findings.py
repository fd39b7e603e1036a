"""A finding: one thing ``lrplot check`` reports about a schedule, with where it comes from and how to fix it.

Pure data, importable from every layer: the engine's and the config shapes' own observations are findings too,
so a plotting command's warnings and ``check``'s lines are the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass

INFO, WARNING, ERROR = "info", "warning", "error"
SEVERITIES = (INFO, WARNING, ERROR)  # ascending


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's id, e.g. "horizon-unit" (lrplot check --list-rules)
    severity: str  # info | warning | error
    message: str
    fix: str = ""
    key: tuple = ()  # where in the config (lrplot's paths; the config layer maps them to the file)
    step: int | None = None  # the optimizer step (row) it is about

    def at_least(self, severity: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)
