"""Where results go: the format (from the format table) and the destination, stdout or a file."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LrplotError, LrplotIOError
from ..render.formats import BY_NAME, BY_SUFFIX, NAMES, Format, RenderOptions


@dataclass
class Target:
    fmt: Format
    path: str | None  # None: stdout

    @classmethod
    def choose(cls, fmt: str | None, output: str | None, stem: str) -> "Target":
        """The format from --format, else --output's suffix, else png; the destination likewise."""
        if fmt is not None:
            chosen = BY_NAME.get(fmt.lower().lstrip("."))
            if chosen is None:
                raise LrplotError(f"--format: {fmt!r} is not a format lrplot writes; use one of {', '.join(NAMES)}")
        elif output not in (None, "-"):
            chosen = BY_SUFFIX.get(Path(output).suffix.lower().lstrip("."))
            if chosen is None:
                raise LrplotError(f"--output: cannot tell the format from {output!r}; end it in "
                                  f"{', '.join('.' + s for s in BY_SUFFIX)} or give --format")
        else:
            chosen = BY_NAME["png"]
        if output == "-" or (output is None and not chosen.to_file):
            return cls(chosen, None)
        return cls(chosen, output if output is not None else f"{stem}.{chosen.suffixes[0]}")


def read_metrics(source: str) -> list[float]:
    """Metric values: one per line, or a CSV with a header (column metric/val_loss/loss/value, else the last)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LrplotError(f"--metrics: {source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LrplotIOError(f"--metrics: {source}: cannot read ({exc})") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise LrplotError(f"--metrics: {source}: no values")
    column = 0
    rows = [line.split(",") for line in lines]
    try:
        float(rows[0][-1])
        header = None
    except ValueError:
        header = [h.strip().lower() for h in rows[0]]
        rows = rows[1:]
    if header is not None:
        for name in ("metric", "val_loss", "loss", "value"):
            if name in header:
                column = header.index(name)
                break
        else:
            column = len(header) - 1
    elif len(rows[0]) > 1:
        column = len(rows[0]) - 1
    values = []
    for i, row in enumerate(rows):
        try:
            values.append(float(row[column]))
        except (ValueError, IndexError):
            line_no = i + 1 + (header is not None)
            raise LrplotError(f"--metrics: {source}:{line_no}: {','.join(row)!r} is not a number") from None
    if not values:
        raise LrplotError(f"--metrics: {source}: no values")
    return values


def render_options(opts: dict, results: list, color: bool = False) -> RenderOptions:
    size = None
    if opts.get("size"):
        try:
            w, h = (float(v) for v in opts["size"].lower().split("x"))
            if not (0.5 <= w <= 100 and 0.5 <= h <= 100):
                raise ValueError
            size = (w, h)
        except ValueError:
            raise LrplotError(f"--size: {opts['size']!r} is not WIDTHxHEIGHT in inches, e.g. 8x4.5") from None
    dpi = opts.get("dpi")
    if dpi is not None and not 10 <= dpi <= 1200:
        raise LrplotError(f"--dpi: {dpi} is invalid: must be in [10, 1200]")
    per_epoch = results[0].steps_per_epoch
    if any(r.steps_per_epoch != per_epoch for r in results):
        per_epoch = None
    return RenderOptions(title=opts.get("title"), log_y=opts.get("log_y"), dpi=dpi, size=size,
                         marks=opts.get("marks", True), steps_per_epoch=per_epoch, color=color)


def emit(results: list, target: Target, opts: dict, labels: list[str] | None = None) -> None:
    """Write the results in the target format; say on stderr what was written."""
    labels = labels or [""] * len(results)
    for result in results:
        for warning in getattr(result, "warnings", []):
            sys.stderr.write(f"lrplot: warning: {warning}\n")
    fmt = target.fmt
    if target.path is None:
        to_terminal = _is_terminal(sys.stdout)
        if fmt.binary and to_terminal:
            raise LrplotError(f"refusing to write binary {fmt.name.upper()} to a terminal; redirect stdout "
                              f"or use -o FILE.{fmt.suffixes[0]}")
        options = render_options(opts, results, color=to_terminal)
        sys.stdout.flush()
        for chunk in fmt.write(results, labels, options):
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    data = b"".join(fmt.write(results, labels, render_options(opts, results)))
    write_atomic(target.path, data)
    sys.stderr.write(f"lrplot: wrote {target.path} ({len(results[0]):,} steps)\n")


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def write_atomic(path: str, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a failure never leaves a partial file."""
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    if dest.is_dir():
        raise LrplotIOError(f"cannot write {path}: it is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise LrplotIOError(f"cannot write {path}: folder {str(folder)!r} does not exist") from None
    except OSError as exc:
        raise LrplotIOError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise LrplotIOError(f"cannot write {path}: {exc.strerror}") from None
