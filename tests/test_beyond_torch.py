"""Hugging Face families from the CLI and YAML, warmup on any torch scheduler, epochs vs iterations."""

import numpy as np
import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.engine.registry import SCHEDULERS, lookup
from lrplot.errors import LrplotError



def run(*args, input=None):
    return invoke(list(args), input=input)


def test_hf_command_and_yaml_name():
    cli = run("hf-cosine", "--num-warmup-steps", "500", "--num-training-steps", "10000", "-f", "csv")
    assert cli.exit_code == 0, cli.stderr
    lines = cli.stdout.splitlines()
    assert len(lines) == 10001 and lines[0] == "step,lr"  # rows default to num_training_steps
    assert lines[501] == "500,0.1"
    yaml = run("from-config", "-", "-f", "csv", input="scheduler: hf:cosine\nparams: {num_warmup_steps: 500, "
                                                      "num_training_steps: 10000}\n")
    assert yaml.stdout == cli.stdout
    assert lookup("hf:cosine_with_restarts") is lookup("hf-cosine-with-restarts")
    assert lookup("hf-reduce-lr-on-plateau") is SCHEDULERS["hf:reduce_lr_on_plateau"]
    assert issubclass(SCHEDULERS["hf:reduce_lr_on_plateau"], SCHEDULERS["ReduceLROnPlateau"])


def test_hf_polynomial_scales_by_the_optimizer_default_lr():
    result = lrplot.simulate("hf:polynomial", epochs=12, lr=[0.1, 0.2], num_warmup_steps=0, num_training_steps=10,
                             lr_end=0.01, power=1.0)
    # factor = (lr_range * pct + lr_end) / lr_init with lr_init = 0.1 (the default lr), for both groups
    np.testing.assert_allclose(result.lr[10], [0.01, 0.02], rtol=1e-15)
    with pytest.raises(LrplotError, match="must be smaller than the optimizer's lr"):
        lrplot.simulate("hf:polynomial", lr=0.001, num_training_steps=10, lr_end=0.01)


def test_hf_errors_are_transformers_errors():
    with pytest.raises(LrplotError, match="give min_lr or min_lr_rate, not both"):
        lrplot.simulate("hf:cosine_with_min_lr", num_training_steps=10, min_lr=0.01, min_lr_rate=0.1)
    with pytest.raises(LrplotError, match="one of min_lr or min_lr_rate is required"):
        lrplot.simulate("hf:cosine_with_min_lr", num_training_steps=10)
    with pytest.raises(LrplotError, match="num_training_steps or num_stable_steps"):
        lrplot.simulate("hf:warmup_stable_decay", num_decay_steps=10)
    result = run("hf-warmup-stable-decay", "--num-decay-steps", "10", "--warmup-type", "quadratic")
    assert result.exit_code == 2 and "'quadratic' is not allowed" in result.stderr


def test_warmup_builds_what_people_write_by_hand():
    by_flag = lrplot.run_config({"scheduler": "cosine", "params": {"T_max": 95}, "warmup": {"steps": 5}})
    by_hand = lrplot.run_config({"scheduler": "SequentialLR", "params": {"milestones": [5], "schedulers": [
        {"scheduler": "LinearLR", "params": {"start_factor": 0.001, "end_factor": 1.0, "total_iters": 5}},
        {"scheduler": "CosineAnnealingLR", "params": {"T_max": 95}}]}})
    assert np.array_equal(by_flag.lr, by_hand.lr)
    assert (5, "-> CosineAnnealingLR") in by_flag.marks
    cli = run("cosine", "--t-max", "95", "--warmup", "5", "--warmup-start-factor", "0.1", "-f", "csv")
    assert cli.stdout.splitlines()[1] == f"0,{0.1 * 0.1!r}"


