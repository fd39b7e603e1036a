"""``--warmup N``: a linear warmup in front of a torch scheduler, written as a user would by hand.

``SequentialLR([LinearLR(start_factor, total_iters=N), scheduler], milestones=[N])``.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import ParamError
from .params import to_float, to_int
from .registry import lookup
from .tree import build

DEFAULT_START_FACTOR = 0.001  # torch's LinearLR needs a start_factor above 0


def with_warmup(node, warmup: Any):
    if not isinstance(warmup, Mapping):
        warmup = {"steps": warmup}
    extra = set(warmup) - {"steps", "start_factor"}
    if extra:
        raise ParamError(("warmup", sorted(extra)[0]), "unknown key (allowed: steps, start_factor)")
    steps = to_int(warmup.get("steps"), ("warmup", "steps")) if warmup.get("steps") is not None else None
    if steps is None or steps < 1:
        raise ParamError(("warmup", "steps"), f"{steps!r} is invalid: give the number of warmup steps, >= 1")
    factor = to_float(warmup.get("start_factor", DEFAULT_START_FACTOR), ("warmup", "start_factor"))
    if not 0 < factor <= 1:
        raise ParamError(("warmup", "start_factor"), f"{factor!r} is invalid: must be in (0, 1] (torch's LinearLR)")
    spec = node.spec
    if not spec.takes_warmup:
        why = ("cannot follow a LinearLR inside SequentialLR (torch refuses or raises)" if spec.family.warmup
               else "has its own warmup parameters")
        raise ParamError(("warmup",), f"warmup wraps a torch scheduler in SequentialLR; {spec.name} {why}")
    linear = build("LinearLR", {"start_factor": factor, "end_factor": 1.0, "total_iters": steps}, ("warmup",))
    params = {"schedulers": [{"scheduler": "LinearLR", "params": dict(linear.p)},
                             {"scheduler": spec.name, "params": dict(node.p)}],
              "milestones": [steps], "last_epoch": node.p.get("last_epoch", -1)}  # a saved last_epoch: the run resumes
    return lookup("SequentialLR")(params, [linear, node], ("params",))
