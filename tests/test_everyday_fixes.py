"""What a tester found in the everyday commands (issue 10, second round): children built with their own
last_epoch, --at over a sweep, per-group expressions, -n's default, exit codes, compare's names, optax's joins,
repeated flags, messages.  Exact output and exit codes."""

import os
import re

import pytest
from lrplot_cli import invoke

import lrplot


def run(*args, input=None):
    return invoke([str(a) for a in args], input=input)


def flat(text: str) -> str:
    """--help text with its line wrapping undone."""
    return re.sub(r"\s+", " ", text)


# --- a child built with its own last_epoch (torch 2.13's behaviour; golden cases in gen_torch.py) -----------

def test_a_chained_child_with_last_epoch_counts_from_it():
    result = run("chained", "exponential gamma=0.9", "step step_size=10 last_epoch=3", "-f", "csv", "-n", "8")
    assert (result.exit_code, result.stdout) == (0, (
        "step,lr\n0,0.1\n1,0.09000000000000001\n2,0.08100000000000002\n3,0.07290000000000002\n"
        "4,0.06561000000000002\n5,0.05904900000000002\n6,0.005314410000000002\n7,0.004782969000000002\n"))
    cosine = run("chained", "exponential gamma=0.9", "cosine T_max=95 last_epoch=0", "-f", "csv", "-n", "3")
    assert cosine.stdout == "step,lr\n0,0.1\n1,0.08992619646873373\n2,0.08082295223098147\n"


KEY_ERROR = ("last_epoch: 3 builds CosineAnnealingLR as resumed: it reads initial_lr from the optimizer, which only "
             "a scheduler built with last_epoch=-1 before it writes, so torch raises KeyError 'initial_lr'; use "
             "last_epoch=-1")


@pytest.mark.parametrize("args", [["chained", "cosine T_max=95 last_epoch=3", "exponential gamma=0.9"],
                                  ["sequential", "cosine T_max=95 last_epoch=3", "linear", "--milestones", "5"]])
def test_a_first_child_with_last_epoch_is_refused_as_torch_refuses_it(args):
    result = run(*args, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"lrplot: error: child 1 'cosine T_max=95 last_epoch=3': {KEY_ERROR}\n")


def test_a_yaml_child_with_last_epoch_is_the_same_engine(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("scheduler: ChainedScheduler\nparams:\n  schedulers:\n    - scheduler: CosineAnnealingLR\n"
                      "      params: {T_max: 95, last_epoch: 3}\n    - scheduler: ExponentialLR\n"
                      "      params: {gamma: 0.9}\n")
    result = run("from-config", config, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"lrplot: error: c.yaml:5: params.schedulers[0].params.{KEY_ERROR}\n")
    config.write_text("scheduler: ChainedScheduler\nparams:\n  schedulers:\n    - scheduler: ExponentialLR\n"
                      "      params: {gamma: 0.9}\n    - scheduler: StepLR\n"
                      "      params: {step_size: 10, last_epoch: 3}\nepochs: 8\n")
    typed = run("chained", "exponential gamma=0.9", "step step_size=10 last_epoch=3", "-f", "csv", "-n", "8")
    assert run("from-config", config, "-f", "csv").stdout == typed.stdout


def test_a_onecycle_child_resumed_without_a_fresh_one_before_it_is_refused():
    result = run("chained", "onecycle max_lr=0.1 total_steps=60 cycle_momentum=false",
                 "onecycle max_lr=0.1 total_steps=60 last_epoch=3", "--momentum", "0.9", "-f", "csv")
    assert (result.exit_code, result.stderr) == (2, (
        "lrplot: error: child 2 'onecycle max_lr=0.1 total_steps=60 last_epoch=3': last_epoch: 3 builds OneCycleLR "
        "as resumed: it reads max_momentum from the optimizer, which only a scheduler built with last_epoch=-1 "
        "before it writes, so torch raises KeyError 'max_momentum'; use last_epoch=-1\n"))


def test_warmup_keeps_a_saved_last_epoch_as_a_resume():
    with pytest.warns(lrplot.LrplotWarning, match="resumed at step 3"):  # SequentialLR rebuilt restarts its warmup
        saved = lrplot.simulate({"scheduler": "StepLR", "params": {"step_size": 10, "last_epoch": 3}, "warmup": 5,
                                 "epochs": 20})
    with pytest.warns(lrplot.LrplotWarning, match="resumed at step 3"):
        resumed = lrplot.simulate({"scheduler": "StepLR", "params": {"step_size": 10}, "warmup": 5, "epochs": 20,
                                   "start_step": 3})
    assert saved.steps.tolist() == resumed.steps.tolist() == list(range(3, 20))
    assert saved.lr.tolist() == resumed.lr.tolist()


# --- --at over a sweep: one table ------------------------------------------------------------------------------

def test_at_over_a_sweep_is_one_table():
    result = run("step", "--step-size", "10", "--gamma", "0.5,0.1", "--at", "15")
    assert (result.exit_code, result.stdout) == (0, "step,gamma=0.5,gamma=0.1\n15,0.05,0.010000000000000002\n")
    groups = run("step", "--step-size", "10", "--gamma", "0.5,0.1", "--lr", "0.1,0.2", "--at", "15,25")
    assert groups.stdout == ("step,gamma=0.5_lr_0,gamma=0.5_lr_1,gamma=0.1_lr_0,gamma=0.1_lr_1\n"
                             "15,0.05,0.1,0.010000000000000002,0.020000000000000004\n"
                             "25,0.025,0.05,0.0010000000000000002,0.0020000000000000005\n")
    assert run("step", "--step-size", "10", "--gamma", "0.5", "--at", "15,20").stdout == "step,lr\n15,0.05\n20,0.025\n"


# --- expressions, one per param group ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["lambda", "multiplicative"])
def test_per_group_expressions_say_repeat_the_flag(command):
    text = flat(run(command, "--help").stdout)
    assert "--lr-lambda EXPR" in text and "repeat the flag, one per param group [required]" in text
    assert "comma-separated" not in text.split("--lr-lambda EXPR")[1].split(" -n,")[0]


def test_comma_separated_expressions_say_how_to_give_several(tmp_path):
    result = run("lambda", "--lr-lambda", "0.95 ** epoch,0.9 ** epoch", "--lr", "0.1,0.2")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", (
        "lrplot: error: --lr-lambda: '0.95 ** epoch,0.9 ** epoch': a comma makes a tuple; give one expression per "
        "param group (--lr-lambda repeated, or a YAML list)\n"))
    repeated = run("lambda", "--lr-lambda", "0.95 ** epoch", "--lr-lambda", "0.9 ** epoch", "--lr", "0.1,0.2",
                   "-n", "2", "-f", "csv")
    assert repeated.stdout == "step,lr_0,lr_1\n0,0.1,0.2\n1,0.095,0.18000000000000002\n"
    scale = run("cyclic", "--base-lr", "0.1", "--max-lr", "1", "--scale-fn", "x, 1")
    assert scale.exit_code == 2 and scale.stderr.startswith(
        "lrplot: error: --scale-fn: a tuple (a comma outside a function's brackets) is not allowed in 'x, 1'; ")


