"""The installed program in a real process: pipes, stdout hygiene, no matplotlib on the text paths."""

import subprocess
import sys

CODE = ("import sys; from lrplot.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
        "sys.stderr.write('MODULES ' + ' '.join(m for m in ('matplotlib', 'yaml') if m in sys.modules) + '\\n')\n"
        "sys.exit(code)\n")


def lrplot(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "lrplot", *args], capture_output=True, text=True, **kwargs)


def test_pipe_into_head_ends_quietly():
    proc = subprocess.run(f"{sys.executable} -m lrplot cosine --t-max 1000000 -n 1000000 --format csv | head -3",
                          shell=True, capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["step,lr", "0,0.1", "1,0.09999999999975327"]
    assert proc.stderr == ""


def test_csv_and_json_paths_never_import_matplotlib():
    for args in (["step", "--step-size", "3", "-f", "csv"], ["cosine", "--t-max", "5", "-f", "json"], ["--help"],
                 ["list"]):
        proc = subprocess.run([sys.executable, "-c", CODE, *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "matplotlib" not in proc.stderr.split("MODULES")[-1]


def test_python_dash_m_and_stdout_is_only_data():
    proc = lrplot("exponential", "--gamma", "0.5", "-n", "3", "-f", "csv")
    assert proc.returncode == 0
    assert proc.stdout == "step,lr\n0,0.1\n1,0.05\n2,0.025\n"
    assert proc.stderr == "lrplot: lr: peak 0.1 at step 0, final 0.025 at step 2, minimum 0.025 at step 2\n"


def test_binary_format_refused_on_a_terminal_is_exit_2():
    # stdout of this child is a pipe, so '-o -' writes PNG bytes; the terminal case is covered in-process below.
    proc = subprocess.run([sys.executable, "-m", "lrplot", "step", "--step-size", "2", "-o", "-", "-f", "png"],
                          capture_output=True)
    assert proc.returncode == 0 and proc.stdout.startswith(b"\x89PNG")


def test_error_has_no_traceback():
    proc = lrplot("from-config", "/nonexistent.yaml")
    assert proc.returncode == 2
    assert proc.stderr == "lrplot: error: /nonexistent.yaml: no such file\n"


def test_torch_names_and_typos_through_the_real_entry_point():
    assert lrplot("StepLR", "--step_size", "2", "-n", "3", "-f", "csv").stdout == "step,lr\n0,0.1\n1,0.1\n2,0.010000000000000002\n"
    proc = lrplot("stepp", "--step-size", "2")
    assert proc.returncode == 2 and proc.stderr.startswith("lrplot: error: No such command 'stepp'")
    completion = subprocess.run([sys.executable, "-m", "lrplot"], capture_output=True, text=True,
                                env={**__import__("os").environ, "_LRPLOT_COMPLETE": "complete_bash",
                                     "COMP_WORDS": "lrplot cosine --t-m", "COMP_CWORD": "2"})
    assert completion.stdout.split() == ["--t-max"]
