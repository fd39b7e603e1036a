"""The command line as a user meets it: every command, exact output contracts, exit codes, hostile input."""

import csv
import io
import json
import os

import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.engine.params import SCHEDULERS as SCHEDULER_LIST
from lrplot.engine.registry import SCHEDULERS, lookup



def run(*args, input=None):
    return invoke(list(args), input=input)


def child_text(child):
    """A composite's child as one argument: ``"linear start_factor=0.01 total_iters=10"``."""
    spec = lookup(child["scheduler"]).spec
    return " ".join([spec.cli] + [f"{k}={spec.param(k).as_flag(v)}" for k, v in child.get("params", {}).items()])


def example_flags(spec):
    """Flags for a scheduler's registry example (a composite's children: one argument each)."""
    flags = []
    for name, value in spec.example.items():
        param = spec.param(name)
        if param.kind == SCHEDULER_LIST:
            flags = [child_text(child) for child in value] + flags
            continue
        if not param.cli:
            if param.run_flag:  # filled from the run: YOLO's nb from --steps-per-epoch
                flags += [param.run_flag, str(value)]
            continue
        flags += [param.flag, param.as_flag(value)]
    return flags


FLAG_SPECS = [cls.spec for cls in SCHEDULERS.values()]


@pytest.mark.parametrize("spec", FLAG_SPECS, ids=lambda s: s.cli)
def test_every_scheduler_command_prints_exact_csv(spec):
    result = run(spec.cli, *example_flags(spec), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate(spec.name, params=spec.example)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header = rows[0]
    names = spec.family.param_groups  # a trainer's named groups (YOLO), after the epoch its nb implies
    assert header[:2] == (["step", "epoch", f"lr_{names[0]}"][:2] if names else ["step", "lr"])
    first = header.index(f"lr_{names[0]}" if names else "lr")
    assert len(rows) == 1 + len(expected)
    assert [int(r[0]) for r in rows[1:]] == list(range(len(expected)))
    assert [float(r[first]) for r in rows[1:]] == expected.lr[:, 0].tolist()
    assert any(h.startswith("momentum") for h in header) == (expected.momentum is not None)
    assert ("metric" in header) == spec.metric_driven
    assert result.stdout.endswith("\n") and "\r" not in result.stdout


@pytest.mark.parametrize("spec", [cls.spec for cls in SCHEDULERS.values()], ids=lambda s: s.cli)
def test_every_scheduler_has_help_with_each_parameter(spec):
    result = run(spec.cli, "--help")
    assert result.exit_code == 0
    for param in spec.params:
        if param.kind == SCHEDULER_LIST:  # the children are arguments, with an example command line
            assert "[CHILD]..." in result.stdout and f"lrplot {spec.cli} \"" in result.stdout
        elif param.cli:
            assert param.flag in result.stdout
            assert param.help.split()[0] in result.stdout


def test_top_level_help_lists_every_scheduler_but_not_torch_names():
    result = run("--help")
    assert result.exit_code == 0
    for cls in SCHEDULERS.values():
        assert cls.spec.cli in result.stdout
    assert "StepLR " not in result.stdout.replace("StepLR:", "")


def test_torch_class_names_and_spellings_work():
    a = run("StepLR", "--step_size", "5", "-n", "12", "-f", "csv").stdout
    b = run("step", "--step-size", "5", "-n", "12", "-f", "csv").stdout
    assert a == b and a.count("\n") == 13
    c = run("CosineAnnealingLR", "--T-max", "10", "-n", "5", "-f", "csv").stdout
    d = run("cosine", "--t-max=10", "-n", "5", "-f", "csv").stdout
    assert c == d and c.startswith("step,lr\n0,0.1\n")


def test_csv_contract_several_groups_and_momentum():
    result = run("onecycle", "--max-lr", "0.1,0.2", "--total-steps", "50", "--lr", "0.1", "--lr", "0.2",
                 "--momentum", "0.9", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "step,lr_0,lr_1,momentum_0,momentum_1"
    assert len(lines) == 51
    expected = lrplot.simulate("OneCycleLR", lr=[0.1, 0.2], momentum=0.9, max_lr=[0.1, 0.2], total_steps=50)
    row = expected.lr[10].tolist() + expected.momentum[10].tolist()
    assert lines[11] == ",".join(["10"] + [repr(v) for v in row])


def test_json_has_the_same_data_and_no_nan():
    result = run("step", "--step-size", "3", "-n", "10", "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["scheduler"] == "StepLR" and data["params"] == {"step_size": 3, "gamma": 0.1}
    assert data["columns"]["step"] == list(range(10))
    assert data["columns"]["lr"] == lrplot.simulate("StepLR", epochs=10, step_size=3).lr[:, 0].tolist()
    assert "NaN" not in result.stdout


def test_plateau_synthetic_metrics_and_metrics_file(tmp_path):
    result = run("plateau", "--patience", "2", "-n", "30", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "step,lr,metric"
    metrics = tmp_path / "m.csv"
    metrics.write_text("epoch,val_loss\n" + "".join(f"{i},{v}\n" for i, v in enumerate([1, 0.9, 0.9, 0.9, 0.9, 0.9])))
    result = run("plateau", "--patience", "1", "--metrics", str(metrics), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # row i+1 is the lr after step(metrics[i]); the second bad epoch (> patience=1) reduces
    assert lines == ["step,lr,metric", "0,0.1,1.0", "1,0.1,0.9", "2,0.1,0.9", "3,0.1,0.9",
                     "4,0.010000000000000002,0.9", "5,0.010000000000000002,0.9"]
    piped = run("plateau", "--patience", "1", "--metrics", "-", "-f", "csv", input="1\n0.9\n0.9\n0.9\n0.9\n0.9\n")
    assert piped.stdout == result.stdout


def test_default_output_file_and_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("step", "--step-size", "30", "--gamma", "0.1")
    assert result.exit_code == 0
    assert (tmp_path / "step.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stderr == ("lrplot: lr: peak 0.1 at step 0, final 0.0001 at step 99, minimum 0.0001 at step 90\n"
                             "lrplot: wrote step.png (100 steps)\n")
    quiet = run("step", "--step-size", "30", "--gamma", "0.1", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert result.stdout == ""


@pytest.mark.parametrize("suffix,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF"),
                                          ("csv", b"step,lr"), ("json", b"{")])
def test_output_format_from_suffix(tmp_path, suffix, magic):
    out = tmp_path / f"plot.{suffix}"
    result = run("exponential", "--gamma", "0.9", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(magic)


def test_from_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "warm.yaml"
    config.write_text("scheduler: SequentialLR\nparams:\n  schedulers:\n"
                      "    - {scheduler: LinearLR, params: {start_factor: 0.01, total_iters: 5}}\n"
                      "    - {scheduler: cosine, params: {T_max: 95, eta_min: 1e-6}}\n"
                      "  milestones: [5]\noptimizer: {lr: 3E-4}\nepochs: 100\n")
    result = run("from-config", str(config))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "warm.png").exists()
    text = run("from-config", str(config), "-n", "7", "-f", "csv").stdout
    assert text.splitlines()[1] == f"0,{0.01 * 3e-4!r}" and text.count("\n") == 8


def test_list_shows_every_scheduler():
    result = run("list")
    assert result.exit_code == 0
    for name, cls in SCHEDULERS.items():
        line = next(line for line in result.stdout.splitlines() if f" {name} " in line)
        assert line.startswith(cls.spec.cli)
        for param in cls.spec.params:
            assert (param.name in line) != param.hidden  # hidden: accepted in configs, not listed


# --- errors: exit 2 (usage) or 1 (I/O), one line or two on stderr, no traceback, no file ---------------

BAD = [
    (["step"], "--step-size: missing required parameter of StepLR"),
    (["step", "--step-size", "0"], "--step-size: 0 is invalid: must be >= 1"),
    (["step", "--step-size", "-3"], "--step-size: -3 is invalid: must be >= 1"),
    (["step", "--step-size", "10", "--gamma", "nan"], "--gamma: nan is not a finite number"),
    (["step", "--step-size", "10", "--gamma", "-1"], "--gamma: -1.0 is invalid: must be >= 0"),
    (["step", "--step-size", "abc"], "lrplot: error: --step-size: expected an integer, got 'abc'\n"),
    (["step", "--step-size", "10", "--gama", "0.1"], "No such option: --gama"),
    (["stepp"], "No such command 'stepp'"),
    (["cosine", "--t-max", "10", "--lr", "-0.1"], "--lr: -0.1 is invalid: must be in [0, inf]"),
    (["cosine", "--t-max", "10", "-n", "0"], "--epochs: 0 is invalid: simulate at least 1 step"),
    (["cosine", "--t-max", "10", "-n", "20000000"], "above lrplot's ceiling of 10,000,000 steps"),
    (["cosine", "--t-max", "10", "-f", "bmp"], "--format: 'bmp' is not a format lrplot writes"),
    (["cosine", "--t-max", "10", "-o", "out.txt"], "--output: cannot tell the format from 'out.txt'"),
    (["cosine-restarts", "--t-0", "0"], "--t-0: 0 is invalid: must be >= 1"),
    (["cosine-restarts", "--t-0", "5", "--t-mult", "0"], "--t-mult: 0 is invalid: must be >= 1"),
    (["onecycle", "--max-lr", "0.1", "--total-steps", "10", "--pct-start", "1.5"], "--pct-start: 1.5 is invalid"),
    (["onecycle", "--max-lr", "0.1", "--total-steps", "10", "-n", "20"], "stepped 11 times but total_steps is 10"),
    (["onecycle", "--max-lr", "0.1"], "OneCycleLR needs total_steps, or epochs and steps_per_epoch"),
    (["onecycle", "--max-lr", "0.1", "--total-steps", "10", "--anneal-strategy", "cubic"], "'cubic' is not allowed"),
    (["cyclic", "--base-lr", "0.1", "--max-lr", "0.2", "--mode", "sawtooth"], "'sawtooth' is not allowed"),
    (["linear", "--start-factor", "0"], "--start-factor: 0.0 is invalid: must be in (0, 1]"),
    (["constant", "--factor", "1.5"], "--factor: 1.5 is invalid: must be in [0, 1]"),
    (["plateau", "--factor", "1.0"], "--factor: 1.0 is invalid: must be in [0, 1)"),
    (["multistep", "--milestones", "10,x"], "--milestones[1]: expected an integer, got 'x'"),
    (["lambda", "--lr-lambda", "__import__('os').system('true')"], "is not allowed"),
    (["lambda", "--lr-lambda", "epoch.__class__"], "attribute access is not allowed"),
    (["lambda", "--lr-lambda", "9 ** 9 ** 9"], "overflows"),
    (["lambda", "--lr-lambda", "1 / (3 - epoch)"], "--lr-lambda: '1 / (3 - epoch)' gives inf at epoch 3"),
    (["lambda", "--lr-lambda", "0.9 ** epoch", "--lr", "0.1", "--lr", "0.2", "--lr-lambda", "1", "--lr-lambda", "2"],
     "has 3 expressions but the optimizer has 2 param groups"),
    (["step", "--step-size", "10", "--momentum", "0.9", "--betas", "0.9,0.99"], "give momentum (SGD) or betas"),
    (["plateau", "--metrics", "/no/such/file"], "--metrics: /no/such/file: no such file"),
    (["from-config", "/no/such.yaml"], "/no/such.yaml: no such file"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_exits_2_with_one_clear_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert message in result.stderr
    assert result.stderr.startswith("lrplot: error: ")
    assert len(result.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert os.listdir(tmp_path) == []


def _config_error(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = run("from-config", str(path), "-f", "csv")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr.strip().removeprefix("lrplot: error: ")


def test_config_errors_name_file_line_and_key(tmp_path):
    text = "scheduler: StepLR\nparams:\n  step_size: 10\n  gama: 0.1\n"
    assert _config_error(tmp_path, text) == "bad.yaml:4: params.gama: unknown parameter for StepLR (did you mean 'gamma'?)"
    assert _config_error(tmp_path, "scheduler: Cosine\nparams: {T_max: 0}\n") == \
        "bad.yaml:2: params.T_max: 0 is invalid: must be >= 1"
    assert _config_error(tmp_path, "scheduler: StepLRR\n") == \
        "bad.yaml:1: scheduler: unknown scheduler 'StepLRR' (did you mean 'StepLR'?); run 'lrplot list' to see all"
    assert _config_error(tmp_path, "scheduler: StepLR\n") == \
        "bad.yaml:1: params.step_size: missing required parameter of StepLR (integer >= 1: period of learning rate decay, in epochs)"
    nested = ("scheduler: SequentialLR\nparams:\n  milestones: [3]\n  schedulers:\n"
              "    - scheduler: LinearLR\n    - scheduler: StepLR\n      params:\n        step_size: 2\n"
              "        gamma: fast\n")
    assert _config_error(tmp_path, nested) == \
        "bad.yaml:9: params.schedulers[1].params.gamma: expected a number, got 'fast'"
    assert "duplicate key" in _config_error(tmp_path, "scheduler: StepLR\nscheduler: cosine\n")
    assert "not allowed" in _config_error(tmp_path, "scheduler: !!python/object/apply:os.system ['true']\n")
    assert "anchors and aliases" in _config_error(tmp_path, "a: &x [1, 2]\nb: [*x, *x]\nscheduler: step\n")
    assert "invalid YAML" in _config_error(tmp_path, "scheduler: [StepLR\n")
    assert "expected a mapping" in _config_error(tmp_path, "- 1\n- 2\n")
    assert "unknown key" in _config_error(tmp_path, "scheduler: StepLR\nparams: {step_size: 3}\nepoch: 5\n")
    assert "cannot contain ReduceLROnPlateau" in _config_error(
        tmp_path, "scheduler: chained\nparams:\n  schedulers: [{scheduler: plateau}]\n")
    assert "empty" in _config_error(tmp_path, "")


def test_yaml_12_floats(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("scheduler: cosine\nparams: {T_max: 10, eta_min: 1e-6}\noptimizer: {lr: 3E-4}\nepochs: 3\n")
    result = run("from-config", str(path), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate("cosine", epochs=3, lr=3e-4, T_max=10, eta_min=1e-6)
    assert result.stdout.splitlines()[2] == f"1,{float(expected.lr[1, 0])!r}"


def test_unwritable_output_is_an_io_error_without_leftovers(tmp_path):
    result = run("step", "--step-size", "3", "-o", str(tmp_path / "missing" / "x.png"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    (tmp_path / "dir.png").mkdir()
    result = run("step", "--step-size", "3", "-o", str(tmp_path / "dir.png"))
    assert result.exit_code == 1 and "is a directory" in result.stderr
    target = tmp_path / "ro"
    target.mkdir()
    os.chmod(target, 0o500)
    try:
        if not os.access(target, os.W_OK):  # root ignores permissions; then there is nothing to check here
            result = run("step", "--step-size", "3", "-o", str(target / "x.png"))
            assert result.exit_code == 1
    finally:
        os.chmod(target, 0o700)
    assert os.listdir(target) == []


def test_failed_run_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("onecycle", "--max-lr", "0.1", "--total-steps", "10", "-n", "50", "-o", "x.png")
    assert result.exit_code == 2
    assert os.listdir(tmp_path) == []


def test_negative_learning_rate_is_shown_with_a_warning():
    result = run("from-config", "-", "-f", "csv", input=(
        "scheduler: chained\nparams:\n  schedulers:\n    - {scheduler: cosine, params: {T_max: 4, eta_min: 0.0001}}\n"
        "    - {scheduler: polynomial, params: {total_iters: 6, power: 1.926}}\noptimizer: {lr: 0.1935}\nepochs: 10\n"))
    assert result.exit_code == 0
    assert "warning: the learning rate goes negative at step 7" in result.stderr
    assert float(result.stdout.splitlines()[8].split(",")[1]) < 0


def test_a_listed_command_is_built_in_full_before_it_runs():
    """``lrplot --help`` lists scheduler commands without building their flags; one that runs is built."""
    from lrplot.cli.app import command
    from lrplot.cli.group import _Listing

    group = command(["--help"])
    ctx = group.make_context("lrplot", ["step"], resilient_parsing=True)
    assert isinstance(group.get_command(ctx, "step"), _Listing)
    assert group.get_command(ctx, "StepLR").name == "step"
    _name, built, rest = group.resolve_command(ctx, ["step", "--step-size", "3"])
    assert not isinstance(built, _Listing) and rest == ["--step-size", "3"]
    assert "--step-size" in [opt for p in built.params for opt in getattr(p, "opts", [])]
