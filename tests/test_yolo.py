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
