"""The run model: optimizer steps counted as each trainer counts them, the arithmetic said on stderr, and
the config shapes of the LLM stacks read by signature (never by one key) or named and refused."""

import json
from pathlib import Path

import pytest

import lrplot
from lrplot.config.load import load
from lrplot.config.shapes import translate
from lrplot.engine.trainers import TRAINERS, parse_run, plan
from lrplot.errors import ParamError


def count(trainer, epochs=None, **run):
    return plan(parse_run({"trainer": trainer, **run}, epochs))


# (trainer, run, epochs) -> (steps per epoch, total): the numbers each trainer's source gives
# (issue12-arithmetic: HF 4.57/5.23 observed 375 batches, 188 per epoch, 564 steps on 4 processes).
@pytest.mark.parametrize("trainer,run,epochs,per_epoch,total", [
    ("hf", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2), 3, 188, 564),
    ("hf", dict(dataset_size=12100, batch_size=8, devices=4), 1, 379, 379),  # ceil(ceil(12100/8)/4)
    ("hf", dict(dataset_size=12100, batch_size=8, devices=4, drop_last=True), 1, 378, 378),
    ("hf", dict(dataset_size=100, batch_size=8, grad_accum=3), 2.5, 5, 13),  # 13 batches, 5 windows, ceil(12.5)
    ("hf", dict(dataset_size=100, batch_size=8, max_steps=7), 3, 13, 7),
    ("accelerate", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2), 3, 188, 564),
    ("torch", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2), 3, 187, 561),
    ("torchtune", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2), 3, 187, 561),
    ("torchtune", dict(dataset_size=12001, batch_size=8, devices=4, grad_accum=2), 1, 187, 187),  # short batch dropped
    ("torchtune", dict(dataset_size=12000, batch_size=8, grad_accum=2, max_steps_per_epoch=100), 3, 100, 300),
    ("axolotl", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2), 3, 188, 563),  # ceil(562.5)
    ("axolotl", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2, max_steps=500), 3, 188, 500),
    ("axolotl", dict(dataset_size=12000, batch_size=8, devices=4, grad_accum=2, max_steps=900), 3, 188, 900),
    ("deepspeed", dict(dataset_size=100, batch_size=8, grad_accum=3), 2, None, 8),  # floor(2 x 13 / 3), no axis
    ("llamafactory-v1", dict(dataset_size=103, batch_size=4, devices=2), 2, 12, 24),  # floor(floor(103/2)/4)
])
def test_each_trainer_counts_as_its_source_does(trainer, run, epochs, per_epoch, total):
    counted = count(trainer, epochs, **run)
    assert (counted.steps_per_epoch, counted.total_steps) == (per_epoch, total)


def test_accelerate_steps_the_scheduler_once_per_process():
    assert count("accelerate", 1, dataset_size=64, batch_size=8, devices=4).scheduler_calls == 4
    assert count("accelerate", 1, dataset_size=64, batch_size=8, devices=4, split_batches=True).scheduler_calls == 1
    assert count("hf", 1, dataset_size=64, batch_size=8, devices=4).scheduler_calls == 1
    # StepLR(step_size=4) under accelerate on 4 processes decays at every optimizer step
    result = lrplot.run_config({"scheduler": "StepLR", "params": {"step_size": 4, "gamma": 0.5}, "epochs": 1,
                                "run": {"trainer": "accelerate", "dataset_size": 64, "batch_size": 2, "devices": 4}})
    assert result.lr[:4, 0].tolist() == [0.1, 0.05, 0.025, 0.0125]


@pytest.mark.parametrize("run,epochs,message", [
    ({"batch_size": 8}, 3, "needs the number of training examples"),
    ({"dataset_size": 100}, 3, "needs the per-device batch size"),
    ({"dataset_size": 100, "batch_size": 8}, None, "needs the number of epochs"),
    ({"dataset_size": 5, "batch_size": 8, "drop_last": True}, 1, "no full batch"),
    ({"dataset_size": 100, "batch_size": 8, "trainer": "torch"}, 2.5, "runs whole epochs"),
    ({"dataset_size": 16, "batch_size": 8, "grad_accum": 3, "trainer": "torch"}, 1, "fewer than grad_accum"),
    ({"dataset_size": 100, "batch_size": 8, "trainer": "keras"}, 1, "not a trainer lrplot counts"),
    ({"dataset_size": 0, "batch_size": 8}, 1, "must be >= 1"),
])
def test_a_run_that_cannot_be_counted_is_refused(run, epochs, message):
    with pytest.raises(ParamError, match=message):
        plan(parse_run({"trainer": "hf", **run}, epochs))


