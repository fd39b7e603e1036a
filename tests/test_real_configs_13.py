"""Real Lightning, Hydra, timm, YOLO and other tools' configs (tests/fixtures/real_configs_13, sources in
MANIFEST.tsv): each is read as its tool reads it, or named and refused in one line, never misread as a typo."""

import csv
import math
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
    "J-nemo-conformer-ctc-bpe-noam.yaml": "NeMo counts max_steps from the training set's length",
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


def _lf(x, lrf, epochs, cos):
    """The YOLO trainers' lf (x <= epochs, where ultralytics' clamp and YOLOv5's agree)."""
    if cos:
        return ((1 - math.cos(x * math.pi / epochs)) / 2) * (lrf - 1) + 1
    return (1 - x / epochs) * (1.0 - lrf) + lrf


# file -> (iterations, row 0's lr per group in CSV order, nw, lr0, lrf, epochs, cos_lr), read with
# --dataset-size 1000 --num-classes 20; worked out by hand from each file's keys (see MANIFEST.tsv) and the
# trainers' rules: nb = ceil(1000 / batch); ultralytics nw = round(min(warmup_epochs, epochs - 1) x nb) and
# optimizer auto = AdamW at round(0.01 / (4 + 20), 6) = 0.000417 below 10,000 iterations, with warmup_bias_lr 0;
# YOLOv5 nw = max(round(warmup_epochs x nb), 100).  At iteration nw every group is at lr0 x lf(nw // nb).
AUTO = 0.000417
YOLO_RUNS = {
    "I-ultralytics-cfg-default-8.1.yaml": (6300, [0, 0, 0], 189, AUTO, 0.01, 100, False),
    "I-ultralytics-cfg-default-8.4-branch-extra-loss-keys.yaml": (6300, [0, 0, 0], 189, AUTO, 0.01, 100, False),
    "I-ultralytics-run-args-sgd-batch6-pruning-extra-keys.yaml": (25050, [0, 0, 0.1], 501, 0.01, 0.01, 150, False),
    "I-ultralytics-run-args-yolo11n-seg-cos-lr-auto-batch4-resumed.yaml": (30000, [0, 0, 0], 750, AUTO, 0.01, 120,
                                                                           True),
    "I-ultralytics-run-args-yolo12n-lr0-0.001.yaml": (6300, [0, 0, 0], 189, AUTO, 0.01, 100, False),
    "I-yolov5-hyp-objects365-fractional-warmup.yaml": (6300, [0.0711, 0, 0], 100, 0.00258, 0.17, 100, False),
    "I-yolov5-hyp-scratch-low-albumentations.yaml": (6300, [0.1, 0, 0], 189, 0.01, 0.01, 100, False),
    "I-yolov5-hyp-scratch-med-agpl.yaml": (6300, [0.1, 0, 0], 189, 0.01, 0.1, 100, False),
    "I-yolov5-hyp-voc-evolved-fractional-warmup-transform.yaml": (6300, [0.18657, 0, 0], 213, 0.00334, 0.15135, 100,
                                                                  False),
    "I-yolov5-run-opt-nested-hyp-batch128-imgsz-list.yaml": (320, [0.1, 0, 0], 100, 0.01, 0.01, 40, False),
    "I-yolov5-run-opt-nested-hyp-plus-top-level-lr0-windows.yaml": (6300, [0.1, 0, 0], 189, 0.01, 0.01, 100, False),
}


def test_every_yolo_file_is_checked():
    assert sorted(YOLO_RUNS) == [name for name in FILES if name.startswith("I-")]


@pytest.mark.parametrize("name", sorted(YOLO_RUNS))
def test_yolo_files_give_the_trainers_iterations(cli, name):
    rows_count, row0, nw, lr0, lrf, epochs, cos = YOLO_RUNS[name]
    result = cli("from-config", HERE / name, "-f", "csv", "--dataset-size", "1000", "--num-classes", "20")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header = rows[0]
    v5 = "yolov5" in name
    assert header[2:5] == (["lr_bias", "lr_weight", "lr_bn"] if v5 else ["lr_weight", "lr_bn", "lr_bias"])
    assert len(rows) - 1 == rows_count
    assert [float(v) for v in rows[1][2:5]] == row0
    nb = -(-rows_count // epochs)
    at_nw = [float(v) for v in rows[1 + nw][2:5]]
    assert at_nw == [lr0 * _lf(nw // nb, lrf, epochs, cos)] * 3
    assert float(rows[-1][2 if not v5 else 3]) == lr0 * _lf(epochs - (2 if v5 else 1), lrf, epochs, cos)


def test_a_plateau_schedulers_monitor_is_in_the_title(cli, tmp_path):
    config = tmp_path / "plateau.yaml"
    config.write_text("trainer: {max_epochs: 30}\nmodel: {class_path: my.Model}\noptimizer:\n  class_path: "
                      "torch.optim.Adam\n  init_args: {lr: 0.001}\nlr_scheduler:\n  class_path: "
                      "lightning.pytorch.cli.ReduceLROnPlateau\n  init_args: {monitor: val_loss, patience: 3}\n")
    result = cli("from-config", config, "-f", "svg", "-o", "-")
    assert result.exit_code == 0 and "monitor=val_loss" in result.stdout, result.stderr
    svg = cli("from-config", HERE / "F-terratorch-eurosat-reduce-on-plateau.yaml", "-f", "svg", "-o", "-")
    assert svg.exit_code == 0 and "monitor=val/loss" in svg.stdout
