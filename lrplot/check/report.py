"""Findings as text lines (``WHERE: RULE severity: message (fix: ...)``) or JSON, a verdict, an exit code."""

from __future__ import annotations

import json
from typing import Callable

from ..engine.findings import SEVERITIES, Finding
from ..errors import printable

FAIL_ON = ("info", "warning", "error")


def failing(findings: list, fail_on: str) -> list:
    return [f for f in findings if f.at_least(fail_on)]


def verdict(findings: list, fail_on: str) -> str:
    counts = [(sev, sum(1 for f in findings if f.severity == sev)) for sev in reversed(SEVERITIES)]
    said = ", ".join(f"{n} {sev}{'s' if n != 1 and sev != 'info' else ''}" for sev, n in counts if n)
    if failing(findings, fail_on):
        return f"lrplot check: failed: {said} (--fail-on {fail_on})"
    return "lrplot check: passed" + (f": {said}, none at or above {fail_on}" if said else ": no findings")


def exit_code(findings: list, fail_on: str) -> int:
    return 1 if failing(findings, fail_on) else 0


def text(findings: list, where: Callable[[Finding], tuple[str, str]], fail_on: str) -> str:
    """One line per finding, most severe first, then the verdict."""
    lines = []
    for f in _ordered(findings):
        place, _ = where(f)
        fix = f" (fix: {printable(f.fix, 200)})" if f.fix else ""
        lines.append(f"{place}: {f.rule} {f.severity}: {printable(f.message, 400)}{fix}")
    return "".join(line + "\n" for line in lines) + verdict(findings, fail_on) + "\n"


def as_json(findings: list, where: Callable[[Finding], tuple[str, str]], fail_on: str) -> str:
    out = []
    for f in _ordered(findings):
        place, key = where(f)
        out.append({"rule": f.rule, "severity": f.severity, "message": f.message, "fix": f.fix, "key": key or None,
                    "step": f.step, "where": place})
    return json.dumps({"findings": out, "verdict": verdict(findings, fail_on),
                       "failed": bool(failing(findings, fail_on))}, indent=1) + "\n"


def _ordered(findings: list) -> list:
    return sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
