"""The rules of ``lrplot check``: each one a schedule bug users report, found from the simulated run.

A rule reads a :class:`Subject` (the result, its scheduler tree, the config and what the file's reader noted)
and returns findings.  Rules read declared fields (``SchedulerSpec.decay_end``, ``cycles``, ``chainable``,
``raises_after``; ``Param.horizon``, ``warmup``, ``floor``), never a scheduler's name.  It is longer than 350
lines because it is the one list of rules (RULES, at the end): each rule a short function.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .._lazy import np
from ..engine.findings import ERROR, INFO, WARNING, Finding


@dataclass
class Subject:
    result: Any  # SimulationResult
    config: dict  # the lrplot config that was simulated
    monitor: str | None = None  # the metric a plateau scheduler watches (a config's monitor, a metrics column)
    replaced: Any = None  # SimulationResult of the trainer's own schedule that a DeepSpeed block replaced
    findings: list = field(default_factory=list)  # the reader's (config shape's) findings
    notes: list = field(default_factory=list)  # the reader's and the engine's warnings, as text
    resumed: Any = None  # with a resume: the resumed run (``result`` is then the uninterrupted one)

    @property
    def rows(self) -> int:
        return len(self.result.lr)

    @property
    def per_epoch(self) -> int | None:
        return self.result.steps_per_epoch

    def leaves(self):
        """(node, offset): every scheduler of the tree with the row it starts at (SequentialLR's milestones)."""
        return list(_placed(self.result.node, 0))

    def rows_of(self, node, value: float, offset: int = 0) -> float:
        """The row where a length in ``node``'s unit ends, the node starting at scheduler step ``offset``."""
        if node.spec.length_unit(node.p) == "epochs" and self.per_epoch:
            return self.step_rows(offset) + value * self.per_epoch
        return self.step_rows(offset + value)

    def warmup_end(self) -> float:
        """The row where the last declared warmup ends (0: none)."""
        ends = [0.0]
        for node, offset in self.leaves():
            own = node.warmup_rows(self.per_epoch)
            if own:
                ends.append(self.step_rows(offset) + own)
            for p in node.spec.params:
                value = node.p.get(p.name)
                if p.warmup and value:
                    ends.append(self.step_rows(offset) + value * self.per_epoch if p.warmup == "epochs" and
                                self.per_epoch else self.rows_of(node, value, offset))
        return max(ends)

    def in_unit(self, node, rows: float, offset: int = 0):
        """``rows`` from the node's start, in the node's unit (for a fix)."""
        if node.spec.length_unit(node.p) == "epochs" and self.per_epoch:
            return int(rows // self.per_epoch)
        return self.steps_before(rows) - offset

    def step_rows(self, steps: float) -> float:
        """The row at which the scheduler has been stepped ``steps`` times (the trainer's cadence)."""
        plan = self.result.plan
        if plan is None:
            return steps
        if plan.interval == "epoch":
            return steps * plan.steps_per_epoch * plan.frequency
        return steps * plan.frequency / plan.scheduler_calls

    def steps_before(self, rows: int) -> int:
        """``scheduler.step()`` calls before row ``rows``: one per row, or as the trainer calls it."""
        plan = self.result.plan
        if plan is None:
            return int(rows)
        return int(plan.scheduler_steps(np.array([rows], dtype=np.int64))[0])

    def scheduler_calls(self) -> int:
        """``scheduler.step()`` calls over the whole run (after its last optimizer step too)."""
        return self.steps_before(self.rows)

    def cycles(self) -> bool:
        return any(node.spec.cycles(node.p) for node, _ in self.leaves())


def _placed(node, offset: int):
    yield node, offset
    milestones = [0] + list(node.p.get("milestones") or []) if node.spec.composite and not node.spec.chains else None
    for i, child in enumerate(node.children):
        yield from _placed(child, offset + (milestones[i] if milestones and i < len(milestones) else 0))


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the most it reports
    summary: str  # one line, for --list-rules and the README
    find: Callable[[Subject], list]


def _horizon_param(node):
    return next((p for p in node.spec.params if p.horizon and node.p.get(p.name) not in (None, [])), None)


def _key(node, param) -> tuple:
    return node.path + ((param.name,) if param is not None else ())


def _named(node, param) -> str:
    return f"{node.spec.name} {param.name}={node.p[param.name]}" if param is not None else node.spec.name


def _groups(result):
    return range(result.lr.shape[1])


# --- the rules ---------------------------------------------------------------------------------------------------

def horizon_unit(s: Subject) -> list:
    return [f for f in s.result.findings if f.rule == "horizon-unit"]


def past_total_steps(s: Subject) -> list:
    """The trainer calls step() once more per optimizer step than lrplot's rows show (row 0 is construction)."""
    out, calls = [], s.scheduler_calls()
    for node, offset in s.leaves():
        limit = node.spec.raises_after(node.p)
        if limit is None or offset or node is not s.result.node and not _chained_child(s, node):
            continue
        if calls > limit:
            out.append(Finding("past-total-steps", ERROR, f"the run calls {node.spec.name}.step() {calls:,} times but "
                               f"total_steps is {limit:,}: torch raises ValueError at call {limit + 1:,}",
                               f"total_steps: {calls}", node.path + ("total_steps",), limit))
    return out


def _chained_child(s: Subject, node) -> bool:
    root = s.result.node
    return root.spec.chains and node in root.children


def warmup_too_long(s: Subject) -> list:
    n = s.rows
    if n < 2 or s.cycles():
        return []
    lr = s.result.lr
    rising = [g for g in _groups(s.result) if lr[-1, g] > lr[0, g] and int(np.argmax(lr[:, g])) == n - 1
              and lr[-1, g] > lr[-2, g]]
    if not rising:
        return []
    named, key = "the warmup", ()
    for node, _ in s.leaves():
        param = next((p for p in node.spec.params if p.warmup and node.p.get(p.name)), None)
        if param is not None:
            named, key = f"{node.spec.name} {param.name}={node.p[param.name]}", _key(node, param)
            break
    else:
        if isinstance(s.config.get("warmup"), (int, dict)):
            named, key = "the warmup (warmup.steps)", ("warmup", "steps")
    return [Finding("warmup-too-long", WARNING, f"the lr still rises at the last step ({n - 1:,}): {named} is as "
                    f"long as the run or longer, so it never reaches its peak", "shorten the warmup to a few percent "
                    "of the run", key, n - 1)]


def lr_zero_start(s: Subject) -> list:
    lr = s.result.lr
    if len(lr) < 2 or not (lr != 0).any():
        return []
    zero = (lr == 0).all(axis=1)
    if not zero[0]:
        return []
    run = int(np.argmin(zero)) if not zero.all() else len(zero)
    expected = max(node.spec.family.zero_steps for node, _ in s.leaves())
    if run > expected:
        return [Finding("lr-zero-start", WARNING, f"the lr is 0 for the first {run:,} optimizer steps: those steps "
                        "train nothing", "start the warmup above 0 (or shorten it)", (), 0)]
    steps = "optimizer step runs" if run == 1 else f"{run} optimizer steps run"
    return [Finding("lr-zero-start", INFO, f"the first {steps} at lr 0, as the {s.result.node.spec.family.library} "
                    "warmup does by design", "", (), 0)]


def climbs_back(s: Subject) -> list:
    if s.cycles() or s.result.node.spec.metric_driven:
        return []
    lr = s.result.lr
    for g in _groups(s.result):
        start = min(int(math.ceil(s.warmup_end())), len(lr) - 1)  # a warmup may rise in steps (YOLO's)
        x = lr[start:, g]
        peak = int(np.argmax(x >= x.max() * (1 - 1e-6)))  # the first peak (a cosine's later ones drift)
        tail = x[peak:]
        low = np.minimum.accumulate(tail)
        rise = tail - low
        threshold = 0.01 * x[peak]
        if not (rise > threshold).any() or threshold <= 0:
            continue
        k = int(np.argmax(rise > threshold))
        j = peak + int(np.argmin(tail[:k + 1]))
        top = peak + k + int(np.argmax(tail[k:]))
        peak, j, top = peak + start, j + start, top + start
        cause, key, fix = "", (), "make the schedule's horizon the run's length"
        switch = _switch_at(s, peak + start + k)
        for node, offset in ([] if switch else s.leaves()):
            end = node.spec.decay_end(node.p)
            if end is not None and s.rows_of(node, end, offset) < s.rows - 1:
                param = _horizon_param(node)
                cause, key = f": {_named(node, param)} ends at step {s.rows_of(node, end, offset):,g}, before the " \
                    "run", _key(node, param)
                if param is not None:
                    fix = f"{param.name}: {s.in_unit(node, s.rows, offset)} (the run's length)"
                break
        if switch:
            parent, i = switch
            cause, key = (f": {parent.spec.name} switches to {parent.children[i].spec.name} at milestone "
                          f"{parent.p['milestones'][i - 1]}, which starts again from the initial lr",
                          parent.path + ("milestones", i - 1))
            fix = "end the earlier scheduler where the next one starts (e.g. its end_factor)"
        return [Finding("lr-climbs-back", WARNING, f"the lr falls to {x[j]:.3g} at step {j:,}, then climbs back to "
                        f"{x[top]:.3g} by step {top:,}{cause}", fix + ", or use a scheduler with restarts if "
                        "they are meant", key, j)]
    return []


def _switch_at(s: Subject, row: int):
    """(SequentialLR, child index) when ``row`` is where it switches to that child."""
    for node, offset in s.leaves():
        if node.spec.composite and not node.spec.chains:
            for i, m in enumerate(node.p.get("milestones") or [], start=1):
                if offset + m == row and i < len(node.children):
                    return node, i
    return None


def ends_above_floor(s: Subject) -> list:
    if s.cycles():
        return []
    n, lr = s.rows, s.result.lr
    for node, offset in s.leaves():
        end = node.spec.decay_end(node.p)
        if end is None:
            continue
        end_row = s.rows_of(node, end, offset)
        span = end_row - s.step_rows(offset)
        if end_row - (n - 1) <= max(1, 0.1 * span):
            continue
        peak = float(lr.max())
        share = float(lr[-1].max()) / peak if peak > 0 else 0.0
        param = _horizon_param(node)
        return [Finding("ends-above-floor", WARNING, f"the run ends at step {n - 1:,}, before {_named(node, param)} "
                        f"reaches its floor at step {end_row:,g}: the last step runs at {share:.0%} of the peak lr",
                        f"{param.name}: {s.in_unit(node, n, offset)} (the run's length)" if param else
                        "make the horizon the run's length", _key(node, param), n - 1)]
    return []


def not_chainable(s: Subject) -> list:
    out = []
    for node, _ in s.leaves():
        if node.spec.chains and len(node.children) > 1:
            for i, child in enumerate(node.children):
                if not child.spec.chainable:
                    out.append(Finding("chained-not-chainable", WARNING, f"{node.spec.name} member {child.spec.name} "
                                       "sets the lr from its own formula at every step, overwriting what the other "
                                       "members did: they do not compose", "use SequentialLR, or only chainable "
                                       "members (StepLR, ExponentialLR, LinearLR, ...)",
                                       node.path + ("schedulers", i, "scheduler")))
    return out


def sequential_milestones(s: Subject) -> list:
    out, calls = [], s.scheduler_calls()
    for node, _ in s.leaves():
        if not node.spec.composite or node.spec.chains:
            continue
        for i, m in enumerate(node.p.get("milestones") or []):
            key = node.path + ("milestones", i)
            if m == 0:
                out.append(Finding("sequential-milestones", WARNING, f"{node.spec.name} milestone 0: "
                                   f"{node.children[i].spec.name} never runs", "remove it, or give a milestone > 0",
                                   key, 0))
            elif m >= calls:
                out.append(Finding("sequential-milestones", WARNING, f"{node.spec.name} milestone {m} is beyond the "
                                   f"run's {calls:,} scheduler steps: {node.children[i + 1].spec.name} never runs",
                                   f"a milestone below {calls}", key, m))
    return out


def deepspeed_overrides(s: Subject) -> list:
    if s.replaced is None:
        return []
    mine, theirs = s.result.lr, s.replaced.lr
    if mine.shape != theirs.shape:
        return []
    differs = ~np.isclose(mine, theirs, rtol=1e-6, atol=1e-12 * float(np.abs(theirs).max() or 1))
    if not differs.any():
        return []
    rows = np.flatnonzero(differs.any(axis=1))
    warm = s.warmup_end()
    first, last = int(rows[0]), int(rows[-1])
    was = s.replaced.title
    if last <= warm + 1:
        return [Finding("deepspeed-overrides", INFO, f"the DeepSpeed scheduler block replaces {was}; the curves "
                        f"differ only during the warmup (steps {first}-{last})", "", ("scheduler",), first)]
    peak = float(np.abs(theirs).max()) or 1.0
    rel = float(np.abs(mine - theirs).max()) / peak
    return [Finding("deepspeed-overrides", WARNING, f"the DeepSpeed scheduler block replaces {was} with a different "
                    f"curve: they part at step {first:,} and differ by up to {rel:.0%} of the peak lr", "remove the "
                    "scheduler block "
                    "(the trainer's lr_scheduler_type then applies), or make them describe the same schedule",
                    ("scheduler",), first)]


def floor_above_lr(s: Subject) -> list:
    out = []
    lrs = s.result.optimizer_lr
    for node, _ in s.leaves():
        for param in node.spec.params:
            value = node.p.get(param.name)
            if param.floor is None or value is None:
                continue
            values = value if isinstance(value, list) else [value] * len(lrs)
            if param.floor == "ratio":
                above = [v for v in values if v > 1]
                what = "1 (the peak)"
            elif node.spec.uses_optimizer_lr(node.p):
                above = [v for v, lr in zip(values, lrs) if v > lr]
                what = f"the optimizer's lr {lrs[0]:g}" if len(set(lrs)) == 1 else "the optimizer's lr"
            else:
                continue
            if above:
                out.append(Finding("floor-above-lr", WARNING, f"{node.spec.name} {param.name}={value} is above {what}: "
                                   "the lr rises towards it instead of decaying", f"{param.name} below the lr "
                                   "(equal keeps it constant)", _key(node, param)))
    return out


_SCORE = re.compile(r"(^|[^a-z])(acc|accuracy|top1|top5|f1|auc|auroc|map|map50|bleu|rouge\w*|iou|miou|dice|precision|"
                    r"recall|score|psnr|ssim|r2)([^a-z]|$)")
_LOSS = re.compile(r"(^|[^a-z])(loss|error|err|perplexity|ppl|wer|cer|mse|mae|rmse|nll)([^a-z]|$)")


def plateau_mode(s: Subject) -> list:
    node = s.result.node
    if not node.spec.metric_driven or not s.monitor or "mode" not in node.p:
        return []
    name, mode = s.monitor.lower(), node.p["mode"]
    if mode == "min" and _SCORE.search(name) and not _LOSS.search(name):
        kind, want = "a score (higher is better)", "max"
    elif mode == "max" and _LOSS.search(name):
        kind, want = "a loss (lower is better)", "min"
    else:
        return []
    return [Finding("plateau-mode", WARNING, f"{node.spec.name} mode={mode} watches {s.monitor!r}, which looks like "
                    f"{kind}: the lr is cut while the run improves", f"mode: {want}", node.path + ("mode",))]


def momentum_without_momentum(s: Subject) -> list:
    if s.result.momentum is None:
        return []
    optimizer = s.config.get("optimizer") if isinstance(s.config.get("optimizer"), dict) else {}
    if optimizer.get("betas") is not None or optimizer.get("momentum") or s.result.node.spec.family.default_momentum:
        return []  # a trainer's optimizer (YOLO's) has its own momentum
    node = next((n for n, _ in s.leaves() if n.p.get("cycle_momentum")), s.result.node)
    return [Finding("cycle-momentum", WARNING, f"{node.spec.name} cycles momentum but the optimizer has none "
                    "(momentum 0): torch raises for an optimizer without momentum (Adagrad, ...) and turns it on for "
                    "SGD(momentum=0)", "cycle_momentum: false, or give the optimizer momentum",
                    node.path + ("cycle_momentum",))]


def per_process(s: Subject) -> list:
    plan = s.result.plan
    if plan is None or plan.scheduler_calls <= 1:
        return []
    k = plan.scheduler_calls
    return [Finding("accelerate-per-process", WARNING, f"{plan.trainer.label} steps the scheduler {k} times per "
                    f"optimizer step (once per process): the schedule runs {k}x faster than the run",
                    f"build the scheduler with its horizon x {k} (as the HF Trainer does), or split_batches",
                    ("run", "trainer"))]


def lr_invalid(s: Subject) -> list:
    lr = s.result.lr
    if (lr < 0).any():
        step = int(np.argmax((lr < 0).any(axis=1)))
        return [Finding("lr-invalid", ERROR, f"the lr goes negative at step {step:,} ({float(lr[step].min())!r})",
                        "check the factors and floors", (), step)]
    if not (lr != 0).any():
        return [Finding("lr-invalid", ERROR, "the lr is 0 at every step: nothing trains", "give a learning rate "
                        "above 0", ("optimizer", "lr"))]
    return []


def resume_departs(s: Subject) -> list:
    return [f for f in (s.resumed or s.result).findings if f.rule == "resume-departs"]


def reader_notes(s: Subject) -> list:
    """What the file's reader or the library warned about, that no rule above covers."""
    covered = {f.message for f in (s.resumed or s.result).findings} | {f.message for f in s.findings}
    return [Finding("reader-note", INFO, text) for text in dict.fromkeys(s.notes) if text not in covered
            and not text.startswith("the learning rate goes negative")]


RULES: tuple[Rule, ...] = (
    Rule("horizon-unit", WARNING, "a horizon (T_max, step_size, milestones, num_training_steps, t_initial, ...) in "
         "epochs on a scheduler stepped every iteration, or in iterations on one stepped per epoch", horizon_unit),
    Rule("past-total-steps", ERROR, "the run steps OneCycleLR more than total_steps times (torch raises), counting "
         "partial batches, accumulation and processes", past_total_steps),
    Rule("warmup-too-long", WARNING, "the warmup is as long as the run or longer: the lr still rises at the last "
         "step", warmup_too_long),
    Rule("warmup-rounds-to-zero", WARNING, "a warmup ratio that the trainer rounds to 0 steps (axolotl truncates, "
         "HF rounds up)", lambda s: [f for f in s.findings if f.rule == "warmup-rounds-to-zero"]),
    Rule("lr-zero-start", WARNING, "the lr is 0 for more than the first optimizer step (one step at 0, as HF, "
         "torchtune and DeepSpeed warmups do, is info)", lr_zero_start),
    Rule("lr-climbs-back", WARNING, "a cosine (or other decay) whose period ends before the run, so the lr climbs "
         "back up", climbs_back),
    Rule("ends-above-floor", WARNING, "a horizon longer than the run: a schedule with a floor ends far above it "
         "(schedules without a floor are exempt)", ends_above_floor),
    Rule("chained-not-chainable", WARNING, "a ChainedScheduler member that sets absolute values (LambdaLR, "
         "CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR)", not_chainable),
    Rule("sequential-milestones", WARNING, "a SequentialLR milestone 0, or one beyond the run", sequential_milestones),
    Rule("deepspeed-overrides", WARNING, "a DeepSpeed scheduler block that replaces the trainer's lr_scheduler_type "
         "with a different curve (the same curve but for the warmup is info)", deepspeed_overrides),
    Rule("ignored-scheduler-kwargs", WARNING, "lr_scheduler_kwargs that the named scheduler silently ignores",
         lambda s: [f for f in s.findings if f.rule == "ignored-scheduler-kwargs"]),
    Rule("floor-above-lr", WARNING, "min_lr/eta_min/lr_min above the base lr, or a floor ratio above 1 (equal is a "
         "deliberate constant)", floor_above_lr),
    Rule("plateau-mode", WARNING, "ReduceLROnPlateau/timm plateau in mode min on a metric named like a score (acc, "
         "f1, auc, map, bleu, ...), or max on a loss", plateau_mode),
    Rule("cycle-momentum", WARNING, "CyclicLR/OneCycleLR cycling momentum with an optimizer that has none",
         momentum_without_momentum),
    Rule("accelerate-per-process", WARNING, "accelerate steps the scheduler once per process: the horizon is used up "
         "devices times too fast", per_process),
    Rule("lr-invalid", ERROR, "a negative, zero-for-the-whole-run or non-finite lr", lr_invalid),
    Rule("resume-departs", WARNING, "with --resume-at: the resumed run departs from the uninterrupted one (where "
         "and by how much)", resume_departs),
    Rule("log-diverges", ERROR, "with --log: the logged lr departs from the prediction beyond --log-rtol",
         lambda s: []),
    Rule("reader-note", INFO, "what reading the file or the library itself warned about", reader_notes),
)
BY_ID = {rule.id: rule for rule in RULES}


def run_rules(subject: Subject) -> list:
    """Every rule's findings, in the rules' order."""
    return [finding for rule in RULES for finding in rule.find(subject)]
