"""Shared guard of the LR-in-context rules (full-finetune-lr-too-high, preference-lr-too-high)."""

from __future__ import annotations

from typing import Iterable

from ..plan import PlanValue, TrainingPlan
from .lr_out_of_range import ADAM_LIKE


def adam_lr_in_stage(plan: TrainingPlan, stages: Iterable[str]) -> tuple[str, PlanValue] | None:
    """``(stage, lr)`` when ``run.stage`` (lower case) is one of ``stages``, the optimizer is of the Adam
    family (:data:`~stablint.linter.rules.lr_out_of_range.ADAM_LIKE`) and ``optimizer.lr`` is a resolved
    number (absolute LR); else ``None``. Never raises."""
    stage = plan.value("run.stage")
    if not isinstance(stage, str) or stage.lower() not in stages:
        return None
    family = plan.value("optimizer.type")
    if not isinstance(family, str) or family not in ADAM_LIKE:
        return None
    lr = plan.get("optimizer.lr")
    if lr is None or lr.number is None:
        return None
    return stage.lower(), lr
