"""The typer application: one command per registered scheduler, plus from-config, compare and list.

Commands are generated from the registry: each parameter's flag, type, default
and help come from its :class:`~lrplot.engine.params.Param`.  Nothing here
imports numpy or matplotlib, so ``--help`` and shell completion stay fast.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Annotated, Any, Optional

import typer

from ..engine import params as P
from ..engine.base import SchedulerSpec
from ..engine.registry import SCHEDULERS, lookup
from ..errors import LrplotError
from . import options as O
from ..config import flags as F
from . import run as R
from . import runs, runspec
from .coercion import install_fast_coercion
from .group import LrplotCommand, LrplotGroup, short_help


HELP = """Preview PyTorch learning-rate schedules, exactly as torch computes them, without torch.

Each scheduler is a command named after it (torch class names work too):
`lrplot step --step-size 30 --gamma 0.1` writes step.png; add `--format csv`
to print the table on stdout.  `lrplot <command> --help` explains each parameter."""


_COMMANDS: dict[frozenset, Any] = {}  # built click commands, by the schedulers whose flags they have


def _flag_help(param: P.Param) -> str:
    text = param.help
    if param.check is not None:
        text += f"; {param.check.text}"
    if param.per_group:  # an expression may hold commas: several are given by repeating the flag
        text += ("; repeat the flag, one per param group" if param.kind == P.EXPR
                 else "; or comma-separated, one per param group")
    return text + " [required]" if param.required else text


def _param_option(param: P.Param) -> inspect.Parameter:
    """A flag for one registry parameter; its default is the registry's, shown in --help."""
    flag = param.flag
    default = None if param.required or param.default is None else param.default
    common = {"help": _flag_help(param), "show_default": default is not None}
    if param.kind == P.BOOL:
        annotation = Annotated[Optional[bool], typer.Option(f"{flag}/--no-{flag[2:]}", **common)]
    elif param.sweepable:
        # text, repeatable: a comma-separated or repeated value is a sweep (runs.py); the registry's Param converts it
        if default is not None:
            common["show_default"] = param.default_text()
        metavar = "|".join(param.choices) if param.kind == P.CHOICE else param.kind.upper()
        annotation = Annotated[Optional[list[str]], typer.Option(flag, metavar=metavar, **common)]
        default = None
    elif F.is_list_flag(param):
        # repeatable and comma-separated alike: --milestones 30 --milestones 80 == --milestones 30,80
        metavar = {P.INT_LIST: "N[,N...]", P.FLOAT_LIST: "X[,X...]", P.RANGE: "START[,END]", P.EXPR: "EXPR"}.get(param.kind, "X[,X...]")
        extra = "" if param.kind == P.EXPR else "; repeat or comma-separate"  # EXPR: _flag_help says it
        if default is not None:
            common["show_default"] = param.default_text()
        annotation = Annotated[Optional[list[str]], typer.Option(flag, metavar=metavar, **{
            **common, "help": common["help"] + extra})]
        default = None
    else:  # one value: a list only so that giving it twice is refused, not silently the last (command())
        metavar = {P.EXPR: "EXPR", P.SCALES: "STEP:FACTOR[,...]"}.get(param.kind, "TEXT")
        if default is not None:
            common["show_default"] = param.default_text()
        annotation = Annotated[Optional[list[str]], typer.Option(flag, metavar=metavar, **common)]
        default = None
    return inspect.Parameter("sp_" + param.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)


