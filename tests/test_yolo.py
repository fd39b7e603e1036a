"""YOLO runs: every golden case recorded from the real trainers (tests/fixtures/golden_runs, written by
gen_ultralytics.py with ultralytics 8.4.190 and gen_yolov5.py with yolov5 7.0.14) is read through lrplot's
config shape, as a user's args.yaml / hyp file with the run flags, and must give the trainer's lr and momentum
at every iteration, bit for bit."""

import json
from pathlib import Path

import numpy as np
import pytest

from lrplot.config.shapes import translate
from lrplot.engine.simulate import run_config
from lrplot.errors import ParamError

HERE = Path(__file__).parent / "fixtures" / "golden_runs"
RUNS = {family: (json.loads((HERE / f"{family}.json").read_text()), np.load(HERE / f"{family}.npz"))
        for family in ("ultralytics", "yolov5")}
#: The scheduler each family's goldens cover (test_golden checks that every scheduler has fixtures).
COVERED = {"ultralytics": "ultralytics:BaseTrainer", "yolov5": "yolov5:train"}
CASES = [(family, name) for family, (meta, _) in RUNS.items() for name in meta["cases"]]

#: ultralytics' default.yaml keys a run's args.yaml carries besides the schedule's (detection by signature)
ARGS_YAML = {"task": "detect", "mode": "train", "imgsz": 64, "close_mosaic": 10, "nbs": 64, "time": None}
#: what YOLOv5's opt.yaml carries besides the hyp mapping
OPT_YAML = {"weights": "", "cfg": "tiny.yaml", "data": "synthetic.yaml", "imgsz": 64, "device": ""}
V5_HYP = ("lr0", "lrf", "momentum", "weight_decay", "warmup_epochs", "warmup_momentum", "warmup_bias_lr",
          "box", "cls", "cls_pw", "obj", "obj_pw", "iou_t", "anchor_t", "fl_gamma")


def _translated(family: str, case: dict, as_hyp_file: bool = False):
    args = case["effective_args"]
    run = {"dataset_size": case["dataset_size"], "num_classes": case["nc"]}
    if family == "ultralytics":
        data = {**ARGS_YAML, **{k: v for k, v in args.items() if k != "time"}, "time": args.get("time")}
        if case.get("final_epochs") and case["final_epochs"] != args["epochs"]:  # time= rewrote epochs
            data["epochs"] = case["args"].get("epochs", 100)
    elif as_hyp_file:  # a hyp file and train.py's flags
        data = {k: args[k] for k in V5_HYP}
        run.update(epochs=args["epochs"], batch_size=args["batch_size"], optimizer=args["optimizer"],
                   cos_lr=args["cos_lr"])
    else:
        data = {**OPT_YAML, "hyp": {k: args[k] for k in V5_HYP}, "epochs": args["epochs"],
                "batch_size": args["batch_size"], "optimizer": args["optimizer"], "cos_lr": args["cos_lr"]}
    return translate(data, run)


@pytest.mark.parametrize("family,name", CASES, ids=[f"{f}:{n}" for f, n in CASES])
def test_the_trainers_lr_and_momentum_at_every_iteration(family, name):
    meta, arrays = RUNS[family]
    case = meta["cases"][name]
    if case["effective_args"].get("time"):
        with pytest.raises(ParamError, match="re-estimates the epochs"):
            _translated(family, case)
        return
    result = run_config(_translated(family, case).config)
    lr, momentum = arrays[f"{name}/lr"], arrays[f"{name}/momentum"]
    start = (case.get("start_epoch") or 0) * case["nb"]  # a resumed run continues the same curve
    assert result.plan.steps_per_epoch == case["nb"]
    assert len(result.lr) == start + len(lr)
    assert np.array_equal(result.lr[start:], lr)
    if case["param_groups"][0]["momentum_key"] == "momentum":
        assert np.array_equal(result.momentum[start:], momentum)
    else:  # Adam's betas: the warmup leaves beta1 alone
        assert result.momentum is None
    names = [g.get("param_group") for g in case["param_groups"]] if family == "ultralytics" \
        else case["param_group_names"]
    assert [n.removesuffix("_x3") for n in result.group_names] == names
    assert [m for m, _ in result.marks] == ([case["nw"]] if 0 < case["nw"] < len(result.lr) else [])


