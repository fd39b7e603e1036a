"""A finished run's logged learning rate (``--log FILE``): read, told apart by content, never guessed.

Each format says which lrplot row a logged step is (its ``alignments``, the first the logger's documented
one; :mod:`lrplot.check.compare` picks the one the values fit when a version changed it) and how the logger
stores numbers (``precision``), so that a comparison is exact where the logger is.

* HF ``trainer_state.json``: ``log_history[].learning_rate`` at ``step`` s. transformers >= 4.51 logs the lr
  the step used (row s - 1); up to 4.50 the next step's (row s), read after ``lr_scheduler.step()``.
* Lightning CSVLogger ``metrics.csv``: LearningRateMonitor's ``lr-<Optimizer>[/pgN|/<name>]`` columns, read at
  the start of a batch: step s = row s.  Rows are sparse; micro-batches repeat a step.
* TensorBoard event files (``pip install 'lrplot[tensorboard]'``): tags ``train/learning_rate`` (HF) or
  ``lr-*`` (Lightning); float32.
* MLflow: the sqlite store's ``metrics`` table, or the file store's ``metrics/<key>`` lines
  (``timestamp value step``); key ``learning_rate`` (HF) or ``lr-*``.
* A W&B CSV export: ``Step`` (W&B's own 0-based counter) or ``train/global_step`` and a column ending in
  ``learning_rate`` or ``lr`` (``__MIN``/``__MAX`` ignored).
* ultralytics ``results.csv``: ``lr/pg0..2`` per epoch: the lr of the epoch's last iteration, ``%.6g``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field

from .._lazy import np
from ..engine.schema import MAX_STEPS
from ..errors import LrplotError, LrplotIOError, shown
from .read import read_text

MAX_BYTES = 256 << 20


@dataclass
class Log:
    name: str
    format: str
    steps: "np.ndarray"  # the logger's step of each entry
    values: "np.ndarray"  # (entries, logged groups)
    columns: list[str]
    alignments: list[tuple] = field(default_factory=list)  # (said, (steps, per_epoch) -> rows[, spare rows])
    precision: str | None = None  # "%.6g": the logger rounds to 6 digits; "float32": it stores float32


def _same(shift: int):
    return lambda steps, per_epoch: steps + shift


HF_NEW = ("transformers >= 4.51: step s is row s - 1 (the lr the step used)", _same(-1))
#: the third field: rows past the run that are expected (the old logging's last entry is the lr after the run)
HF_OLD = ("transformers <= 4.50: step s is row s (the next step's lr)", _same(0), 1)
AT_STEP = ("step s is row s (read before the step)", _same(0))


def read_log(source: str) -> Log:
    if os.path.isdir(source):
        return _mlflow_run_dir(source)
    if not os.path.exists(source):
        raise LrplotIOError(f"--log: no such file {shown(source)}")
    name = os.path.basename(source)
    with open(source, "rb") as handle:
        head = handle.read(16)
    if head.startswith(b"SQLite format 3"):
        return _mlflow_sqlite(source, name)
    if "tfevents" in name:
        return _tensorboard(source, name)
    text, _ = read_text(source, "a training log", MAX_BYTES)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _hf_state(text, name)
    first = stripped.splitlines()[0] if stripped else ""
    if re.fullmatch(r"\d+ +\S+ +-?\d+", first.strip()):
        return _mlflow_file(text, name)
    return _csv(text, name)


def _hf_state(text: str, name: str) -> Log:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LrplotError(f"--log: {name} is not valid JSON ({shown(str(exc), 60)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("log_history"), list):
        raise LrplotError(f"--log: {name} is JSON without a log_history list: not an HF trainer_state.json")
    entries = [e for e in data["log_history"] if isinstance(e, dict) and _number(e.get("learning_rate"))
               and isinstance(e.get("step"), int)]
    if not entries:
        raise LrplotError(f"--log: {name}: no log_history entry has learning_rate and step (logging_steps?)")
    steps = np.array([e["step"] for e in entries], dtype=np.int64)
    values = np.array([[float(e["learning_rate"])] for e in entries])
    # best_global_step first appears in 4.50: without it the file is from 4.49 or before, the old logging
    order = [HF_OLD, HF_NEW] if "best_global_step" not in data else [HF_NEW, HF_OLD]
    return Log(name, "HF trainer_state.json", steps, values, ["learning_rate"], order)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _csv(text: str, name: str) -> Log:
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise LrplotError(f"--log: {name}: not a log lrplot reads ({_KNOWN})")
    header = [cell.strip() for cell in rows[0]]
    body = rows[1:]
    if len(body) > MAX_STEPS * 4:
        raise LrplotError(f"--log: {name}: {len(body):,} rows; lrplot reads at most {MAX_STEPS * 4:,}")
    if "epoch" in header and "lr/pg0" in header:
        cols = [c for c in header if re.fullmatch(r"lr/pg\d+", c)]
        return _table(name, "ultralytics results.csv", header, body, "epoch", cols,
                      [("epoch E (1-based) is row E x iterations per epoch - 1 (the epoch's last iteration)",
                        lambda steps, per_epoch: steps * _need(per_epoch) - 1)], "%.6g")
    if "step" in header and any(c.startswith("lr-") for c in header):
        cols = [c for c in header if c.startswith("lr-") and not c.endswith(("-momentum", "-weight_decay"))]
        return _table(name, "Lightning metrics.csv", header, body, "step", cols, [AT_STEP])
    step_col = next((c for c in header if c in ("Step", "train/global_step", "trainer/global_step", "_step")), None)
    lr_cols = [c for c in header if re.search(r"(learning_rate|\blr|lr-[^_]*)$", c) and "__" not in c]
    if step_col is not None and lr_cols:
        if step_col == "Step" or step_col == "_step":  # W&B's own counter, 0-based
            order = [("W&B Step k is row k (HF logs at global step k + 1 the lr of row k)", _same(0)),
                     ("W&B Step k is row k + 1", _same(1))]
        else:
            order = [HF_NEW, HF_OLD]
        return _table(name, "W&B CSV export", header, body, step_col, lr_cols[:1] if len(lr_cols) > 1 and
                      all("learning_rate" in c for c in lr_cols) else lr_cols, order)
    raise LrplotError(f"--log: {name}: a CSV lrplot cannot read as a log ({_KNOWN}); its columns: "
                      f"{shown(', '.join(header), 120)}")


_KNOWN = ("HF trainer_state.json, Lightning metrics.csv with lr-* columns, a TensorBoard event file, MLflow "
          "mlflow.db or mlruns metric file, a W&B CSV export with Step and a learning_rate column, ultralytics "
          "results.csv")


def _need(per_epoch):
    if not per_epoch:
        raise LrplotError("--log: results.csv logs one lr per epoch: the prediction needs iterations per epoch "
                          "(--dataset-size or --steps-per-epoch)")
    return per_epoch


def _table(name, fmt, header, body, step_col, cols, alignments, precision=None) -> Log:
    if not cols:
        raise LrplotError(f"--log: {name}: no learning-rate column")
    at = header.index(step_col)
    index = [header.index(c) for c in cols]
    steps, values = [], []
    for number, row in enumerate(body, start=2):
        if at >= len(row) or not row[at].strip():
            continue
        cells = [row[i].strip() if i < len(row) else "" for i in index]
        if not any(cells):
            continue  # a sparse row of other metrics
        try:
            steps.append(int(float(row[at])))
            values.append([float(c) if c else float("nan") for c in cells])
        except ValueError:
            raise LrplotError(f"--log: {name}:{number}: {shown(','.join(row), 80)} is not a number") from None
    if not steps:
        raise LrplotError(f"--log: {name}: the {', '.join(cols)} column{'s are' if len(cols) > 1 else ' is'} empty")
    steps_a, values_a = np.array(steps, dtype=np.int64), np.array(values)
    keep = np.ones(len(steps_a), dtype=bool)  # micro-batches log one step several times: keep the first
    keep[1:] = steps_a[1:] != steps_a[:-1]
    return Log(name, fmt, steps_a[keep], values_a[keep], cols, alignments, precision)


def _mlflow_file(text: str, name: str) -> Log:
    steps, values = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            values.append([float(parts[1])])
            steps.append(int(parts[2]))
        except (ValueError, IndexError):
            raise LrplotError(f"--log: {name}:{number}: {shown(line, 80)} is not 'timestamp value step'") from None
    return Log(name, "MLflow file store metric", np.array(steps, dtype=np.int64), np.array(values), [name],
               _hf_or_lightning(name))


def _hf_or_lightning(key: str) -> list:
    return [AT_STEP] if key.startswith("lr-") else [HF_NEW, HF_OLD]


def _mlflow_run_dir(path: str) -> Log:
    metrics = os.path.join(path, "metrics")
    names = sorted(os.listdir(metrics)) if os.path.isdir(metrics) else []
    key = next((n for n in names if n in ("learning_rate", "lr") or n.startswith("lr-")), None)
    if key is None:
        raise LrplotError(f"--log: {shown(path)} is a folder without metrics/learning_rate (an MLflow run folder?)")
    text, _ = read_text(os.path.join(metrics, key), "an MLflow metric file", MAX_BYTES)
    return _mlflow_file(text, key)


def _mlflow_sqlite(source: str, name: str) -> Log:
    import sqlite3
    from urllib.parse import quote

    try:
        db = sqlite3.connect(f"file:{quote(os.path.abspath(source))}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT DISTINCT key, run_uuid FROM metrics WHERE key = 'learning_rate' OR key = 'lr' "
                              "OR key LIKE 'lr-%' LIMIT 100").fetchall()
            if not rows:
                raise LrplotError(f"--log: {name}: an sqlite file without a learning_rate metric (MLflow's metrics)")
            runs = sorted({run for _, run in rows})
            if len(runs) > 1:
                raise LrplotError(f"--log: {name} holds {len(runs)} runs with a learning rate ({', '.join(runs[:4])}"
                                  "...): export the one run's metric, or compare a file store's metric file")
            key = sorted({k for k, _ in rows})[0]
            data = db.execute("SELECT step, value FROM metrics WHERE key = ? AND run_uuid = ? ORDER BY step, "
                              "timestamp LIMIT ?", (key, runs[0], MAX_STEPS * 4)).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise LrplotError(f"--log: {name}: not an MLflow database lrplot can read ({shown(str(exc), 80)})") from None
    steps = np.array([s for s, _ in data], dtype=np.int64)
    return Log(name, "MLflow sqlite", steps, np.array([[v] for _, v in data]), [key], _hf_or_lightning(key))


def _tensorboard(source: str, name: str) -> Log:
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError:
        raise LrplotError("--log: reading TensorBoard event files needs the tensorboard package: "
                          "pip install 'lrplot[tensorboard]'") from None
    accumulator = EventAccumulator(source, size_guidance={"scalars": MAX_STEPS})
    try:
        accumulator.Reload()
    except Exception as exc:  # a corrupt record: the library's own error, said in one line
        raise LrplotError(f"--log: {name}: not a TensorBoard event file lrplot can read ({shown(str(exc), 80)})") \
            from None
    tags = accumulator.Tags().get("scalars", [])
    hf = [t for t in tags if t in ("train/learning_rate", "learning_rate")]
    lightning = sorted(t for t in tags if t.startswith("lr-") and not t.endswith(("-momentum", "-weight_decay")))
    chosen = hf[:1] or lightning
    if not chosen:
        raise LrplotError(f"--log: {name}: no learning-rate tag (train/learning_rate, lr-*) among "
                          f"{shown(', '.join(tags), 120)}")
    series = [{e.step: e.value for e in accumulator.Scalars(tag)} for tag in chosen]
    steps = sorted(set().union(*series))
    values = np.array([[s.get(step, float("nan")) for s in series] for step in steps])
    return Log(name, "TensorBoard", np.array(steps, dtype=np.int64), values, chosen,
               [HF_NEW, HF_OLD] if hf else [AT_STEP], "float32")
