"""``lrplot check``: every rule has a config that triggers it and one that must stay clean; output, exit codes,
the examples in configs/ and the real configs in the fixtures."""

import json
from pathlib import Path

import pytest

from lrplot.check.rules import RULES

ROOT = Path(__file__).parents[1]
LOGS = ROOT / "tests" / "fixtures" / "logs"


def _yaml(tmp_path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# rule -> (triggering config, a clean config that differs in the one thing), as lrplot YAML or HF args
CASES = {
    "horizon-unit": ("scheduler: StepLR\nparams: {step_size: 30}\nsteps_per_epoch: 50\nepochs: 100\n",
                     "scheduler: StepLR\nparams: {step_size: 1500}\nsteps_per_epoch: 50\nepochs: 100\n"),
    "past-total-steps": ("scheduler: OneCycleLR\nparams: {max_lr: 0.1, total_steps: 100}\noptimizer: {lr: 0.1, "
                         "momentum: 0.9}\nepochs: 3\nrun: {dataset_size: 1000, batch_size: 30}\n",
                         "scheduler: OneCycleLR\nparams: {max_lr: 0.1, total_steps: 102}\noptimizer: {lr: 0.1, "
                         "momentum: 0.9}\nepochs: 3\nrun: {dataset_size: 1000, batch_size: 30}\n"),
    "warmup-too-long": ("scheduler: hf:cosine\nparams: {num_warmup_steps: 200, num_training_steps: 300}\n"
                        "epochs: 150\n",
                        "scheduler: hf:cosine\nparams: {num_warmup_steps: 10, num_training_steps: 150}\n"
                        "epochs: 150\n"),
    "warmup-rounds-to-zero": ("base_model: m\ndatasets: [{path: d}]\nlearning_rate: 0.0002\nlr_scheduler: cosine\n"
                              "num_epochs: 1\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\n"
                              "warmup_ratio: 0.01\n",
                              "base_model: m\ndatasets: [{path: d}]\nlearning_rate: 0.0002\nlr_scheduler: cosine\n"
                              "num_epochs: 1\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\n"
                              "warmup_ratio: 0.1\n"),
    "lr-zero-start": ("scheduler: LambdaLR\nparams: {lr_lambda: '0 if epoch < 5 else 1'}\nepochs: 20\n",
                      "scheduler: LambdaLR\nparams: {lr_lambda: '1'}\nepochs: 20\n"),
    "lr-climbs-back": ("scheduler: CosineAnnealingLR\nparams: {T_max: 25}\nepochs: 100\n",
                       "scheduler: CosineAnnealingLR\nparams: {T_max: 100}\nepochs: 100\n"),
    "ends-above-floor": ("scheduler: CosineAnnealingLR\nparams: {T_max: 250}\nepochs: 100\n",
                         "scheduler: CosineAnnealingLR\nparams: {T_max: 100}\nepochs: 100\n"),
    "chained-not-chainable": ("scheduler: ChainedScheduler\nparams:\n  schedulers:\n    - {scheduler: LambdaLR, "
                              "params: {lr_lambda: '0.9 ** epoch'}}\n    - {scheduler: ExponentialLR, params: "
                              "{gamma: 0.9}}\nepochs: 20\n",
                              "scheduler: ChainedScheduler\nparams:\n  schedulers:\n    - {scheduler: ConstantLR, "
                              "params: {factor: 0.5}}\n    - {scheduler: ExponentialLR, params: {gamma: 0.9}}\n"
                              "epochs: 20\n"),
    "sequential-milestones": ("scheduler: SequentialLR\nparams:\n  schedulers:\n    - {scheduler: LinearLR, params: "
                              "{start_factor: 0.1, total_iters: 5}}\n    - {scheduler: ExponentialLR, params: {gamma: "
                              "0.95}}\n  milestones: [150]\nepochs: 100\n",
                              "scheduler: SequentialLR\nparams:\n  schedulers:\n    - {scheduler: LinearLR, params: "
                              "{start_factor: 0.1, total_iters: 5}}\n    - {scheduler: ExponentialLR, params: {gamma: "
                              "0.95}}\n  milestones: [5]\nepochs: 100\n"),
    "floor-above-lr": ("scheduler: CosineAnnealingLR\nparams: {T_max: 100, eta_min: 0.2}\noptimizer: {lr: 0.1}\n"
                       "epochs: 100\n",
                       "scheduler: CosineAnnealingLR\nparams: {T_max: 100, eta_min: 0.1}\noptimizer: {lr: 0.1}\n"
                       "epochs: 100\n"),
    "plateau-mode": ("trainer: {max_epochs: 10}\nmodel: {class_path: m.M}\noptimizer: {class_path: torch.optim.SGD, "
                     "init_args: {lr: 0.1}}\nlr_scheduler:\n  class_path: lightning.pytorch.cli.ReduceLROnPlateau\n"
                     "  init_args: {monitor: val_acc, mode: min}\n",
                     "trainer: {max_epochs: 10}\nmodel: {class_path: m.M}\noptimizer: {class_path: torch.optim.SGD, "
                     "init_args: {lr: 0.1}}\nlr_scheduler:\n  class_path: lightning.pytorch.cli.ReduceLROnPlateau\n"
                     "  init_args: {monitor: val_acc, mode: max}\n"),
    "cycle-momentum": ("scheduler: OneCycleLR\nparams: {max_lr: 0.1, total_steps: 100}\n",
                       "scheduler: OneCycleLR\nparams: {max_lr: 0.1, total_steps: 100}\noptimizer: {lr: 0.1, "
                       "momentum: 0.9}\n"),
    "accelerate-per-process": ("scheduler: hf:linear\nparams: {num_training_steps: 500}\nepochs: 1\nrun: "
                               "{dataset_size: 4000, batch_size: 8, devices: 4, trainer: accelerate}\n",
                               "scheduler: hf:linear\nparams: {num_training_steps: 500}\nepochs: 1\nrun: "
                               "{dataset_size: 4000, batch_size: 8, devices: 4, trainer: accelerate, "
                               "split_batches: true}\n"),
    "lr-invalid": ("scheduler: ExponentialLR\nparams: {gamma: 0.5}\noptimizer: {lr: 0}\nepochs: 10\n",
                   "scheduler: ExponentialLR\nparams: {gamma: 0.5}\noptimizer: {lr: 0.1}\nepochs: 10\n"),
    "resume-departs": ("scheduler: hf:linear\nparams: {num_warmup_steps: 10, num_training_steps: 100}\n"
                       "resume_at: 50\nresume_mode: fresh\n",
                       "scheduler: hf:linear\nparams: {num_warmup_steps: 10, num_training_steps: 100}\n"
                       "resume_at: 50\nresume_mode: state\n"),
}
EXTRA = {"warmup-rounds-to-zero": ("--dataset-size", "50")}  # 25 steps x 0.01 -> int(0.25) = 0
# rules whose trigger needs more than a config: the test that covers them
ELSEWHERE = {"deepspeed-overrides": "test_deepspeed_block_replacing_the_trainers_curve",
             "ignored-scheduler-kwargs": "test_ignored_scheduler_kwargs",
             "log-diverges": "test_a_tampered_log_is_caught", "reader-note": "test_reader_notes_are_info"}


def test_every_rule_is_tested():
    assert {rule.id for rule in RULES} == set(CASES) | set(ELSEWHERE)


def _rules(result) -> list[str]:
    return [f["rule"] for f in json.loads(result.stdout)["findings"] if f["severity"] != "info"]


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers(cli, tmp_path, rule):
    bad = cli("check", _yaml(tmp_path, CASES[rule][0]), "--format", "json", *EXTRA.get(rule, ()))
    found = json.loads(bad.stdout)["findings"] if bad.stdout else []
    assert rule in [f["rule"] for f in found], (bad.stdout, bad.stderr)
    assert bad.exit_code == 1 and json.loads(bad.stdout)["failed"] is True


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_stays_clean(cli, tmp_path, rule):
    good = cli("check", _yaml(tmp_path, CASES[rule][1]), "--format", "json", *EXTRA.get(rule, ()))
    assert good.exit_code == 0, (good.stdout, good.stderr)
    assert rule not in _rules(good)


def test_text_output_locates_the_key(cli, tmp_path):
    path = _yaml(tmp_path, CASES["lr-climbs-back"][0])
    result = cli("check", path)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:2: lr-climbs-back warning: the lr falls to 0 at step 25, then climbs back to 0.1 by step 50: "
        "CosineAnnealingLR T_max=25 ends at step 25, before the run (fix: T_max: 100 (the run's length), or use a "
        "scheduler with restarts if they are meant)\nlrplot check: failed: 1 warning (--fail-on warning)\n")


