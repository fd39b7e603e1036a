"""Everyday use, as a new user meets it: composites and compare runs typed on the command line, sweeps, pasted
Python lambdas, the terminal preview.  Exact output and exit codes."""

import os
import re
import subprocess
import sys

import pytest
from lrplot_cli import invoke

import lrplot
from lrplot.engine import params as P
from lrplot.engine.registry import SCHEDULERS

CONFIGS = os.path.join(os.path.dirname(__file__), "..", "configs")


def run(*args, input=None):
    return invoke([str(a) for a in args], input=input)


def csv_of(result) -> str:
    return "step,lr\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(result.lr[:, 0].tolist()))


# --- sequential / chained from the command line ------------------------------------------------------

WARMUP_COSINE = [{"scheduler": "LinearLR", "params": {"start_factor": 0.01, "total_iters": 5}},
                 {"scheduler": "CosineAnnealingLR", "params": {"T_max": 95}}]


def test_sequential_from_the_command_line_is_the_yaml_schedule():
    result = run("sequential", "linear start_factor=0.01 total_iters=5", "cosine T_max=95", "--milestones", "5",
                 "-f", "csv")
    assert result.exit_code == 0, result.stderr
    expected = lrplot.simulate("SequentialLR", schedulers=WARMUP_COSINE, milestones=[5])
    assert result.stdout == csv_of(expected)
    assert result.stderr == ("lrplot: lr: peak 0.1 at step 5, warmup ends at step 5, final 2.734e-05 at step 99, "
                             "minimum 2.734e-05 at step 99\n")