# --- -n's default: the scheduler's own length where it has one ---------------------------------------------------

def test_rows_default_is_said_per_scheduler():
    assert "simulate; default 100; at most" in flat(run("cosine", "--help").stdout)
    optax = flat(run("optax-cosine-decay", "--help").stdout)
    assert "default: the length optax:cosine_decay_schedule's parameters give (the summary names the last step), " \
           "else 100" in optax
    assert "default: the scheduler's own length where its parameters give one" in flat(run("compare", "--help").stdout)
    result = run("optax-cosine-decay", "--init-value", "0.1", "--decay-steps", "1000", "-f", "csv")
    assert result.stdout.count("\n") == 1 + 1001 and result.stdout.endswith("\n1000,0.0\n")
    assert result.stderr == "lrplot: lr: peak 0.1 at step 0, final 0 at step 1,000, minimum 0 at step 1,000\n"


def test_compare_of_runs_of_different_lengths_summarises_each_at_its_own_end():
    result = run("compare", "optax-cosine-decay init_value=0.1 decay_steps=100", "cosine T_max=50", "-f", "csv")
    assert result.stdout.splitlines()[-1] == "100,0.0,"  # the shorter run's cell is empty
    assert result.stderr.splitlines() == [
        "lrplot: optax-cosine-decay init_value=0.1 decay_steps=100: lr: peak 0.1 at step 0, final 0 at step 100, "
        "minimum 0 at step 100",
        "lrplot: cosine T_max=50: lr: peak 0.1 at step 0, final 0.0999 at step 99, minimum 0 at step 50"]


# --- compare: a directory named like a scheduler ----------------------------------------------------------------

def test_compare_reads_a_directory_named_like_a_scheduler_as_the_scheduler(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("linear")
    result = run("compare", "linear", "cosine T_max=50", "-f", "csv", "-n", "2", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "step,linear,cosine T_max=50\n0,0.03333333333333333,0.1\n1,0.04666666666666667,0.09990133642141358\n", "")
    os.rmdir("linear")
    (tmp_path / "linear").write_text("scheduler: StepLR\nparams: {step_size: 1, gamma: 0.5}\n")
    result = run("compare", "linear", "cosine T_max=50", "-f", "csv", "-n", "2")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()[0]) == (
        0, "step,linear,cosine T_max=50\n0,0.1,0.1\n1,0.05,0.09990133642141358\n",
        "lrplot: 'linear' is a file and a scheduler's name: read as the file (for the scheduler, give its "
        "parameters: 'NAME KEY=VALUE ...')")


# --- optax join_schedules: boundaries that never let a schedule run ---------------------------------------------

