"""Lazy numpy: ``from lrplot._lazy import np`` costs nothing until first use.

``lrplot --help`` and shell completion import the scheduler registry on every
key press; importing numpy there would cost ~100 ms.  The module object is
real, it is only executed on first attribute access.
"""

from __future__ import annotations

import importlib.util
import sys


def lazy_import(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - numpy is a dependency
        raise ImportError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


np = lazy_import("numpy")


def loaded(name: str) -> bool:
    """Whether module ``name`` has really been executed (a lazy module waiting in sys.modules has not)."""
    module = sys.modules.get(name)
    return module is not None and type(module).__name__ != "_LazyModule"
