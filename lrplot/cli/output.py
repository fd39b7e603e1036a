"""Where results go: the format (from the format table) and the destination, stdout or a file."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LrplotError, LrplotIOError, shown
from ..render.formats import (BY_NAME, BY_SUFFIX, DEFAULT_DPI, DPI_RANGE, LARGEST_DEFAULT_SIZE, MAX_CURVES,
                              MAX_PIXELS, MAX_TITLE, NAMES, SIZE_RANGE, Format, RenderOptions, pixels, x_axes)
from .streams import OutputClosed, say, write_stdout


@dataclass
class Target:
    fmt: Format
    path: str | None  # None: stdout

    @classmethod
    def choose(cls, fmt: str | None, output: str | None, stem: str) -> "Target":
        """The format from --format, else --output's suffix, else png; the destination likewise."""
        if output is not None and output != "-":
            if not output.strip():
                raise LrplotError("--output: give a file name, or '-' for stdout")
            if output.endswith(("/", os.sep)) or Path(output).name in ("", ".", ".."):
                raise LrplotError(f"--output: {shown(output)} names a folder, not a file")
        suffix = Path(output).suffix.lower().lstrip(".") if output not in (None, "-") else ""
        if fmt is not None:
            chosen = BY_NAME.get(fmt.lower().lstrip("."))
            if chosen is None:
                raise LrplotError(f"--format: {shown(fmt)} is not a format lrplot writes; use one of {', '.join(NAMES)}")
            implied = BY_SUFFIX.get(suffix)
            if implied is not None and implied is not chosen and not chosen.to_file:
                raise LrplotError(f"--output: {shown(output)} ends in .{suffix} but --format {chosen.name} is "
                                  f"printed on stdout: drop -o (or end it in .{chosen.suffixes[0]} to save it, or "
                                  f"drop --format to write {implied.name.upper()})")
            if implied is not None and implied is not chosen:
                raise LrplotError(f"--output: {shown(output)} ends in .{suffix} but --format is {chosen.name}; "
                                  f"end it in .{chosen.suffixes[0]} or drop --format")
        elif output not in (None, "-"):
            chosen = BY_SUFFIX.get(suffix)
            if chosen is None:
                raise LrplotError(f"--output: cannot tell the format from {shown(output)}; end it in "
                                  f"{', '.join('.' + s for s in BY_SUFFIX)} or give --format")
        else:
            chosen = BY_NAME["png"]
        if output == "-" or (output is None and not chosen.to_file):
            return cls(chosen, None)
        return cls(chosen, output if output is not None else f"{stem}.{chosen.suffixes[0]}")


def check_picture(fmt: Format, results: list, options: RenderOptions) -> None:
    """A picture is bounded before anything is drawn: curves, pixels, title length."""
    if not fmt.picture:
        return
    curves = sum(r.lr.shape[1] for r in results)
    if curves > MAX_CURVES:
        raise LrplotError(f"a picture shows at most {MAX_CURVES} curves (param groups x runs); this has {curves}: "
                          "use -f csv or -f json")
    if options.title is not None and len(options.title) > MAX_TITLE:
        raise LrplotError(f"--title: {len(options.title):,} characters; at most {MAX_TITLE}")
    if fmt.binary:
        width, height = options.size or LARGEST_DEFAULT_SIZE
        count = pixels(options.size, options.dpi)
        if count > MAX_PIXELS:
            raise LrplotError(f"--size x --dpi: {width:g}x{height:g} in at {options.dpi or DEFAULT_DPI} dpi is "
                              f"{count:,.0f} pixels, above lrplot's limit of {MAX_PIXELS:,}; lower either")


def render_options(opts: dict, results: list, color: bool = False) -> RenderOptions:
    size = None
    if opts.get("size"):
        try:
            w, h = (float(v) for v in opts["size"].lower().split("x"))
            if not (SIZE_RANGE[0] <= w <= SIZE_RANGE[1] and SIZE_RANGE[0] <= h <= SIZE_RANGE[1]):
                raise ValueError
            size = (w, h)
        except ValueError:
            raise LrplotError(f"--size: {opts['size']!r} is not WIDTHxHEIGHT in inches, e.g. 8x4.5") from None
    dpi = opts.get("dpi")
    if dpi is not None and not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise LrplotError(f"--dpi: {dpi} is invalid: must be in [{DPI_RANGE[0]}, {DPI_RANGE[1]}]")
    per_epoch, epoch_axis, unit = x_axes(results)
    return RenderOptions(title=opts.get("title"), log_y=opts.get("log_y"), dpi=dpi, size=size,
                         marks=opts.get("marks", True), steps_per_epoch=per_epoch, color=color, epoch_axis=epoch_axis,
                         row_unit=unit)