def _scheduler_command(spec: SchedulerSpec):
    cli_params = [p for p in spec.params if p.cli and not p.hidden and p.kind != P.SCHEDULERS]
    nested = runspec.children_param(spec)
    extra: list[inspect.Parameter] = []
    if spec.metric_driven:
        extra.append(inspect.Parameter("metrics", inspect.Parameter.KEYWORD_ONLY, default=None,
                                       annotation=Annotated[Optional[str], typer.Option(
                                           "--metrics", metavar="FILE|-", help="metric values, one per line or a CSV with a header "
                                           "(column 'metric', 'val_loss', 'loss' or the last), from a file or '-' "
                                           "for stdin. Without it: a synthetic validation loss that falls from 1.0 "
                                           "to 0.25 over the first third of the run, then stays flat")]))

    def command(**kwargs: Any) -> None:
        values = {}
        children = kwargs.pop("children", None)
        for param in cli_params:
            value = F.given_value(param, kwargs.pop("sp_" + param.name))
            if value is not None:
                values[param.name] = value
        R.run_scheduler(spec, values, kwargs, children)

    warmup = O.warmup_options() if spec.takes_warmup else []
    parameters = [_param_option(p) for p in cli_params] + extra + O.common(spec=spec) + warmup
    if nested is not None:  # SequentialLR's schedulers, optax's schedules: one quoted argument each
        parameters.insert(0, inspect.Parameter("children", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                               annotation=Annotated[Optional[list[str]], typer.Argument(
                                                   metavar="CHILD", show_default=False, help=nested.help)]))
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__name__ = spec.cli.replace("-", "_")
    command.__doc__ = f"{spec.name}: {spec.summary}."
    return command


def build_app(only: set[str] | None = None) -> typer.Typer:
    """The application; with ``only``, just those scheduler commands get their flags (start-up time)."""
    app = typer.Typer(cls=LrplotGroup, help=HELP, no_args_is_help=True, add_completion=True,
                      context_settings={"help_option_names": ["-h", "--help"]}, rich_markup_mode=None)
    for cls in SCHEDULERS.values():
        spec = cls.spec
        if only is not None and spec.name not in only:
            continue  # listed by LrplotGroup, built only if it runs
        app.command(spec.cli, cls=LrplotCommand, help=runspec.command_help(spec),
                    short_help=short_help(spec))(_scheduler_command(spec))

    def from_config(config: str, **kwargs: Any) -> None:
        R.run_from_config(config, kwargs)

    params = [inspect.Parameter("config", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
        str, typer.Argument(metavar="FILE", show_default=False, help="a YAML (or JSON) config file, or '-' for "
                            "stdin")])]
    params += O.common(from_file=True) + O.warmup_options() + [
        inspect.Parameter("metrics", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--metrics", metavar="FILE|-", help="ReduceLROnPlateau metrics file "
                                        "(overrides the config's metrics)")]),
        inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
            bool, typer.Option("--verbose", "-v", help="say which shape the file was read as, every value taken "
                               "from the trainer's defaults, and the keys lrplot does not use")]),
    ] + O.config_options()
    from_config.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    from_config.__annotations__ = {p.name: p.annotation for p in params}
    app.command("from-config", cls=LrplotCommand,
                help="Simulate the scheduler in a config file: lrplot's YAML (schema: README), or a training config "
                "(HF TrainingArguments, axolotl, LLaMA-Factory, torchtune, DeepSpeed, LightningCLI, Hydra, timm); "
                "--dataset-size counts the trainer's steps.")(from_config)

    def list_schedulers(
        markdown: Annotated[bool, typer.Option("--markdown", help="a Markdown table (the README's)")] = False,
    ) -> None:
        """List every scheduler: command, torch name and parameters."""
        sys.stdout.write(R.scheduler_table(markdown))

    app.command("list", cls=LrplotCommand)(list_schedulers)

    def compare(configs: list[str], **kwargs: Any) -> None:
        runs.run_compare(configs, kwargs)

    params = [inspect.Parameter("configs", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
        list[str], typer.Argument(metavar="FILE|RUN", show_default=False, help="config files (a file may hold a "
                                  "'runs:' list of configs, each with an optional 'label'), or runs typed as one "
                                  "quoted argument each: 'step step_size=30'")])]
    params += [p for p in O.common(from_file=True) if p.name not in ("lr", "momentum", "betas", "at", "check", "log",
                                                                     "log_rtol")]
    compare.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    compare.__annotations__ = {p.name: p.annotation for p in params}
    app.command("compare", cls=LrplotCommand,
                help="Overlay several schedules on one figure (CSV: one column per run, aligned by step).\n\n"
                "Each argument is a config file, or a run typed as one quoted argument: a scheduler and NAME=VALUE "
                "parameters with the library's names (an existing file is read as a file), e.g.\n\n\b\n"
                "  lrplot compare configs/cosine.yaml \"step step_size=30 gamma=0.1\" \"cosine T_max=100\"")(compare)
    _add_check(app)
    return app