def test_fail_on_and_usage_errors(cli, tmp_path):
    path = _yaml(tmp_path, CASES["lr-climbs-back"][0])
    assert cli("check", path, "--fail-on", "error").exit_code == 0
    assert cli("check", path, "--fail-on", "warning").exit_code == 1
    bad = cli("check", path, "--fail-on", "loud")
    assert bad.exit_code == 2 and bad.stderr == "lrplot: error: --fail-on: 'loud' is not one of info, warning, error\n"
    broken = cli("check", _yaml(tmp_path, "scheduler: StepLR\nparams: {step_sise: 3}\n", "b.yaml"))
    assert broken.exit_code == 2 and "unknown parameter" in broken.stderr and broken.stdout == ""
    assert cli("check").exit_code == 2


def test_list_rules_one_line_each(cli):
    result = cli("check", "--list-rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [rule.id for rule in RULES]
    assert all(line.split()[1] in ("info", "warning", "error") for line in lines)


def test_check_flag_on_a_scheduler_command(cli):
    result = cli("cosine", "--t-max", "25", "--epochs", "100", "--check")
    assert result.exit_code == 1 and result.stdout.startswith("--t-max: lr-climbs-back warning: ")
    clean = cli("cosine", "--t-max", "100", "--epochs", "100", "--check")
    assert clean.exit_code == 0 and clean.stdout == "lrplot check: passed: no findings\n"
    onecycle = cli("onecycle", "--max-lr", "0.1", "--total-steps", "10", "--epochs", "20", "--check")
    assert onecycle.exit_code == 1 and "past-total-steps error" in onecycle.stdout


def test_configs_examples(cli):
    """Examples flagged on purpose say so in a comment, and check reports exactly that rule; the rest pass."""
    for path in sorted((ROOT / "configs").glob("*.y*ml")) + [ROOT / "configs" / "hf-trainer.json"]:
        result = cli("check", path, "--format", "json")
        text = path.read_text()
        rules = _rules(result)
        if "flags it on purpose" in text:
            named = text.split("flags it on purpose (")[1].split(")")[0]
            assert result.exit_code == 1 and rules == [named], path
        else:
            assert result.exit_code == 0 and rules == [], (path, result.stdout)


# real configs, with the run they were written for where 10,000 examples is not it
REAL_SIZES = {"A-cfgpt-pretrain-deepspeed-json.yml": 1_000_000, "E-deepspeedexamples-cifar-warmuplr.json": 50_000}
# a real file that really has the bug a rule names (not a false alarm)
REAL_FINDINGS = {"F-terratorch-forestnet-cosine-annealing.yaml": ["lr-climbs-back"]}  # T_max 20 over 100 epochs


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "fixtures" / "real_configs").glob("[A-Z]-*")) +
                         sorted((ROOT / "tests" / "fixtures" / "real_configs_13").glob("[A-Z]-*")),
                         ids=lambda p: p.name)