def emit(results: list, target: Target, opts: dict, labels: list[str] | None = None) -> None:
    """Write the results in the target format; say on stderr what was written."""
    labels = labels or [""] * len(results)
    quiet = opts.get("quiet")
    for result, label in zip(results, labels):
        prefix = f"lrplot: {label}: " if label else "lrplot: "
        if quiet:
            continue
        for note in getattr(result, "prelude", []):
            say(prefix + note)
        if getattr(result, "plan", None) is not None:
            say(prefix + result.plan.arithmetic)
        for note in getattr(result, "notes", []):
            say(prefix + note)
    for result in results:
        for warning in getattr(result, "warnings", []):
            say(f"lrplot: warning: {warning}")
    if opts.get("at"):
        write_stdout(answers(results, labels, opts["at"]))
        return
    fmt = target.fmt
    if target.path is None:
        to_terminal = _is_terminal(sys.stdout)
        if fmt.binary and to_terminal:
            raise LrplotError(f"refusing to write binary {fmt.name.upper()} to a terminal; redirect stdout "
                              f"or use -o FILE.{fmt.suffixes[0]}")
        options = render_options(opts, results, color=to_terminal and wants_color())
        check_picture(fmt, results, options)
        write_stdout(fmt.write(results, labels, options))
        _summaries(results, labels, quiet)
        return
    options = render_options(opts, results)
    check_picture(fmt, results, options)
    data = b"".join(fmt.write(results, labels, options))
    write_file(target.path, data, fmt)
    _summaries(results, labels, quiet)
    if not quiet:
        unit = "iterations" if options.row_unit == "iteration" else "steps"
        say(f"lrplot: wrote {target.path} ({len(results[0]):,} {unit})")


def _summaries(results: list, labels: list, quiet: bool) -> None:
    if not quiet:
        for result, label in zip(results, labels):
            say((f"lrplot: {label}: " if label else "lrplot: ") + summary(result))


def summary(result) -> str:
    """One line: the peak and where, where a warmup ends, the final lr, the minimum (of the first group)."""
    from .._lazy import np
    from ..render.table import group_names

    lr = result.lr[:, 0]
    steps = result.steps
    peak = int(np.argmax(lr >= lr.max() * (1 - 1e-6)))  # the first (a cosine's later peaks drift)
    low = int(np.argmax(lr <= lr.min() + 1e-6 * abs(lr.min())))
    parts = [f"peak {float(lr[peak]):.4g} at step {int(steps[peak]):,}"]
    if 0 < peak and lr[0] < lr[peak] * (1 - 1e-6):
        parts.append(f"warmup ends at step {int(steps[peak]):,}")
    parts.append(f"final {float(lr[-1]):.4g} at step {int(steps[-1]):,}")
    parts.append(f"minimum {float(lr[low]):.4g} at step {int(steps[low]):,}")
    groups = result.lr.shape[1]
    which = f" (group {group_names(result)[0]} of {groups})" if groups > 1 else ""
    return "lr" + which + ": " + ", ".join(parts)


def answers(results: list, labels: list, raw: list) -> list[bytes]:
    """``--at``: the rows of these optimizer steps, as CSV; several runs (a sweep) make one table with a column
    per run (and param group), the sweep's CSV columns."""
    from ..errors import ParamError
    from ..engine.params import to_int
    from ..render.table import columns, csv_chunks, group_names
    from ..config.flags import split_values

    wanted = []
    for text in split_values(raw):
        try:
            wanted.append(to_int(text, ("at",)))
        except ParamError:
            raise LrplotError(f"--at: {shown(text)} is not a step number") from None
    picked = []
    for result in results:
        steps = result.steps
        rows = []
        for step in wanted:
            row = int(step - steps[0])
            if not 0 <= row < len(steps):
                raise LrplotError(f"--at: step {step} is outside the run's steps {int(steps[0])}..{int(steps[-1])}")
            rows.append(row)
        picked.append(rows)
    if len(results) == 1:
        cols = [(name, values[picked[0]]) for name, values in columns(results[0])]
    else:
        from .._lazy import np

        cols = [("step", np.asarray(wanted, dtype=np.int64))]
        for result, label, rows in zip(results, labels, picked):
            groups = result.lr.shape[1]
            names = group_names(result)
            cols += [(_csv_field(label if groups == 1 else f"{label}_lr_{names[g]}"), result.lr[rows, g])
                     for g in range(groups)]
    return [chunk.encode() for chunk in csv_chunks(cols)]


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def wants_color() -> bool:
    """ANSI colour on a terminal unless the user opted out: NO_COLOR set and non-empty (no-color.org), or
    TERM=dumb."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def write_file(path: str, data: bytes, fmt: Format) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a partial or a destroyed file.

    A regular file (or a new name) is replaced atomically through a temporary file beside it, keeping the
    mode of the file it replaces (a new file gets the umask's mode).  A symlink is followed: the file it
    points to is replaced, the link stays.  Anything else that exists (a device such as /dev/null, a FIFO,
    /dev/stdout) is written into directly, never replaced; a binary format is not written to a terminal.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise LrplotIOError(f"cannot write {shown(path)}: {exc.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise LrplotIOError(f"cannot write {shown(path)}: it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_into(path, data, fmt)
        return
    real = Path(os.path.realpath(path)) if info is not None else Path(path)
    folder = real.parent if str(real.parent) else Path(".")
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=".lrplot-", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise LrplotIOError(f"cannot write {shown(path)}: folder {shown(str(folder))} does not exist") from None
    except OSError as exc:
        raise LrplotIOError(f"cannot write {shown(path)}: {exc.strerror}") from None
    done = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, real)
        done = True
    except OSError as exc:
        raise LrplotIOError(f"cannot write {shown(path)}: {exc.strerror}") from None
    finally:
        if not done:  # also on Ctrl-C: no partial file, no temporary left behind
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_into(path: str, data: bytes, fmt: Format) -> None:
    try:
        with open(path, "wb") as handle:
            if fmt.binary and handle.isatty():
                raise LrplotError(f"refusing to write binary {fmt.name.upper()} to a terminal ({shown(path)})")
            handle.write(data)
    except BrokenPipeError:
        raise OutputClosed from None
    except OSError as exc:
        raise LrplotIOError(f"cannot write {shown(path)}: {exc.strerror}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
