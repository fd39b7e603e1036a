"""Regenerate the README's pictures by running the README's own commands.

    python tests/readme/make_pictures.py

Each picture in README.md is preceded by a marker
``<!-- picture: FILE: COMMAND -->``; COMMAND is run in a scratch folder that
links to configs/, and the FILE it writes is copied to tests/readme/.
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
MARKER = re.compile(r"<!-- picture: (?P<file>[\w.-]+): (?P<command>lrplot [^>]+?) -->")


def pictures() -> list[tuple[str, str]]:
    return [(m["file"], m["command"]) for m in MARKER.finditer((ROOT / "README.md").read_text())]


def make(file: str, command: str, dest: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(ROOT / "configs", Path(tmp) / "configs")
        args = shlex.split(command)[1:]
        subprocess.run([sys.executable, "-m", "lrplot", *args], cwd=tmp, check=True, capture_output=True)
        shutil.copy(Path(tmp) / file, dest / file)
    return dest / file


def main() -> int:
    for file, command in pictures():
        print("wrote", make(file, command, ROOT / "tests" / "readme"), "from", command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
