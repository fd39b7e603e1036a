"""A scheduler typed as one argument: ``"cosine T_max=95"``, a child of sequential/chained or a run of compare.

The text is split as a shell splits words (quotes keep an expression's spaces).  The first word is any name
lrplot knows (command, library name, alias); the rest are ``NAME=VALUE`` with the library's parameter names
(``--name=value``, ``--name value``, ``--flag``/``--no-flag`` for true/false and kebab case work too).  A value
is what the scheduler's own flag takes (lists comma-separated); the registry's :class:`~lrplot.engine.params.
Param` validates it when the run is built, as it does a YAML value.  Nothing here converts values.
"""

from __future__ import annotations

from ..engine import params as P
from ..engine.registry import lookup
from ..errors import LrplotError, ParamError, format_path, shown
from ..config import flags as F


def children_param(spec) -> P.Param | None:
    """The parameter holding a composite's children (SequentialLR's schedulers, optax's schedules), if any."""
    return next((p for p in spec.params if p.kind == P.SCHEDULERS), None)


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def parse(text: str, what: str, unquoted: str | None = None) -> dict:
    """``{"scheduler": ..., "params": {...}}`` from ``text``; ``what`` names it in errors (``child 2 '...'``);
    ``unquoted``: what the arguments around it make as one quoted argument, when it is a stray NAME=VALUE."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise LrplotError(f"{what}: cannot split it into words ({exc}); quote a value with spaces as "
                          "NAME='VALUE'") from None
    if not words:
        raise LrplotError(f"{what}: empty; give a scheduler and its parameters, e.g. 'cosine T_max=100'")
    try:
        spec = lookup(words[0]).spec
    except ParamError as err:
        if unquoted is not None:
            raise LrplotError(f"{what}: a parameter, not a scheduler; give each {what.split()[0]} as one quoted "
                              f"argument, the scheduler with its parameters: {unquoted}") from None
        raise LrplotError(f"{what}: {err.detail}") from None
    nested = children_param(spec)
    if nested is not None:
        raise LrplotError(f"{what}: {spec.name} takes {nested.name} of its own; nest schedulers in a YAML config "
                          "(README: YAML configs)")
    by_key = {_key(p.name): p for p in spec.params}
    params: dict = {}
    rest = words[1:]
    last = None  # the last NAME=VALUE word: a value with spaces that was not quoted continues it
    while rest:
        word = rest.pop(0)
        key, sep, value = word.partition("=")
        is_flag = key.startswith("--")
        key = key[2:] if is_flag else key
        param = by_key.get(_key(key))
        if not sep:
            if not is_flag:
                raise LrplotError(f"{what}: {shown(word)} is not NAME=VALUE " + (_quote_hint(last, [word] + rest)
                                                                                 if last else "(e.g. T_max=100)"))
            negated = by_key.get(_key(key[3:])) if _key(key).startswith("no_") else None
            if param is not None and param.kind == P.BOOL:
                value = "true"
            elif param is None and negated is not None and negated.kind == P.BOOL:
                param, value = negated, "false"
            elif rest:
                value = rest.pop(0)
            else:
                raise LrplotError(f"{what}: {shown(word)} needs a value ({word}=VALUE)")
        if not key:
            raise LrplotError(f"{what}: {shown(word)} has no parameter name before '='")
        name = param.name if param is not None else key  # an unknown name: the registry says which are known
        if name in params:
            raise LrplotError(f"{what}: {name} is given twice")
        params[name] = F.flag_value(param, [value]) if param is not None and F.is_list_flag(param) else value
        last = (key, value) if sep else None
    return {"scheduler": words[0], "params": params}


def _quote_hint(last: tuple[str, str], after: list[str]) -> str:
    """``(a value with spaces is quoted: lr_lambda='0.9 ** epoch')`` from the NAME=VALUE before a stray word."""
    import shlex

    more = []
    for word in after:
        if "=" in word or word.startswith("--"):
            break
        more.append(word)
    name, value = last
    return f"(a value with spaces is quoted: {name}={shlex.quote(' '.join([value, *more]))})"


def stray_parameter(texts: list[str], index: int) -> str | None:
    """``"linear start_factor=0.01"`` when ``texts[index]`` is a NAME=VALUE the shell split from the scheduler
    before it (``lrplot sequential linear start_factor=0.01 cosine``): the arguments as one quoted argument."""
    def is_pair(text: str) -> bool:
        return len(text.split()) == 1 and "=" in text and not text.startswith("=")

    if not is_pair(texts[index]):
        return None
    first = index - 1
    while first >= 0 and is_pair(texts[first]):
        first -= 1
    if first < 0 or not texts[first].split():
        return None
    try:
        lookup(texts[first].split()[0])
    except ParamError:
        return None
    end = index + 1
    while end < len(texts) and is_pair(texts[end]):
        end += 1
    return _word(" ".join(texts[first:end]))


def locate(err: ParamError, prefix: tuple, what: str) -> LrplotError:
    """An engine error about the run or child at config path ``prefix``, said with the text the user typed."""
    rest = err.path[len(prefix):]
    if rest[:1] == ("params",):
        rest = rest[1:]
    if rest == ("scheduler",):
        rest = ()
    where = format_path(rest)
    return LrplotError(f"{what}: {where}: {err.detail}" if where else f"{what}: {err.detail}")


def child_label(index: int, text: str) -> str:
    return f"child {index + 1} {shown(text)}"


def reword_child(err: ParamError, spec, texts: list[str]) -> LrplotError | None:
    """An engine error inside a composite typed on the command line, naming the child (index and text)."""
    param = children_param(spec)
    if param is None:
        return None
    path = err.path
    if path[:2] == ("params", param.name) and len(path) > 2 and isinstance(path[2], int) and path[2] < len(texts):
        return locate(err, path[:3], child_label(path[2], texts[path[2]]))
    if path[:2] == ("params", param.name):
        return LrplotError(f"{spec.cli}: {err.detail}; give each child as one quoted argument, e.g. "
                           f"{example(spec)}")
    return None


def children(spec, texts: list[str]) -> list[dict]:
    """A composite's children from the command line's arguments, refused before anything runs when absent."""
    if not texts:
        raise LrplotError(f"{spec.cli}: give the {children_param(spec).name}, each as one quoted argument "
                          f"(a name and NAME=VALUE parameters), e.g. {example(spec)}")
    return [parse(text, child_label(i, text), stray_parameter(texts, i)) for i, text in enumerate(texts)]


def _word(text: str) -> str:
    """``text`` quoted for a POSIX shell, in double quotes when that is enough (the README's style)."""
    import shlex

    if text and not any(ch in text for ch in "\"$`\\!"):
        return f'"{text}"'
    return shlex.quote(text)


def run_text(config: dict) -> str:
    """A ``{"scheduler", "params"}`` mapping written as one argument's text (the inverse of :func:`parse`)."""
    import shlex

    spec = lookup(config["scheduler"]).spec
    words = [spec.cli]
    for name, value in (config.get("params") or {}).items():
        text = spec.param(name).as_flag(value)
        words.append(f"{name}={shlex.quote(text) if any(ch.isspace() for ch in text) else text}")
    return " ".join(words)


def example(spec) -> str:
    """The command line of the spec's registry example: ``lrplot sequential "linear ..." "cosine ..." ...``."""
    param = children_param(spec)
    words = ["lrplot", spec.cli] + [_word(run_text(child)) for child in spec.example.get(param.name, [])]
    for name, value in spec.example.items():
        if name != param.name:
            words += [spec.param(name).flag, spec.param(name).as_flag(value)]
    return " ".join(words)


def help_text(spec) -> str:
    """What a composite command's --help says about its arguments."""
    param = children_param(spec)
    return (f"{spec.name}: {spec.summary}.\n\nEach CHILD is one of its {param.name}, as one quoted argument: a "
            "scheduler (any name lrplot knows) and NAME=VALUE parameters with the library's names (NAME may be "
            "kebab case or a --flag; lists comma-separated; quote a value with spaces: lr_lambda='0.9 ** "
            f"epoch'), e.g.\n\n\b\n  {example(spec)}")


def command_help(spec) -> str:
    """A command's --help text: what it is; for a composite, how to type its children; how to sweep."""
    text = help_text(spec) if children_param(spec) is not None else f"{spec.name}: {spec.summary}."
    sweepable = [p for p in spec.params if p.cli and not p.hidden and p.sweepable]
    if sweepable:
        first = sweepable[0]
        values = ",".join(first.choices) if first.kind == P.CHOICE else "A,B,C"
        text += (f"\n\nA sweep: a number or choice flag given comma-separated values ({first.flag} {values}), or "
                 "given more than once, draws one run per value in one picture (CSV: one column per run); one flag "
                 "at a time. --lr's values are param groups, not a sweep.")
    return text
