"""YAML configs: a safe loader with the YAML 1.2 core schema, and errors that name file, line and key.

PyYAML follows YAML 1.1, which reads ``1e-6`` as a string, ``017`` as 15, ``1:30`` as 90 and ``off`` as
False.  lrplot resolves plain scalars by the YAML 1.2 core schema instead: ``1e-6`` is a float, ``017`` is
17, ``1:30`` and ``off`` are strings.  Only plain mappings, lists and scalars are accepted: no tags
(``!!python/...``), no anchors or aliases (so no alias bombs), no duplicate keys, nesting at most
:data:`MAX_DEPTH` deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..engine.params import parse_float
from ..errors import LrplotError, ParamError, format_path, shown
from .read import read_text as _read

MAX_BYTES = 4 << 20  # a config is a few hundred bytes; refuse to parse anything absurd
MAX_DEPTH = 64  # mappings and lists inside each other

_CORE = {  # YAML 1.2 core schema: tag -> pattern of a plain scalar
    "tag:yaml.org,2002:null": re.compile(r"^(?:~|null|Null|NULL|)$"),
    "tag:yaml.org,2002:bool": re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    "tag:yaml.org,2002:int": re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    "tag:yaml.org,2002:float": re.compile(r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
                                          |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X),
}


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's resolvers and constructors, on private tables."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern in _CORE.items():
    _Loader.add_implicit_resolver(_tag, _pattern, list("-+0123456789.~nNtTfF") + [""])
_Loader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)


def _int(loader, node) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 16) if text.startswith("0x") else int(text, 10)


def _float(loader, node) -> float:
    text = loader.construct_scalar(node)
    special = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
    if text.lower() in special:
        return special[text.lower()]
    return parse_float(text)


def _bool(loader, node) -> bool:
    return loader.construct_scalar(node).lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:bool", _bool)

_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}


@dataclass
class LoadedConfig:
    data: Any
    lines: dict[tuple, int]  # key path -> 1-based line
    name: str
    duplicates: list = field(default_factory=list)  # "name:line: key" of keys given twice (the last one kept)

    def refuse_duplicates(self) -> None:
        """lrplot's own format takes every key once and no aliases; trainers' loaders (PyYAML, json) keep the
        last and expand aliases."""
        for entry in self.duplicates:
            if entry.startswith("alias:"):
                raise LrplotError(f"{entry[6:]}: anchors and aliases (& and *) are not supported; write the values "
                                  "out")
            raise LrplotError(f"{entry}: duplicate key")

    @property
    def repeated_keys(self) -> list[str]:
        return [entry for entry in self.duplicates if not entry.startswith("alias:")]

    def line_of(self, path: tuple) -> int | None:
        """The line of ``path``, or of its nearest enclosing key (about the whole file, path (): none)."""
        for cut in range(len(path), -1 if path else 0, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None

    def error(self, err: ParamError) -> LrplotError:
        """Re-word an engine error with this file's name, the line and the key path."""
        path = err.path
        line = self.line_of(path)
        where = f"{self.name}:{line}" if line else self.name
        key = format_path(path)
        return LrplotError(f"{where}: {key}: {err.detail}" if key else f"{where}: {err.detail}")


def read_text(source: str) -> tuple[str, str]:
    """The text of ``source`` (a path or ``-`` for stdin) and the name to use in messages."""
    return _read(source, "a scheduler config (YAML or JSON)", MAX_BYTES)


def parse(text: str, name: str) -> LoadedConfig:
    """Parse YAML text into plain Python data and a map of key paths to lines.

    A file the safe loader refuses is named when it looks like another tool's (detectron2's Python tags,
    NeMo's anchors, an OpenMMLab Python file): that is more use than the YAML error.
    """
    from .shapes.named import refusal
    from .sniff import named_tool

    try:
        loaded = _parse(text, name)
    except LrplotError:
        tool = named_tool(text)
        if tool is None:
            raise
        raise LrplotError(f"{name}: {refusal(tool)}") from None
    if not isinstance(loaded.data, (dict, list)) and named_tool(text):  # Python code reads as one YAML string
        raise LrplotError(f"{name}: {refusal(named_tool(text))}")
    return loaded


def _parse(text: str, name: str) -> LoadedConfig:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise LrplotError(f"{name}:{line}: control characters are not allowed (found 0x{exc.character:02x}); "
                          "a config is plain UTF-8 text") from None
    except RecursionError:
        raise LrplotError(f"{name}: nested deeper than lrplot reads (at most {MAX_DEPTH} levels)") from None
    except yaml.MarkedYAMLError as exc:
        if text.lstrip().startswith("{"):  # JSON that is not YAML (a tab indenting a line): read it as JSON
            return _parse_json(text, name, exc)
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        hint = _quote_lambda_hint(text, mark.line) if mark else ""
        raise LrplotError(f"{name}{line}: invalid YAML: {problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise LrplotError(f"{name}: invalid YAML: {exc}") from None
    if node is None:
        raise LrplotError(f"{name}: the file is empty; expected a mapping with a 'scheduler' key")
    lines: dict[tuple, int] = {}
    duplicates: list = []
    data = _convert(loader, node, (), lines, name, set(), duplicates)  # depth checked as it goes
    return LoadedConfig(data, lines, name, duplicates)


_UNQUOTED_LAMBDA = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?:(?P<key>[\w.-]+)\s*:\s+)?)(?P<flow>\{\s*[\w.-]+\s*:\s*)?"
                              r"(?P<code>lambda\b[^:#]*:[^#]*?)\s*(?:#.*)?$")


