"""``python -m lrplot``: the same as the ``lrplot`` command."""

from .cli.main import main

main()
