"""Parameter declarations: type, default, constraint and one-line help.

One :class:`Param` per constructor argument, written once next to the
scheduler that owns it.  The CLI builds its flags from these, the YAML loader
validates with them and ``lrplot list`` prints them.  This module is pure
Python (no numpy) so that ``--help`` stays instant.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import MAX_SHOWN, ParamError, shown


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Check:
    """A constraint: ``test(value)`` is true when allowed; ``text`` says what is allowed."""

    test: Callable[[Any], bool]
    text: str


def at_least(lo: float) -> Check:
    return Check(lambda v: v >= lo, f">= {lo:g}")


def greater_than(lo: float) -> Check:
    return Check(lambda v: v > lo, f"> {lo:g}")


def between(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Check:
    def test(v: float) -> bool:
        return (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)

    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return Check(test, f"in {left}{lo:g}, {hi:g}{right}")


# Value kinds.  "groups" kinds take one value, or a list with one value per param group.
INT, FLOAT, BOOL, CHOICE, EXPR, INT_LIST, SCHEDULERS, RANGE, ANY = (
    "int", "float", "bool", "choice", "expr", "int list", "schedulers", "range", "any")
FLOAT_LIST = "float list"
SCALES = "scales"  # optax's boundaries_and_scales: {step: factor}, or "STEP:FACTOR,..." from a flag


@dataclass(frozen=True)
class Param:
    """One constructor argument, spelled as torch spells it."""

    name: str
    kind: str
    help: str
    default: Any = REQUIRED
    check: Check | None = None
    choices: tuple[str, ...] = ()
    per_group: bool = False  # a list with one value per param group is accepted
    nullable: bool = False  # None is a valid value (torch's Optional)
    expr_var: str = "epoch"  # the variable of an EXPR parameter
    cli: bool = True  # offered as a flag on the scheduler's command
    horizon: bool = False  # a length in steps that is often given in epochs by mistake
    run_flag: str | None = None  # filled from the run: the flag that sets it (OneCycleLR's epochs: --epochs)
    hidden: bool = False  # accepted in configs only: no flag, not listed, not in titles
    warmup: bool | str = False  # the length of a warmup, in the scheduler's unit (True) or "epochs"
    floor: str | None = None  # "lr": the lowest lr; "ratio": the lowest lr as a fraction of the peak
    whole: bool = False  # INT that the library refuses as a float (10.0), as DeepSpeed's isinstance(int) checks

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def flag(self) -> str:
        return self.run_flag or "--" + self.name.lower().replace("_", "-")

    @property
    def sweepable(self) -> bool:
        """Takes one scalar (an int, a float, a choice), so a comma-separated flag value is a sweep: one run per
        value, overlaid.  Lists, expressions and per-group values use commas themselves."""
        return self.kind in (INT, FLOAT, CHOICE) and not self.per_group

    def as_flag(self, value: Any) -> str:
        """``value`` written as this parameter's flag takes it (the inverse of the CLI's parsing)."""
        if self.kind == SCALES:
            return ",".join(f"{k}:{v}" for k, v in value.items())
        if self.kind == ANY and isinstance(value, (list, dict)):
            import json

            return json.dumps(value)
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return str(value)

    def default_text(self) -> str:
        """The default as ``lrplot list``, ``--help`` and the README show it."""
        if self.required:
            return "required"
        return "None" if self.default is None else format_value(self.default)

    def describe_type(self) -> str:
        base = {
            INT: "integer",
            FLOAT: "number",
            BOOL: "true/false",
            CHOICE: "one of " + "|".join(self.choices),
            EXPR: f"expression in {self.expr_var}",
            INT_LIST: "list of integers",
            FLOAT_LIST: "list of numbers",
            SCALES: "STEP:FACTOR pairs",
            SCHEDULERS: "list of schedulers",
            RANGE: "a start, or [start, end)",
            ANY: "any value (ignored)",
        }[self.kind]
        if self.check is not None:
            base += f" {self.check.text}"
        if self.per_group:
            base += " (or one per param group)"
        return base

    def coerce(self, value: Any, path: tuple = ()) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParamError."""
        path = path or (self.name,)
        if value is None:
            if self.nullable:
                return None
            raise ParamError(path, f"a value is required ({self.describe_type()})")
        if self.per_group and isinstance(value, (list, tuple)):
            if not value:
                raise ParamError(path, "the list is empty: give one value per param group")
            return [self._coerce_one(v, path + (i,)) for i, v in enumerate(value)]
        return self._coerce_one(value, path)

    def _coerce_one(self, value: Any, path: tuple) -> Any:
        kind = self.kind
        if kind == INT:
            if self.whole and isinstance(value, float):
                raise ParamError(path, f"{value!r} is invalid: must be an integer, not a float (the library "
                                 "checks isinstance(value, int))")
            out = to_int(value, path)
        elif kind == FLOAT:
            out = to_float(value, path)
        elif kind == BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ParamError(path, f"{value!r} is not true or false")
        elif kind == CHOICE:
            if not isinstance(value, str) or value not in self.choices:
                raise ParamError(path, f"{value!r} is not allowed: use one of {', '.join(self.choices)}")
            return value
        elif kind == EXPR:
            from .expr import compile_expression, lambda_body

            if isinstance(value, dict) and len(value) == 1 and str(next(iter(value))).startswith("lambda"):
                import json

                pasted = "{}: {}".format(*next(iter(value.items())))  # YAML read `- lambda x: ...` as a mapping
                raise ParamError(path, "a Python lambda must be quoted (unquoted, it reads as a mapping): "
                                 + json.dumps(pasted[:MAX_SHOWN], ensure_ascii=False))
            if not isinstance(value, str):
                raise ParamError(path, f"expected an expression in {self.expr_var} as a string, got {value!r}")
            body = lambda_body(value, self.expr_var, path)  # a pasted Python lambda: its body
            try:
                compile_expression(body or value, self.expr_var, path)
            except ParamError as err:
                if self.per_group and _is_tuple(body or value):  # several expressions, comma-separated
                    raise ParamError(path, f"{shown(body or value)}: a comma makes a tuple; give one expression per "
                                     f"param group ({self.flag} repeated, or a YAML list)") from None
                if body is None:
                    raise
                raise ParamError(err.path, f"{err.detail} (the body of {shown(value)})") from None
            return body or value
        elif kind == INT_LIST:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = [value]
            if not isinstance(value, (list, tuple)):
                raise ParamError(path, f"expected a list of integers, got {value!r}")
            out = [to_int(v, path + (i,)) for i, v in enumerate(value)]
            if self.check is not None:
                for i, v in enumerate(out):
                    if not self.check.test(v):
                        raise ParamError(path + (i,), f"{v!r} is invalid: must be {self.check.text}")
            return out
        elif kind == FLOAT_LIST:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = [value]
            if not isinstance(value, (list, tuple)):
                raise ParamError(path, f"expected a list of numbers, got {shown(value)}")
            return [to_float(v, path + (i,)) for i, v in enumerate(value)]
        elif kind == SCALES:
            return _scales(value, path)
        elif kind == RANGE:
            if isinstance(value, (list, tuple)):
                if not 1 <= len(value) <= 2:
                    raise ParamError(path, f"expected a start or [start, end], got {value!r}")
                return [to_float(v, path + (i,)) for i, v in enumerate(value)]
            return to_float(value, path)
        elif kind == ANY:
            return value
        elif kind == SCHEDULERS:
            if not isinstance(value, (list, tuple)) or not value:
                raise ParamError(path, "expected a non-empty list of schedulers")
            return list(value)
        else:  # pragma: no cover - declarations are checked by tests
            raise AssertionError(kind)
        if self.check is not None and not self.check.test(out):
            raise ParamError(path, f"{shown(out)} is invalid: must be {self.check.text}")
        return out


