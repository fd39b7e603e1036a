"""optax, Keras, Megatron and NeMo on the command line: the library's names, absolute values, the dtype."""

import csv
import io

import numpy as np
import pytest

import lrplot


def rows(result):
    return [float(r[1]) for r in list(csv.reader(io.StringIO(result.stdout)))[1:]]


@pytest.mark.parametrize("command", ["optax-cosine-decay", "keras-cosine-decay", "megatron-optimizer-param-scheduler"])
def test_lr_does_not_apply_to_absolute_schedules(cli, command):
    spec = lrplot.SCHEDULERS[lrplot.engine.registry.lookup(command).spec.name].spec
    flags = [x for name, value in spec.example.items() for x in (spec.param(name).flag, spec.param(name).as_flag(value))]
    result = cli(command, *flags, "--lr", "0.5", "-f", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"lrplot: error: --lr does not apply: {spec.name} gives absolute learning rates, not a "
                             "scaling of the optimizer's; its own parameters set them (see --help)\n")


def test_dtype_float32_is_the_default_and_float64_is_asked_for(cli):
    base = ("optax-cosine-decay", "--init-value", "0.1", "--decay-steps", "10", "-f", "csv")
    single, double = rows(cli(*base)), rows(cli(*base, "--dtype", "float64"))
    assert single[0] == float(np.float32(0.1)) != 0.1 and double[0] == 0.1
    assert all(float(np.float32(v)) == v for v in single)
    assert cli(*base, "--dtype", "float16").exit_code == 2


def test_keras_float64_cosine_keeps_float32_rounding(cli):
    """keras.ops.cos casts to float32 even under floatx float64: without warmup the result is float32."""
    out = rows(cli("keras-cosine-decay", "--initial-learning-rate", "0.1", "--decay-steps", "10", "--dtype",
                   "float64", "-f", "csv"))
    assert all(float(np.float32(v)) == v for v in out)


def test_join_schedules_in_yaml_and_x64_is_global(tmp_path, cli):
    path = tmp_path / "join.yaml"
    path.write_text("scheduler: optax:join_schedules\nparams:\n  boundaries: [5]\n  schedules:\n"
                    "    - {scheduler: optax:linear_schedule, params: {init_value: 0.0, end_value: 0.1, "
                    "transition_steps: 5}}\n"
                    "    - {scheduler: optax:cosine_decay_schedule, params: {init_value: 0.1, decay_steps: 10, "
                    "dtype: float64}}\nepochs: 16\n")
    result = cli("from-config", path, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    values = rows(result)
    # x64 anywhere is x64 everywhere, but the linear warmup is float32 even then (int32 / int) and, being
    # strongly typed, makes jnp.where's result float32: the float64 cosine rounded once
    assert values[5:] == [float(np.float32(0.1 * (0.5 * (1 + np.cos(np.pi * min(i, 10) / 10.0))))) for i in range(11)]
    torch_child = path.read_text().replace("optax:cosine_decay_schedule", "StepLR").replace(
        "{init_value: 0.1, decay_steps: 10, dtype: float64}", "{step_size: 3}")
    path.write_text(torch_child)
    refused = cli("from-config", path, "-f", "csv")
    assert refused.exit_code == 2
    assert "optax:join_schedules takes optax schedulers; StepLR is a PyTorch schedule" in refused.stderr


def test_boundaries_and_scales_flag(cli):
    result = cli("optax-piecewise-constant", "--init-value", "1.0", "--boundaries-and-scales", "3:0.5,6:0.5", "-n",
                 "8", "-f", "csv")
    assert rows(result) == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    bad = cli("optax-piecewise-constant", "--init-value", "1.0", "--boundaries-and-scales", "3=0.5", "-f", "csv")
    assert bad.exit_code == 2 and "'3=0.5' is not STEP:FACTOR" in bad.stderr


def test_nemo_max_steps_from_the_run_flag(cli):
    result = cli("nemo-cosine-annealing", "--max-steps", "100", "--warmup-steps", "10", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    values = rows(result)
    assert len(values) == 100 and values[0] == 0.1 * 1 / 11 and values[10] == 0.1


def test_piecewise_work_is_bounded_before_it_starts(cli):
    scales = ",".join(f"{i}:0.99" for i in range(1, 2001))
    result = cli("optax-piecewise-constant", "--init-value", "1.0", "--boundaries-and-scales", scales, "-n", "100000",
                 "-f", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert "2,001 pieces over 99,999 steps is 200,097,999 evaluations, beyond lrplot's 100,000,000" in result.stderr