def test_no_false_alarms_on_real_configs(cli, path):
    extra = ["--num-classes", "20", "--dataset-size", "1000"] if path.name.startswith("I-") else \
        ["--dataset-size", str(REAL_SIZES.get(path.name, 10_000))]
    result = cli("check", path, "--format", "json", *extra)
    if result.exit_code == 2:  # refused as from-config refuses it (tested there): no findings invented
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1
        return
    assert _rules(result) == REAL_FINDINGS.get(path.name, []), result.stdout


def test_deepspeed_block_replacing_the_trainers_curve(cli, tmp_path):
    ds = {"train_micro_batch_size_per_gpu": "auto", "scheduler": {"type": "WarmupLR", "params": {
        "warmup_min_lr": 0, "warmup_max_lr": "auto", "warmup_num_steps": "auto"}}}
    (tmp_path / "ds.json").write_text(json.dumps(ds))
    different = _yaml(tmp_path, "learning_rate: 0.0001\nlr_scheduler_type: cosine\nwarmup_steps: 10\n"
                      "num_train_epochs: 1\nper_device_train_batch_size: 8\ndeepspeed: ds.json\n", "a.yaml")
    result = cli("check", different, "--dataset-size", "8000", "--format", "json")
    assert "deepspeed-overrides" in _rules(result) and result.exit_code == 1
    same = _yaml(tmp_path, "learning_rate: 0.0001\nlr_scheduler_type: constant_with_warmup\nwarmup_steps: 10\n"
                 "num_train_epochs: 1\nper_device_train_batch_size: 8\ndeepspeed: ds.json\n", "b.yaml")
    result = cli("check", same, "--dataset-size", "8000", "--format", "json")
    assert result.exit_code == 0 and "deepspeed-overrides" not in _rules(result)
    infos = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "deepspeed-overrides"]
    assert infos and all(f["severity"] == "info" for f in infos)  # DeepSpeed's log warmup differs, only there


