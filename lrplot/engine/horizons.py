"""A horizon in epochs given to a scheduler stepped every iteration: the classic bug, said out loud."""

from __future__ import annotations


def horizon_warnings(node, rows: int, per_epoch: int) -> list[str]:
    """Warnings for horizon parameters (declared ``Param.horizon``) no longer than the run's epochs."""
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
            if 0 < longest <= epochs:
                out.append(f"{leaf.spec.name} {param.name}={value} looks like epochs, but the scheduler steps every "
                           f"iteration ({per_epoch} per epoch, {rows:,} steps); did you mean {param.name}="
                           f"{_times(value, per_epoch)}?")
    return out


def _times(value, k: int):
    return [v * k for v in value] if isinstance(value, list) else value * k