def _scales(value: Any, path: tuple) -> dict:
    """``{100: 0.1, 200: 0.1}`` from a mapping (YAML, or JSON's string keys) or ``"100:0.1,200:0.1"``."""
    if isinstance(value, str):
        pairs = []
        for i, part in enumerate(p for p in value.split(",") if p.strip()):
            if part.count(":") != 1:
                raise ParamError(path + (i,), f"{shown(part)} is not STEP:FACTOR (e.g. 100:0.1)")
            pairs.append(tuple(part.split(":")))
        value = dict(pairs) if len(set(k.strip() for k, _ in pairs)) == len(pairs) else None
        if value is None:
            raise ParamError(path, "a step is given twice")
    if not isinstance(value, dict):
        raise ParamError(path, f"expected STEP: FACTOR pairs, got {shown(value)}")
    out: dict = {}
    for key, factor in value.items():
        step = to_int(key.strip() if isinstance(key, str) else key, path + (key,))
        if step in out:
            raise ParamError(path + (key,), f"step {step} is given twice")
        out[step] = to_float(factor, path + (key,))
    return out


def format_value(value: Any) -> str:
    """A parameter value, short and exact: ``0.1``, ``25``, ``1e-05``, ``[30,80]``, ``true``, ``cos``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{format_value(k)}:{format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def to_int(value: Any, path: tuple) -> int:
    out = None
    if isinstance(value, bool):
        out = None
    elif isinstance(value, int):
        out = value
    elif isinstance(value, float) and math.isfinite(value) and value == int(value):
        out = int(value)
    elif isinstance(value, str) and len(value) < 100:
        try:
            out = int(value)
        except ValueError:
            pass
    if out is None:
        raise ParamError(path, f"expected an integer, got {shown(value)}")
    if abs(out) > MAX_INT:
        raise ParamError(path, f"{shown(out)} is too large: lrplot takes integers up to 2**53")
    return out


_NONZERO_MANTISSA = re.compile(r"^[-+]?0*\.?0*[1-9]")


def parse_float(text: str) -> float:
    """``float(text)``, but a number that under- or overflows float64 is an error, not 0 or inf."""
    value = float(text)
    stripped = text.strip().replace("_", "")
    if value == 0.0 and _NONZERO_MANTISSA.match(stripped.split("e")[0].split("E")[0]):
        raise ValueError(f"{stripped} is too small for a float64: it would become 0")
    if math.isinf(value) and "inf" not in stripped.lower():
        raise ValueError(f"{stripped} is too large for a float64")
    return value


#: Integers beyond this are refused: they cannot be steps, and float64 arithmetic would lose them.
MAX_INT = 2 ** 53


def to_float(value: Any, path: tuple) -> float:
    if isinstance(value, bool):
        raise ParamError(path, f"expected a number, got {shown(value)}")
    if isinstance(value, str):
        try:
            value = parse_float(value)
        except ValueError as exc:
            detail = str(exc) if "float64" in str(exc) else f"expected a number, got {shown(value)}"
            raise ParamError(path, detail) from None
    if isinstance(value, (int, float)):
        try:
            out = float(value)
        except OverflowError:
            raise ParamError(path, f"{value!r} is too large") from None
        if not math.isfinite(out):
            raise ParamError(path, f"{value!r} is not a finite number")
        return out
    raise ParamError(path, f"expected a number, got {value!r}")


def _is_tuple(source: str) -> bool:
    """Whether ``source`` reads as values separated by commas (a tuple), not as one expression."""
    import ast

    try:
        return isinstance(ast.parse(source.strip(), mode="eval").body, ast.Tuple)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