def test_ignored_scheduler_kwargs(cli, tmp_path):
    bad = _yaml(tmp_path, "learning_rate: 0.0001\nlr_scheduler_type: constant\nlr_scheduler_kwargs: {min_lr: 1e-6}\n"
                "max_steps: 100\n", "a.yaml")
    result = cli("check", bad, "--format", "json")
    assert "ignored-scheduler-kwargs" in _rules(result)
    good = _yaml(tmp_path, "learning_rate: 0.0001\nlr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs: "
                 "{min_lr: 1e-6}\nmax_steps: 100\n", "b.yaml")
    assert "ignored-scheduler-kwargs" not in _rules(cli("check", good, "--format", "json"))


def test_reader_notes_are_info(cli, tmp_path):
    path = _yaml(tmp_path, "learning_rate: 0.0001\nlr_scheduler_type: cosine\nmax_steps: 100\ndeepspeed: nowhere.json\n")
    result = cli("check", path, "--format", "json")
    notes = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "reader-note"]
    assert result.exit_code == 0 and notes and "was not found" in notes[0]["message"]


def test_a_lr_zero_first_step_is_info_and_a_deepspeed_warmups_two(cli, tmp_path):
    hf = cli("check", _yaml(tmp_path, "scheduler: hf:linear\nparams: {num_warmup_steps: 10, num_training_steps: "
                            "100}\n"), "--format", "json")
    found = json.loads(hf.stdout)["findings"]
    assert hf.exit_code == 0 and [(f["rule"], f["severity"]) for f in found] == [("lr-zero-start", "info")]
    ds = cli("ds-warmup-decay", "--total-num-steps", "100", "--warmup-num-steps", "10", "--check")
    assert ds.exit_code == 0 and "first 2 optimizer steps run at lr 0" in ds.stdout


def test_every_registered_schedulers_example_checks_clean():
    """The rules run on every scheduler; the registry's examples are sane, but for CyclicLR's and OneCycleLR's,
    which cycle momentum on the default optimizer (momentum 0)."""
    from lrplot.check.rules import Subject, run_rules
    from lrplot.engine.registry import SCHEDULERS
    from lrplot.engine.simulate import run_config

    for cls in SCHEDULERS.values():
        spec = cls.spec
        config = {"scheduler": spec.name, "params": dict(spec.example)}
        result = run_config(config)
        found = [f.rule for f in run_rules(Subject(result, config, notes=list(result.warnings)))
                 if f.severity != "info"]
        assert found == (["cycle-momentum"] if spec.name in ("CyclicLR", "OneCycleLR") else []), spec.name
        config["optimizer"] = {"lr": 0.1, "momentum": 0.9}
        result = run_config(config)
        assert [f.rule for f in run_rules(Subject(result, config)) if f.severity != "info"] == [], spec.name
