"""The flags every scheduler command shares: the run (epochs, the training run's counting), the optimizer,
the output.  Declared here once; app.py adds each scheduler's own flags."""

from __future__ import annotations

import inspect
from typing import Annotated, Optional

import typer

from ..engine.schema import DEFAULT_STEPS, RESUME_MODES
from ..engine.trainers import TRAINERS
from ..render import formats

# --- options shared by every scheduler command ---------------------------------------------

def rows_default(spec=None) -> str:
    """What -n defaults to, from the scheduler's declaration (``SchedulerSpec.default_steps``); without a
    scheduler (a config file, compare), for every scheduler."""
    if spec is None:
        return ("default: the scheduler's own length where its parameters give one (OneCycleLR's total_steps, HF's "
                "num_training_steps, an optax or Keras schedule's steps + 1, ...), else 100")
    if spec.has_own_length:
        return f"default: the length {spec.name}'s parameters give (the summary names the last step), else 100"
    return f"default {DEFAULT_STEPS}"


def common(include_epochs: bool = True, from_file: bool = False, spec=None) -> list[inspect.Parameter]:
    """``from_file``: a config's values come first, so the defaults shown are the file's; ``spec``: the command's
    scheduler (the default rows are its own)."""
    opt = inspect.Parameter.KEYWORD_ONLY
    out = []
    if include_epochs:
        out.append(inspect.Parameter("epochs", opt, default=None, annotation=Annotated[Optional[float], typer.Option(
            "--epochs", "-n", metavar="N", help=f"number of rows (scheduler steps) to simulate; {rows_default(spec)}; "
            "at most 10,000,000. With --steps-per-epoch or --dataset-size: training epochs", show_default=False)]))
    out += [
        inspect.Parameter("lr", opt, default=None, annotation=Annotated[Optional[list[str]], typer.Option(
            "--lr", metavar="LR[,LR...]", help="the optimizer's learning rate; one param group per value (repeat or "
            "comma-separate)", show_default="the file's, else 0.1" if from_file else "0.1")]),
        inspect.Parameter("momentum", opt, default=None, annotation=Annotated[Optional[float], typer.Option(
            "--momentum", metavar="M", help="SGD momentum of the dummy optimizer (cycled by CyclicLR/OneCycleLR)",
            show_default="0")]),
        inspect.Parameter("betas", opt, default=None, annotation=Annotated[Optional[list[str]], typer.Option(
            "--betas", metavar="B1,B2", help="use an Adam-style optimizer with these betas, e.g. 0.9,0.999 (beta1 is cycled)")]),
        inspect.Parameter("fmt", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--format", "-f", metavar="|".join(formats.NAMES), help=formats.help_text(), show_default=False)]),
        inspect.Parameter("output", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--output", "-o", metavar="PATH", help="where to write; '-' is stdout; default <command>.png, or stdout for csv/json/term")]),
        inspect.Parameter("title", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--title", metavar="TEXT", help="plot title (default: the scheduler and its parameters)")]),
        inspect.Parameter("log_y", opt, default=None, annotation=Annotated[Optional[bool], typer.Option(
            "--log-y/--linear-y", help="y axis scale (default: log when the lr spans more than ~2.5 decades)",
            show_default=False)]),
        inspect.Parameter("dpi", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--dpi", metavar="DPI", help="resolution of PNG output", show_default="150")]),
        inspect.Parameter("size", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--size", metavar="WxH", help="figure size in inches, WIDTHxHEIGHT", show_default="8x4.5")]),
        inspect.Parameter("marks", opt, default=True, annotation=Annotated[bool, typer.Option(
            "--marks/--no-marks", help="mark where the schedule changes regime (decays, milestones, restarts)")]),
        inspect.Parameter("start_step", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--start-step", metavar="S", help="the same as --resume-at S --resume-mode last-epoch")]),
        inspect.Parameter("resume_at", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--resume-at", metavar="S", help="show a run resumed from a checkpoint at step S over the uninterrupted "
            "one (the optimizer restored; the scheduler as --resume-mode says)")]),
        inspect.Parameter("resume_mode", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--resume-mode", metavar="|".join(RESUME_MODES), help="how the scheduler comes back: state (its "
            "state_dict restored, as the HF Trainer and Lightning do: seamless); last-epoch (rebuilt with "
            "last_epoch=S); last-epoch-minus-1 (last_epoch=S-1, torch's tests' idiom); fresh (rebuilt without its "
            "state: warmup restarts)", show_default="state")]),
        inspect.Parameter("steps_per_epoch", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--steps-per-epoch", metavar="K", help="step the scheduler every iteration, K per epoch: --epochs counts "
            "epochs, the x axis and an 'epoch' CSV column show epochs (OneCycleLR: torch's steps_per_epoch)")]),
    ] + run_options(from_file) + answer_options()
    return out


def answer_options() -> list[inspect.Parameter]:
    """One-line answers and the checks every plotting command offers."""
    opt = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("at", opt, default=None, annotation=Annotated[Optional[list[str]], typer.Option(
            "--at", metavar="STEP[,STEP...]", help="print the lr of every param group at these optimizer steps (CSV "
            "on stdout) instead of the whole curve; a sweep gives one column per run")]),
        inspect.Parameter("quiet", opt, default=False, annotation=Annotated[bool, typer.Option(
            "--quiet", "-q", help="no summary and no notes on stderr (warnings and errors stay)")]),
        inspect.Parameter("check", opt, default=False, annotation=Annotated[bool, typer.Option(
            "--check", help="run lrplot check's rules on this schedule instead of drawing it: findings on stdout, "
            "exit 1 when there is a warning or an error")]),
    ] + log_options()


