"""The click group behind the app: command lookup by any scheduler name, listing without building, and the
one place where errors become messages and exit codes."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperCommand, TyperGroup

from ..engine.base import SchedulerSpec
from ..engine.registry import SCHEDULERS, lookup
from ..errors import LrplotError
from .coercion import FastCoercion, install_fast_coercion, to_bool
from .streams import OutputClosed, say, silence_stdout


def _click_class(name: str) -> type:
    """click's exception class as typer raises it (typer >= 0.26 vendors click; before, the click package):
    found through typer's public ``BadParameter`` so that no private module is imported."""
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == name)


_USAGE_ERROR = _click_class("UsageError")
_CLICK_EXCEPTION = _click_class("ClickException")

def _normalise_flag(token: str) -> str:
    """``--T_max=5`` and ``--T-max`` are ``--t-max``: every spelling of torch's names works."""
    if not token.startswith("--") or token == "--":
        return token
    name, sep, value = token.partition("=")
    return name.lower().replace("_", "-") + sep + value


def _fast_help(option):
    if option is not None and getattr(option, "_runtime_param", 1) is None:
        option._runtime_param = FastCoercion(to_bool, "boolean", False)
    return option


class LrplotCommand(TyperCommand):
    """A typer command whose --help flag skips typer's pydantic conversion."""

    def get_help_option(self, ctx):
        return _fast_help(super().get_help_option(ctx))


class LrplotGroup(TyperGroup):
    """Resolves torch class names and aliases to commands and owns the error boundary."""

    def get_help_option(self, ctx):
        return _fast_help(super().get_help_option(ctx))

    def list_commands(self, ctx):
        schedulers = [cls.spec.cli for cls in SCHEDULERS.values()]  # in the registry's order, built or listed
        return schedulers + [name for name in super().list_commands(ctx) if name not in schedulers]

    def get_command(self, ctx, cmd_name: str):
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        try:
            spec = lookup(cmd_name).spec
        except LrplotError:
            return None
        return self.commands.get(spec.cli) or _Listing(spec)  # not built: this app only lists it

    def resolve_command(self, ctx, args):
        """A command only listed (``lrplot --help``) is built in full before it runs."""
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, _Listing):
            command = _full_command(command.spec)
            self.commands[command.name] = command
        return name, command, rest

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None:
            args = sys.argv[1:]
        args = [_normalise_flag(a) for a in args]
        code = _run_guarded(super().main, args, prog_name, complete_var, extra)
        if standalone_mode:
            sys.exit(code)
        return code


def _run_guarded(call, args, prog_name, complete_var, extra) -> int:
    """The one place where errors become messages and exit codes."""
    try:
        result = call(args=args, prog_name=prog_name or "lrplot", complete_var=complete_var,
                      standalone_mode=False, **extra)
        sys.stdout.flush()
        return result if isinstance(result, int) else 0
    except LrplotError as err:
        say(f"lrplot: error: {err}")
        return err.exit_code
    except _USAGE_ERROR as err:
        hint = f" (try '{err.ctx.command_path} --help')" if err.ctx is not None else ""
        say(f"lrplot: error: {err.format_message()}{hint}")
        return 2
    except _CLICK_EXCEPTION as err:
        say(f"lrplot: error: {err.format_message()}")
        return err.exit_code
    except (typer.Abort, KeyboardInterrupt):
        say("lrplot: aborted")
        return 130
    except typer.Exit as err:
        return err.exit_code
    except OutputClosed:
        silence_stdout()  # the reader (e.g. `head`) has what it wanted
        return 0
    except OSError as err:
        say(f"lrplot: error: {err.strerror or err}")
        return 1


class _Listing(TyperCommand):
    """A scheduler command as a listing shows it: its name and summary, none of its flags (start-up time)."""

    def __init__(self, spec: SchedulerSpec):
        super().__init__(spec.cli, help=f"{spec.name}: {spec.summary}.", short_help=short_help(spec))
        self.spec = spec


def short_help(spec: SchedulerSpec) -> str:
    """A scheduler command's line in ``lrplot --help``, built or only listed."""
    return f"{spec.summary} ({spec.name})"


def _full_command(spec: SchedulerSpec):
    """The scheduler's command with every flag, built as the app builds it."""
    from .app import build_app

    group = typer.main.get_command(build_app({spec.name}))
    install_fast_coercion(group)
    return group.commands[spec.cli]