def test_join_with_decreasing_boundaries_keeps_optax_values_and_warns():
    result = run("optax-join-schedules", "optax-constant value=0.1", "optax-constant value=0.05",
                 "optax-constant value=0.01", "--boundaries", "50,10", "-f", "csv")
    rows = result.stdout.splitlines()
    assert (rows[10], rows[11], rows[51]) == ("9,0.10000000149011612", "10,0.009999999776482582",
                                              "50,0.009999999776482582")  # optax 0.2.8's own values
    assert result.stderr.splitlines()[0] == (
        "lrplot: warning: join_schedules boundaries [50, 10]: each boundary takes over from its step on, in order, "
        "so schedule 2 is never used (give increasing boundaries)")
    plain = run("optax-join-schedules", "optax-constant value=0.1", "optax-constant value=0.05", "--boundaries", "10",
                "-f", "csv")
    assert "warning" not in plain.stderr


# --- a repeated flag ------------------------------------------------------------------------------------------

def test_a_repeated_number_flag_sweeps_as_comma_separated_values():
    repeated = run("cosine", "--t-max", "100", "--eta-min", "0", "--eta-min", "1e-3", "-f", "csv")
    assert repeated.exit_code == 0 and repeated.stdout.startswith("step,eta_min=0,eta_min=0.001\n")
    assert repeated.stdout == run("cosine", "--t-max", "100", "--eta-min", "0,1e-3", "-f", "csv").stdout
    choices = run("onecycle", "--max-lr", "0.1", "--total-steps", "10", "--anneal-strategy", "cos",
                  "--anneal-strategy", "linear", "-f", "csv")
    assert choices.stdout.startswith("step,anneal_strategy=cos,anneal_strategy=linear\n")
    twice = run("cosine", "--t-max", "100", "--eta-min", "0", "--eta-min", "0", "-f", "csv")
    assert (twice.exit_code, twice.stderr) == (2, "lrplot: error: --eta-min: 0 is given twice\n")


def test_a_repeated_single_value_flag_is_refused():
    result = run("cyclic", "--base-lr", "0.1", "--max-lr", "1", "--scale-fn", "0.5 ** x", "--scale-fn", "1")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", (
        "lrplot: error: --scale-fn is given 2 times; it takes one value (numbers and choices given several times "
        "sweep)\n"))


# --- messages -----------------------------------------------------------------------------------------------

MESSAGES = [
    (["sequential", "linear", "start_factor=0.01", "cosine"],
     "child 2 'start_factor=0.01': a parameter, not a scheduler; give each child as one quoted argument, the "
     "scheduler with its parameters: \"linear start_factor=0.01\""),
    (["sequential", "linear", "start_factor=0.01", "total_iters=5", "cosine", "--milestones", "5"],
     "child 2 'start_factor=0.01': a parameter, not a scheduler; give each child as one quoted argument, the "
     "scheduler with its parameters: \"linear start_factor=0.01 total_iters=5\""),
    (["compare", "linear", "start_factor=0.01", "cosine T_max=5"],
     "run 2 'start_factor=0.01': a parameter, not a scheduler; give each run as one quoted argument, the "
     "scheduler with its parameters: \"linear start_factor=0.01\""),
    (["chained", "lambda lr_lambda=0.9 ** epoch", "linear"],
     "child 1 'lambda lr_lambda=0.9 ** epoch': '**' is not NAME=VALUE (a value with spaces is quoted: "
     "lr_lambda='0.9 ** epoch')"),
    (["sequential", "linear", "cosine T_max=9", "--milestones", "5,6"],
     "--milestones: 2 milestones for 2 schedulers; give exactly one fewer milestone than schedulers"),
    (["sequential", "linear", "--milestones", "5"],
     "--milestones: 1 milestone for 1 scheduler; give exactly one fewer milestone than schedulers"),
    (["cosine", "--t-max", "10", "-f", "term", "-o", "x.png"],
     "--output: 'x.png' ends in .png but --format term is printed on stdout: drop -o (or end it in .term to save "
     "it, or drop --format to write PNG)"),
    (["cosine", "--t-max", "10", "-f", "png", "-o", "x.csv"],
     "--output: 'x.csv' ends in .csv but --format is png; end it in .png or drop --format"),
]


@pytest.mark.parametrize("args,message", MESSAGES, ids=[" ".join(a)[:50] for a, _ in MESSAGES])
def test_messages(args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"lrplot: error: {message}\n")


def test_output_help_names_term_among_stdout_formats():
    assert "default <command>.png, or stdout for csv/json/term" in flat(run("cosine", "--help").stdout)


# --- the sweep's title -----------------------------------------------------------------------------------------

def test_a_sweep_of_the_only_shown_parameter_has_no_empty_brackets(monkeypatch):
    pytest.importorskip("uniplot")
    monkeypatch.setenv("COLUMNS", "100")
    title = run("cosine", "--t-max", "10,20", "-f", "term", "-q").stdout.splitlines()[0].strip()
    assert title == "CosineAnnealingLR with T_max = 10, 20"
    other = run("cosine", "--t-max", "100", "--eta-min", "0,1e-3", "-f", "term", "-q").stdout.splitlines()[0].strip()
    assert other == "CosineAnnealingLR(T_max=100) with eta_min = 0, 0.001"