def log_options() -> list[inspect.Parameter]:
    opt = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("log", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--log", metavar="FILE", help="a finished run's logged lr to compare with the prediction: HF "
            "trainer_state.json, Lightning metrics.csv, a TensorBoard event file, an MLflow mlflow.db or "
            "mlruns metric file, a W&B CSV export, ultralytics results.csv")]),
        inspect.Parameter("log_rtol", opt, default=None, annotation=Annotated[Optional[float], typer.Option(
            "--log-rtol", metavar="RTOL", help="relative difference above which a logged lr diverges (loggers "
            "round; TensorBoard stores float32)", show_default="1e-6")]),
    ]

def run_options(from_file: bool = False) -> list[inspect.Parameter]:
    """The training run: lrplot counts optimizer steps from these as the --trainer does (README: run model)."""
    opt = inspect.Parameter.KEYWORD_ONLY

    def option(name, annotation, flag, help_text, metavar="N", **extra):
        return inspect.Parameter(name, opt, default=None, annotation=Annotated[Optional[annotation], typer.Option(
            flag, metavar=metavar, help=help_text, **extra)])

    return [
        option("dataset_size", int, "--dataset-size", "training examples (before the config's own validation "
               "split or cap); rows become the optimizer steps the --trainer takes over --epochs"),
        option("batch_size", int, "--batch-size", "per-device batch size (a config's own value otherwise)"),
        option("devices", int, "--devices", "data-parallel processes", show_default="the file's, else 1"
               if from_file else "1"),
        option("grad_accum", int, "--grad-accum", "gradient accumulation steps", show_default="the file's, else 1"
               if from_file else "1"),
        inspect.Parameter("drop_last", opt, default=None, annotation=Annotated[Optional[bool], typer.Option(
            "--drop-last/--no-drop-last", help="whether the loader drops the short last batch (default: the "
            "trainer's)", show_default=False)]),
        option("max_steps", int, "--max-steps", "optimizer steps of the run (replaces the count from epochs, as "
               "the HF Trainer and axolotl do; Lightning stops at the smaller)"),
        option("trainer", str, "--trainer", "who steps the scheduler, and so how steps are counted: " + "; ".join(
            f"{t.name}: {t.help}" for t in TRAINERS.values()), metavar="|".join(TRAINERS),
               show_default="torch, or the config's"),
        inspect.Parameter("split_batches", opt, default=None, annotation=Annotated[Optional[bool], typer.Option(
            "--split-batches", help="accelerate's split_batches: the scheduler steps once per optimizer step",
            show_default=False)]),
    ]


def config_options() -> list[inspect.Parameter]:
    """Flags that only mean something for a training config file."""
    opt = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("transformers", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--transformers", metavar="4|5.0-5.14|5.15+", help="the transformers version whose warmup rules apply "
            "where they differ (warmup_ratio with warmup_steps, a float warmup_steps); default: what the file's keys "
            "imply, said on stderr", show_default=False)]),
        inspect.Parameter("deepspeed", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--deepspeed", metavar="FILE", help="the DeepSpeed JSON a TrainingArguments' deepspeed: key names, when "
            "it is not where the key says", show_default=False)]),
        inspect.Parameter("num_classes", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--num-classes", metavar="NC", help="YOLO: the dataset's number of classes, which ultralytics' "
            "optimizer auto needs (AdamW's lr0 = round(0.002 x 5 / (4 + nc), 6))", show_default=False)]),
        inspect.Parameter("optimizer", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--optimizer", metavar="NAME", help="YOLO: the trainer's optimizer argument (SGD, AdamW, auto, ...), "
            "over the file's; YOLOv5 hyp files have none (train.py's default: SGD)", show_default=False)]),
        inspect.Parameter("cos_lr", opt, default=None, annotation=Annotated[Optional[bool], typer.Option(
            "--cos-lr/--linear-lr", help="YOLO: cosine (one_cycle) or linear lf, over the file's; YOLOv5 hyp files "
            "have none (train.py's default: linear)", show_default=False)]),
    ]

#: Config options only some shapes read: given for another shape, they are refused, never ignored.


def warmup_options() -> list[inspect.Parameter]:
    opt = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("warmup", opt, default=None, annotation=Annotated[Optional[int], typer.Option(
            "--warmup", metavar="N", help="N steps of linear warmup first: SequentialLR([LinearLR(start_factor, "
            "total_iters=N), <scheduler>], milestones=[N])")]),
        inspect.Parameter("warmup_start_factor", opt, default=None, annotation=Annotated[Optional[float], typer.Option(
            "--warmup-start-factor", metavar="F", help="the warmup's first factor, in (0, 1]", show_default="0.001")]),
    ]


