"""Config files people already have: LightningCLI, Hydra, Hugging Face TrainingArguments, timm's train YAML."""

import json

import numpy as np
import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.config.shapes import translate



def run_text(text, *args, name="cfg.yaml", tmp_path=None):
    path = tmp_path / name
    path.write_text(text)
    return invoke(["from-config", str(path), *args])


def test_lightning(tmp_path):
    text = ("trainer: {max_epochs: 90, devices: 4}\nmodel: {backbone: resnet50}\n"
            "optimizer:\n  class_path: torch.optim.SGD\n  init_args: {lr: 0.1, momentum: 0.9, weight_decay: 1.0e-4}\n"
            "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.MultiStepLR\n"
            "  init_args: {milestones: [30, 60, 80], gamma: 0.1}\n")
    result = run_text(text, "-f", "csv", "-v", tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate("MultiStepLR", epochs=90, lr=0.1, momentum=0.9, milestones=[30, 60, 80], gamma=0.1)
    assert [float(r.split(",")[1]) for r in result.stdout.splitlines()[1:]] == expected.lr[:, 0].tolist()
    assert result.stderr == ("lrplot: read as LightningCLI\nlrplot: LightningCLI config: ignored 3 keys lrplot does not use: trainer.devices, "
                             "model, optimizer.init_args.weight_decay\n"
                             "lrplot: lr: peak 0.1 at step 0, final 0.0001 at step 89, minimum 0.0001 at step 80\n")
    short = run_text(text.replace("torch.optim.lr_scheduler.MultiStepLR", "MultiStepLR"), "-f", "csv", "-q",
                     tmp_path=tmp_path)
    assert short.stdout == result.stdout and short.stderr == ""


def test_lightning_error_points_at_init_args(tmp_path):
    text = "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n  init_args:\n    step_size: 0\n"
    result = run_text(text, "-f", "csv", tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "lrplot: error: cfg.yaml:4: lr_scheduler.init_args.step_size: 0 is invalid: must be >= 1"


def test_hydra_with_interpolation(tmp_path):
    text = ("trainer: {max_epochs: 50}\noptimizer:\n  _target_: torch.optim.AdamW\n  _partial_: true\n  lr: 3.0e-4\n"
            "scheduler:\n  _target_: torch.optim.lr_scheduler.CosineAnnealingLR\n  _partial_: true\n"
            "  T_max: ${trainer.max_epochs}\n  eta_min: 1e-6\n")
    translation = translate(__import__("yaml").safe_load(text))
    assert translation.shape == "Hydra"
    assert translation.config["params"]["T_max"] == 50
    result = run_text(text, "-f", "csv", tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate("cosine", lr=3e-4, T_max=50, eta_min=1e-6)
    assert result.stdout.splitlines()[10] == f"9,{float(expected.lr[9, 0])!r}"
    bad = run_text(text.replace("${trainer.max_epochs}", "${trainer.epochs}"), "-f", "csv", tmp_path=tmp_path)
    assert bad.exit_code == 2 and "cannot resolve ${trainer.epochs}" in bad.stderr


@pytest.mark.parametrize("warmup,expected_warmup", [(100, 100), (0.1, 100)])
def test_hf_training_arguments(tmp_path, warmup, expected_warmup):
    args = {"output_dir": "x", "learning_rate": 3e-4, "lr_scheduler_type": "cosine", "warmup_steps": warmup,
            "max_steps": 1000, "per_device_train_batch_size": 8}
    result = run_text(json.dumps(args), "-f", "csv", name="args.json", tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate("hf:cosine", lr=3e-4, num_warmup_steps=expected_warmup, num_training_steps=1000)
    rows = result.stdout.splitlines()
    assert len(rows) == 1001 and rows[501] == f"500,{float(expected.lr[500, 0])!r}"


def test_hf_epochs_need_steps_per_epoch(tmp_path):
    args = {"learning_rate": 1e-4, "lr_scheduler_type": "linear", "num_train_epochs": 3, "warmup_ratio": 0.1}
    result = run_text(json.dumps(args), "-f", "csv", name="args.json", tmp_path=tmp_path)
    assert result.exit_code == 2 and "give --dataset-size N" in result.stderr and "--steps-per-epoch K" in result.stderr
    result = run_text(json.dumps(args), "-f", "csv", "--steps-per-epoch", "100", name="args.json", tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0] == "step,epoch,lr" and len(rows) == 301
    expected = lrplot.simulate("hf:linear", lr=1e-4, num_warmup_steps=30, num_training_steps=300)
    assert rows[31] == f"30,0,{float(expected.lr[30, 0])!r}"


def test_timm_yaml_follows_create_scheduler(tmp_path):
    text = "sched: cosine\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 1.0e-5\nmin_lr: 1.0e-6\ncooldown_epochs: 10\nlr: 0.5\n"
    translation = translate(__import__("yaml").safe_load(text))
    assert translation.config["scheduler"] == "CosineLRScheduler"
    assert translation.config["epochs"] == 110
    assert translation.config["params"]["cycle_decay"] == 0.5  # timm train.py's default, not the factory's 0.1
    result = run_text(text, "-f", "csv", tmp_path=tmp_path)
    assert result.exit_code == 0 and result.stdout.count("\n") == 111
    updates = run_text(text + "sched_on_updates: true\n", "-f", "csv", tmp_path=tmp_path)
    assert updates.exit_code == 2 and "--steps-per-epoch" in updates.stderr
    updates = run_text(text + "sched_on_updates: true\n", "-f", "csv", "--steps-per-epoch", "10", tmp_path=tmp_path)
    assert updates.exit_code == 0 and updates.stdout.count("\n") == 1101


def test_live_timm_factory_matches_translation(tmp_path):
    import importlib.util

    torch = pytest.importorskip("torch")
    if importlib.util.find_spec("timm") is None:
        pytest.skip("timm is not installed (only the fixture machine has it)")
    from torch_reference import load_timm_schedulers

    import types

    module = load_timm_schedulers()
    for extra in ({}, {"sched": "step", "decay_epochs": 7}, {"sched": "multistep", "decay_milestones": [10, 20]},
                  {"sched": "poly", "decay_rate": 2.0}, {"sched": "tanh", "lr_cycle_limit": 2},
                  {"lr_noise": [0.2, 0.8], "lr_cycle_limit": 2}):
        args = {"sched": "cosine", "epochs": 30, "warmup_epochs": 3, "lr": 0.3, "min_lr": 1e-5, **extra}
        full = {**__import__("lrplot.config.shapes.timm", fromlist=["TIMM_DEFAULTS"]).TIMM_DEFAULTS, **args}
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=args["lr"])
        sched, epochs = module.create_scheduler(types.SimpleNamespace(**full), opt)
        rows = []
        for epoch in range(epochs):
            rows.append(opt.param_groups[0]["lr"])
            sched.step(epoch + 1)
        ours = lrplot.run_config(translate(args).config)
        assert len(ours) == epochs
        np.testing.assert_array_equal(ours.lr[:, 0], rows)


def test_compare_reads_the_same_shapes_and_run_options():
    from pathlib import Path

    configs = Path(__file__).parents[1] / "configs"
    result = invoke(["compare", str(configs / "hf-trainer.json"), str(configs / "lightning-cli.yaml"),
                                 "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "step,hf-trainer,lightning-cli"
    per_epoch = invoke(["compare", str(configs / "step.yaml"), str(configs / "cosine.yaml"),
                                    "--steps-per-epoch", "2", "-n", "3", "-f", "csv"])
    assert per_epoch.exit_code == 0 and per_epoch.stdout.count("\n") == 7
