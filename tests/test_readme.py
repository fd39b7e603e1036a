"""The README is generated where it can be, and what it shows is what lrplot does."""

import re
import shlex
import struct
import sys
from pathlib import Path

import pytest
from lrplot_cli import invoke

from lrplot.cli.run import scheduler_table

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
sys.path.insert(0, str(ROOT / "tests" / "readme"))
import make_pictures  # noqa: E402



def test_scheduler_table_is_generated_from_the_registry():
    table = README.split("<!-- schedulers:start -->\n")[1].split("<!-- schedulers:end -->")[0]
    assert table == scheduler_table(markdown=True), "run `lrplot list --markdown` and paste it into README.md"


def test_test_command_and_ci_agree():
    section = README.split("## Test")[1]
    assert "    pip install -e '.[test]' && pytest" in section
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()


def test_quick_start_csv_excerpt_is_real():
    block = README.split("$ lrplot step --step-size 30 --gamma 0.1 --format csv | sed -n '29,33p'\n")[1]
    shown = [line.strip() for line in block.split("\n\n")[0].splitlines()]
    output = invoke(["step", "--step-size", "30", "--gamma", "0.1", "--format", "csv"]).stdout
    assert shown == output.splitlines()[28:33]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("file,command", make_pictures.pictures())
def test_pictures_come_from_the_readme_commands(file, command, tmp_path):
    committed = ROOT / "tests" / "readme" / file
    assert f"](tests/readme/{file})" in README
    fresh = make_pictures.make(file, command, tmp_path)
    assert _png_size(fresh.read_bytes()) == _png_size(committed.read_bytes()), \
        "run python tests/readme/make_pictures.py"


def test_every_readme_command_example_parses():
    for line in re.findall(r"^\s+(?:\$ )?(lrplot [^|\n]+)", README, flags=re.M):
        args = shlex.split(line)[1:]
        if "--help" in args or any(a.endswith(".csv") for a in args) or args[0].endswith(":"):
            continue  # "lrplot check: passed" is output, not a command
        result = invoke(args + ["--help"])
        assert result.exit_code == 0, line


def test_format_list_comes_from_the_format_table(cli):
    from lrplot.render import formats

    assert f"| `-f`, `--format` | {formats.readme_cell()} |" in README
    help_text = " ".join(cli("step", "--help").stdout.split())
    assert " ".join(formats.help_text().split()) in help_text
    for fmt in formats.FORMATS:
        assert formats.BY_SUFFIX[fmt.suffixes[0]] is fmt


def test_limits_table_states_the_real_limits():
    from lrplot.config import metrics
    from lrplot.config.load import MAX_BYTES, MAX_DEPTH
    from lrplot.config.shapes import hydra
    from lrplot.engine import expr, schema, tree
    from lrplot.engine.params import MAX_INT
    from lrplot.engine.schedulers import timm_noise
    from lrplot.errors import MAX_MESSAGE
    from lrplot.render import formats

    table = README.split("### Limits")[1].split("\n\n", 2)[2].split("\n\n")[0]
    assert f"| rows (steps) of one run | {schema.MAX_STEPS:,} |" in table
    assert f"| {schema.MAX_VALUES:,} |" in table and MAX_INT == 2 ** 53 and "2**53" in table
    assert f"{MAX_BYTES >> 20} MB, UTF-8, nesting at most {MAX_DEPTH} levels" in table
    assert f"at most {tree.MAX_NESTING} levels" in table
    assert f"{metrics.MAX_BYTES >> 20} MB, at most {schema.MAX_STEPS + 1:,} values" in table
    assert f"{hydra.MAX_DEPTH} levels, {hydra.MAX_LOOKUPS:,} lookups, {hydra.MAX_TEXT:,} characters" in table
    assert f"{expr.MAX_LENGTH:,} characters, {expr.MAX_NODES} parts, parts x steps at most 2e9" in table
    assert expr.MAX_WORK == 2e9 and f"{timm_noise.MAX_NOISY_STEPS:,} noisy steps" in table
    assert f"{formats.MAX_CURVES} curves" in table and f"{formats.MAX_PIXELS:,} pixels" in table
    assert f"`--title` {formats.MAX_TITLE} characters" in table and f"{MAX_MESSAGE:,} characters" in table


def test_the_notebook_picture_is_made_by_the_readme_code():
    script = (ROOT / "tests" / "readme" / "notebook.py").read_text()
    assert f"```python\n{script}```\n\n<!-- picture: notebook.png: python tests/readme/notebook.py -->" in README
