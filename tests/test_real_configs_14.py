"""Real NeMo training YAMLs and Keras serialized schedules (tests/fixtures/real_configs_14, sources in
MANIFEST.tsv): each is read as NeMo or Keras reads it, or refused in one line saying what lrplot needs."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fixtures" / "real_configs_14"
MANIFEST = {row["file"]: row for row in csv.DictReader(io.StringIO((HERE / "MANIFEST.tsv").read_text()),
                                                       delimiter="\t")}
FILES = sorted(MANIFEST)

# file -> (flags, scheduler, rows, first lr) for the files lrplot reads, or (flags, the phrase its refusal has)
EXPECTED = {
    "nemo-asr-aed-inverse-sqrt-max-steps-100k.yaml": ((), "nemo:InverseSquareRootAnnealing", 100000, 3e-4 / 2501),
    "nemo-nlp-bert-sqrt-annealing-trainer-max-steps.yaml": ((), "nemo:SquareRootAnnealing", 2285714, None),
    "nemo-tts-vits-cosine-explicit-sched-max-steps-target-optim.yaml": ((), "nemo:CosineAnnealing", 1000000, 2e-4),
    "aligner-clip-polynomial-decay-annealing.yaml": ((), "nemo:PolynomialDecayAnnealing", 4000, None),
    "launcher-gpt3-5b-cosine-constant-steps-max-epochs-null.yaml": ((), "nemo:CosineAnnealing", 75000, 0.0),
    "launcher-imagen-warmup-policy.yaml": ((), "nemo:WarmupPolicy", 1250000, None),
    # trainer.max_steps -1: counted from the dataset (ceil(10000 / 1) per rank, ceil(/128) = 79 x 200 epochs)
    "nemo-asr-matchboxnet-polyhold-warmup-hold-ratio.yaml": (("--dataset-size", "10000"),
                                                             "nemo:PolynomialHoldDecayAnnealing", 79 * 200, None),
    "nemo-asr-squeezeformer-noamhold-hold-steps.yaml": ((), "--dataset-size N"),
    "nemo-asr-conformer-ctc-bpe-noam-dmodel-interp.yaml": (("--dataset-size", "1000"), "--devices N"),  # devices -1
    "nemo-asr-config-cosine-monitor-reduce-on-plateau-keys.yaml": ((), "--dataset-size N"),
    "atommic-cirim-cosine-warmup-ratio-max-epochs.yaml": ((), "--dataset-size N"),
    "aligner-gpt-dpo-cosine-relative-interp-max-steps.yaml": (("--dataset-size", "1000"), "Megatron-based"),
    "nemo-speaker-speakernet-sched-args-iters-per-batch.yaml": ((), "legacy sched.args"),
    "nemo-tts-audio-codec-torch-exponentiallr-toplevel-max-epochs.yaml": ((), "lrplot exponential"),
    "nemo-tts-degli-torch-reducelronplateau-2022.yaml": ((), "lrplot plateau --metrics"),
    "kgcnn-keras3-module-exponentialdecay-cmpnn-hyper.json": (("-n", "500"), "keras:ExponentialDecay", 500, None),
    "kgcnn-keras-core-module-exponentialdecay-dmpnn-hyper.json": (("-n", "500"), "keras:ExponentialDecay", 500, None),
    "kgcnn-tfkeras2-lr-key-exponentialdecay-2021-hyper.json": (("-n", "500"), "keras:ExponentialDecay", 500, None),
    "pinn-qm9-tfkeras-exponentialdecay-yaml.yml": (("-n", "500"), "keras:ExponentialDecay", 500, None),
    "kgcnn-custom-registered-linearwarmupexpdecay-painn-hyper.json": ((), "custom Keras schedule"),
    "kgcnn-custom-polynomialdecay-dataset-size-epochs-cogn-hyper.json": ((), "custom Keras schedule"),
}


def test_every_file_has_a_source_and_an_expectation():
    assert sorted(EXPECTED) == FILES
    for row in MANIFEST.values():
        assert row["repository"] and row["path"] and len(row["commit"]) == 40 and row["shape"] in ("nemo", "keras")


@pytest.mark.parametrize("name", FILES)
def test_read_or_refused_in_one_line(cli, name):
    flags, *want = EXPECTED[name]
    result = cli("from-config", HERE / name, "-f", "json", *flags)
    assert "Traceback" not in result.stderr
    if len(want) == 1:
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and want[0] in result.stderr, \
            result.stderr
        return
    import json

    assert result.exit_code == 0, result.stderr
    scheduler, rows, first = want
    doc = json.loads(result.stdout)
    assert doc["scheduler"] == scheduler and len(doc["columns"]["step"]) == rows
    if first is not None:
        assert doc["columns"]["lr"][0] == first


# NeMo's own test of compute_max_steps (tests/core/test_optimizers_schedulers.py test_max_step_computation):
# (max_epochs, accumulate, limit_train_batches, devices, batch, samples, drop_last) -> optimizer steps
NEMO_COUNTS = [((31, 1, 1.0, 9, 60, 1613, True), 93), ((5, 1, 0.5, 4, 97, 498, False), 5),
               ((5, 8, 0.5, 4, 54, 629, True), 5), ((5, 1, 0.5, 1, 68, 488, False), 20)]


@pytest.mark.parametrize("run,steps", NEMO_COUNTS)
def test_nemo_counts_max_steps_as_nemo(tmp_path, run, steps):
    epochs, accumulate, limit, devices, batch, samples, drop_last = run
    text = f"""
model:
  train_ds: {{batch_size: {batch}, drop_last: {str(drop_last).lower()}}}
  optim: {{name: adamw, lr: 0.001, sched: {{name: CosineAnnealing, warmup_steps: 2, min_lr: 1.0e-5}}}}
trainer: {{devices: {devices}, num_nodes: 1, max_epochs: {epochs}, max_steps: -1,
          accumulate_grad_batches: {accumulate}, limit_train_batches: {limit}}}
"""
    path = tmp_path / "nemo.yaml"
    path.write_text(text)
    out = subprocess.run([sys.executable, "-m", "lrplot", "from-config", str(path), "--dataset-size", str(samples),
                          "-f", "csv"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) - 1 == steps
    assert f"max_steps {steps}: NeMo's count" in out.stderr
