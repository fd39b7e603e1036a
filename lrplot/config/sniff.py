"""Naming a config that lrplot cannot even load: tools whose files are Python, or carry YAML tags or anchors.

Looked at only after the safe loader has refused a file, so it never changes what a file that loads means.
"""

from __future__ import annotations

import re

#: (tool, line patterns at the start of a line, how many must match)
TOOLS = (
    ("OpenMMLab (mmengine/mmcv) Python", (r"param_scheduler\s*=", r"_base_\s*=", r"optim_wrapper\s*=",
                                               r"lr_config\s*=\s*dict\(", r"train_cfg\s*=\s*dict\(",
                                               r"optimizer\s*=\s*dict\("), 1),
    ("detectron2 (yacs)", (r"_BASE_:", r"SOLVER:", r"MODEL:", r"DATASETS:", r"INPUT:", r"DATALOADER:"), 2),
    ("NeMo", (r"\s+optim:", r"\s+sched:", r"exp_manager:", r"trainer:", r"model:"), 4),
)


def named_tool(text: str) -> str | None:
    """The tool ``text`` looks like, if any (the first 200,000 characters are enough)."""
    head = text[:200_000]
    for tool, patterns, needed in TOOLS:
        if sum(1 for p in patterns if re.search(rf"^{p}", head, re.M)) >= needed:
            return tool
    return None
