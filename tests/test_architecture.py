"""The layout is the architecture: imports go downward only, behaviour is declared, the process is set up once."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lrplot
from lrplot.engine.registry import SCHEDULERS

PACKAGE = Path(lrplot.__file__).parent
#: errors/_lazy/_setup at the bottom; the engine knows nothing of files or terminals; config turns files into
#: engine calls; render turns results into bytes; the Python API (notebooks) and the CLI are glue.
LAYERS = {"": 0, "engine": 1, "config": 2, "render": 2, "check": 3, "api": 3, "cli": 4}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(name: str, path: Path, top_level_only: bool):
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("lrplot"):
                yield target
                for alias in node.names:
                    yield f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lrplot"):
                    yield alias.name


#: The package's facade (``lrplot.simulate``) and ``python -m lrplot`` stand above everything.
ENTRY_POINTS = {"lrplot", "lrplot.__main__"}


def _layer(module: str) -> tuple[str, int]:
    if module in ENTRY_POINTS:
        return module, 9
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""
    return top, LAYERS[top]


MODULES = dict(_modules())


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_downward_only(name):
    top, layer = _layer(name)
    for target in _imports(name, MODULES[name], top_level_only=False):
        if target not in MODULES:
            continue
        other, other_layer = _layer(target)
        assert other_layer <= layer and (other == top or other_layer < layer), f"{name} imports {target}"
        if top == "render":
            assert other != "engine", f"{name} imports {target}: render draws results, it needs no engine"


def test_no_import_cycles():
    graph = {name: {t for t in _imports(name, path, top_level_only=True) if t in MODULES and t != name}
             for name, path in MODULES.items()}
    done, active = set(), []

    def visit(node):
        assert node not in active, "import cycle: " + " -> ".join(active[active.index(node):] + [node])
        if node in done:
            return
        active.append(node)
        for target in graph[node]:
            if not target.startswith(node + "."):  # a package importing its own submodules is not a cycle
                visit(target)
        active.pop()
        done.add(node)

    for name in graph:
        visit(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    text = MODULES[name].read_text()
    assert text.count("\n") <= 350 or "longer than" in text[:600], f"{name}: split it, or say why at its top"


def test_no_behaviour_decided_by_name_outside_the_families():
    """Family behaviour is a declared field: nothing outside engine/schedulers compares family or class names."""
    banned = ("family ==", "family !=", "spec.name ==", "spec.name !=", "spec.name in (", '== "reduce"')
    for name, path in MODULES.items():
        if ".engine.schedulers" in name:
            continue
        text = path.read_text()
        for pattern in banned:
            assert pattern not in text, f"{name}: {pattern!r}"


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_every_spec_declares_its_behaviour(name):
    spec = SCHEDULERS[name].spec
    assert spec.family.name and spec.family.library
    assert spec.resume_strategy in ("rebuild", "replay", "restart")
    assert spec.length_unit(dict(spec.example)) in ("steps", "epochs")
    assert spec.family.dtype in ("float64", "float32")
    if spec.metric_driven or spec.composite:
        assert not spec.takes_warmup


def _python(code: str) -> str:
    env_free = {k: v for k, v in __import__("os").environ.items()
                if k not in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_NUM_THREADS")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_free,
                          check=True).stdout.strip()


def test_process_setup_sees_through_lazy_numpy():
    """Importing lrplot's engine leaves a lazy numpy in sys.modules; setup must still happen before it runs."""
    out = _python("import os, lrplot.engine.ops, lrplot.cli.main; from lrplot._setup import prepare_process; "
                  "print(prepare_process(), os.environ.get('NPY_DISABLE_CPU_FEATURES'), "
                  "os.environ.get('OPENBLAS_NUM_THREADS'))")
    assert out == "True X86_V4 X86_V3 1"
    out = _python("import numpy, os; from lrplot._setup import prepare_process; "
                  "print(prepare_process(), os.environ.get('NPY_DISABLE_CPU_FEATURES'))")
    assert out == "False None"


def test_the_library_leaves_the_host_process_alone():
    out = _python("import os, matplotlib; b = matplotlib.get_backend(); import lrplot; "
                  "r = lrplot.simulate('step', step_size=3); from lrplot.render.plot import render, Series; "
                  "from lrplot.render.formats import RenderOptions; render([Series(r)], 'png', RenderOptions()); "
                  "print(b == matplotlib.get_backend(), os.environ.get('NPY_DISABLE_CPU_FEATURES'))")
    assert out == "True None"


def test_a_second_main_call_in_one_process(cli):
    assert cli("step", "--step-size", "3", "-n", "4", "-f", "csv").exit_code == 0
    second = cli("cosine", "--t-max", "4", "-n", "3", "-f", "csv")
    assert second.exit_code == 0, second.stderr
    assert second.stdout.splitlines()[0] == "step,lr"