@pytest.mark.parametrize("args,message", [
    (["cosine", "--t-max", "9", "--warmup", "0"], "--warmup: 0 is invalid"),
    (["cosine", "--t-max", "9", "--warmup", "3", "--warmup-start-factor", "0"], "--warmup-start-factor: 0.0 is invalid"),
    (["cosine", "--t-max", "9", "--warmup-start-factor", "0.5"], "give --warmup N too"),
])
def test_warmup_errors(args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_warmup_refused_where_it_cannot_apply():
    with pytest.raises(LrplotError, match="has its own warmup parameters"):
        lrplot.run_config({"scheduler": "hf:linear", "params": {"num_training_steps": 10}, "warmup": {"steps": 2}})
    with pytest.raises(LrplotError, match="cannot follow a LinearLR"):
        lrplot.run_config({"scheduler": "plateau", "warmup": 3})


def test_steps_per_epoch_rows_epoch_column_and_warning():
    result = run("step", "--step-size", "30", "--steps-per-epoch", "50", "-n", "100", "-f", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "step,epoch,lr" and len(lines) == 5001
    assert lines[51] == "50,1,0.010000000000000002"  # decayed at iteration 30: the bug the warning names
    assert "step_size=30 looks like epochs" in result.stderr and "did you mean step_size=1500?" in result.stderr
    quiet = run("step", "--step-size", "1500", "--steps-per-epoch", "50", "-n", "100", "-f", "csv", "-q")
    assert quiet.stderr == ""  # -q silences the summary, never a warning: there is none


def test_onecycle_takes_epochs_and_steps_per_epoch_from_the_run():
    result = lrplot.run_config({"scheduler": "onecycle", "params": {"max_lr": 0.1}, "epochs": 10, "steps_per_epoch": 30})
    assert len(result) == 300
    same = lrplot.simulate("onecycle", max_lr=0.1, total_steps=300)
    assert np.array_equal(result.lr, same.lr)
    cli = run("onecycle", "--max-lr", "0.1", "-n", "10", "--steps-per-epoch", "30", "-f", "csv")
    assert cli.exit_code == 0 and cli.stdout.count("\n") == 301


def test_epoch_axis_picture(tmp_path):
    from lrplot.cli.output import render_options

    per_epoch = lrplot.run_config({"scheduler": "step", "params": {"step_size": 3}, "steps_per_epoch": 4})
    assert render_options({}, [per_epoch]).steps_per_epoch == 4
    pictures = []
    for extra in ([], ["--steps-per-epoch", "40"]):
        out = tmp_path / f"e{len(extra)}.svg"
        assert run("hf-linear", "--num-training-steps", "400", "-o", str(out), *extra).exit_code == 0
        pictures.append(out.read_bytes())
    assert pictures[0] != pictures[1]  # same curve, axis in epochs


def test_resume_from_cli_and_yaml():
    result = run("step", "--step-size", "30", "--start-step", "59", "-n", "100", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "step,lr" and lines[1] == "59,0.0010000000000000002" and len(lines) == 42
    assert "departs from the uninterrupted run at step 59" in result.stderr
    yaml = run("from-config", "-", "-f", "csv", input="scheduler: StepLR\nparams: {step_size: 30}\nstart_step: 59\n")
    assert yaml.stdout == result.stdout
    assert run("step", "--step-size", "30", "--start-step", "100", "-n", "100").exit_code == 2


def test_resume_is_seamless_where_torch_is():
    timm = lrplot.run_config({"scheduler": "CosineLRScheduler", "params": {"t_initial": 100}, "start_step": 50})
    assert timm.warnings == [] and np.array_equal(timm.lr, timm.uninterrupted.lr[50:])
    step = lrplot.run_config({"scheduler": "StepLR", "params": {"step_size": 30}, "start_step": 60})
    assert step.lr[0, 0] == step.uninterrupted.lr[60, 0]  # same until the next decay, which comes one step early
    assert step.lr[29, 0] != step.uninterrupted.lr[89, 0]


def test_resume_picture(tmp_path):
    out = tmp_path / "r.png"
    assert run("cosine", "--t-max", "100", "--start-step", "40", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_no_horizon_warning_for_schedulers_that_count_epochs():
    """timm with t_in_epochs counts its horizons in epochs by design: --steps-per-epoch is no reason to warn."""
    epochs = lrplot.run_config({"scheduler": "timm-cosine", "params": {"t_initial": 10}, "steps_per_epoch": 50})
    assert len(epochs) == 500 and epochs.warnings == []
    updates = lrplot.run_config({"scheduler": "timm-cosine", "params": {"t_initial": 10, "t_in_epochs": False},
                                 "steps_per_epoch": 50, "epochs": 10})
    assert any("looks like epochs" in w for w in updates.warnings)
