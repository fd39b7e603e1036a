"""Hostile, faulty and edge-case input: each class gets a clear one-line message and the right exit code,
never a traceback, never a destroyed or partial file, never a silently wrong value."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

import lrplot
from lrplot.errors import LrplotError, printable


def lrplot_process(*args, stdin=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "lrplot", *map(str, args)], capture_output=True, stdin=stdin,
                          **kwargs)


def one_clean_line(result, code=2):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrplot: error: "), result.stderr
    return lines[0]


# --- files lrplot writes ----------------------------------------------------------------------------

def test_devices_and_fifos_are_written_into_never_replaced(cli, tmp_path):
    result = cli("step", "--step-size", "3", "-f", "csv", "-o", os.devnull)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = cli("step", "--step-size", "3", "-n", "3", "-f", "csv", "-o", fifo)
    assert result.exit_code == 0 and reader.communicate(timeout=10)[0].startswith(b"step,lr\n")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_symlink_target_is_replaced_and_the_link_kept(cli, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert cli("step", "--step-size", "3", "-n", "2", "-o", link).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("step,lr")


def test_modes_follow_the_umask_and_the_file_replaced(cli, tmp_path):
    old = os.umask(0o077)
    try:
        assert cli("step", "--step-size", "3", "-o", tmp_path / "new.png").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.png").st_mode) == 0o600
    kept = tmp_path / "kept.csv"
    kept.write_text("x")
    os.chmod(kept, 0o640)
    assert cli("step", "--step-size", "3", "-o", kept).exit_code == 0
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o640


@pytest.mark.parametrize("args,message", [
    (["-o", ""], "--output: give a file name"),
    (["-o", "out.png/"], "names a folder"),
    (["-o", "x.png", "-f", "csv"], "ends in .png but --format csv is printed on stdout"),
])
def test_output_names_that_cannot_be_right(cli, tmp_path, args, message):
    os.chdir(tmp_path)
    assert message in one_clean_line(cli("step", "--step-size", "3", *args))
    assert os.listdir(tmp_path) == []


def test_a_long_valid_file_name_works(cli, tmp_path):
    name = tmp_path / ("a" * 248 + ".png")
    assert cli("step", "--step-size", "3", "-o", name).exit_code == 0 and name.exists()


# --- what lrplot echoes --------------------------------------------------------------------------------

def test_user_text_is_escaped_and_cut(cli, tmp_path):
    line = one_clean_line(cli("from-config", "-", input="scheduler: \"\x1b]0;pwned\x07" + "x" * 100000 + "\"\n"))
    assert "\x1b" not in line and "\x07" not in line and len(line) < 1100
    assert printable("a\x1b[31mb\u202ec\n") == "a\\x1b[31mb\\u202ec\\x0a"


def test_hydra_interpolation_is_lazy_and_bounded(cli, tmp_path):
    bomb = ["a0: x"] + [f"a{i}: ${{a{i - 1}}}${{a{i - 1}}}" for i in range(1, 40)]
    text = "\n".join(bomb + ["sched:", "  _target_: torch.optim.lr_scheduler.StepLR", "  step_size: 3",
                             "  gamma: ${a39}"]) + "\n"
    start = time.perf_counter()
    assert "interpolation" in one_clean_line(cli("from-config", "-", input=text))
    assert time.perf_counter() - start < 5
    unused = ("out: ${hydra:runtime.output_dir}\nlr: 0.01\nsched:\n  _target_: torch.optim.lr_scheduler.StepLR\n"
              "  step_size: 3\n")
    assert cli("from-config", "-", "-f", "csv", input=unused).exit_code == 0
    assert "value missing (???)" in one_clean_line(cli("from-config", "-", input=unused.replace("3", "???")))
    assert "'oc.env'" in one_clean_line(cli("from-config", "-", input=unused.replace("3", "${oc.env:N}")))


# --- resource limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["step", "--step-size", "3", "--lr", ",".join(["0.1"] * 100), "-n", "10000000", "-f", "csv"],
     "= 1,000,000,000 values, above lrplot's limit"),
    (["step", "--step-size", "3", "--size", "50x50", "--dpi", "1200", "-o", "x.png"], "pixels, above"),
    (["step", "--step-size", "3", "--title", "x" * 30000, "-o", "x.png"], "--title: 30,000 characters"),
    (["step", "--step-size", "3", "--lr", ",".join(["0.1"] * 60), "-o", "x.png"], "at most 50 curves"),
    (["hf-linear", "--num-training-steps", "99999999999", "-f", "csv"], "above lrplot's ceiling"),
    (["step", "--step-size", str(2 ** 63), "-f", "csv"], "too large"),
    (["multistep", "--milestones", str(2 ** 64), "-f", "csv"], "too large"),
    (["step", "--step-size", "3", "--warmup", str(2 ** 70), "-f", "csv"], "too large"),
    (["timm-cosine", "--t-initial", "10", "--noise-range-t", "2", "--noise-pct", "0", "-n", "20", "-f", "csv"],
     "loop forever"),
    (["timm-cosine", "--t-initial", "10", "--noise-range-t", "2", "--noise-std", "1e9", "-n", "20", "-f", "csv"],
     "redraw about"),
    (["timm-cosine", "--t-initial", "10", "--cycle-mul", "1e300", "--cycle-limit", "5", "-f", "csv"], "overflows"),
    (["lambda", "--lr-lambda", "max(" + ",".join(["epoch*0.001"] * 60) + ")", "-n", "10000000", "-f", "csv"],
     "more work than lrplot does"),
])
def test_limits_are_refused_before_allocating(cli, tmp_path, args, message):
    os.chdir(tmp_path)
    assert message in one_clean_line(cli(*args))
    assert os.listdir(tmp_path) == []


def test_compare_shares_one_budget(cli, tmp_path):
    runs = tmp_path / "runs.yaml"
    runs.write_text("runs:\n- {scheduler: step, params: {step_size: 3}, epochs: 6000000}\n"
                    "- {scheduler: step, params: {step_size: 3}, epochs: 6000000}\n")
    assert "left after the runs before it" in one_clean_line(cli("compare", runs, "-f", "csv"))


def test_nesting_is_bounded():
    config = {"scheduler": "StepLR", "params": {"step_size": 3}}
    for _ in range(40):
        config = {"scheduler": "ChainedScheduler", "params": {"schedulers": [config]}}
    with pytest.raises(LrplotError, match="nested more than"):
        lrplot.run_config(config)


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 300))])
def test_deep_yaml_is_refused(cli, text):
    assert "nested deeper" in one_clean_line(cli("from-config", "-", input=text))


def test_metrics_files_are_bounded(cli, tmp_path):
    start = time.perf_counter()
    assert "binary data" in one_clean_line(cli("plateau", "--metrics", "/dev/zero", "-f", "csv"))
    assert time.perf_counter() - start < 5
    assert "is a directory" in one_clean_line(cli("plateau", "--metrics", tmp_path, "-f", "csv"))
    config = tmp_path / "c.yaml"
    config.write_text("scheduler: plateau\n")
    assert "is a directory" in one_clean_line(cli("from-config", tmp_path, "-f", "csv"))


# --- tracebacks to end ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,message", [
    (b"scheduler: step\x00\n", "binary data"),
    ("scheduler: StepLR\n".encode("utf-16"), "UTF-16"),
    (b"scheduler: StepLR\nparams: {step_size: 3, gamma: \xe9}\n", "not UTF-8"),
    (b"scheduler: \x07StepLR\n", "control characters are not allowed"),
])
def test_bytes_no_config_has(cli, tmp_path, data, message):
    path = tmp_path / "c.yaml"
    path.write_bytes(data)
    assert message in one_clean_line(cli("from-config", path))
    proc = lrplot_process("from-config", "-", input=data)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr and message.encode() in proc.stderr


def test_mathtext_in_user_text_is_drawn_literally(cli, tmp_path):
    assert cli("step", "--step-size", "3", "--title", r"$\frac{1}$", "-o", tmp_path / "t.png").exit_code == 0
    odd = tmp_path / "a$\\x$.yaml"
    odd.write_text("scheduler: step\nparams: {step_size: 3}\n")
    plain = tmp_path / "b.yaml"
    plain.write_text("scheduler: cosine\nparams: {T_max: 10}\n")
    assert cli("compare", odd, plain, "-o", tmp_path / "c.svg").exit_code == 0


def test_unusable_stdout_and_stderr():
    with open("/dev/full", "wb") as device:
        full = subprocess.run([sys.executable, "-m", "lrplot", "step", "--step-size", "3", "-f", "csv"],
                              stdout=device, stderr=subprocess.PIPE)
    assert full.returncode == 1 and b"No space left" in full.stderr and b"Traceback" not in full.stderr
    closed = subprocess.run(f"{sys.executable} -m lrplot step --step-size 3 -f csv >&-", shell=True,
                            capture_output=True)
    assert closed.returncode == 1 and b"Traceback" not in closed.stderr
    no_stderr = subprocess.run(f"{sys.executable} -m lrplot step -f csv 2>&-", shell=True, capture_output=True)
    assert no_stderr.returncode == 2


@pytest.mark.parametrize("fmt", ["csv", "json", "term"])
def test_a_closed_pipe_is_success(fmt):
    pytest.importorskip("uniplot") if fmt == "term" else None
    proc = subprocess.run(f"{sys.executable} -m lrplot cosine --t-max 100 -n 1000000 -f {fmt} | head -c 10",
                          shell=True, capture_output=True, executable="/bin/bash")
    status = subprocess.run(f"set -o pipefail; {sys.executable} -m lrplot cosine --t-max 100 -n 1000000 -f {fmt} "
                            "| head -c 10 >/dev/null", shell=True, capture_output=True, executable="/bin/bash")
    assert status.returncode == 0 and b"Traceback" not in proc.stderr
    # the reader left: nothing but (when the data went out in one write) the run's summary line
    assert proc.stderr in (b"", b"lrplot: lr: peak 0.1 at step 0, final 0.09998 at step 999,999, minimum 0 at step 100\n")


def test_ctrl_c_exits_130_and_leaves_no_file(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "lrplot", "cosine", "--t-max", "1000", "-n", "5000000",
                             "-o", str(tmp_path / "big.png")], stderr=subprocess.PIPE)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("env", [{"MPLBACKEND": "nonsense"}, {"HOME": None}, {"MPLCONFIGDIR": "/proc/nonexistent"}])
def test_environment_oddities(tmp_path, env):
    environ = {k: v for k, v in os.environ.items() if k not in env}
    environ.update({k: v for k, v in env.items() if v is not None})
    proc = lrplot_process("step", "--step-size", "3", "-o", tmp_path / "x.png", env=environ)
    assert proc.returncode == 0 and proc.stderr.decode().strip().splitlines() == [
        "lrplot: lr: peak 0.1 at step 0, final 1e-34 at step 99, minimum 1e-34 at step 99",
        f"lrplot: wrote {tmp_path / 'x.png'} (100 steps)"]


@pytest.mark.parametrize("text,message", [
    ("lr_scheduler_type: cosine\nnum_train_epochs: .inf\n", "num_train_epochs: inf is not a finite number"),
    ("sched: cosine\nepochs: null\n", "epochs: null: timm's train.py needs a value"),
    ("sched: multistep\ndecay_milestones: 30\n", "decay_milestones: expected a list"),
    ("lr_scheduler:\n  class_path: StepLR\n  init_args: [1, 2]\n", "init_args: expected a mapping"),
    ("sched:\n  _target_: torch.optim.lr_scheduler.StepLR\n  step_size: 3\n  1: 2\n", "unknown parameter"),
    ("lr_scheduler_type: cosine\nwarmup_ratio: [1]\nmax_steps: 10\n", "expected a number"),
])
def test_wrong_types_in_foreign_configs(cli, text, message):
    assert message in one_clean_line(cli("from-config", "-", "--steps-per-epoch", "10", "-f", "csv", input=text))


def test_numpy_warnings_never_reach_stderr(cli):
    result = cli("timm-cosine", "--t-initial", "10", "--cycle-mul", "0.5", "--cycle-limit", "5", "-n", "30", "-f", "csv")
    assert "cycle_mul=0.5 < 1" in one_clean_line(result)


# --- silent wrong data ---------------------------------------------------------------------------------

def test_metrics_with_a_bom_and_headers(cli, tmp_path):
    bom = tmp_path / "m.csv"
    bom.write_bytes("\ufeffval_loss,acc\n1.0,0.1\n0.9,0.2\n".encode())
    assert cli("plateau", "--metrics", bom, "-f", "csv").stdout.splitlines()[1] == "0,0.1,1.0"
    headerless = tmp_path / "h.csv"
    headerless.write_bytes("\ufeff1.0\n0.9\n".encode())
    assert cli("plateau", "--metrics", headerless, "-f", "csv").stdout.splitlines()[1:] == ["0,0.1,1.0", "1,0.1,0.9"]
    typo = tmp_path / "t.csv"
    typo.write_text("1.0x\n0.5\n")
    assert "m.csv" not in one_clean_line(cli("plateau", "--metrics", typo, "-f", "csv"))


@pytest.mark.parametrize("yaml_text,check", [
    ("scheduler: step\nparams: {step_size: 017}\n", lambda r: r.params["step_size"] == 17),
    ("scheduler: step\nparams: {step_size: 3}\nepochs: 0x10\n", lambda r: len(r) == 16),
])
def test_yaml_12_numbers(cli, yaml_text, check):
    from lrplot.config.load import parse

    assert check(lrplot.run_config(parse(yaml_text, "x").data))


@pytest.mark.parametrize("yaml_text,message", [
    ("scheduler: step\nparams: {step_size: 3}\nepochs: 1:30\n", "expected an integer, got '1:30'"),
    ("scheduler: plateau\nparams: {mode: off}\n", "'off' is not allowed"),
    ("scheduler: step\nparams: {step_size: 3, gamma: 1e-400}\n", "too small for a float64"),
])
def test_yaml_11_leftovers_are_not_numbers_or_booleans(cli, yaml_text, message):
    assert message in one_clean_line(cli("from-config", "-", "-f", "csv", input=yaml_text))


def test_float_flags_that_underflow(cli):
    assert "too small for a float64" in one_clean_line(cli("step", "--step-size", "3", "--lr", "1e-400"))
    assert "too small for a float64" in one_clean_line(cli("cosine", "--t-max", "3", "--eta-min", "1e-400"))


def test_list_flags_accumulate(cli):
    repeated = cli("multistep", "--milestones", "3", "--milestones", "5,7", "-n", "9", "-f", "csv").stdout
    together = cli("multistep", "--milestones", "3,5,7", "-n", "9", "-f", "csv").stdout
    assert repeated == together and repeated.count("0.0010000000000000002") == 2
    assert cli("step", "--step-size", "2", "--lr", "0.1,0.2", "--lr", "0.3", "-n", "2", "-f", "csv").stdout \
        .splitlines()[0] == "step,lr_0,lr_1,lr_2"
    pair = cli("timm-cosine", "--t-initial", "10", "--noise-range-t", "2,5", "-n", "8", "-f", "csv")
    assert pair.exit_code == 0, pair.stderr


def test_tick_labels_equal_their_ticks_across_decades():
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from lrplot.render.plot import tick_label

    for exponent in range(-12, 5):
        for low, high in ((1.0, 2.0), (1.0, 1.75), (0.5, 3.3), (1.1, 1.2)):
            fig = Figure()
            ax = fig.subplots()
            ax.set_ylim(low * 10.0 ** exponent, high * 10.0 ** exponent)
            ticks = MaxNLocator(nbins=10).tick_values(low * 10.0 ** exponent, high * 10.0 ** exponent)
            for tick in ticks:
                label = tick_label(tick)
                assert abs(float(label) - tick) <= 1e-9 * abs(tick), (tick, label)
    assert tick_label(1.25e-5) == "1.25e-5" and tick_label(1.75e-5) == "1.75e-5"


def test_terminal_axis_labels_small_rates():
    pytest.importorskip("uniplot")
    from lrplot.render.term import render_term

    text = render_term([("", lrplot.simulate("hf:cosine", num_training_steps=100, lr=2e-5))], "t", False)
    assert "-0.0" not in text and "2e-5" in text


# --- where lrplot was stricter than torch ------------------------------------------------------------

def test_momentum_outside_0_1_is_accepted_with_a_warning(cli):
    result = cli("onecycle", "--max-lr", "0.1", "--total-steps", "10", "--max-momentum", "22", "--momentum", "0.9",
                 "-f", "csv")
    assert result.exit_code == 0 and "lrplot: warning: OneCycleLR max_momentum=22.0: outside [0, 1]" in result.stderr


def test_lightning_saved_last_epoch_and_verbose(cli):
    fresh = lrplot.run_config({"scheduler": "StepLR", "params": {"step_size": 3, "last_epoch": -1, "verbose": False}})
    same = lrplot.simulate("StepLR", step_size=3)
    assert np.array_equal(fresh.lr, same.lr) and fresh.params == same.params
    resumed = lrplot.run_config({"scheduler": "StepLR", "params": {"step_size": 30, "last_epoch": 40}})
    assert resumed.steps[0] == 40 and resumed.uninterrupted is not None


def test_n_rows_need_n_minus_1_metrics(cli, tmp_path):
    metrics = tmp_path / "m.txt"
    metrics.write_text("1.0\n0.9\n0.95\n")
    result = cli("plateau", "--metrics", metrics, "-n", "4", "-f", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "3,0.1,"
    assert "simulate at most 4 steps" in one_clean_line(cli("plateau", "--metrics", metrics, "-n", "5", "-f", "csv"))
