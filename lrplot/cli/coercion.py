"""Plain flag conversion: typer's own builds a pydantic adapter per parameter (~50 ms a run)."""

from __future__ import annotations

import typer


class FastCoercion:
    """Plain int/float/str/bool conversion for flags.

    typer builds a pydantic TypeAdapter per parameter when it converts values,
    importing pydantic on every run (~50 ms); lrplot's flags are simple types,
    and the registry validates the values anyway.
    """

    def __init__(self, convert, name: str, many: bool) -> None:
        self.convert, self.name, self.many = convert, name, many

    def coerce(self, value, param, ctx):
        if value is None:
            return () if self.many else None
        try:
            if isinstance(value, (list, tuple)):
                return [self.convert(v) for v in value]
            return self.convert(value)
        except (TypeError, ValueError) as exc:
            if "float64" in str(exc):
                raise typer.BadParameter(str(exc), ctx=ctx, param=param) from None
            bad = value
            for item in value if isinstance(value, (list, tuple)) else ():
                try:
                    self.convert(item)
                except (TypeError, ValueError):
                    bad = item
                    break
            raise typer.BadParameter(f"{bad!r} is not a valid {self.name}.", ctx=ctx, param=param) from None


def to_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "y", "t"):
        return True
    if text in ("0", "false", "no", "off", "n", "f"):
        return False
    raise ValueError(value)


def _float(text):
    from ..engine.params import parse_float

    return parse_float(text) if isinstance(text, str) else float(text)


_CONVERTERS = {int: (int, "integer"), float: (_float, "number"), str: (str, "text"), bool: (to_bool, "boolean")}


def install_fast_coercion(group) -> None:
    import typing

    for cmd in [group, *getattr(group, "commands", {}).values()]:
        for param in cmd.params:
            desc = getattr(param, "type_descriptor", None)
            if desc is None or not hasattr(param, "_runtime_param"):
                continue  # another typer: keep its own conversion
            annotation = desc.annotation
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if typing.get_origin(annotation) is typing.Union and len(args) == 1:
                annotation = args[0]
            many = typing.get_origin(annotation) is list
            if many:
                annotation = typing.get_args(annotation)[0]
            if annotation in _CONVERTERS:
                convert, name = _CONVERTERS[annotation]
                param._runtime_param = FastCoercion(convert, name, many)
