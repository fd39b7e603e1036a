"""Every file in configs/ runs, as CSV and as a picture; the seed recipes give the curves their code gives."""

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.config.load import load

CONFIGS = sorted(p for p in (Path(__file__).parents[1] / "configs").iterdir() if p.suffix in (".yaml", ".json"))


def simulate(name: str):
    return lrplot.run_config(load(str(Path(__file__).parents[1] / "configs" / name)).data)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_runs(path, tmp_path):
    result = invoke(["from-config", str(path), "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("step,")
    out = tmp_path / "plot.png"
    result = invoke(["from-config", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000
    svg = tmp_path / "plot.svg"
    assert invoke(["from-config", str(path), "-o", str(svg)]).exit_code == 0
    assert ET.fromstring(svg.read_bytes()).tag.endswith("svg")


def test_mission_config_exists():
    assert any(p.name == "cosine.yaml" for p in CONFIGS)


def test_manual_decay_recipe_matches_the_seed_loop():
    lr, rows = 0.1, []
    for epoch in range(100):
        if epoch % 5 == 0:
            lr *= 0.9
        rows.append(lr)
    np.testing.assert_allclose(simulate("manual-decay-every-5.yaml").lr[:, 0], rows, rtol=1e-12)


def test_warmup_exp_floor_recipe_matches_the_seed_loop():
    max_lr, k, warmup, min_lr = 0.1, 0.05, 10, 0.001
    rows = []
    for step in range(150):
        lr = max_lr * (step + 1) / warmup if step < warmup else max(max_lr * math.exp(-k * (step - warmup)), min_lr)
        rows.append(lr)
    np.testing.assert_allclose(simulate("warmup-exp-floor.yaml").lr[:, 0], rows, rtol=1e-12)


def test_two_groups_recipe():
    result = simulate("two-groups.yaml")
    assert result.lr.shape == (100, 2)
    np.testing.assert_allclose(result.lr[:, 1], 2 * result.lr[:, 0], rtol=1e-12)
