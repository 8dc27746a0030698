"""The explicit rule registry: one module per rule, listed here in code order.

Codes: STL0xx load/keys, STL1xx schedule, STL2xx batch, STL3xx gradients and
loss, STL4xx LoRA, STL5xx optimizer, STL6xx precision, STL7xx PR-diff rules.
Never rename or renumber a shipped rule.
"""

from __future__ import annotations

from importlib import import_module

from .base import Rule

RULE_MODULES: tuple[str, ...] = (
    "duplicate_key",
    "yaml_float_as_string",
    "invalid_value",
    "unknown_key",
    "base_not_found",
    "plateau_patience_too_long",
    "early_stop_before_lr_drop",
    "plateau_monitors_train_loss",
    "missing_warmup",
    "warmup_exceeds_training",
    "scheduler_never_fires",
    "schedule_increases_lr",
    "min_lr_above_lr",
    "schedule_horizon_mismatch",
    "batch_size_one",
    "inconsistent_batch_size",
    "loss_weight_imbalance",
    "clip_too_aggressive",
    "lora_scaling_too_low",
    "lora_scaling_too_high",
    "lora_lr_too_low",
    "lr_out_of_range",
    "adam_coupled_weight_decay",
    "lr_batch_scaling",
    "full_finetune_lr_too_high",
    "preference_lr_too_high",
    "conflicting_precision",
    "static_loss_scale",
    "fp16_on_bf16_model",
    "unused_suppression",
)

#: PR-diff rules (STL7xx, ``stablint lint --base REV``, see ``stablint/linter/diff.py``): they compare
#: two plans, so they are kept out of :func:`all_rules` (one plan cannot trigger them).
DIFF_RULE_MODULES: tuple[str, ...] = (
    "lr_not_rescaled",
    "lr_jump",
    "clip_tightened",
)

_cache: list[Rule] | None = None


def all_rules() -> list[Rule]:
    """Every registered rule, in registry order."""
    global _cache
    if _cache is None:
        _cache = [import_module(f"{__name__}.{m}").RULE for m in RULE_MODULES]
    return _cache


def diff_rules() -> list[Rule]:
    """The PR-diff rules (:data:`DIFF_RULE_MODULES`), in registry order."""
    return [import_module(f"{__name__}.{m}").RULE for m in DIFF_RULE_MODULES]


def catalog() -> list[Rule]:
    """Every shipped rule: the single-plan rules, then the PR-diff rules (for listings, docs, config checks)."""
    return all_rules() + diff_rules()


def by_key(key: str) -> Rule | None:
    """The rule (single-plan or PR-diff) whose code or name is ``key`` (case-insensitive), else ``None``."""
    k = key.strip().lower()
    for r in all_rules() + diff_rules():
        if r.code.lower() == k or r.name == k:
            return r
    return None


def matches(rule: Rule, selector: str) -> bool:
    """True when ``selector`` (a name, a code, or a code prefix like ``STL1``; ``ALL``) selects ``rule``."""
    s = selector.strip()
    if not s:
        return False
    if s.upper() == "ALL":
        return True
    return rule.name == s.lower() or rule.code.upper().startswith(s.upper())


__all__ = ["Rule", "RULE_MODULES", "DIFF_RULE_MODULES", "all_rules", "catalog", "diff_rules", "by_key", "matches"]
