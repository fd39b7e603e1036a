"""``lrplot check FILE`` and ``--check``: simulate, run the rules, print the findings and exit 0 or 1."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..errors import EndOfSchedule, LrplotError, NotFinite, format_path
from ..config import flags as F
from ..config.runfile import simulate_located
from . import run as R

if TYPE_CHECKING:  # imported where used: `lrplot --help` builds the check command without running it
    from ..engine.findings import Finding


def list_rules() -> str:
    from ..check.rules import RULES

    width = max(len(rule.id) for rule in RULES)
    return "".join(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}\n" for rule in RULES)


def check_file(source: str, opts: dict) -> int:
    loaded, translation, data = R.read_config(source, opts)

    def where(finding: Finding) -> tuple[str, str]:
        path = finding.key if finding.key in loaded.lines else translation.original_path(finding.key)
        line = loaded.line_of(path)
        name = "<stdin>" if source == "-" else source
        return (f"{name}:{line}" if line else name), format_path(path)

    def simulate(config):  # the run crashing where torch would (EndOfSchedule) is a finding, not an error
        return simulate_located(loaded, config, translation.original_path, opts=opts, keep=(EndOfSchedule,))

    replaced = None
    if translation.replaced is not None:
        try:
            replaced = simulate({**data, **translation.replaced})
        except LrplotError:
            replaced = None
    findings = _findings(simulate, data, translation.monitor or opts.get("monitor"), replaced, translation.findings,
                         translation.warnings, opts)
    return _report(findings, where, opts)


def check_flags(spec, config: dict, opts: dict, children: list[str] = ()) -> int:
    """``--check`` on a scheduler command: the same rules, findings located at the flags."""

    from .runspec import child_label, children_param

    nested_key = getattr(children_param(spec), "name", None)

    def where(finding: Finding) -> tuple[str, str]:
        key = finding.key
        nested = key[:1] == ("params",) and len(key) > 2  # inside SequentialLR's schedulers: no flag sets it
        if nested and key[1] == nested_key and isinstance(key[2], int) and key[2] < len(children):
            return child_label(key[2], children[key[2]]), format_path(key)  # the typed child it is about
        flag = None if nested else F.flag_for(key, spec)[0]
        return flag or f"lrplot {spec.cli}", format_path(key)

    findings = _findings(lambda c: R.simulate_flags(c, spec, keep=(EndOfSchedule,), children=children),
                         config, opts.get("monitor"), None, [], [], opts)
    return _report(findings, where, opts)


def _findings(simulate, config: dict, monitor, replaced, shape_findings: list, notes: list, opts: dict) -> list:
    from ..check.rules import Subject, run_rules
    from ..engine.findings import ERROR, Finding

    try:
        result = simulate(config)
    except EndOfSchedule as err:  # the run would crash: that is the finding
        return [Finding("past-total-steps", ERROR, err.detail, "raise total_steps to the run's scheduler steps",
                        err.path + ("total_steps",))]
    except NotFinite as err:
        return [Finding("lr-invalid", ERROR, str(err), "check the factors", (), err.step)]
    whole = result.uninterrupted if result.uninterrupted is not None else result  # the rules read the whole run
    subject = Subject(whole, config, monitor, replaced, list(shape_findings), list(notes) + list(result.warnings),
                      resumed=result)
    findings = run_rules(subject)
    if opts.get("log"):
        from ..check.compare import log_findings

        findings += log_findings(result, opts)
    return findings


def _report(findings: list, where, opts: dict) -> int:
    from ..check import report

    fail_on = opts.get("fail_on") or "warning"
    if fail_on not in report.FAIL_ON:
        raise LrplotError(f"--fail-on: {fail_on!r} is not one of {', '.join(report.FAIL_ON)}")
    fmt = (opts.get("fmt") or "text").lower()
    if fmt not in ("text", "json"):
        raise LrplotError(f"--format: check writes text or json, not {fmt!r}")
    body = report.as_json(findings, where, fail_on) if fmt == "json" else report.text(findings, where, fail_on)
    sys.stdout.write(body)
    return report.exit_code(findings, fail_on)