def test_chained_from_the_command_line():
    result = run("chained", "constant factor=0.5 total_iters=4", "exponential gamma=0.9", "-n", "6", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("step,lr\n0,0.05\n1,0.045000000000000005\n2,0.04050000000000001\n"
                             "3,0.03645000000000001\n4,0.06561000000000002\n5,0.05904900000000002\n")


def test_child_spellings_library_kebab_and_flags_agree():
    spellings = [("LinearLR start_factor=0.01 total_iters=5", "CosineAnnealingLR T_max=95 eta_min=1e-3"),
                 ("linear start-factor=0.01 total-iters=5", "cosine t-max=95 eta-min=1e-3"),
                 ("linear --start-factor=0.01 --total-iters 5", "cosine --T_max 95 --eta_min=1e-3")]
    outputs = {run("sequential", *children, "--milestones", "5", "-n", "12", "-f", "csv").stdout
               for children in spellings}
    assert len(outputs) == 1 and outputs.pop().startswith("step,lr\n0,0.001\n")


def test_child_values_with_spaces_lists_and_booleans():
    lam = run("chained", "lambda lr_lambda='0.9 ** epoch'", "multistep milestones=2,3 gamma=0.5", "-n", "5",
              "-f", "csv")
    assert lam.exit_code == 0, lam.stderr
    expected = lrplot.simulate("ChainedScheduler", epochs=5, schedulers=[
        {"scheduler": "LambdaLR", "params": {"lr_lambda": "0.9 ** epoch"}},
        {"scheduler": "MultiStepLR", "params": {"milestones": [2, 3], "gamma": 0.5}}])
    assert lam.stdout == csv_of(expected)
    flag = run("sequential", "timm-cosine t_initial=5 --t-in-epochs", "constant factor=1", "--milestones", "5",
               "-n", "3", "-f", "csv")
    off = run("sequential", "timm-cosine t_initial=5 --no-t-in-epochs", "constant factor=1", "--milestones", "5",
              "-n", "3", "-f", "csv")
    assert flag.exit_code == off.exit_code  # --flag / --no-flag are read as true / false (the family decides)


BAD_CHILDREN = [
    (["sequential", "--milestones", "5"],
     "sequential: give the schedulers, each as one quoted argument (a name and NAME=VALUE parameters), e.g. lrplot "
     "sequential \"linear start_factor=0.01 total_iters=10\" \"cosine T_max=90\" --milestones 10"),
    (["sequential", "linear", "cosine T_max=abc", "--milestones", "5"],
     "child 2 'cosine T_max=abc': T_max: expected an integer, got 'abc'"),
    (["sequential", "linear start_factor=2", "cosine T_max=9", "--milestones", "5"],
     "child 1 'linear start_factor=2': start_factor: 2.0 is invalid: must be in (0, 1]"),
    (["sequential", "linear", "cosin T_max=95", "--milestones", "5"],
     "child 2 'cosin T_max=95': unknown scheduler 'cosin' (did you mean 'cosine'?); run 'lrplot list' to see all"),
    (["sequential", "linear", "cosine", "--milestones", "5"],
     "child 2 'cosine': T_max: missing required parameter of CosineAnnealingLR (integer >= 1: half period: epochs "
     "from the initial lr to eta_min)"),
    (["sequential", "linear", "cosine T_max=9 gama=3", "--milestones", "5"],
     "child 2 'cosine T_max=9 gama=3': gama: unknown parameter for CosineAnnealingLR (allowed: T_max, eta_min, "
     "last_epoch, verbose)"),
    (["sequential", "linear", "cosine 95", "--milestones", "5"],
     "child 2 'cosine 95': '95' is not NAME=VALUE (e.g. T_max=100)"),
    (["sequential", "linear", "cosine T_max=9 T_max=3", "--milestones", "5"],
     "child 2 'cosine T_max=9 T_max=3': T_max is given twice"),
    (["sequential", "linear", "cosine T_max='9", "--milestones", "5"],
     "child 2 \"cosine T_max='9\": cannot split it into words (No closing quotation); quote a value with spaces as "
     "NAME='VALUE'"),
    (["sequential", "linear", "plateau", "--milestones", "5"],
     "child 2 'plateau': SequentialLR cannot contain ReduceLROnPlateau (torch refuses it: its step() needs a "
     "metric)"),
    (["sequential", "linear", "optax-constant value=0.1", "--milestones", "5"],
     "child 2 'optax-constant value=0.1': SequentialLR takes torch schedulers; optax:constant_schedule is an optax "
     "schedule"),
    (["chained", "linear", "sequential milestones=3"],
     "child 2 'sequential milestones=3': SequentialLR takes schedulers of its own; nest schedulers in a YAML "
     "config (README: YAML configs)"),
    (["sequential", "linear", "cosine T_max=9", "--milestones", "5,6"],
     "--milestones: 2 milestones for 2 schedulers; give exactly one fewer milestone than schedulers"),
    (["optax-join-schedules", "linear", "optax-constant value=0.1", "--boundaries", "5"],
     "child 1 'linear': optax:join_schedules takes optax schedulers; LinearLR is a PyTorch schedule"),
]


@pytest.mark.parametrize("args,message", BAD_CHILDREN, ids=[" ".join(a)[:50] for a, _ in BAD_CHILDREN])
def test_a_bad_child_is_named_with_its_index_and_text(args, message):
    result = run(*args, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"lrplot: error: {message}\n")


def test_milestones_error_in_yaml_is_located(tmp_path):
    config = tmp_path / "m.yaml"
    config.write_text("scheduler: SequentialLR\nparams:\n  schedulers:\n    - {scheduler: linear}\n"
                      "    - {scheduler: cosine, params: {T_max: 5}}\n  milestones: [5, 6]\n")
    result = run("from-config", config, "-f", "csv")
    assert result.stderr == ("lrplot: error: m.yaml:6: params.milestones: 2 milestones for 2 schedulers; give "
                             "exactly one fewer milestone than schedulers\n")


@pytest.mark.parametrize("spec", [c.spec for c in SCHEDULERS.values() if any(p.kind == P.SCHEDULERS
                                                                              for p in c.spec.params)],
                         ids=lambda s: s.cli)
def test_every_composite_documents_its_children_with_a_working_example(spec):
    """Generalised through the registry: every scheduler with a SCHEDULERS parameter takes typed children, and
    the example its --help prints runs and gives the registry example's curve."""
    import shlex

    help_text = run(spec.cli, "--help").stdout
    assert f"Usage: lrplot {spec.cli} [OPTIONS] [CHILD]..." in help_text
    line = next(line.strip() for line in help_text.splitlines() if line.strip().startswith(f"lrplot {spec.cli} \""))
    result = run(*shlex.split(line)[1:], "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [f"{i},{v!r}" for i, v in
                                              enumerate(lrplot.simulate(spec.name, params=spec.example).lr[:, 0]
                                                        .tolist())]


# --- compare: typed runs ----------------------------------------------------------------------------------

def test_compare_takes_files_and_typed_runs():
    result = run("compare", os.path.join(CONFIGS, "cosine.yaml"), "step step_size=30 gamma=0.1", "cosine T_max=100",
                 "-n", "3", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("step,cosine,step step_size=30 gamma=0.1,cosine T_max=100\n"
                             "0,0.1,0.1,0.1\n1,0.09997532826500641,0.1,0.09997532801828658\n"
                             "2,0.09990133740804938,0.1,0.09990133642141358\n")
    assert result.stderr.splitlines()[1:] == [
        "lrplot: step step_size=30 gamma=0.1: lr: peak 0.1 at step 0, final 0.1 at step 2, minimum 0.1 at step 0",
        "lrplot: cosine T_max=100: lr: peak 0.1 at step 0, final 0.0999 at step 2, minimum 0.0999 at step 2"]


def test_compare_a_file_named_like_a_scheduler_is_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exponential").write_text("scheduler: StepLR\nparams: {step_size: 1}\n")
    result = run("compare", "exponential", "exponential gamma=0.5", "-n", "3", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("step,exponential,exponential gamma=0.5\n0,0.1,0.1\n1,0.010000000000000002,0.05\n"
                             "2,0.0010000000000000002,0.025\n")
    assert result.stderr.splitlines()[0] == ("lrplot: 'exponential' is a file and a scheduler's name: read as the "
                                             "file (for the scheduler, give its parameters: 'NAME KEY=VALUE ...')")


BAD_RUNS = [
    (["cosine.yaml", "step step_size=x"], "run 2 'step step_size=x': step_size: expected an integer, got 'x'"),
    (["cosin T_max=3"], "run 1 'cosin T_max=3': unknown scheduler 'cosin' (did you mean 'cosine'?); run 'lrplot "
                        "list' to see all"),
    (["cosin"], "'cosin': no such file, and not a run: unknown scheduler 'cosin' (did you mean 'cosine'?); run "
                "'lrplot list' to see all"),
    (["nothere.yaml"], "nothere.yaml: no such file"),
    (["cosine"], "run 1 'cosine': T_max: missing required parameter of CosineAnnealingLR (integer >= 1: half "
                 "period: epochs from the initial lr to eta_min)"),
    (["sequential milestones=3"], "run 1 'sequential milestones=3': SequentialLR takes schedulers of its own; nest "
                                  "schedulers in a YAML config (README: YAML configs)"),
    (["step step_size=3", "-n", "0"], "--epochs: 0 is invalid: simulate at least 1 step"),
]


@pytest.mark.parametrize("args,message", BAD_RUNS, ids=[" ".join(a)[:40] for a, _ in BAD_RUNS])
def test_compare_a_bad_run_is_named(args, message, monkeypatch):
    monkeypatch.chdir(CONFIGS)
    result = run("compare", *args, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"lrplot: error: {message}\n")


# --- sweeps ----------------------------------------------------------------------------------------------

def test_a_sweep_overlays_one_run_per_value():
    result = run("cosine", "--t-max", "100", "--eta-min", "0,1e-4,1e-3", "-n", "2", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("step,eta_min=0,eta_min=0.0001,eta_min=0.001\n0,0.1,0.1,0.1\n"
                             "1,0.09997532801828658,0.0999753526902683,0.09997557473810371\n")
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == [" eta_min=0", " eta_min=0.0001",
                                                                          " eta_min=0.001"]
    for value, column in (("0", 1), ("1e-4", 2), ("1e-3", 3)):
        single = run("cosine", "--t-max", "100", "--eta-min", value, "-n", "2", "-f", "csv").stdout
        assert single.splitlines()[2].split(",")[1] == result.stdout.splitlines()[2].split(",")[column]


def test_a_sweep_picture_names_the_common_parameters(tmp_path):
    out = tmp_path / "sweep.svg"
    result = run("cosine", "--t-max", "100", "--eta-min", "0,1e-4,1e-3", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "CosineAnnealingLR(T_max=100) with eta_min = 0, 0.0001, 0.001" in out.read_text()


def test_a_choice_sweeps_and_lr_groups_stay_groups():
    result = run("onecycle", "--max-lr", "0.1", "--total-steps", "10", "--anneal-strategy", "cos,linear",
                 "--lr", "0.1,0.2", "-n", "2", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("step,anneal_strategy=cos_lr_0,anneal_strategy=cos_lr_1,"
                                             "anneal_strategy=linear_lr_0,anneal_strategy=linear_lr_1")


def test_list_and_per_group_flags_are_not_sweeps():
    milestones = run("multistep", "--milestones", "1,2", "-n", "3", "-f", "csv")
    assert milestones.stdout == "step,lr\n0,0.1\n1,0.010000000000000002\n2,0.0010000000000000002\n"
    groups = run("cyclic", "--base-lr", "0.01,0.02", "--max-lr", "0.1", "--lr", "0.1,0.2", "-n", "1", "-f", "csv")
    assert groups.stdout == "step,lr_0,lr_1,momentum_0,momentum_1\n0,0.01,0.02,0.9,0.9\n"


BAD_SWEEPS = [
    (["cosine", "--t-max", "10,100", "--eta-min", "0,1e-4"],
     "--t-max and --eta-min both list several values: a sweep varies one parameter at a time"),
    (["cosine", "--t-max", "10,x"], "--t-max: expected an integer, got 'x'"),
    (["cosine", "--t-max", "10,0"], "--t-max: 0 is invalid: must be >= 1"),
    (["cosine", "--t-max", "10,010"], "--t-max: 10 is given twice"),
    (["cosine", "--t-max", "5,10", "--check"], "--check looks at one run; --t-max lists 2 values (give one)"),
]


@pytest.mark.parametrize("args,message", BAD_SWEEPS, ids=[" ".join(a)[:40] for a, _ in BAD_SWEEPS])
def test_a_bad_sweep_is_refused_in_one_line(args, message):
    result = run(*args, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"lrplot: error: {message}\n")


def test_sweeps_are_defined_by_param_kind():
    """Only flags of one scalar value sweep; their values never contain the separator."""
    for cls in SCHEDULERS.values():
        for param in cls.spec.params:
            assert param.sweepable == (param.kind in (P.INT, P.FLOAT, P.CHOICE) and not param.per_group)
            assert not any("," in choice for choice in param.choices)
    cosine = SCHEDULERS["CosineAnnealingLR"].spec
    assert "A sweep: a number or choice flag given comma-separated values (--t-max A,B,C)" in " ".join(
        run("cosine", "--help").stdout.split()) and cosine.param("T_max").sweepable


# --- pasted Python lambdas -------------------------------------------------------------------------------

def test_a_pasted_lambda_is_its_body_with_a_note():
    body = run("lambda", "--lr-lambda", "0.95 ** epoch", "-n", "3", "-f", "csv")
    pasted = run("lambda", "--lr-lambda", "lambda epoch: 0.95 ** epoch", "-n", "3", "-f", "csv")
    renamed = run("lambda", "--lr-lambda", "lambda e: 0.95 ** e", "-n", "3", "-f", "csv")
    assert pasted.stdout == renamed.stdout == body.stdout == "step,lr\n0,0.1\n1,0.095\n2,0.09025\n"
    assert pasted.stderr.splitlines()[0] == "lrplot: lr_lambda: a Python lambda; used its body: 0.95 ** epoch"
    assert renamed.stderr.splitlines()[0] == ("lrplot: lr_lambda: a Python lambda; used its body with e as epoch: "
                                              "0.95 ** epoch")
    assert "lambda" not in body.stderr


def test_a_pasted_lambda_in_yaml_for_every_expression_parameter(tmp_path):
    config = tmp_path / "l.yaml"
    config.write_text('scheduler: MultiplicativeLR\nparams:\n  lr_lambda: "lambda step: 0.5 if step < 2 else 1"\n')
    result = run("from-config", config, "-n", "4", "-f", "csv")
    assert result.stdout == "step,lr\n0,0.1\n1,0.05\n2,0.05\n3,0.05\n"
    assert result.stderr.splitlines()[0] == ("lrplot: lr_lambda: a Python lambda; used its body with step as epoch: "
                                             "0.5 if epoch < 2 else 1")
    config.write_text("scheduler: CyclicLR\nparams: {base_lr: 0.01, max_lr: 0.1, step_size_up: 2, "
                      "scale_fn: 'lambda x: 1 / (2.0 ** (x - 1))'}\n")
    cyclic = run("from-config", config, "-n", "8", "-f", "csv")
    body = run("cyclic", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "2", "--scale-fn",
               "1 / (2.0 ** (x - 1))", "-n", "8", "-f", "csv")
    assert cyclic.exit_code == 0 and cyclic.stdout == body.stdout
    assert cyclic.stderr.splitlines()[0] == "lrplot: scale_fn: a Python lambda; used its body: 1 / (2.0 ** (x - 1))"
    every = {p.name for c in SCHEDULERS.values() for p in c.spec.params if p.kind == P.EXPR}
    assert every == {"lr_lambda", "scale_fn"}  # both exercised above


def test_one_lambda_per_param_group():
    result = run("multiplicative", "--lr-lambda", "lambda step: 0.9", "--lr-lambda", "0.8", "--lr", "0.1,0.2",
                 "-n", "2", "-f", "csv")
    assert result.stdout == "step,lr_0,lr_1\n0,0.1,0.2\n1,0.09000000000000001,0.16000000000000003\n"
    assert result.stderr.splitlines()[0] == ("lrplot: lr_lambda[0]: a Python lambda; used its body with step as "
                                             "epoch: 0.9")


@pytest.mark.parametrize("text,message", [
    ("lambda a, b: a", "'lambda a, b: a' is not a lambda of one plain argument; lrplot's expression has one "
                       "variable, epoch: write 'lambda epoch: ...' or just its body"),
    ("lambda: 1", "'lambda: 1' is not a lambda of one plain argument; lrplot's expression has one variable, epoch: "
                  "write 'lambda epoch: ...' or just its body"),
    ("lambda e: epoch * e", "'lambda e: epoch * e' uses both e (its argument) and epoch; lrplot's expression has "
                            "one variable, epoch"),
    ("lambda e: math.cos(e)", "calling 'math.cos' is not allowed in 'math.cos(epoch)'"),
])
def test_a_lambda_that_is_not_one_expression_is_refused(text, message):
    result = run("lambda", "--lr-lambda", text, "-f", "csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"lrplot: error: --lr-lambda: {message}")


@pytest.mark.parametrize("yaml_text,message", [
    ("scheduler: LambdaLR\nparams:\n  lr_lambda: lambda epoch: 0.95 ** epoch\n",
     'l.yaml:3: invalid YAML: mapping values are not allowed here; a Python lambda must be quoted in YAML: '
     'lr_lambda: "lambda epoch: 0.95 ** epoch"'),
    ("scheduler: LambdaLR\nparams: {lr_lambda: lambda epoch: 0.95 ** epoch}  # decay\n",
     "l.yaml:2: invalid YAML: expected ',' or '}', but got ':'; a Python lambda must be quoted in YAML: "
     'params: {lr_lambda: "lambda epoch: 0.95 ** epoch"}'),
    ("scheduler: LambdaLR\nparams:\n  lr_lambda:\n    - lambda epoch: 0.95 ** epoch\n    - 0.5\n",
     'l.yaml:4: params.lr_lambda[0]: a Python lambda must be quoted (unquoted, it reads as a mapping): '
     '"lambda epoch: 0.95 ** epoch"'),
])
def test_an_unquoted_lambda_in_yaml_says_how_to_quote_it(tmp_path, yaml_text, message):
    config = tmp_path / "l.yaml"
    config.write_text(yaml_text)
    result = run("from-config", config, "-f", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"lrplot: error: {message}\n")
    if "quoted in YAML: " in message:  # the advice, pasted over the line, works
        line = int(message.split(":")[1])
        lines = yaml_text.splitlines()
        lines[line - 1] = message.split("quoted in YAML: ")[1].replace("params: {", "  {" if line > 2 else "params: {")
        lines[line - 1] = ("  " if line == 3 else "") + lines[line - 1]
        config.write_text("\n".join(lines) + "\n")
        fixed = run("from-config", config, "-f", "csv", "-n", "2")
        assert fixed.stdout == "step,lr\n0,0.1\n1,0.095\n", fixed.stderr


# --- the terminal preview --------------------------------------------------------------------------------



def _in_a_terminal(args, env):
    """Run lrplot with stdout on a pseudo-terminal (what colour is decided on): its output bytes and exit code."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "lrplot", *args], stdout=slave, stderr=subprocess.PIPE,
                            env={**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}, **env})
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:
            break
        if not data:
            break
        out += data
    os.close(master)
    return out, proc.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("env,coloured", [({"TERM": "xterm"}, True), ({"TERM": "xterm", "NO_COLOR": "1"}, False),
                                          ({"TERM": "xterm", "NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)])
def test_terminal_colour_follows_no_color_and_term(env, coloured):
    pytest.importorskip("uniplot")
    out, code = _in_a_terminal(["compare", "step step_size=3", "cosine T_max=10", "-n", "20", "-f", "term", "-q"],
                               {"COLUMNS": "80", **env})
    assert code == 0 and "step step_size=3 vs cosine T_max=10" in out.decode()
    assert (b"\x1b[" in out) == coloured


COMMANDS = [["hf-cosine", "--num-training-steps", "100", "--lr", "3e-4", "--linear-y"],
            ["cyclic", "--base-lr", "1e-5", "--max-lr", "1234567", "--step-size-up", "10", "--linear-y"],
            ["compare", "step step_size=3", "cosine T_max=10 eta_min=0.000123456", "-n", "20"],
            ["cosine", "--t-max", "100", "--title", "a title that goes on and on about the cosine schedule " * 3]]


@pytest.mark.parametrize("columns", [28, 41, 80, 200])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_terminal_preview_fits_columns(monkeypatch, columns, args):
    pytest.importorskip("uniplot")
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run(*args, "-f", "term", "-q")
    assert result.exit_code == 0, result.stderr
    widths = [len(line) for line in result.stdout.splitlines()]
    assert min(columns, 150) - 3 <= max(widths) <= min(columns, 150), widths


def test_terminal_preview_refuses_a_too_narrow_terminal(monkeypatch):
    pytest.importorskip("uniplot")
    monkeypatch.setenv("COLUMNS", "27")
    result = run("step", "--step-size", "3", "-f", "term")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", (  # a usage error: exit 1 is for I/O
        "lrplot: error: --format term: the terminal is 27 columns wide; a preview needs at least 28 (set COLUMNS, "
        "or use -f csv)\n"))


def test_terminal_axes_are_named_as_the_picture_names_them(monkeypatch):
    pytest.importorskip("uniplot")
    monkeypatch.setenv("COLUMNS", "80")
    steps = run("hf-cosine", "--num-training-steps", "100", "--lr", "3e-4", "--linear-y", "-f", "term", "-q").stdout
    lines = steps.splitlines()
    assert lines[1].endswith("┐ lr") and lines[-1].endswith("step") and len(lines[-1]) == len(lines[1]) - 3
    labels = [line.rsplit("│ ", 1)[1] for line in lines if re.search(r"│ \S+$", line)]
    assert labels == ["3e-4", "2e-4", "1e-4", "0"]  # units of 10^-4 on every label; zero is 0, not 0e-4
    epochs = run("cosine", "--t-max", "100", "--steps-per-epoch", "10", "-n", "10", "-f", "term", "-q").stdout
    ticks, unit = epochs.splitlines()[-2:]
    assert unit.strip() == "epoch" and ticks.split()[0] == "0" and ticks.split()[-1] == "10"  # 100 rows


def test_terminal_preview_draws_steps_not_ramps(monkeypatch):
    pytest.importorskip("uniplot")
    monkeypatch.setenv("COLUMNS", "80")
    text = run("step", "--step-size", "3", "-n", "10", "--linear-y", "-f", "term", "-q").stdout
    body = [line[1:line.index("│", 1)] for line in text.splitlines() if line.startswith("│")]
    drops = {i for line in body for i, ch in enumerate(line) if ch in "▐▌"}
    assert len(drops) <= 3 * 2  # each of the 3 decays is one vertical edge (a column or two), not a slope
    assert not any(ch in "▚▞▝▗▘▖" for line in body[:-1] for ch in line.replace("▖", ""))


# --- the text paths stay light ---------------------------------------------------------------------------

def test_new_text_paths_never_import_matplotlib():
    code = ("import sys; from lrplot.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
            "sys.stderr.write('MODULES ' + ' '.join(m for m in ('matplotlib',) if m in sys.modules) + '\\n')\n"
            "sys.exit(code)\n")
    for args in (["sequential", "--help"], ["compare", "step step_size=3", "cosine T_max=5", "-f", "csv"],
                 ["cosine", "--t-max", "5", "--eta-min", "0,1e-3", "-f", "csv"],
                 ["sequential", "linear", "cosine T_max=5", "--milestones", "5", "-f", "csv"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "matplotlib" not in proc.stderr.split("MODULES")[-1]


def test_check_names_the_typed_child_a_finding_is_about():
    result = run("sequential", "linear start_factor=0.01 total_iters=5", "cosine T_max=50", "--milestones", "5",
                 "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("child 2 'cosine T_max=50': lr-climbs-back warning: the lr "
                                                    "falls to 0 at step 55")
    assert "--schedulers" not in result.stdout + result.stderr
