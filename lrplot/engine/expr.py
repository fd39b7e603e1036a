"""Safe arithmetic expressions for ``lr_lambda`` and ``scale_fn``, without eval.

An expression is parsed with :mod:`ast` and checked against a small grammar
(numbers, one variable, ``pi``/``e``, arithmetic, comparisons, ``and``/``or``/
``not``, ``a if c else b`` and a fixed list of functions).  Everything else is
refused before anything runs.  Constant sub-expressions are folded with float
arithmetic at compile time, so ``9 ** 9 ** 9`` is refused as an overflow
instead of hanging; everything at run time is float64 numpy arithmetic over the
whole step array, so evaluation is O(steps) and cannot hang.
"""

from __future__ import annotations

import ast
import math
import operator
from functools import lru_cache
from typing import Any, Callable

from .._lazy import np
from .fmath import pow_
from ..errors import ParamError, shown

MAX_LENGTH = 2000
CHUNK = 1 << 16  # values evaluated at once
MAX_WORK = 2_000_000_000  # parts x steps
MAX_NODES = 400

FUNCTIONS_1 = ("cos", "sin", "tan", "exp", "log", "log10", "sqrt", "floor", "ceil", "tanh", "abs")
FUNCTIONS_N = ("min", "max")
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINOPS = {
    ast.Add: ("+", operator.add, "add"),
    ast.Sub: ("-", operator.sub, "subtract"),
    ast.Mult: ("*", operator.mul, "multiply"),
    ast.Div: ("/", operator.truediv, "true_divide"),
    ast.FloorDiv: ("//", operator.floordiv, "floor_divide"),
    ast.Mod: ("%", operator.mod, "mod"),
    ast.Pow: ("**", operator.pow, "power"),
}
_CMPOPS = {
    ast.Lt: (operator.lt, "less"),
    ast.LtE: (operator.le, "less_equal"),
    ast.Gt: (operator.gt, "greater"),
    ast.GtE: (operator.ge, "greater_equal"),
    ast.Eq: (operator.eq, "equal"),
    ast.NotEq: (operator.ne, "not_equal"),
}


def _py_function(name: str) -> Callable:
    if name == "abs":
        return abs
    if name in ("min", "max"):
        return {"min": min, "max": max}[name]
    return getattr(math, name)


class Expression:
    """A checked expression; call :meth:`evaluate` with a float64 array."""

    def __init__(self, source: str, var: str, tree: ast.AST) -> None:
        self.source = source
        self.var = var
        self.tree = tree
        self.cost = sum(1 for _ in ast.walk(tree))  # array operations per value

    def evaluate(self, values, path: tuple = ()):
        """Vectorised value for every element of ``values`` (a float64 array), a chunk at a time so that
        memory stays bounded whatever the expression's size; refused when it would take too long."""
        if self.cost * len(values) > MAX_WORK:
            raise ParamError(path, f"{shown(self.source)} has {self.cost} parts; over {len(values):,} steps that "
                             f"is more work than lrplot does ({MAX_WORK:,.0e} operations): simplify it or "
                             "simulate fewer steps")
        out = np.empty(len(values), dtype=np.float64)
        with np.errstate(all="ignore"):
            for start in range(0, len(values), CHUNK):
                part = values[start:start + CHUNK]
                out[start:start + CHUNK] = np.broadcast_to(
                    np.asarray(_eval_np(self.tree, part, self.var), dtype=np.float64), np.shape(part))
        return out

    def python(self) -> Callable[[Any], float]:
        """A plain Python callable with Python semantics (what a torch lambda does)."""
        tree, var = self.tree, self.var
        return lambda v: _eval_py(tree, v, var)


def compile_expression(source: str, var: str, path: tuple = ("expression",)) -> Expression:
    """Parse and check ``source``; raise :class:`ParamError` saying what is not allowed."""
    return _compile(source, var, tuple(path))


def lambda_body(source: str, var: str, path: tuple = ("expression",)) -> str | None:
    """The body of a pasted Python lambda, its argument renamed to ``var``; None when ``source`` is no lambda.

    ``lambda epoch: 0.95 ** epoch`` -> ``0.95 ** epoch``; ``lambda e: 0.95 ** e`` -> ``0.95 ** epoch`` (inside
    the lambda ``e`` is its argument, not the constant).  The body keeps the user's spelling.  A lambda of other
    than one plain argument is refused: an expression has one variable.
    """
    text = source.strip()
    if not text.startswith("lambda") or len(source) > MAX_LENGTH:
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # compiling it says what is wrong
    if not isinstance(node, ast.Lambda):
        return None
    a = node.args
    names = [arg.arg for arg in a.posonlyargs + a.args + a.kwonlyargs]
    if len(names) != 1 or a.vararg or a.kwarg or a.defaults or any(a.kw_defaults):
        raise ParamError(path, f"{shown(source)} is not a lambda of one plain argument; lrplot's expression has "
                         f"one variable, {var}: write 'lambda {var}: ...' or just its body")
    uses = [n for n in ast.walk(node.body) if isinstance(n, ast.Name)]
    if names[0] != var and any(n.id == var for n in uses):
        raise ParamError(path, f"{shown(source)} uses both {names[0]} (its argument) and {var}; lrplot's "
                         f"expression has one variable, {var}")
    data = text.encode()  # ast's columns count UTF-8 bytes
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    begin = data.index(b":") + 1  # the argument is one plain name: the first colon is the lambda's
    body = data[begin:]
    for name in sorted((n for n in uses if n.id == names[0]), key=lambda n: (-n.lineno, -n.col_offset)):
        at, end = (starts[line - 1] + col - begin for line, col in ((name.lineno, name.col_offset),
                                                                   (name.end_lineno, name.end_col_offset)))
        body = body[:at] + var.encode() + body[end:]
    return body.decode().strip()