@pytest.mark.parametrize("name", list(RUNS["yolov5"][0]["cases"]))
def test_a_yolov5_hyp_file_with_train_py_flags_reads_as_its_opt_yaml(name):
    case = RUNS["yolov5"][0]["cases"][name]
    hyp = run_config(_translated("yolov5", case, as_hyp_file=True).config)
    opt = run_config(_translated("yolov5", case).config)
    assert np.array_equal(hyp.lr, opt.lr)


CONFIGS = Path(__file__).parent.parent / "configs" / "trainers"
REAL = Path(__file__).parent / "fixtures" / "real_configs_13"


def test_lr_flag_is_lr0_and_auto_ignores_it(cli):
    sgd = cli("from-config", REAL / "I-ultralytics-run-args-sgd-batch6-pruning-extra-keys.yaml", "-f", "csv",
              "--dataset-size", "1000", "--lr", "0.05", "--momentum", "0.9")
    assert sgd.exit_code == 0, sgd.stderr
    row = sgd.stdout.splitlines()[1 + 501].split(",")  # nw = 501: every group at lr0 x lf(3), momentum 0.9
    assert [float(v) for v in row[2:]] == [0.05 * ((1 - 3 / 150) * 0.99 + 0.01)] * 3 + [0.9] * 3
    auto = cli("from-config", REAL / "I-ultralytics-run-args-yolo12n-lr0-0.001.yaml", "-f", "csv",
               "--dataset-size", "1000", "--num-classes", "20", "--lr", "0.05")
    assert auto.exit_code == 0 and "--lr: optimizer auto ignores lr0" in auto.stderr
    assert float(auto.stdout.splitlines()[1 + 189].split(",")[2]) == 0.000417 * ((1 - 3 / 100) * 0.99 + 0.01)


@pytest.mark.parametrize("flags,message", [
    (["--lr", "0.1,0.2"], "--lr: give one value, lr0"),
    (["--betas", "0.9,0.99"], "--betas: the YOLO trainer has no such setting"),
    (["--grad-accum", "2"], "--grad-accum: the YOLO trainer has no such setting"),
    (["--trainer", "hf"], "--trainer hf: a YOLO config is counted as --trainer yolov5 does"),
    (["--optimizer", "Lion"], "--optimizer: 'Lion' is not a YOLOv5 optimizer (allowed: SGD, Adam, AdamW, RMSProp)"),
])
def test_flags_the_yolo_trainer_has_no_use_for_are_refused(cli, flags, message):
    result = cli("from-config", REAL / "I-yolov5-hyp-scratch-med-agpl.yaml", "--dataset-size", "1000", *flags)
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


def test_num_classes_must_be_a_count(cli):
    result = cli("from-config", REAL / "I-ultralytics-cfg-default-8.1.yaml", "--dataset-size", "1000",
                 "--num-classes", "0")
    assert result.exit_code == 2 and "--num-classes: 0 is invalid" in result.stderr


def test_yolo_only_flags_are_refused_for_other_configs(cli):
    result = cli("from-config", Path(__file__).parent.parent / "configs" / "cosine.yaml", "--num-classes", "80")
    assert result.exit_code == 2
    assert result.stderr == "lrplot: error: --num-classes: lrplot configs do not use it (YOLO configs do)\n"


def test_time_and_autobatch_are_refused_naming_the_key(cli, tmp_path):
    args = (CONFIGS / "yolo-args.yaml").read_text()
    for change, phrase in (("time: 2.5", "time: 2.5 hours: ultralytics re-estimates the epochs"),
                           ("batch: -1", "batch: -1 is AutoBatch")):
        path = tmp_path / "args.yaml"
        path.write_text(args.replace("time: null" if change.startswith("time") else "batch: 32", change))
        result = cli("from-config", path, "--dataset-size", "1000")
        assert result.exit_code == 2 and phrase in result.stderr, result.stderr


def test_a_yolo_run_picture_and_csv_name_the_groups(cli, tmp_path):
    result = cli("from-config", CONFIGS / "yolo-args.yaml", "--dataset-size", "5000", "-o", tmp_path / "y.svg")
    assert result.exit_code == 0
    assert "157 batches (iterations) per epoch; 50 epochs = 7,850 iterations" in result.stderr
    svg = (tmp_path / "y.svg").read_text()
    assert all(f"{name} (lr0=0.01)" in svg for name in ("weight", "bn", "bias")) and "iteration" in svg
