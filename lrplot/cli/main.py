"""The ``lrplot`` entry point: process setup, then the one place errors become exit codes.

Exit codes: 0 success, 2 usage/config/parameter errors, 1 runtime and I/O failures.
"""

from __future__ import annotations

import sys

from .._setup import prepare_process


def main(argv: list[str] | None = None) -> int:
    """Run the command line and exit with its code (``argv``: the arguments, default ``sys.argv[1:]``)."""
    prepare_process()
    from .app import command

    args = sys.argv[1:] if argv is None else list(argv)
    code = command(args).main(args=args, prog_name="lrplot", standalone_mode=False)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
