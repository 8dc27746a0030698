"""Normalize optimizer and scheduler names from every framework to canonical families.

``"adamw_torch_fused"`` (HF ``optim``), ``"torch.optim.AdamW"`` (Lightning/Hydra
class paths), ``"AdamW"`` (DeepSpeed/mmengine ``type``) all become ``"adamw"``;
``"ReduceLROnPlateau"``, ``"reduce_lr_on_plateau"`` (HF), ``"ReduceOnPlateauLR"``
(mmengine) and speechbrain's ``NewBobScheduler`` all become ``"plateau"``.
"""

from __future__ import annotations

import re

_OPT_PATTERNS = [
    (r"adamw|adam_w|fusedadamw|paged_adamw|adamw_torch|adamw_hf|adamw_bnb|adamw_8bit|ademamix", "adamw"),
    (r"fusedadam|deepspeedcpuadam|cpuadam|onebitadam|zerooneadam", "adam"),  # DeepSpeed: AdamW unless adam_w_mode false
    (r"^adam$|^adam8bit$|^torch\.optim\.adam$|^adam_", "adam"),
    (r"adamax", "adamax"),
    (r"nadam", "nadam"),
    (r"radam", "radam"),
    (r"lamb", "lamb"),
    (r"lars", "lars"),
    (r"adafactor", "adafactor"),
    (r"muon", "muon"),
    (r"adadelta", "adadelta"),
    (r"adagrad", "adagrad"),
    (r"rmsprop", "rmsprop"),
    (r"lion", "lion"),
    (r"sophia", "sophia"),
    (r"came", "came"),
    (r"galore", "adamw"),
    (r"schedule_free|schedulefree", "schedule_free"),
    (r"sgd|musgd", "sgd"),
]


#: Every canonical optimizer family :func:`optimizer_family` can return for a known name.
OPTIMIZER_FAMILIES = frozenset(family for _, family in _OPT_PATTERNS)


def optimizer_family(name: object) -> str | None:
    """Canonical optimizer family of a name/class path, ``None`` for non-strings.

    Unknown names are returned lower-cased (last dotted segment) so rules can still
    compare them; ``"adam"`` means coupled (L2-style) weight decay, ``"adamw"`` decoupled.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    raw = name.strip().lower()
    last = raw.rsplit(".", 1)[-1]
    for pattern, family in _OPT_PATTERNS:
        if re.search(pattern, last) or (pattern.startswith("^") and re.search(pattern, raw)):
            return family
    return last


_SCHED = [
    (r"plateau|newbob", "plateau"),
    (r"warmrestart|with_restarts|cosinerestart|cosine_restarts|sgdr", "cosine_restarts"),
    (r"cosine_with_min_lr|cosine_warmup_with_min_lr|cosine|^cos", "cosine"),
    (r"onecycle|one_cycle", "onecycle"),
    (r"multistep|multi_step", "multistep"),
    (r"steplr|^step$|stepwithfixedgamma|step_lr", "step"),
    (r"exponential|^exp", "exponential"),
    (r"poly", "polynomial"),
    (r"inverse_sqrt|invsqrt|noam", "inverse_sqrt"),
    (r"warmup_stable_decay|wsd", "wsd"),
    (r"constant_with_warmup", "constant"),
    (r"constant|^none$|^fixed$", "constant"),
    (r"^warmuplr$|^warmup$", "warmup_only"),
    (r"warmupdecaylr|linear|rex", "linear"),
]


def scheduler_kind(name: object) -> str | None:
    """Canonical scheduler type of a name/class path (``"other"`` when unknown)."""
    if not isinstance(name, str) or not name.strip():
        return None
    last = name.strip().lower().rsplit(".", 1)[-1]
    for pattern, kind in _SCHED:
        if re.search(pattern, last):
            return kind
    return "other"
