"""Real Lightning, Hydra, timm, YOLO and other tools' configs (tests/fixtures/real_configs_13, sources in
MANIFEST.tsv): each is read as its tool reads it, or named and refused in one line, never misread as a typo."""

import csv
import io
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fixtures" / "real_configs_13"
MANIFEST = {row["file"]: row for row in csv.DictReader(io.StringIO((HERE / "MANIFEST.tsv").read_text()),
                                                       delimiter="\t")}
FILES = sorted(MANIFEST)

# file -> (rows, first lr) for the files lrplot reads, or the phrase its refusal must contain
EXPECTED = {
    "F-terratorch-forestnet-cosine-annealing.yaml": (100, 0.0001),
    "F-terratorch-eurosat-reduce-on-plateau.yaml": (200, 0.0001),
    "F-comer-saved-config-pl1x-no-optimizer-keys.yaml": "matches none",
    "F-litlm-saved-config-adamw-no-scheduler.yaml": (1, 3e-05),
    "G-composed-hydra-aracnn-plateau-partial.yaml": (100, 0.0001),  # model.optimizer, trainer.max_epochs
    "G-composed-hydra-geo-deep-learning-scheduler-class-name-string.yaml": (10, 0.0001),
    "G-composed-hydra-yolo3d-optimizer-string-no-scheduler.yaml": "no node in it names a scheduler",
    "G-flash-attn-experiment-pile-base-timm-cosine-eval-resolvers.yaml": "comes from its defaults list",
    "G-lht-fork-model-mnist-adam-plateau-partial.yaml": (100, 0.001),
    "J-detectron2-base-retinanet-eval-tag.yaml": "detectron2",
    "J-fairseq-w2vu-gan-lr-scheduler-plain-string.yaml": "fairseq",
    "J-fairseq-wav2vec2-finetune-base-100h-tri-stage.yaml": "fairseq",
    "J-llmfoundry-mpt-125m-cosine-with-warmup-100ba.yaml": "composer / llm-foundry",
    "J-mmdet-schedule-1x-param-scheduler.py": "OpenMMLab",
    "J-monai-bundle-pediatric-abdominal-train-warmup-cosine.yaml": "MONAI bundle",
    "J-nemo-conformer-ctc-bpe-noam.yaml": "NeMo",
}


def test_every_file_has_a_source():
    assert len(FILES) >= 20 and all((HERE / name).exists() for name in FILES)
    for row in MANIFEST.values():
        assert row["repository"] and row["path"] and len(row["commit"]) == 40


@pytest.mark.parametrize("name", FILES)
def test_read_or_refused_in_one_line(cli, name):
    result = cli("from-config", HERE / name, "-f", "csv")
    assert result.exit_code in (0, 2), result.stderr
    assert "Traceback" not in result.stderr and "unknown key" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1
    want = EXPECTED.get(name)
    if isinstance(want, tuple):
        rows = result.stdout.splitlines()
        assert result.exit_code == 0 and len(rows) - 1 == want[0]
        assert float(rows[1].split(",")[1]) == want[1]
    elif isinstance(want, str):
        assert result.exit_code == 2 and want in result.stderr
