"""matplotlib, imported the way lrplot's pictures need it.

``matplotlib.figure`` imports ``matplotlib.projections``, which imports ``mpl_toolkits.mplot3d`` only to
register the ``"3d"`` projection: about 100 ms of a small PNG's ~1 s, for axes lrplot never draws.  When lrplot
owns the process (the ``lrplot`` command: ``_setup.prepare_process`` ran), that one import is skipped:

* a ``None`` in ``sys.modules`` makes Python raise ``ImportError`` for that name (documented import-system
  behaviour, no patching of matplotlib), and ``matplotlib.projections`` catches it (the 3D projection is then
  not registered; its warning is silenced here);
* the block lasts only while ``matplotlib.figure`` is imported, and is removed afterwards;
* if a future matplotlib cannot do without mplot3d, the import is retried normally.

In a library caller's process (a notebook) nothing is skipped: the host may want 3D axes.
"""

from __future__ import annotations

import sys
import warnings

from .._setup import owns_process

_3D = "mpl_toolkits.mplot3d"


def _import_figure():
    skip = owns_process() and "matplotlib.projections" not in sys.modules and _3D not in sys.modules
    if not skip:
        import matplotlib.figure

        return matplotlib.figure
    sys.modules[_3D] = None
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unable to import Axes3D")
            import matplotlib.figure
    except ImportError:  # pragma: no cover - a matplotlib that needs mplot3d: import it after all
        sys.modules.pop(_3D, None)
        import matplotlib.figure
    finally:
        if sys.modules.get(_3D, 0) is None:
            del sys.modules[_3D]
    return matplotlib.figure


Figure = _import_figure().Figure

from matplotlib import rc_context, ticker  # after matplotlib.figure (above): it is then cheap
from matplotlib.lines import Line2D
from matplotlib.textpath import text_to_path

__all__ = ["Figure", "Line2D", "rc_context", "text_to_path", "ticker"]
