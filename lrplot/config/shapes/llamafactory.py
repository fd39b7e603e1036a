"""LLaMA-Factory v0 YAML (``llamafactory-cli train``): HF TrainingArguments plus its own data keys.

Read from LLaMA-Factory v0.9.5 / HEAD ff6d4d12: the HF Trainer builds the schedule; ``max_samples`` caps each
dataset before merging, ``val_size`` holds out ``ceil(v x N)`` examples (``int(v)`` above 1), and
``warmup_stable_decay`` gets ``num_stable_steps = (total - warmup) // 3`` unless given.  Files trained by
Megatron (mcore_adapter, Megatron Bridge) are named, not read.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParamError
from . import Translation, held_out, integer, signature
from .hf import SIGNATURE as HF_SIGNATURE
from .hf import translate_hf

NAME = "LLaMA-Factory"
SIGNATURE = frozenset({"stage", "finetuning_type", "template", "cutoff_len", "val_size", "max_samples",
                       "dataset_dir", "lora_target", "preprocessing_num_workers", "overwrite_cache", "plot_loss",
                       "lora_rank", "mix_strategy", "packing", "neat_packing", "tokenized_path", "use_mca"})
#: Megatron's parallelism keys: such a file is trained by mcore_adapter or Megatron Bridge, not the HF Trainer.
MEGATRON = frozenset({"tensor_model_parallel_size", "pipeline_model_parallel_size", "expert_model_parallel_size",
                      "sequence_parallel", "use_distributed_optimizer", "overlap_grad_reduce", "overlap_param_gather",
                      "moe_grouped_gemm", "moe_token_dispatcher_type", "recompute_granularity",
                      "bias_activation_fusion", "apply_rope_fusion", "megatron_pretrained_checkpoint"})


def detect(data: Any) -> float:
    own = signature(data, SIGNATURE, at_least=2)
    if not own:
        return 0.0
    return own + signature(data, HF_SIGNATURE, at_least=1) + signature(data, MEGATRON, at_least=1)


def translate(data: dict, run: dict) -> Translation:
    megatron = sorted(key for key in data if key in MEGATRON)
    if megatron or data.get("use_mca") is True:
        raise ParamError((), f"this looks like a LLaMA-Factory Megatron config ({', '.join(megatron[:3]) or 'use_mca'}"
                         "): it is trained by mcore_adapter / Megatron Bridge, whose scheduler lrplot does not read yet")
    if data.get("streaming") is True and run.get("max_steps") is None and integer(data, "max_steps", -1) <= 0:
        raise ParamError(("streaming",), "a streamed dataset has no length: the trainer needs max_steps, and so "
                         "does lrplot")
    packing = data.get("packing")
    if packing is None and data.get("stage") == "pt":  # hparams/parser.py: packing defaults to stage == "pt"
        data = {**data, "packing": True}
    examples = run.get("dataset_size")
    notes = []
    if examples is not None:
        examples = _capped(data, examples, notes)
    split = Translation(NAME, None)
    if examples is not None:
        examples = held_out(examples, data, ("val_size",), split)
    out = translate_hf(data, run, NAME, examples=examples)
    out.prelude = notes + split.prelude + out.prelude
    if out.config["scheduler"] == "hf:warmup_stable_decay":
        _wsd_defaults(out)
    return out


def _capped(data: dict, examples: int, notes: list) -> int:
    cap = integer(data, "max_samples", None)
    if cap is None or cap >= examples:
        return examples
    datasets = [d for d in str(data.get("dataset") or "").split(",") if d.strip()]
    if len(datasets) > 1:
        notes.append(f"max_samples {cap:,} caps each of {len(datasets)} datasets: --dataset-size {examples:,} is "
                     "taken as the examples left after that cap (the sum of min(size, max_samples))")
        return examples
    notes.append(f"max_samples {cap:,}: {examples:,} examples capped at {cap:,}")
    return cap


def _wsd_defaults(out: Translation) -> None:
    """``create_custom_scheduler``: the stable and decay lengths LLaMA-Factory writes when not given."""
    params = out.config["params"]
    if params.get("num_stable_steps") is not None or params.get("num_decay_steps") is not None:
        return
    remaining = params["num_training_steps"] - params["num_warmup_steps"]
    params["num_stable_steps"] = remaining // 3
    params["num_decay_steps"] = remaining - remaining // 3
    out.notes.append(f"warmup_stable_decay: LLaMA-Factory's split of {remaining:,} steps after warmup = "
                     f"{remaining // 3:,} stable + {remaining - remaining // 3:,} decay")