def _add_check(app) -> None:
    from . import check as C

    def check(config: Optional[str] = None, **kwargs: Any) -> None:
        if kwargs.pop("list_rules"):
            sys.stdout.write(C.list_rules())
            return
        if config is None:
            raise LrplotError("check: give a config file (or --list-rules)")
        raise typer.Exit(C.check_file(config, kwargs))

    opt = inspect.Parameter.KEYWORD_ONLY
    drop = {"fmt", "output", "title", "log_y", "dpi", "size", "marks", "at", "quiet", "check"}
    params = [inspect.Parameter("config", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=Annotated[
        Optional[str], typer.Argument(help="a config file lrplot reads (its own YAML or a trainer's config), or '-' "
                                      "for stdin", show_default=False)])]
    params += [p for p in O.common(from_file=True) if p.name not in drop] + O.warmup_options() + [
        inspect.Parameter("metrics", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--metrics", metavar="FILE|-", help="ReduceLROnPlateau metrics file")]),
        inspect.Parameter("fmt", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--format", "-f", metavar="text|json", help="findings as lines (FILE:LINE: RULE severity: message) or "
            "JSON for CI bots", show_default="text")]),
        inspect.Parameter("fail_on", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--fail-on", metavar="info|warning|error", help="exit 1 when a finding is at least this severe",
            show_default="warning")]),
        inspect.Parameter("monitor", opt, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--monitor", metavar="NAME", help="the metric a plateau scheduler watches, when the file does not say "
            "(e.g. val_acc)")]),
        inspect.Parameter("list_rules", opt, default=False, annotation=Annotated[bool, typer.Option(
            "--list-rules", help="list every rule, one line each, and exit")]),
        inspect.Parameter("verbose", opt, default=False, annotation=Annotated[bool, typer.Option(
            "--verbose", "-v", help="say which shape the file was read as")]),
    ] + O.config_options()
    check.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    check.__annotations__ = {p.name: p.annotation for p in params}
    app.command("check", cls=LrplotCommand,
                help="Find the schedule bugs users report, before the run: one finding per line "
                "(FILE:LINE: RULE severity: message (fix: ...)), then a verdict. Exit 0: nothing at or above "
                "--fail-on; 1: findings; 2: a usage or config error. --log compares a finished run's logged "
                "lr.")(check)


def _invoked_scheduler(args: list[str]) -> set[str]:
    """The scheduler a command line (or a shell-completion request) is about, if any."""
    words = list(args)
    if os.environ.get("_LRPLOT_COMPLETE"):
        import shlex

        raw = os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS") or ""
        try:
            words = shlex.split(raw)[1:]
        except ValueError:
            words = raw.split()[1:]
    for word in words:
        if not word.startswith("-"):
            try:
                return {lookup(word).spec.name}
            except LrplotError:
                return set()
    return set()


def command(args: list[str] | None = None):
    """The click command behind the app, with only the flags these arguments need (start-up time).

    Cached per invoked scheduler, so a second in-process ``main()`` about another scheduler works.
    """
    only = frozenset(_invoked_scheduler(sys.argv[1:] if args is None else args))
    if only not in _COMMANDS:
        built = typer.main.get_command(build_app(set(only)))
        install_fast_coercion(built)
        _COMMANDS[only] = built
    return _COMMANDS[only]
