"""From a scheduler name and its parameters to a tree of scheduler nodes (not yet constructed)."""

from __future__ import annotations

import difflib
from typing import Any, Mapping

from ..errors import ParamError
from .params import EXPR, SCHEDULERS
from .registry import lookup


def _normalise(key: str) -> str:
    return key.strip().lower().replace("-", "_")


MAX_NESTING = 16  # SequentialLR/ChainedScheduler inside each other


def build(name: Any, params: Any, path: tuple = ("params",), run: dict | None = None):
    """Validate ``params`` against the registry and return the scheduler node.

    ``run`` carries the run's ``steps_per_epoch``/``epochs`` for schedulers that take them as parameters
    (see :meth:`~lrplot.engine.base.Node.complete`).
    """
    cls = lookup(name, path[:-1] + ("scheduler",))
    spec = cls.spec
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ParamError(path, f"expected a mapping of {spec.name} parameters, got {params!r}")
    by_key = {_normalise(p.name): p for p in spec.params}
    values: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in params.items():
        param = by_key.get(_normalise(str(key)))
        if param is None:
            names = [p.name for p in spec.params]
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(names) or 'none'})"
            raise ParamError(path + (key,), f"unknown parameter for {spec.name}{hint}")
        if param.name in values:
            raise ParamError(path + (key,), f"{param.name} is given twice")
        values[param.name] = param.coerce(value, path + (key,))
        if param.kind == EXPR:
            notes += _lambda_notes(param, value, values[param.name])
    for param in spec.params:
        if param.name not in values:
            if param.required:
                raise ParamError(path + (param.name,), f"missing required parameter of {spec.name} "
                                 f"({param.describe_type()}: {param.help})")
            values[param.name] = param.default
    if spec.composite and sum(path.count(k) for k in ("schedulers", "schedules")) >= MAX_NESTING:
        raise ParamError(path, f"schedulers nested more than {MAX_NESTING} levels deep; lrplot stops here")
    key = next((p.name for p in spec.params if p.kind == SCHEDULERS), None)  # torch: schedulers; optax: schedules
    children = [_child(spec, child, path + (key, i)) for i, child in enumerate(values[key])] if key else []
    try:
        values = cls.complete(values, run or {})
    except ParamError as err:
        raise ParamError(path + err.path, err.detail) from None
    node = cls(values, children, path)
    node.notes = notes
    return node


def _lambda_notes(param, given: Any, used: Any) -> list[str]:
    """What was read from a pasted Python lambda (an expression parameter takes its body), for stderr."""
    pairs = list(zip(given, used)) if isinstance(given, (list, tuple)) else [(given, used)]
    out = []
    for i, (before, after) in enumerate(pairs):
        if isinstance(before, str) and before != after:  # only a lambda is rewritten
            where = f"{param.name}[{i}]" if isinstance(given, (list, tuple)) else param.name
            arg = before.split(":", 1)[0].strip()[len("lambda"):].strip()
            renamed = f" with {arg} as {param.expr_var}" if arg != param.expr_var else ""
            out.append(f"{where}: a Python lambda; used its body{renamed}: {after}")
    return out


def _child(parent, child: Any, child_path: tuple):
    if not isinstance(child, Mapping) or "scheduler" not in child:
        raise ParamError(child_path, "expected a mapping with 'scheduler' and optional 'params'")
    extra = set(child) - {"scheduler", "params"}
    if extra:
        raise ParamError(child_path + (sorted(extra)[0],), "unknown key (allowed: scheduler, params)")
    node = build(child["scheduler"], child.get("params"), child_path + ("params",))
    node.last_epoch = node.p.get("last_epoch", -1)  # a child is built with its own (a top-level one: a resume)
    spec = node.spec
    if spec.metric_driven:
        raise ParamError(child_path + ("scheduler",), f"{parent.name} cannot contain {spec.name} "
                         "(torch refuses it: its step() needs a metric)")
    family = parent.children_family
    if (family is None and not spec.family.composable) or (family is not None and spec.family is not family):
        takes = family.library if family is not None else "torch"
        raise ParamError(child_path + ("scheduler",), f"{parent.name} takes {takes} schedulers; "
                         f"{spec.name} is {_article(spec.family.library)} {spec.family.library} schedule")
    return node


def _article(word: str) -> str:
    """'a' or 'an' before a library's name, by its first letter (an optax, a PyTorch)."""
    return "an" if word[:1].lower() in "aeiou" else "a"