def test_the_issue_example_end_to_end(cli, tmp_path):
    """HF Trainer, lr 2e-5, cosine, warmup_ratio 0.03, 3 epochs, 12,000 examples, batch 8, 4 GPUs, accumulation 2."""
    args = tmp_path / "args.yaml"
    args.write_text("learning_rate: 2.0e-5\nlr_scheduler_type: cosine\nwarmup_ratio: 0.03\nnum_train_epochs: 3\n"
                    "per_device_train_batch_size: 8\ngradient_accumulation_steps: 2\noutput_dir: out\n")
    result = cli("from-config", args, "--dataset-size", "12000", "--devices", "4", "-f", "csv")
    assert result.exit_code == 0
    assert result.stderr == (
        "lrplot: HF Trainer: 12,000 examples / (8 x 4 devices) = 375 batches per epoch / 2 accumulation = 188 "
        "optimizer steps per epoch (last window partial); 3 epochs = 564 steps\n"
        "lrplot: warmup_ratio 0.03 -> ceil(564 x 0.03) = 17 warmup steps (transformers 4 to 5.14; 5.15+ refuse "
        "warmup_ratio: write warmup_steps: 0.03)\n"
        "lrplot: lr: peak 2e-05 at step 17, warmup ends at step 17, final 1.649e-10 at step 563, minimum 0 at step 0\n")
    rows = result.stdout.splitlines()
    assert rows[0] == "step,epoch,lr" and len(rows) == 565
    expected = lrplot.simulate("hf:cosine", lr=2e-5, num_warmup_steps=17, num_training_steps=564, epochs=564)
    assert [float(r.split(",")[2]) for r in rows[1:]] == expected.lr[:, 0].tolist()
    assert rows[1 + 188] == f"188,1.0,{float(expected.lr[188, 0])!r}" and rows[2].startswith("1,0.0053,")


def test_a_plain_command_counts_a_torch_loop(cli):
    result = cli("cosine", "--t-max", "561", "--dataset-size", "12000", "--batch-size", "8", "--devices", "4",
                 "--grad-accum", "2", "--epochs", "3", "-f", "csv")
    assert result.exit_code == 0
    assert result.stderr == ("lrplot: torch loop: 12,000 examples / 4 devices = 3,000 per device / batch 8 = 375 "
                             "batches per epoch / 2 accumulation = 187 optimizer steps per epoch (1 batch left "
                             "over); 3 epochs = 561 steps\n"
                             "lrplot: lr: peak 0.1 at step 0, final 7.84e-07 at step 560, minimum 7.84e-07 at step 560\n")
    assert len(result.stdout.splitlines()) == 562
    missing = cli("cosine", "--t-max", "10", "--dataset-size", "100", "--epochs", "2", "-f", "csv")
    assert missing.exit_code == 2 and missing.stderr == (
        "lrplot: error: --batch-size: missing: counting the run's optimizer steps needs the per-device batch size\n")


