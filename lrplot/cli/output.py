"""Where results go: format and destination, stdout or an atomically written file."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LrplotError, LrplotIOError

TEXT_FORMATS = ("csv", "json", "term")
IMAGE_FORMATS = ("png", "svg", "pdf")
FORMATS = IMAGE_FORMATS + TEXT_FORMATS


@dataclass
class Target:
    fmt: str
    path: str | None  # None: stdout

    @classmethod
    def choose(cls, fmt: str | None, output: str | None, stem: str) -> "Target":
        """The format from --format, else --output's suffix, else png; the destination likewise."""
        if fmt is not None:
            fmt = fmt.lower().lstrip(".")
            if fmt not in FORMATS:
                raise LrplotError(f"--format: {fmt!r} is not a format lrplot writes; use one of {', '.join(FORMATS)}")
        elif output not in (None, "-"):
            suffix = Path(output).suffix.lower().lstrip(".")
            if suffix not in FORMATS:
                raise LrplotError(f"--output: cannot tell the format from {output!r}; end it in "
                                  f"{', '.join('.' + f for f in FORMATS)} or give --format")
            fmt = suffix
        else:
            fmt = "png"
        if output == "-":
            return cls(fmt, None)
        if output is None:
            return cls(fmt, None) if fmt in TEXT_FORMATS else cls(fmt, f"{stem}.{fmt}")
        return cls(fmt, output)


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


def plot_options(opts: dict, x_label: str = "step"):
    from ..render.plot import PlotOptions

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
    return PlotOptions(title=opts.get("title"), log_y=opts.get("log_y"), dpi=dpi, size=size,
                       marks=opts.get("marks", True), x_label=x_label)


def render(results: list, labels: list[str], target: Target, opts: dict) -> bytes:
    if target.fmt == "csv":
        from ..render.table import compare_csv_text, csv_text

        return (csv_text(results[0]) if len(results) == 1 else compare_csv_text(results, labels)).encode()
    if target.fmt == "json":
        from ..render.table import compare_json_text, json_text

        return (json_text(results[0]) if len(results) == 1 else compare_json_text(results, labels)).encode()
    if target.fmt == "term":
        from ..render.term import render_term
        from ..render.titles import describe

        title = opts.get("title") or (describe(results[0]) if len(results) == 1 else " vs ".join(labels))
        color = target.path is None and _is_terminal(sys.stdout)
        return (render_term(list(zip(labels, results)), title, opts.get("log_y"), color) + "\n").encode()
    from ..render.plot import Series, render as render_plot

    per_epoch = results[0].steps_per_epoch if all(r.steps_per_epoch == results[0].steps_per_epoch
                                                  for r in results) else None
    options = plot_options(opts, "epoch" if per_epoch else "step")
    options.steps_per_epoch = per_epoch
    return render_plot([Series(r, label) for r, label in zip(results, labels)], target.fmt, options)


def emit(results: list, target: Target, opts: dict, labels: list[str] | None = None) -> None:
    """Write the results in the target format; say on stderr what was written."""
    labels = labels or [""] * len(results)
    for result in results:
        for warning in getattr(result, "warnings", []):
            sys.stderr.write(f"lrplot: warning: {warning}\n")
    if target.path is None:
        if target.fmt in IMAGE_FORMATS and _is_terminal(sys.stdout):
            raise LrplotError(f"refusing to write binary {target.fmt.upper()} to a terminal; redirect stdout "
                              f"or use -o FILE.{target.fmt}")
        if target.fmt == "csv" and len(results) == 1:
            from ..render.table import columns, csv_chunks

            for chunk in csv_chunks(columns(results[0])):
                sys.stdout.write(chunk)
            return
        data = render(results, labels, target, opts)
        if target.fmt in TEXT_FORMATS:
            sys.stdout.write(data.decode())
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        return
    data = render(results, labels, target, opts)
    write_atomic(target.path, data)
    rows = len(results[0])
    sys.stderr.write(f"lrplot: wrote {target.path} ({rows:,} steps)\n")


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
