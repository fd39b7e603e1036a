"""YAML configs: a safe loader with YAML 1.2 numbers, and errors that name file, line and key.

PyYAML follows YAML 1.1, which reads ``1e-6`` as a string; a YAML 1.2 float
rule makes ``1e-6``, ``3E-4`` and ``1.0e6`` numbers.  Only plain mappings,
lists and scalars are accepted: no tags (``!!python/...``), no anchors or
aliases (so no alias bombs), no duplicate keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParamError, format_path
from ..errors import LrplotError, LrplotIOError

MAX_BYTES = 4 << 20  # a config is a few hundred bytes; refuse to parse anything absurd

_FLOAT_12 = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                          |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                          |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                          |[-+]?\.(?:inf|Inf|INF)
                          |\.(?:nan|NaN|NAN))$""", re.X)


class _Loader(yaml.SafeLoader):
    """SafeLoader plus the YAML 1.2 float rule, on a private copy of the resolver table."""


_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _first in "-+0123456789.":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(0, ("tag:yaml.org,2002:float", _FLOAT_12))

_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}


@dataclass
class LoadedConfig:
    data: Any
    lines: dict[tuple, int]  # key path -> 1-based line
    name: str

    def error(self, err: ParamError) -> LrplotError:
        """Re-word an engine error with this file's name, the line and the key path."""
        path = err.path
        line = None
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                line = self.lines[path[:cut]]
                break
        where = f"{self.name}:{line}" if line else self.name
        key = format_path(path)
        return LrplotError(f"{where}: {key}: {err.detail}" if key else f"{where}: {err.detail}")


def read_text(source: str) -> tuple[str, str]:
    """The text of ``source`` (a path or ``-`` for stdin) and the name to use in messages."""
    import sys

    if source == "-":
        text = sys.stdin.read(MAX_BYTES + 1)
        name = "<stdin>"
    else:
        path = Path(source)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise LrplotError(f"{source}: no such file") from None
        except IsADirectoryError:
            raise LrplotError(f"{source}: is a directory, not a config file") from None
        except OSError as exc:
            raise LrplotIOError(f"{source}: cannot read ({exc.strerror})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LrplotError(f"{source}: not a text file (expected UTF-8 YAML)") from None
        name = path.name
    if len(text) > MAX_BYTES:
        raise LrplotError(f"{name}: larger than {MAX_BYTES >> 20} MB; this is not a scheduler config")
    return text, name


def parse(text: str, name: str) -> LoadedConfig:
    """Parse YAML text into plain Python data and a map of key paths to lines."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise LrplotError(f"{name}{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise LrplotError(f"{name}: invalid YAML: {exc}") from None
    if node is None:
        raise LrplotError(f"{name}: the file is empty; expected a mapping with a 'scheduler' key")
    lines: dict[tuple, int] = {}
    data = _convert(loader, node, (), lines, name, set())
    return LoadedConfig(data, lines, name)


def _convert(loader, node, path: tuple, lines: dict, name: str, seen: set) -> Any:
    where = f"{name}:{node.start_mark.line + 1}"
    if id(node) in seen:
        raise LrplotError(f"{where}: {format_path(path) or 'document'}: anchors and aliases (& and *) are not "
                          "supported; write the values out")
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise LrplotError(f"{where}: tag {node.tag!r} is not allowed; use a plain mapping")
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LrplotError(f"{name}:{key_node.start_mark.line + 1}: merge keys (<<) are not supported")
            key = _convert(loader, key_node, path + ("<key>",), {}, name, seen)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise LrplotError(f"{name}:{key_node.start_mark.line + 1}: keys must be names, got {key!r}")
            if key in out:
                raise LrplotError(f"{name}:{key_node.start_mark.line + 1}: {format_path(path + (key,))}: "
                                  "duplicate key")
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, path + (key,), lines, name, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise LrplotError(f"{where}: tag {node.tag!r} is not allowed; use a plain list")
        items = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            items.append(_convert(loader, item, path + (i,), lines, name, seen))
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