def test_the_run_key_in_lrplot_yaml(cli, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("scheduler: hf:linear\nparams: {num_warmup_steps: 2, num_training_steps: 26}\nepochs: 2\n"
                      "run: {trainer: hf, dataset_size: 100, batch_size: 8}\n")
    result = cli("from-config", config, "-f", "csv")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 27
    config.write_text("scheduler: StepLR\nparams: {step_size: 2}\nrun: {trainer: hf, dataset_size: 100, "
                      "batch_size: 8, epochs: 2}\n")
    bad = cli("from-config", config, "-f", "csv")
    assert bad.exit_code == 2 and "run.epochs: unknown run key" in bad.stderr


# --- shapes -------------------------------------------------------------------------------------

AXOLOTL = {"base_model": "m", "learning_rate": 2e-4, "micro_batch_size": 8, "gradient_accumulation_steps": 2,
           "num_epochs": 3, "sequence_len": 2048, "output_dir": "out", "warmup_ratio": 0.03}


def shape_of(data, **run):
    return translate(data, {"dataset_size": 12000, **run})


def test_axolotl_is_not_read_as_training_arguments():
    """The bug the issue reports: learning_rate made an axolotl file HF's, its cosine was shown as linear."""
    translation = shape_of(AXOLOTL, devices=4)
    assert translation.shape == "axolotl"
    config = translation.config
    assert config["scheduler"] == "hf:cosine"  # axolotl's default lr_scheduler
    assert config["params"] == {"num_warmup_steps": 16, "num_training_steps": 563}  # int(0.03 x 563), HF gives 17
    result = lrplot.run_config(config)
    assert len(result) == 563


@pytest.mark.parametrize("extra,scheduler,params", [
    ({}, "hf:cosine", {"num_warmup_steps": 16, "num_training_steps": 563}),
    ({"lr_scheduler": "linear"}, "hf:linear", {"num_warmup_steps": 16, "num_training_steps": 563}),
    ({"lr_quadratic_warmup": True}, "axolotl:get_cosine_schedule_with_quadratic_warmup",
     {"num_warmup_steps": 16, "num_training_steps": 563}),
    ({"cosine_min_lr_ratio": 0.1}, "axolotl:get_cosine_schedule_with_min_lr",
     {"num_warmup_steps": 16, "num_training_steps": 563, "min_lr_ratio": 0.1}),
    ({"cosine_min_lr_ratio": 0.1, "cosine_constant_lr_ratio": 0.8},
     "axolotl:get_cosine_schedule_with_warmup_decay_constant",
     {"num_warmup_steps": 16, "num_training_steps": 563, "min_lr_ratio": 0.1, "constant_lr_ratio": 0.8}),
    ({"cosine_min_lr_ratio": 0.1, "cosine_constant_lr_ratio": 0}, "axolotl:get_cosine_schedule_with_min_lr",
     {"num_warmup_steps": 16, "num_training_steps": 563, "min_lr_ratio": 0.1}),  # 0 counts as unset
    ({"lr_scheduler": "rex"}, "axolotl:RexLR", {"max_lr": 2e-4, "min_lr": 0.0, "total_steps": 563,
                                               "num_warmup_steps": 16}),
    ({"warmup_ratio": None, "warmup_steps": 1}, "hf:cosine", {"num_warmup_steps": 2, "num_training_steps": 563}),
    ({"warmup_ratio": None}, "hf:cosine", {"num_warmup_steps": 16, "num_training_steps": 563}),  # min(int(.03S),100)
    ({"warmup_ratio": None, "warmup_steps": 0.1}, "hf:cosine", {"num_warmup_steps": 57, "num_training_steps": 563}),
    ({"val_set_size": 0.05}, "hf:cosine", {"num_warmup_steps": 16, "num_training_steps": 535}),
])
def test_axolotl_schedules_follow_its_trainer(extra, scheduler, params):
    data = {k: v for k, v in {**AXOLOTL, **extra}.items() if v is not None}
    config = shape_of(data, devices=4).config
    assert (config["scheduler"], config["params"]) == (scheduler, params)
    lrplot.run_config(config)


def test_axolotl_sample_packing_asks_for_max_steps():
    with pytest.raises(ParamError, match="give --max-steps N"):
        shape_of({**AXOLOTL, "sample_packing": True})
    config = shape_of({**AXOLOTL, "sample_packing": True}, max_steps=321).config
    assert config["params"]["num_training_steps"] == 321


def test_llamafactory_v0_v1_and_megatron():
    v0 = {"model_name_or_path": "m", "stage": "sft", "finetuning_type": "lora", "template": "llama3",
          "dataset": "alpaca", "cutoff_len": 2048, "max_samples": 1000, "val_size": 0.1,
          "per_device_train_batch_size": 2, "gradient_accumulation_steps": 4, "learning_rate": 1e-4,
          "num_train_epochs": 3.0, "lr_scheduler_type": "cosine", "warmup_ratio": 0.1}
    translation = shape_of(v0)
    assert translation.shape == "LLaMA-Factory"
    # 12,000 capped at 1,000, 100 held out: 900 / 2 = 450 batches / 4 = 113 steps per epoch, x 3 = 339
    assert translation.config["params"] == {"num_warmup_steps": 34, "num_training_steps": 339}
    v1 = {"model": "Qwen/Qwen3-4B", "micro_batch_size": 1, "global_batch_size": 4, "train_dataset": "d.yaml",
          "learning_rate": 2e-5, "num_train_epochs": 2}
    translation = shape_of(v1)
    assert translation.shape == "LLaMA-Factory v1"
    result = lrplot.run_config(translation.config)
    assert len(result) == 2 * 3000 and set(result.lr[:, 0].tolist()) == {2e-5}
    with pytest.raises(ParamError, match="LLaMA-Factory Megatron config"):
        shape_of({**v0, "tensor_model_parallel_size": 1, "pipeline_model_parallel_size": 4})


def test_torchtune_recipe():
    recipe = {"model": {"_component_": "torchtune.models.llama3_2.lora_llama3_2_1b"},
              "tokenizer": {"_component_": "torchtune.models.llama3.llama3_tokenizer"},
              "optimizer": {"_component_": "torch.optim.AdamW", "lr": 3e-4}, "batch_size": 8, "epochs": 3,
              "gradient_accumulation_steps": 2,
              "lr_scheduler": {"_component_": "torchtune.modules.get_cosine_schedule_with_warmup",
                               "num_warmup_steps": 100}}
    translation = shape_of(recipe, devices=4)
    assert translation.shape == "torchtune"
    assert translation.config["params"] == {"num_warmup_steps": 100, "num_training_steps": 561, "num_cycles": 0.5}
    no_scheduler = {k: v for k, v in recipe.items() if k != "lr_scheduler"}
    assert set(lrplot.run_config(shape_of(no_scheduler).config).lr[:, 0].tolist()) == {3e-4}


def test_deepspeed_scheduler_block_overrides_the_trainer(tmp_path):
    ds = tmp_path / "ds.json"
    ds.write_text(json.dumps({"train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
                              "zero_optimization": {"stage": 3},
                              "scheduler": {"type": "WarmupDecayLR", "params": {
                                  "total_num_steps": "auto", "warmup_min_lr": "auto", "warmup_max_lr": "auto",
                                  "warmup_num_steps": "auto"}}}))
    args = {"learning_rate": 2e-5, "lr_scheduler_type": "cosine", "warmup_ratio": 0.03, "num_train_epochs": 3,
            "per_device_train_batch_size": 8, "gradient_accumulation_steps": 2, "deepspeed": "ds.json"}
    translation = translate(args, {"dataset_size": 12000, "devices": 4, "base": str(tmp_path)})
    assert translation.config["scheduler"] == "deepspeed:WarmupDecayLR"
    assert translation.config["params"] == {"total_num_steps": 564, "warmup_min_lr": 0, "warmup_max_lr": 2e-5,
                                            "warmup_num_steps": 17}
    assert any("replaces lr_scheduler_type 'cosine'" in w for w in translation.warnings)
    result = lrplot.run_config(translation.config)
    # research: k=2: 4.893e-06 (log warmup), k=17 and k=18: the peak
    assert result.lr[0, 0] == 0.0 and result.lr[1, 0] == 0.0 and round(result.lr[2, 0], 9) == 4.893e-06
    assert result.lr[17, 0] == result.lr[18, 0] == 2e-5
    ds.write_text(json.dumps({"train_micro_batch_size_per_gpu": 4, "zero_optimization": {"stage": 2}}))
    with pytest.raises(Exception, match="refuses the mismatch"):
        translate(args, {"dataset_size": 12000, "base": str(tmp_path)})


@pytest.mark.parametrize("data,message", [
    ({"compute_environment": "LOCAL_MACHINE", "distributed_type": "DEEPSPEED", "num_processes": 8,
      "mixed_precision": "bf16"}, "looks like an accelerate launch config"),
    ({"train_micro_batch_size_per_gpu": 4, "zero_optimization": {"stage": 2}}, "has no scheduler block"),
    ({"train_batch_size": 16, "scheduler": {"type": "WarmupLR", "params": {"warmup_max_lr": "auto"}}},
     "'auto' is filled by the HF Trainer"),
])
def test_configs_not_read_are_named(data, message):
    with pytest.raises(ParamError, match=message):
        translate(data, {})


def test_one_key_is_not_a_signature():
    """learning_rate alone (or with output_dir) is not enough to call a file HF TrainingArguments."""
    assert translate({"learning_rate": 0.1, "scheduler": "StepLR"}, {}).shape == "lrplot"
    with pytest.raises(ParamError, match="matches none of the configs lrplot reads: lrplot's own YAML names"):
        translate({"learning_rate": 0.1}, {})


@pytest.mark.parametrize("data,version,warmup", [
    ({"warmup_ratio": 0.03}, None, 17),
    ({"warmup_steps": 0.03}, None, 17),
    ({"warmup_steps": 0.03}, "5.15+", 17),
    ({"warmup_steps": 10, "warmup_ratio": 0.5}, None, 10),  # 4.x: warmup_steps wins (warned)
    ({"warmup_steps": 10, "warmup_ratio": 0.5}, "4", 10),
    ({"warmup_steps": 10, "warmup_ratio": 0.5}, "5.0-5.14", 282),  # 5.0-5.14: the ratio replaces warmup_steps
    ({"warmup_ratio": 1.0}, "5.0-5.14", 1),  # ... and 1.0 is then read as one step
    ({"warmup_steps": 2.7}, None, 2),
])
def test_hf_warmup_per_version(data, version, warmup):
    args = {"lr_scheduler_type": "linear", "per_device_train_batch_size": 8, "gradient_accumulation_steps": 2,
            "num_train_epochs": 3, **data}
    config = translate(args, {"dataset_size": 12000, "devices": 4, "transformers": version}).config
    assert config["params"]["num_warmup_steps"] == warmup


@pytest.mark.parametrize("data,version,message", [
    ({"warmup_ratio": 0.1}, "5.15+", "has no warmup_ratio"),
    ({"warmup_steps": 0.1}, "4", "whole number of steps"),
    ({"warmup_steps": -1}, None, "must be >= 0"),
    ({"lr_scheduler_kwargs": "min_lr=0.1"}, None, "expected a mapping or a JSON object"),
])
def test_hf_warmup_refusals(data, version, message):
    args = {"lr_scheduler_type": "linear", "per_device_train_batch_size": 8, "num_train_epochs": 3, **data}
    with pytest.raises(ParamError, match=message):
        translate(args, {"dataset_size": 1000, "transformers": version})


def test_hf_kwargs_as_a_json_string():
    args = {"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": '{"min_lr_rate": "0.1"}',
            "per_device_train_batch_size": 8, "num_train_epochs": 1}
    config = translate(args, {"dataset_size": 80}).config
    assert config["params"] == {"min_lr_rate": 0.1, "num_warmup_steps": 0, "num_training_steps": 10}


def test_verbose_names_the_shape_and_the_defaults(cli, tmp_path):
    args = tmp_path / "training_args.json"
    args.write_text(json.dumps({"lr_scheduler_type": "cosine", "num_train_epochs": 1, "output_dir": "x"}))
    result = cli("from-config", args, "--dataset-size", "80", "-f", "csv", "-v")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == [
        "lrplot: read as HF TrainingArguments; defaults used: learning_rate=5e-05, per_device_train_batch_size=8, "
        "gradient_accumulation_steps=1, dataloader_drop_last=False",
        "lrplot: HF TrainingArguments config: ignored 1 key lrplot does not use: output_dir"]


def test_duplicate_keys_in_foreign_files_warn_and_keep_the_last(cli, tmp_path):
    args = tmp_path / "recipe.yaml"
    args.write_text("learning_rate: 1.0e-4\nlr_scheduler_type: linear\nnum_train_epochs: 1\ndo_eval: true\n"
                    "per_device_train_batch_size: 8\ndo_eval: false\n")
    result = cli("from-config", args, "--dataset-size", "80", "-f", "csv")
    assert result.exit_code == 0 and "recipe.yaml:6: do_eval: given twice; the last value is used" in result.stderr
    own = tmp_path / "own.yaml"
    own.write_text("scheduler: StepLR\nparams: {step_size: 3}\nepochs: 4\nepochs: 5\n")
    assert cli("from-config", own).exit_code == 2


def test_json_with_tabs_is_read_as_json(cli, tmp_path):
    ds = tmp_path / "ds.json"
    ds.write_text('{\n "train_batch_size": 8,\n "zero_optimization": {"stage": 1},\n "scheduler": {\n\t"type": '
                  '"LRRangeTest",\n\t"params": {"lr_range_test_step_size": 5}\n }\n}\n')
    result = cli("from-config", ds, "-f", "csv", "-n", "6")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "5,0.002"


def test_trainers_are_declared_with_their_sources():
    for trainer in TRAINERS.values():
        assert trainer.source and trainer.help and trainer.label


@pytest.mark.parametrize("name,flags,steps", [
    ("axolotl-lora.yml", ["--dataset-size", "12000", "--devices", "4"], 535),  # 11,400 after val_set_size
    ("llamafactory-sft.yaml", ["--dataset-size", "52000"], 3375),  # 9,000 after max_samples and val_size
    ("trl-sft.yaml", ["--dataset-size", "12000", "--devices", "4"], 564),
    ("torchtune-lora.yaml", ["--dataset-size", "12000", "--devices", "4"], 561),
    ("hf-deepspeed.yaml", ["--dataset-size", "12000", "--devices", "4"], 564),
])
def test_the_rows_are_the_steps_the_schedule_was_built_for(cli, name, flags, steps):
    """The flags are read once, with the file, by the shape that counts: a held-out split or a cap must not
    be undone by the flag being written in again (rows 12,000-based, schedule 11,400-based)."""
    path = Path(__file__).parents[1] / "configs" / "trainers" / name
    translation = translate(load(str(path)).data, {"dataset_size": int(flags[1]), "base": str(path.parent),
                                                   "devices": int(flags[3]) if len(flags) > 2 else None})
    params = translation.config["params"]
    assert params.get("num_training_steps", steps) == steps
    result = cli("from-config", path, *flags, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) - 1 == steps
    assert f"= {steps:,} steps" in next(line for line in result.stderr.splitlines() if "optimizer steps per" in line)


@pytest.mark.parametrize("text,tool", [
    ("model: {name: mpt_causal_lm}\noptimizer: {name: decoupled_adamw, lr: 6.0e-4}\nscheduler: {name: "
     "cosine_with_warmup, t_warmup: 100ba}\nmax_duration: 4800ba\nglobal_train_batch_size: 256\n",
     "composer / llm-foundry"),
    ("common: {fp16: true}\ntask: {_name: audio_pretraining}\noptimizer: {_name: adam}\nlr_scheduler: {_name: "
     "polynomial_decay, warmup_updates: 32000}\noptimization: {max_update: 400000, lr: [0.0005]}\n", "fairseq"),
    ("_BASE_: ../Base-RCNN-FPN.yaml\nSOLVER:\n  BASE_LR: 0.02\n  STEPS: (60000, 80000)\n", "detectron2 (yacs)"),
    ("MODEL:\n  ANCHOR_GENERATOR:\n    SIZES: !!python/object/apply:eval [\"[[32]]\"]\nSOLVER:\n  BASE_LR: 0.01\n",
     "detectron2 (yacs)"),
    ("imports: [\"$import glob\"]\nbundle_root: .\nnetwork_def: {_target_: UNet}\noptimizer: {_target_: "
     "torch.optim.Adam, params: \"$@network.parameters()\", lr: 1.0e-4}\nlr_scheduler: {_target_: "
     "torch.optim.lr_scheduler.StepLR, optimizer: \"@optimizer\", step_size: 5000}\n", "MONAI bundle"),
    ("_base_ = ['../_base_/default_runtime.py']\nparam_scheduler = [dict(type='LinearLR', start_factor=0.001)]\n",
     "OpenMMLab (mmengine/mmcv) Python"),
])
def test_tools_lrplot_does_not_read_are_named(cli, tmp_path, text, tool):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    result = cli("from-config", path, "-f", "csv")
    assert result.exit_code == 2
    assert f"this looks like a{'n' if tool[0] in 'aeiouAEIOU' else ''} {tool} config; lrplot does not read {tool} " \
           "configs yet" in result.stderr
    assert "unknown key" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_timm_counts_updates_per_epoch_as_train_py(cli):
    """updates_per_epoch = (len(loader) + grad_accum - 1) // grad_accum, len(loader) = floor(ceil(N / W) / b)."""
    config = Path(__file__).parents[1] / "configs" / "timm-train.yaml"
    counted = cli("from-config", config, "--dataset-size", "1281167", "--devices", "8", "-f", "csv")
    assert counted.exit_code == 0
    assert counted.stderr == ("lrplot: timm train.py: 1,281,167 examples / 8 devices = 160,146 per device / batch 256 = "
                              "625 batches per epoch (short batch dropped) = 625 optimizer steps per epoch; 110 epochs "
                              "= 68,750 steps\nlrplot: lr: peak 0.4969 at step 3,125, warmup ends at step 3,125, "
                              "final 1e-06 at step 68,749, minimum 1e-06 at step 62,500\n")
    given = cli("from-config", config, "--steps-per-epoch", "625", "-f", "csv")
    lr = lambda out: [row.rsplit(",", 1)[1] for row in out.splitlines()[1:]]  # noqa: E731
    assert lr(counted.stdout) == lr(given.stdout)
    assert count("timm", 1, dataset_size=1000, batch_size=64, grad_accum=4).steps_per_epoch == 4  # ceil(15 / 4)


@pytest.mark.parametrize("flags,message", [
    (["--devices", "0"], "--devices: 0 is invalid: must be >= 1"),
    (["--batch-size", "-1"], "--batch-size: -1 is invalid: must be >= 1"),
    (["--transformers", "6"], "--transformers: '6' is not one of 4, 5.0-5.14, 5.15+"),
    (["--trainer", "accelerate"], "--trainer accelerate: a HF TrainingArguments config is counted as --trainer hf "
                                  "does; leave --trainer out"),
    (["--epochs", "0"], "--epochs: 0 is invalid: train for more than 0 epochs"),
    (["--deepspeed", "/nonexistent/ds.json"], "--deepspeed: no such file '/nonexistent/ds.json'"),
])
def test_a_bad_flag_is_blamed_on_the_flag_not_the_file(cli, flags, message):
    config = Path(__file__).parents[1] / "configs" / "trainers" / "trl-sft.yaml"
    result = cli("from-config", config, "--dataset-size", "1000", *flags, "-f", "csv")
    assert result.exit_code in (1, 2) and result.stderr == f"lrplot: error: {message}\n"


def test_the_deepspeed_flag_applies_its_scheduler_block(cli):
    trainers = Path(__file__).parents[1] / "configs" / "trainers"
    for config in ("trl-sft.yaml", "axolotl-lora.yml"):
        result = cli("from-config", trainers / config, "--dataset-size", "12000", "--deepspeed",
                     trainers / "ds-zero3-warmuplr.json", "-f", "csv")
        assert result.exit_code == 0 and "has a scheduler block (WarmupLR): it replaces" in result.stderr
    wrong = cli("from-config", trainers / "trl-sft.yaml", "--dataset-size", "12000", "--deepspeed",
                trainers / "axolotl-lora.yml")
    assert wrong.exit_code == 2 and "is not a DeepSpeed config" in wrong.stderr


def test_splits_are_said_before_the_count(cli):
    config = Path(__file__).parents[1] / "configs" / "trainers" / "llamafactory-sft.yaml"
    lines = cli("from-config", config, "--dataset-size", "52000", "-f", "csv").stderr.splitlines()
    assert lines[0].startswith("lrplot: max_samples 10,000:") and lines[2].startswith("lrplot: HF Trainer: 9,000")


def test_axolotl_max_steps_is_the_run_and_the_warmup_counts_from_the_smaller():
    """core/builders/base.py hands the HF Trainer ``cfg.max_steps or total_num_steps``; the warmup comes from
    total_num_steps = min(estimate, max_steps)."""
    config = shape_of({**AXOLOTL, "max_steps": 900}, devices=4).config  # estimate 563
    assert config["params"] == {"num_warmup_steps": 16, "num_training_steps": 900}
    assert len(lrplot.run_config(config)) == 900
    config = shape_of({**AXOLOTL, "max_steps": 300}, devices=4).config
    assert config["params"] == {"num_warmup_steps": 9, "num_training_steps": 300}


@pytest.mark.parametrize("data,message", [
    ({**AXOLOTL, "val_set_size": -0.05}, "a held-out size is >= 0"),
    ({**AXOLOTL, "jagged_restart_steps": 100}, "jagged restarts"),
    ({**AXOLOTL, "batch_size": 32}, "refuses gradient_accumulation_steps and batch_size together"),
    ({**AXOLOTL, "micro_batch_size": 0}, "micro_batch_size: 0 is invalid: must be >= 1"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau", "per_device_train_batch_size": 8, "num_train_epochs": 1},
     "lrplot hf-reduce-lr-on-plateau --metrics FILE"),
    ({"lr_scheduler_type": "greedy", "per_device_train_batch_size": 8, "num_train_epochs": 1},
     "lrplot hf-greedy --metrics FILE"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"num_training_steps": 5},
      "per_device_train_batch_size": 8}, "raises TypeError"),
    ({"lr_scheduler_type": "cosine", "per_device_train_batch_size": 8, "total_episodes": 10000},
     "give --max-steps N"),
    ({"stage": "pt", "finetuning_type": "full", "template": "default", "cutoff_len": 1024,
      "per_device_train_batch_size": 8, "lr_scheduler_type": "cosine"}, "packing"),
    ({"train_batch_size": 32, "gradient_accumulation_steps": 3, "zero_optimization": {"stage": 1},
      "optimizer": {"type": "Adam", "params": {"lr": 1e-3}},
      "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}}}, "which DeepSpeed asserts"),
    ({"train_micro_batch_size_per_gpu": 0, "zero_optimization": {"stage": 1},
      "optimizer": {"type": "Adam", "params": {"lr": 1e-3}},
      "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}}}, "must be >= 1"),
])
def test_what_the_trainer_would_not_run_as_shown_is_refused(data, message):
    with pytest.raises(ParamError, match=message.replace("(", r"\(").replace(")", r"\)")):
        translate(data, {"dataset_size": 1000})


def test_hf_details_that_change_the_count():
    base = {"lr_scheduler_type": "linear", "num_train_epochs": 1, "output_dir": "x"}
    per_gpu = translate({**base, "per_gpu_train_batch_size": 16}, {"dataset_size": 160}).config
    assert per_gpu["params"]["num_training_steps"] == 10  # 4.x: per_gpu_train_batch_size wins when set
    split = translate({**base, "per_device_train_batch_size": 8, "accelerator_config": {"split_batches": True}},
                      {"dataset_size": 160, "devices": 4}).config
    assert split["params"]["num_training_steps"] == 20  # each batch of 8 split across 4 processes
    kwargs = translate({**base, "per_device_train_batch_size": 8, "lr_scheduler_type": "polynomial",
                        "lr_scheduler_kwargs": '{"power": "2", "lr_end": "1e-6"}'}, {"dataset_size": 80}).config
    assert kwargs["params"]["power"] == 2 and kwargs["params"]["lr_end"] == "1e-6"  # as _convert_str_dict leaves it


def test_a_deepspeed_auto_warmup_is_filled_even_for_a_schedule_without_one(tmp_path):
    ds = tmp_path / "ds.json"
    ds.write_text(json.dumps({"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto",
                              "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": "auto",
                                                                           "warmup_max_lr": "auto"}}}))
    args = {"lr_scheduler_type": "constant", "warmup_ratio": 0.1, "per_device_train_batch_size": 8,
            "num_train_epochs": 1, "learning_rate": 1e-3, "deepspeed": str(ds)}
    config = translate(args, {"dataset_size": 800}).config
    assert config["params"]["warmup_num_steps"] == 10  # get_warmup_steps(100), whatever the HF schedule type


def test_anchors_in_a_trainer_config_are_expanded_and_bombs_refused(cli, tmp_path):
    config = tmp_path / "cli.yaml"
    config.write_text("trainer: {max_epochs: &e 20}\nmodel: {class_path: my.Model}\noptimizer:\n  class_path: "
                      "torch.optim.SGD\n  init_args: {lr: 0.1}\nlr_scheduler:\n  class_path: torch.optim.lr_scheduler."
                      "CosineAnnealingLR\n  init_args: {T_max: *e}\n")
    result = cli("from-config", config, "-f", "csv")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 21
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)))
    refused = cli("from-config", bomb)
    assert refused.exit_code == 2 and "aliases expand to more than 100,000 values" in refused.stderr
