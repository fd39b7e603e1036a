"""A horizon in the wrong unit: epochs given to a scheduler stepped every iteration (the classic bug), or
iterations given to one stepped once per epoch.  Said on every run, and reported by ``lrplot check``."""

from __future__ import annotations

from .findings import WARNING, Finding

RULE = "horizon-unit"


def horizon_findings(node, rows: int, per_epoch: int, per_epoch_stepping: bool = False) -> list[Finding]:
    """Findings for horizon parameters (declared ``Param.horizon``) in the other unit than the stepping.

    ``per_epoch_stepping``: the trainer steps the scheduler once per epoch (Lightning's ``interval: epoch``)
    although rows are optimizer steps, ``per_epoch`` of them an epoch.
    """
    if per_epoch <= 1:
        return []
    epochs = rows / per_epoch
    out = []
    for leaf in node.walk():
        if leaf.spec.length_unit(leaf.p) == "epochs":
            continue  # this scheduler counts in epochs by design
        for param in leaf.spec.params:
            value = leaf.p.get(param.name)
            if not param.horizon or value in (None, []):
                continue
            longest = max(value) if isinstance(value, list) else value
            key = leaf.path + (param.name,)
            if per_epoch_stepping and longest >= per_epoch and longest > 2 * epochs:
                out.append(Finding(RULE, WARNING, f"{leaf.spec.name} {param.name}={value} looks like iterations, but "
                                   f"the scheduler steps once per epoch ({epochs:g} epochs)",
                                   f"give {param.name} in epochs, or step the scheduler every iteration "
                                   "(interval: step)", key))
            elif not per_epoch_stepping and 0 < longest <= epochs:
                out.append(Finding(RULE, WARNING, f"{leaf.spec.name} {param.name}={value} looks like epochs, but the "
                                   f"scheduler steps every iteration ({per_epoch} per epoch, {rows:,} steps); did you "
                                   f"mean {param.name}={_times(value, per_epoch)}?",
                                   f"{param.name}: {_times(value, per_epoch)}", key))
    return out


def _times(value, k: int):
    return [v * k for v in value] if isinstance(value, list) else value * k