@lru_cache(maxsize=256)
def _compile(source: str, var: str, path: tuple) -> Expression:
    if len(source) > MAX_LENGTH:
        raise ParamError(path, f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or "too deeply nested"
        raise ParamError(path, f"{shown(source)} is not a valid expression ({msg})") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ParamError(path, f"expression has {nodes} parts; at most {MAX_NODES} are allowed")
    try:
        body = _check(tree.body, var, path, source)
    except RecursionError:
        raise ParamError(path, f"{shown(source)} is too deeply nested") from None
    return Expression(source, var, body)


def _refuse(path: tuple, source: str, what: str, var: str) -> ParamError:
    allowed = (f"numbers, {var}, pi, e, + - * / // % **, comparisons, and/or/not, "
               f"'a if cond else b' and {', '.join(FUNCTIONS_1 + FUNCTIONS_N)}")
    return ParamError(path, f"{what} is not allowed in {shown(source)}; allowed: {allowed}")


def _check(node: ast.AST, var: str, path: tuple, source: str) -> ast.AST:
    """Validate ``node`` recursively and fold constant sub-expressions."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _refuse(path, source, f"the constant {node.value!r}", var)
        if isinstance(node.value, int) and abs(node.value) > 2**63:
            raise ParamError(path, f"the number {node.value} is too large")
        return ast.Constant(float(node.value) if isinstance(node.value, float) else node.value)
    if isinstance(node, ast.Name):
        if node.id == var:
            return node
        if node.id in CONSTANTS:
            return ast.Constant(CONSTANTS[node.id])
        raise _refuse(path, source, f"the name {node.id!r}", var)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _check(node.left, var, path, source)
        right = _check(node.right, var, path, source)
        return _fold(ast.BinOp(left, node.op, right), path, source)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        operand = _check(node.operand, var, path, source)
        return _fold(ast.UnaryOp(node.op, operand), path, source)
    if isinstance(node, ast.Compare) and all(type(op) in _CMPOPS for op in node.ops):
        left = _check(node.left, var, path, source)
        comps = [_check(c, var, path, source) for c in node.comparators]
        return _fold(ast.Compare(left, node.ops, comps), path, source)
    if isinstance(node, ast.BoolOp):
        values = [_check(v, var, path, source) for v in node.values]
        return _fold(ast.BoolOp(node.op, values), path, source)
    if isinstance(node, ast.IfExp):
        parts = [_check(p, var, path, source) for p in (node.test, node.body, node.orelse)]
        return _fold(ast.IfExp(*parts), path, source)
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS_1 + FUNCTIONS_N:
            name = func.id if isinstance(func, ast.Name) else ast.unparse(func)
            raise _refuse(path, source, f"calling {name!r}", var)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _refuse(path, source, f"keyword or * arguments to {func.id}", var)
        n_args = len(node.args)
        if func.id in FUNCTIONS_1 and n_args != 1:
            raise ParamError(path, f"{func.id}() takes exactly one argument in {shown(source)}")
        if func.id in FUNCTIONS_N and n_args < 2:
            raise ParamError(path, f"{func.id}() takes two or more arguments in {shown(source)}")
        args = [_check(a, var, path, source) for a in node.args]
        return _fold(ast.Call(ast.Name(func.id, ast.Load()), args, []), path, source)
    what = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "lambda",
        ast.NamedExpr: "assignment",
        ast.JoinedStr: "an f-string",
        ast.Tuple: "a tuple (a comma outside a function's brackets)",
    }.get(type(node), f"'{type(node).__name__}'")
    raise _refuse(path, source, what, var)


def _fold(node: ast.AST, path: tuple, source: str) -> ast.AST:
    """Evaluate ``node`` now if all of its operands are constants."""
    children = [c for c in ast.iter_child_nodes(node) if not isinstance(c, (ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.expr_context))]
    if isinstance(node, ast.Call):
        children = list(node.args)
    if not all(isinstance(c, ast.Constant) for c in children):
        return node
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base, exp = abs(float(node.left.value)), float(node.right.value)
        if base > 1 and exp * math.log10(base) > 308:  # refuse before Python's big ints could hang
            raise ParamError(path, f"{ast.unparse(node)} overflows in {shown(source)}")
    try:
        value = _eval_py(node, 0, "")
    except OverflowError:
        raise ParamError(path, f"{ast.unparse(node)} overflows in {shown(source)}") from None
    except (ZeroDivisionError, ValueError) as exc:
        raise ParamError(path, f"{ast.unparse(node)} fails in {shown(source)} ({exc})") from None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, complex):
        raise ParamError(path, f"{ast.unparse(node)} is not a real number in {shown(source)}")
    if isinstance(value, int) and abs(value) > 2**63:
        try:
            value = float(value)
        except OverflowError:
            raise ParamError(path, f"{ast.unparse(node)} overflows in {shown(source)}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ParamError(path, f"{ast.unparse(node)} is not finite in {shown(source)}")
    return ast.Constant(value)


def _eval_py(node: ast.AST, v: Any, var: str) -> Any:
    """Python semantics, the reference a torch lambda would follow."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return v
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)][1](_eval_py(node.left, v, var), _eval_py(node.right, v, var))
    if isinstance(node, ast.UnaryOp):
        x = _eval_py(node.operand, v, var)
        return -x if isinstance(node.op, ast.USub) else (+x if isinstance(node.op, ast.UAdd) else not x)
    if isinstance(node, ast.Compare):
        left = _eval_py(node.left, v, var)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval_py(comp, v, var)
            if not _CMPOPS[type(op)][0](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        result = None
        for part in node.values:
            result = _eval_py(part, v, var)
            if bool(result) != is_and:
                return result
        return result
    if isinstance(node, ast.IfExp):
        return _eval_py(node.body if _eval_py(node.test, v, var) else node.orelse, v, var)
    if isinstance(node, ast.Call):
        return _py_function(node.func.id)(*[_eval_py(a, v, var) for a in node.args])
    raise AssertionError(type(node))  # pragma: no cover - _check refuses everything else


_NP_FUNCS = {"abs": "abs", "floor": "floor", "ceil": "ceil"}


def _eval_np(node: ast.AST, v, var: str):
    """numpy semantics over the whole array (floor-division and modulo as Python's)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return v
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)) and _integral(node.left, var) and _integral(node.right, var):
            # Integers below 2**52: floor(x / y) is exact and much faster than Python-style floor_divide.
            left, right = _as_float(_eval_np(node.left, v, var)), _as_float(_eval_np(node.right, v, var))
            with np.errstate(all="ignore"):
                quotient = np.floor(np.true_divide(left, right))
                return quotient if isinstance(node.op, ast.FloorDiv) else left - quotient * right
        ufunc = pow_ if isinstance(node.op, ast.Pow) else getattr(np, _BINOPS[type(node.op)][2])
        return ufunc(_as_float(_eval_np(node.left, v, var)), _as_float(_eval_np(node.right, v, var)))
    if isinstance(node, ast.UnaryOp):
        x = _eval_np(node.operand, v, var)
        if isinstance(node.op, ast.USub):
            return np.negative(_as_float(x))
        if isinstance(node.op, ast.UAdd):
            return _as_float(x)
        return np.logical_not(x)
    if isinstance(node, ast.Compare):
        left = _eval_np(node.left, v, var)
        result = True
        for op, comp in zip(node.ops, node.comparators):
            right = _eval_np(comp, v, var)
            result = np.logical_and(result, getattr(np, _CMPOPS[type(op)][1])(left, right))
            left = right
        return result
    if isinstance(node, ast.BoolOp):
        parts = [_eval_np(p, v, var) for p in node.values]
        result = parts[-1]
        for part in reversed(parts[:-1]):
            truthy = np.not_equal(part, 0)
            if isinstance(node.op, ast.And):
                result = np.where(truthy, result, part)
            else:
                result = np.where(truthy, part, result)
        return result
    if isinstance(node, ast.IfExp):
        test = np.not_equal(_eval_np(node.test, v, var), 0)
        return np.where(test, _as_float(_eval_np(node.body, v, var)), _as_float(_eval_np(node.orelse, v, var)))
    if isinstance(node, ast.Call):
        name = node.func.id
        args = [_as_float(_eval_np(a, v, var)) for a in node.args]
        if name in ("min", "max"):
            out = args[0]
            for a in args[1:]:
                out = (np.minimum if name == "min" else np.maximum)(out, a)
            return out
        return getattr(np, _NP_FUNCS.get(name, name))(args[0])
    raise AssertionError(type(node))  # pragma: no cover


def _integral(node: ast.AST, var: str) -> bool:
    """True when ``node`` is the (integer) step variable or a small non-zero integer constant."""
    if isinstance(node, ast.Name):
        return node.id == var
    return (isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)
            and 0 < abs(node.value) < 2**52)


def _as_float(x):
    if isinstance(x, bool):
        return float(x)
    if hasattr(x, "dtype") and x.dtype == bool:
        return x.astype(np.float64)
    return x