def _quote_lambda_hint(text: str, line: int) -> str:
    """A pasted Python lambda (``lr_lambda: lambda epoch: 0.95 ** epoch``) is a YAML error: its second colon
    starts a mapping.  Say how to quote it, with the line's own text."""
    lines = text.splitlines()
    match = _UNQUOTED_LAMBDA.match(lines[line]) if 0 <= line < len(lines) else None
    if match is None:
        return ""
    import json

    code, start, end = match["code"], match.start("code"), match.end("code")
    if match["flow"]:
        code = code.rstrip().removesuffix("}").rstrip()
        end = start + len(code)
    quoted = json.dumps(code, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    example = (lines[line][:start] + quoted + lines[line][end:match.end("code")]).strip()
    return f"; a Python lambda must be quoted in YAML: {example}"


def _parse_json(text: str, name: str, yaml_error) -> LoadedConfig:
    """A JSON document YAML could not read; without line numbers (json does not keep them)."""
    import json

    duplicates: list = []

    def pairs(items):
        out = {}
        for key, value in items:
            if key in out:
                duplicates.append(f"{name}: {key}")
            out[key] = value
        return out

    def refuse_constant(token):
        raise ValueError(f"{token} is not a number lrplot reads")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=refuse_constant)
    except RecursionError:
        raise LrplotError(f"{name}: nested deeper than lrplot reads (at most {MAX_DEPTH} levels)") from None
    except ValueError as exc:
        mark = yaml_error.problem_mark
        raise LrplotError(f"{name}{f':{mark.line + 1}' if mark else ''}: neither valid YAML "
                          f"({yaml_error.problem}) nor valid JSON ({shown(str(exc), 80)})") from None
    _check_depth(data, name, 0)
    return LoadedConfig(data, {}, name, duplicates)


def _check_depth(value: Any, name: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise LrplotError(f"{name}: nested deeper than lrplot reads (at most {MAX_DEPTH} levels)")
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        _check_depth(child, name, depth + 1)


MAX_ALIASED = 100_000  # values aliases may expand to (an alias bomb is refused before it costs much)


def _convert(loader, node, path: tuple, lines: dict, name: str, seen: set, duplicates: list) -> Any:
    """``seen``: ids of the nodes converted so far; converting one again is an alias (recorded in
    ``duplicates`` as "alias:..." for lrplot's own format to refuse; trainers' loaders expand them)."""
    where = f"{name}:{node.start_mark.line + 1}"
    aliased = id(node) in seen
    if aliased:
        duplicates.append(f"alias:{where}: {format_path(path) or 'document'}")
        loader.lrplot_aliasing = getattr(loader, "lrplot_aliasing", 0) + 1
    try:
        return _convert_node(loader, node, path, lines, name, seen, duplicates, where)
    finally:
        if aliased:
            loader.lrplot_aliasing -= 1


def _convert_node(loader, node, path, lines, name, seen, duplicates, where) -> Any:
    seen.add(id(node))
    if getattr(loader, "lrplot_aliasing", 0):
        loader.lrplot_aliased = getattr(loader, "lrplot_aliased", 0) + 1
        if loader.lrplot_aliased > MAX_ALIASED:
            raise LrplotError(f"{where}: aliases expand to more than {MAX_ALIASED:,} values; write the values out")
    lines.setdefault(path, node.start_mark.line + 1)
    if len(path) > MAX_DEPTH:
        raise LrplotError(f"{where}: nested deeper than lrplot reads (at most {MAX_DEPTH} levels)")
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise LrplotError(f"{where}: tag {node.tag!r} is not allowed; use a plain mapping")
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LrplotError(f"{name}:{key_node.start_mark.line + 1}: merge keys (<<) are not supported")
            key = _convert(loader, key_node, path + ("<key>",), {}, name, seen, duplicates)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise LrplotError(f"{name}:{key_node.start_mark.line + 1}: keys must be names, got {shown(key)}")
            if key in out:
                duplicates.append(f"{name}:{key_node.start_mark.line + 1}: {format_path(path + (key,))}")
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, path + (key,), lines, name, seen, duplicates)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise LrplotError(f"{where}: tag {node.tag!r} is not allowed; use a plain list")
        items = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            items.append(_convert(loader, item, path + (i,), lines, name, seen, duplicates))
        return items
    if node.tag not in _SCALAR_TAGS:
        raise LrplotError(f"{where}: tag {node.tag!r} is not allowed in lrplot configs")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise LrplotError(f"{where}: {getattr(exc, 'problem', None) or exc}") from None
    except (ValueError, OverflowError) as exc:
        raise LrplotError(f"{where}: {format_path(path)}: {exc}") from None


def load(source: str) -> LoadedConfig:
    text, name = read_text(source)
    return parse(text, name)
