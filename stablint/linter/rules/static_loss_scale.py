"""static-loss-scale (STL602): fp16 training with a fixed loss scale of about 1.

### What it does
Reports fp16 mixed precision with a static loss scale at or below
``max_static_scale`` (default 1): DeepSpeed ``fp16.loss_scale: 1``, Megatron
``--loss-scale 1``, apex ``loss_scale=1.0``. ``0`` or ``"dynamic"`` mean dynamic
scaling and are fine.

### Why is this bad?
fp16 cannot represent gradients below ~6e-8 (and loses precision below ~6e-5);
a large share of activation gradients in deep networks lives there, so without
scaling they flush to zero and layers silently stop learning. A fixed scale of 1
is "no loss scaling", usually left over from debugging or copied from a bf16
config; use dynamic scaling, which also skips overflowing steps.

### Example
```json
{
  "train_batch_size": 32,
  "train_micro_batch_size_per_gpu": 4,
  "fp16": {"enabled": true, "loss_scale": 1},
  "optimizer": {"type": "AdamW", "params": {"lr": 0.0001}}
}
```

### Use instead
```json
{
  "train_batch_size": 32,
  "train_micro_batch_size_per_gpu": 4,
  "fp16": {"enabled": true, "loss_scale": 0, "initial_scale_power": 16},
  "optimizer": {"type": "AdamW", "params": {"lr": 0.0001}}
}
```

### References
- Micikevicius et al. 2018, "Mixed Precision Training" (arXiv 1710.03740): gradient histogram below the fp16 range; loss scaling.
- DeepSpeed config docs: ``fp16.loss_scale`` 0 = dynamic (existing_checks.md A.7); OPT-175B logbook, loss-scale collapse in fp16 (research/probe_anchors.md §10).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``precision.loss_scale`` for fp16 with a static scale ≤ ``max_static_scale``."""
    if plan.value("precision.fp16") is not True or plan.value("precision.bf16") is True:
        return
    pv = plan.get("precision.loss_scale")
    if pv is None or pv.number is None or pv.number <= 0 or pv.number > options["max_static_scale"]:
        return
    yield RULE.finding(
        plan, "precision.loss_scale",
        f"fp16 with a static loss scale of {fmt(pv.number)}: small gradients underflow to zero in fp16",
        pv=pv, hint="use dynamic loss scaling (loss_scale 0 / 'dynamic'), or bf16")


RULE = Rule(
    code="STL602", name="static-loss-scale", severity="warning",
    summary="fp16 mixed precision with a fixed loss scale of about 1 (no effective loss scaling).",
    check=check, doc=__doc__, options={"max_static_scale": 1.0}, signal="nonfinite-values",
)
