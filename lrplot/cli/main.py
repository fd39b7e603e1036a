"""The ``lrplot`` entry point: process setup, then the one place errors become exit codes.

Exit codes: 0 success, 2 usage/config/parameter errors, 1 runtime and I/O failures, 130 interrupted.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line and exit with its code (``argv``: the arguments, default ``sys.argv[1:]``)."""
    try:
        code = _main(argv)
    except KeyboardInterrupt:  # Ctrl-C during start-up, before the command's own guard
        from .streams import say

        say("lrplot: aborted")
        code = 130
    from .streams import finish

    finish()
    sys.exit(code)


def _main(argv: list[str] | None) -> int:
    import logging
    import os
    import warnings

    from .._setup import prepare_process
    from .streams import guard_stdout

    prepare_process()
    warnings.simplefilter("ignore")  # a command's stderr carries lrplot's own messages, not library warnings
    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # e.g. an unwritable config dir: not our user's news
    os.environ["MPLBACKEND"] = "agg"  # lrplot draws with Agg only; a broken MPLBACKEND must not stop it
    guard_stdout()
    from .app import command

    args = sys.argv[1:] if argv is None else list(argv)
    return command(args).main(args=args, prog_name="lrplot", standalone_mode=False)


if __name__ == "__main__":  # pragma: no cover
    main()
