"""Regenerate the README's pictures by running the README's own commands.

    python tests/readme/make_pictures.py

Each picture in README.md is preceded by a marker
``<!-- picture: FILE: COMMAND -->``; COMMAND (an ``lrplot`` command, or
``python tests/readme/SCRIPT.py`` for a picture made by the Python API) is run
in a scratch folder that links to configs/, and the FILE it writes is copied to
tests/readme/.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- picture: (?P<file>[\w.-]+): (?P<command>(?:lrplot|python) [^>]+?) -->")


def pictures() -> list[tuple[str, str]]:
    return [(m["file"], m["command"]) for m in MARKER.finditer((ROOT / "README.md").read_text())]


def make(file: str, command: str, dest: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(ROOT / "configs", Path(tmp) / "configs")
        program, *args = shlex.split(command)
        if program == "python":
            args = [str(ROOT / args[0]), *args[1:]]
        else:
            args = ["-m", "lrplot", *args]
        subprocess.run([sys.executable, *args], cwd=tmp, check=True, capture_output=True)
        shutil.copy(Path(tmp) / file, dest / file)
    return dest / file


def main() -> int:
    for file, command in pictures():
        print("wrote", make(file, command, ROOT / "tests" / "readme"), "from", command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
