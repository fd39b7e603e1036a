"""YOLO training configs: ultralytics' ``default.yaml`` / a run's ``args.yaml`` (8.4.190's trainer), and
YOLOv5's ``hyp.*.yaml`` / a run's ``opt.yaml`` (train.py 7.0).

The schedule is in the file (lr0, lrf, cos_lr, warmup_*); the iterations per epoch come from the run:
``--dataset-size`` (training images) and the file's ``batch`` (the total over devices), or ``--steps-per-epoch``
(the trainer's ``nb``).  ``optimizer: auto`` is resolved as ultralytics does (BaseTrainer.build_optimizer):
AdamW at ``round(0.002 * 5 / (4 + nc), 6)`` up to 10,000 iterations, MuSGD at 0.01 above, which needs the
dataset size and, for AdamW, the number of classes (``--num-classes``).
"""

from __future__ import annotations

import math
from typing import Any

from ...engine.params import to_float, to_int
from ...errors import ParamError, shown
from . import Translation, unused

NAME = "ultralytics YOLO"
NAME_V5 = "YOLOv5"
#: Keys only ultralytics' cfg / args.yaml carry (with lr0 and the warmup keys)
ULTRALYTICS_KEYS = frozenset({"nbs", "task", "mode", "imgsz", "close_mosaic", "cos_lr", "batch", "fraction"})
#: Keys only YOLOv5's hyp files carry (loss gains and anchors)
V5_HYP_KEYS = frozenset({"anchor_t", "obj", "obj_pw", "cls_pw", "iou_t", "fl_gamma"})
SCHEDULE_KEYS = frozenset({"lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "warmup_momentum"})
V5_OPT_KEYS = frozenset({"weights", "cfg", "data", "epochs", "batch_size", "imgsz", "img_size", "noautoanchor",
                         "evolve", "bucket", "cache", "image_weights", "multi_scale", "single_cls", "sync_bn"})

OPTIMIZERS = ("SGD", "MuSGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop")
ADAM_LIKE = ("Adam", "Adamax", "AdamW", "NAdam", "RAdam")
V5_OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSProp")
ULTRALYTICS_DEFAULTS = {"epochs": 100, "batch": 16, "optimizer": "auto", "lr0": 0.01, "lrf": 0.01, "momentum": 0.937,
                        "warmup_epochs": 3.0, "warmup_momentum": 0.8, "warmup_bias_lr": 0.1, "cos_lr": False,
                        "nbs": 64, "fraction": 1.0}
V5_DEFAULTS = {"epochs": 100, "batch_size": 16, "optimizer": "SGD", "cos_lr": False}  # train.py's argparse
AUTO_ITERATIONS = 10_000  # above: MuSGD


def _schedule_keys(data: dict) -> int:
    return sum(1 for key in SCHEDULE_KEYS if key in data)


def detect(data: Any) -> float:
    if not isinstance(data, dict):
        return 0.0
    if _schedule_keys(data) >= 4 and "lr0" in data:
        if sum(1 for key in data if key in ULTRALYTICS_KEYS) >= 2:
            return 5.0
        if sum(1 for key in data if key in V5_HYP_KEYS) >= 2:
            return 5.0
    hyp = data.get("hyp")
    if isinstance(hyp, dict) and _schedule_keys(hyp) >= 4 and sum(1 for k in data if k in V5_OPT_KEYS) >= 3:
        return 5.0  # YOLOv5's saved opt.yaml: train.py's arguments with the hyp mapping inside
    return 0.0


def translate(data: dict, run: dict) -> Translation:
    if isinstance(data.get("hyp"), dict):
        return _yolov5(data["hyp"], data, run, ("hyp",))
    if sum(1 for key in data if key in ULTRALYTICS_KEYS) >= 2:
        return _ultralytics(data, run)
    return _yolov5(data, {}, run, ())


def _check_run(run: dict, trainer: str) -> None:
    from . import own_trainer

    own_trainer(run, trainer, "a YOLO config")
    if (run.get("lr_count") or 0) > 1:
        raise ParamError((), "--lr: give one value, lr0: the YOLO trainer gives it to every param group")
    for key, flag in (("grad_accum", "--grad-accum"), ("max_steps", "--max-steps"), ("drop_last", "--drop-last"),
                      ("split_batches", "--split-batches"), ("betas", "--betas")):
        if run.get(key) is not None:
            raise ParamError((), f"{flag}: the YOLO trainer has no such setting (it accumulates round(nbs / batch) "
                             "batches itself, trains whole epochs, and builds its optimizer from the optimizer and "
                             "momentum keys); leave it out")


def _ultralytics(data: dict, run: dict) -> Translation:
    out = Translation(NAME, None)
    _check_run(run, "ultralytics")
    a = _values(data, ULTRALYTICS_DEFAULTS, out)
    if run.get("momentum") is not None:
        a["momentum"] = run["momentum"]
    if data.get("time") not in (None, 0, 0.0, False):
        raise ParamError(("time",), f"{shown(data['time'])} hours: ultralytics re-estimates the epochs from the "
                         "measured speed after every epoch, which lrplot cannot know; set time to null and give epochs")
    epochs = run.get("epochs") if run.get("epochs") is not None else a["epochs"]
    epochs = _whole(epochs, "epochs")
    batch = run.get("batch_size") if run.get("batch_size") is not None else a["batch"]
    if run.get("batch_size") is None and (batch == -1 or (isinstance(batch, float) and 0 < batch < 1)):
        raise ParamError(("batch",), f"{batch:g} is AutoBatch: ultralytics picks the batch from free GPU memory "
                         "when training starts; give the batch it printed with --batch-size")
    batch = _whole(batch, "batch")
    devices = run.get("devices") or _devices(data.get("device"), out)
    nbs = _whole(a["nbs"], "nbs")
    images, nb, block = _iterations(run, a.get("fraction"), batch, devices, "ultralytics", out,
                                    compile_=bool(data.get("compile")))
    accumulate = max(round(nbs / batch), 1)
    optimizer, lr0, momentum = _ultralytics_optimizer(a, run, images, batch, nbs, epochs, nb, out)
    warmup_bias = 0.0 if str(a["optimizer"]).lower() == "auto" else a["warmup_bias_lr"]
    names = ["weight", "bn", "bias"]
    lrs = [lr0] * 3
    if optimizer == "MuSGD":  # the head's cv3 params get 3 x lr0 (empty groups are scheduled all the same)
        names = [f"{n}{suffix}" for n in ("weight", "bn", "bias", "muon") for suffix in ("_x3", "")]
        lrs = [lr0 * 3 if n.endswith("_x3") else lr0 for n in names]
        out.notes.append("MuSGD has 8 param groups: each of weight, bn, bias and muon twice, the head's (cv3) at "
                         "3 x lr0 (x3); matrices and conv filters are in the muon groups")
    opt: dict = {"lr": lrs, "names": names}
    if optimizer in ADAM_LIKE:
        opt["betas"] = [momentum, 0.999]
    else:
        opt["momentum"] = momentum
    params = {"epochs": epochs, "lrf": a["lrf"], "cos_lr": a["cos_lr"], "warmup_epochs": a["warmup_epochs"],
              "warmup_bias_lr": warmup_bias, "warmup_momentum": a["warmup_momentum"], "momentum": a["momentum"]}
    out.notes.append(f"ultralytics 8.4.190's trainer: {optimizer}, an optimizer step every {accumulate} iterations "
                     f"(max(round(nbs {nbs} / batch {batch}), 1); 1 at first, rising during warmup); older 8.x "
                     "versions warm up for at least 100 iterations and step the scheduler after each epoch")
    if data.get("resume"):
        out.warnings.append("resume: a resumed run continues this same curve from its checkpoint's epoch")
    return _finish(out, "ultralytics:BaseTrainer", params, opt, epochs, nb, block, data,
                   set(ULTRALYTICS_DEFAULTS) | {"time", "device", "compile", "resume"}, ())


def _ultralytics_optimizer(a: dict, run: dict, images, batch: int, nbs: int, epochs: int, nb: int,
                           out: Translation) -> tuple[str, float, float]:
    """(optimizer, lr0, the constructor's momentum) as BaseTrainer.build_optimizer picks them."""
    name = str(run.get("optimizer") or a["optimizer"])
    if name.lower() != "auto":
        canonical = _optimizer(name, OPTIMIZERS, "an ultralytics", run, ("optimizer",), "auto, ")
        lr0 = run.get("lr") if run.get("lr") is not None else a["lr0"]
        return canonical, lr0, a["momentum"]
    if images is None:  # only nb is known: the dataset is somewhere in ((nb - 1) x b, nb x b]
        low, high = (nb - 1) * batch + 1, nb * batch
        iterations = [math.ceil(n / max(batch, nbs)) * epochs for n in (low, high)]
        if (iterations[0] > AUTO_ITERATIONS) != (iterations[1] > AUTO_ITERATIONS):
            raise ParamError(("optimizer",), "auto picks MuSGD or AdamW by the dataset's size "
                             f"(ceil(images / {max(batch, nbs)}) x {epochs} epochs above {AUTO_ITERATIONS:,}): "
                             "give --dataset-size")
        iterations = iterations[1]
    else:
        iterations = math.ceil(images / max(batch, nbs)) * epochs
    if run.get("lr") is not None:
        out.warnings.append("--lr: optimizer auto ignores lr0 and picks its own lr")
    if iterations > AUTO_ITERATIONS:
        out.notes.append(f"optimizer auto: {iterations:,} iterations (ceil(images / {max(batch, nbs)}) x {epochs} "
                         f"epochs) > {AUTO_ITERATIONS:,}: MuSGD, lr0 0.01, momentum 0.9, warmup_bias_lr 0")
        return "MuSGD", 0.01, 0.9
    nc = run.get("num_classes")
    if nc is not None and nc < 1:
        raise ParamError((), f"--num-classes: {nc} is invalid: a dataset has at least 1 class")
    if nc is None:
        raise ParamError(("optimizer",), f"auto picks AdamW with lr0 = round(0.002 x 5 / (4 + nc), 6) from the "
                         "number of classes: give --num-classes (the names in your data YAML)")
    lr = round(0.002 * 5 / (4 + nc), 6)
    out.notes.append(f"optimizer auto: {iterations:,} iterations <= {AUTO_ITERATIONS:,}: AdamW, lr0 = "
                     f"round(0.002 x 5 / (4 + {nc}), 6) = {lr:g}, betas (0.9, 0.999), warmup_bias_lr 0")
    return "AdamW", lr, 0.9


def _yolov5(hyp: dict, opt: dict, run: dict, at: tuple) -> Translation:
    out = Translation(NAME_V5, None)
    _check_run(run, "yolov5")
    if "linear_lr" in opt and "cos_lr" not in opt:
        raise ParamError(("linear_lr",), "this opt.yaml is from YOLOv5 before 6.1 (linear_lr), whose schedule "
                         "and warmup differ from 7.0's, which lrplot reproduces")
    a = {}
    for key, default in V5_DEFAULTS.items():  # train.py's flags: lrplot's flag, else opt.yaml's, else the default
        value = run.get(key) if run.get(key) is not None else opt.get(key)
        if value is None:
            out.defaults.append(f"{key}={default} (train.py's --{key.replace('_', '-')})")
            value = default
        a[key] = value
    h = _hyp_values(hyp, at)
    if run.get("momentum") is not None:
        h["momentum"] = run["momentum"]
    epochs, batch = _whole(a["epochs"], "epochs"), _whole(a["batch_size"], "batch_size")
    if batch == -1:
        raise ParamError(("batch_size",), "-1 is AutoBatch: give the batch it printed with --batch-size")
    canonical = _optimizer(str(a["optimizer"]), V5_OPTIMIZERS, "a YOLOv5", run, ("optimizer",))
    devices = run.get("devices") or _devices(opt.get("device"), out)
    _, nb, block = _iterations(run, None, batch, devices, "yolov5", out)
    lr0 = run.get("lr") if run.get("lr") is not None else h["lr0"]
    optimizer: dict = {"lr": [lr0] * 3, "names": ["bias", "weight", "bn"]}
    if canonical in ("Adam", "AdamW"):
        optimizer["betas"] = [h["momentum"], 0.999]
    else:
        optimizer["momentum"] = h["momentum"]
    params = {"epochs": epochs, "lrf": h["lrf"], "cos_lr": bool(a["cos_lr"]), "warmup_epochs": h["warmup_epochs"],
              "warmup_bias_lr": h["warmup_bias_lr"], "warmup_momentum": h["warmup_momentum"],
              "momentum": h["momentum"]}
    out.notes.append(f"YOLOv5 train.py (7.0): {canonical}, warmup max(round(warmup_epochs x nb), 100) iterations, "
                     "the scheduler stepped after each epoch")
    used = {"epochs", "batch_size", "optimizer", "cos_lr", "device", "hyp"} if at else set(h)
    return _finish(out, "yolov5:train", params, optimizer, epochs, nb, block, opt or hyp, used, at)


def _optimizer(name: str, allowed: tuple, tool: str, run: dict, path: tuple, extra: str = "") -> str:
    """The optimizer's canonical name (the trainers match case-insensitively); blamed on --optimizer when
    the flag gave it."""
    canonical = {o.lower(): o for o in allowed}.get(name.lower())
    if canonical is None:
        where, flag = ((), "--optimizer: ") if run.get("optimizer") else (path, "")
        raise ParamError(where, f"{flag}{shown(name)} is not {tool} optimizer (allowed: {extra}{', '.join(allowed)})")
    return canonical


def _hyp_values(hyp: dict, at: tuple) -> dict:
    values = {}
    for key in ("lr0", "lrf", "momentum", "warmup_epochs", "warmup_momentum", "warmup_bias_lr"):
        if hyp.get(key) is None:
            raise ParamError(at + (key,), "missing: YOLOv5's train.py reads it from the hyp file")
        values[key] = to_float(hyp[key], at + (key,))
    return values


def _values(data: dict, defaults: dict, out: Translation) -> dict:
    a = {}
    for key, default in defaults.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if key in ("lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "warmup_momentum", "cos_lr", "optimizer",
                       "momentum") or key in data:
                out.defaults.append(f"{key}={default}")
            a[key] = default
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ParamError((key,), f"expected true or false, got {shown(value)}")
            a[key] = value
        elif isinstance(default, (int, float)) and key not in ("batch", "fraction"):
            a[key] = to_float(value, (key,)) if isinstance(default, float) else value
        else:
            a[key] = value
    return a


def _whole(value: Any, key: str) -> int:
    number = to_int(value, (key,))
    if number < 1:
        raise ParamError((key,), f"{number} is invalid: must be >= 1")
    return number


def _devices(device: Any, out: Translation) -> int:
    """ultralytics' / YOLOv5's ``device``: '0,1,2,3' or [0, 1] is 4 / 2 DDP processes; one device is 1."""
    if isinstance(device, list):
        count = len(device)
    elif isinstance(device, str) and "," in device:
        count = len([d for d in device.split(",") if d.strip()])
    else:
        count = 1
    if count > 1:
        out.notes.append(f"device {shown(device)}: {count} DDP processes, each loading batch // {count}")
    return count


def _train_images(run: dict, fraction: Any, out: Translation):
    """Images the train split keeps: ultralytics' ``fraction`` (an int > 1 is a count, a float a share)."""
    images = run.get("dataset_size")
    if images is None or fraction in (None, 1, 1.0):
        return images
    if isinstance(fraction, list):
        fraction = fraction[0] if fraction else 1.0
    if isinstance(fraction, int) and not isinstance(fraction, bool) and fraction > 1:
        kept = min(fraction, images)
    else:
        share = to_float(fraction, ("fraction",))
        if not 0 < share <= 1:
            raise ParamError(("fraction",), f"{share:g} is invalid: a share of the train images in (0, 1]")
        kept = max(1, round(images * share))
    out.prelude.append(f"fraction {shown(fraction)}: {kept:,} of {images:,} train images")
    return kept


def _iterations(run: dict, fraction: Any, batch: int, devices: int, trainer: str, out: Translation,
                compile_: bool = False):
    """(images, nb, run block): iterations per epoch as the trainer's loader counts them."""
    images = _train_images(run, fraction, out)
    if images is None:
        nb = run.get("steps_per_epoch")
        if nb is None:
            raise ParamError((), f"read as a {out.shape} config, whose warmup and epochs are counted in iterations: "
                             "give the number of training images (--dataset-size) or the iterations per epoch "
                             "(--steps-per-epoch)")
        return None, nb, None
    per_rank = -(-images // devices) if devices > 1 else images
    block = {"trainer": trainer, "dataset_size": images, "batch_size": batch, "devices": devices,
             "drop_last": bool(compile_) and per_rank > batch // devices}
    from ...engine.trainers import parse_run, plan

    return images, plan(parse_run(block, 1)).steps_per_epoch, block


def _finish(out: Translation, scheduler: str, params: dict, optimizer: dict, epochs: int, nb: int, block,
            data: dict, used: set, at: tuple) -> Translation:
    config: dict = {"scheduler": scheduler, "params": params, "optimizer": optimizer, "epochs": epochs}
    if block is None:
        config["steps_per_epoch"] = nb
    else:
        config["run"] = block
    out.config = config
    out.origin = {("params", key): at + (key,) for key in params if key not in ("epochs", "cos_lr")}
    out.origin[("params", "momentum")] = at + ("momentum",)
    out.ignored = unused(data, used)
    out.counted_run = True
    out.options_read = ("num_classes", "optimizer", "cos_lr")
    out.own_flags = ("lr", "momentum", "betas")  # lr0 and momentum, read by the shape with the optimizer's rules
    return out
