"""The registry: every scheduler lrplot knows, looked up by any of its names.

The CLI commands, YAML validation, ``lrplot list`` and the README table are all
generated from :data:`SCHEDULERS`.  Adding a scheduler means writing its class
(spec and implementation together) and listing it in ``_MODULES``' ``CLASSES``.
"""

from __future__ import annotations

import difflib

from .base import Node
from ..errors import ParamError
from .schedulers import (composite, cosine, cyclic, deepspeed, hf, hf_greedy, keras, llm_recipes, megatron,
                         multiplicative, nemo, optax, plateau, timm, timm_wsd, yolo)

_MODULES = (multiplicative, cosine, cyclic, composite, plateau, hf, hf_greedy, timm, timm_wsd, deepspeed, llm_recipes,
            yolo, optax, keras, megatron, nemo)

#: torch name -> implementing class, in a stable, documented order.
SCHEDULERS: dict[str, type[Node]] = {cls.spec.name: cls for module in _MODULES for cls in module.CLASSES}


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


_LOOKUP: dict[str, type[Node]] = {}
for _cls in SCHEDULERS.values():
    for _name in (_cls.spec.name, _cls.spec.cli, *_cls.spec.aliases):
        assert _LOOKUP.get(_key(_name), _cls) is _cls, f"scheduler name {_name} is taken twice"
        _LOOKUP[_key(_name)] = _cls


def lookup(name: object, path: tuple = ("scheduler",)) -> type[Node]:
    """The class for a torch name (any case), CLI name or alias; a helpful error otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise ParamError(path, f"expected a scheduler name, got {name!r}")
    cls = _LOOKUP.get(_key(name))
    if cls is None:
        names = [cls.spec.cli for cls in SCHEDULERS.values()] + list(SCHEDULERS)
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        close = close or difflib.get_close_matches(_key(name), list(_LOOKUP), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParamError(path, f"unknown scheduler {name!r}{hint}; run 'lrplot list' to see all")
    return cls
