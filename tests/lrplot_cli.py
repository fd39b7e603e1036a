"""Run the production entry point (``lrplot.cli.main:main``, what the console script calls) in-process."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from lrplot.cli.main import main

_RUNNER = CliRunner()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*args, input=None) -> Result:
    """``invoke("step", "--step-size", "3")`` or ``invoke(["step", ...])``: exit code and captured streams."""
    argv = [str(a) for a in (args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args)]
    with _RUNNER.isolation(input=input) as (out, err, *_):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Result(code, stdout.decode(errors="replace"), stderr.decode(errors="replace"), stdout)
