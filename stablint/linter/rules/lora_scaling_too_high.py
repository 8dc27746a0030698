"""lora-scaling-too-high (STL402): the LoRA scale alpha/r (or alpha/√r with rsLoRA) far above published recipes.

### What it does
Computes the adapter scale ``lora_alpha / r`` (``lora_alpha / sqrt(r)`` with
``use_rslora``) and reports it above ``max_scale`` (default 8, the largest scale
in a published recipe: the GPT-2 LoRA recipe, r 4 / alpha 32) unless the learning
rate compensates: with Adam, alpha and the LR act alike, so a large scale is only
reported when ``scale × learning_rate`` is also above ``max_published_product``
(default 2e-3, just above the largest published product, GPT-2 LoRA 8 × 2e-4 =
1.6e-3) or the LR is unknown. Any scale is reported when the product exceeds
``max_effective_lr`` (default 1e-2).
A frequent cause is switching on ``use_rslora`` while keeping an alpha chosen for
``alpha/r`` (r 256, alpha 256: scale 16).

### Why is this bad?
The adapter output is multiplied by the scale, and with Adam the scale acts
almost like a multiplier on the LR (Hu et al.: "tuning α is roughly the same as
tuning the learning rate"). A scale of 16-64 on top of a LoRA-sized LR makes the
first updates large enough to spike or diverge the loss.

### Example
```yaml
model: llama-3-8b
use_lora: true
lora_rank: 8
lora_alpha: 256
learning_rate: 0.0002
optimizer: adamw
epochs: 3
```

### Use instead
```yaml
model: llama-3-8b
use_lora: true
lora_rank: 8
lora_alpha: 16
learning_rate: 0.0002
optimizer: adamw
epochs: 3
```

### References
- research/probe_anchors.md §9 (published scales 0.25-8: QLoRA r64/α16, RoBERTa r8/α16, GPT-2 r4/α32; products 5e-5 to 1.6e-3).
- PEFT ``layer.py:279-281`` (scale ``alpha/r`` or ``alpha/sqrt(r)``); research/existing_checks.md B8 (warn above 8).
- huggingface/peft PR #1244 (rsLoRA); NVIDIA/TensorRT-LLM#1668.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Rule
from .lora_scaling_too_low import lora_scale, scale_field


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``lora.alpha`` when the scale or the effective step is too large."""
    if plan.value("lora.enabled") is False:
        return
    got = lora_scale(plan)
    if got is None:
        return
    scale, formula = got
    sf = scale_field(plan)
    lr = plan.number("optimizer.lr")
    product = scale * lr if lr is not None and lr > 0 else None
    if scale > options["max_scale"] and (product is None or product > options["max_published_product"]):
        tail = f" and scale × lr = {fmt(product)} is above every published recipe" if product is not None else ""
        yield RULE.finding(
            plan, sf,
            f"LoRA scale {formula} = {fmt(scale)} is above the largest published recipe ({fmt(options['max_scale'])})"
            + tail, pv=plan.get(sf),
            hint="use alpha = r or 2r (alpha/r 1-2), or alpha ≈ 2·sqrt(r) with use_rslora")
    elif product is not None and product > options["max_effective_lr"]:
        yield RULE.finding(
            plan, sf,
            f"LoRA effective step scale × lr = {fmt(scale)} × {fmt(lr)} = {fmt(product)} is above "
            f"{fmt(options['max_effective_lr'])} (published recipes: 5e-5 to 1.6e-3)",
            pv=plan.get(sf), hint="lower the learning rate or alpha")


RULE = Rule(
    code="STL402", name="lora-scaling-too-high", severity="warning",
    summary="The LoRA scale alpha/r (alpha/sqrt(r) with rsLoRA), or scale × lr, is far above published recipes.",
    check=check, doc=__doc__, options={"max_scale": 8.0, "max_published_product": 2e-3, "max_effective_lr": 1e-2}, signal="lora-effective-update",
)
