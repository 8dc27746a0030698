"""lora-lr-too-low (STL403): a LoRA run at a learning rate far below published LoRA recipes.

### What it does
Reports a LoRA/QLoRA supervised run whose learning rate is below ``min_lr``
(default 2e-5, 3× below the lowest published LoRA LR) when the adapter scale is
unknown (no ``lora_alpha`` in the plan). When r and alpha are known,
``lora-scaling-too-low`` (STL401) judges the product ``scale × lr`` instead. Preference and
RL stages (DPO, PPO, KTO, reward models ...: option ``exempt_stages``), which
publish much lower LRs, are skipped.

### Why is this bad?
LoRA starts from B = 0 and trains few parameters; published recipes use LRs 10×
those of full fine-tuning (microsoft/LoRA 6e-5 to 5e-4, QLoRA 1e-4 to 2e-4). A
full-fine-tuning LR such as 1e-5 moves the adapter so little that the loss
plateaus near the base model's and the run looks like a "capacity" problem
(seed 004: r 8, alpha 16, lr 1e-5, plateau after 1000 steps).

### Example
```yaml
model: gpt2
use_lora: true
lora_rank: 8
learning_rate: 0.00001
optimizer: adamw
epochs: 3
```

### Use instead
```yaml
model: gpt2
use_lora: true
lora_rank: 8
learning_rate: 0.0002
optimizer: adamw
epochs: 3
```

### References
- research/probe_anchors.md §9 (microsoft/LoRA recipes 6e-5 to 5e-4; QLoRA 2e-4 / 1e-4; products scale × lr 5e-5 to 1.6e-3; "seed 004 sits below QLoRA's product").
- Hu et al. 2022, LoRA (arXiv 2106.09685); Dettmers et al. 2023, QLoRA (``artidoro/qlora`` scripts).
- Seed 004.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Caught, Rule
from .lora_scaling_too_low import lora_scale


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` for a LoRA SFT run below ``min_lr`` whose adapter scale is unknown.

    When r and alpha are both known, ``lora-scaling-too-low`` (STL401) judges the
    product ``scale × lr`` instead (with Adam a large alpha compensates a small LR),
    so this rule stays silent to avoid reporting the same problem twice.
    """
    if plan.value("lora.enabled") is not True or lora_scale(plan) is not None:
        return
    stage = plan.value("run.stage")
    if isinstance(stage, str) and stage.lower() in options["exempt_stages"]:
        return
    lr = plan.get("optimizer.lr")
    if lr is None or lr.number is None or lr.number <= 0 or lr.number >= options["min_lr"]:
        return
    yield RULE.finding(
        plan, "optimizer.lr",
        f"LoRA learning rate {fmt(lr.number)} is far below published LoRA recipes (6e-5 to 5e-4): "
        "the adapter barely moves and the loss plateaus",
        pv=lr, hint="LoRA usually needs 1e-4 to 3e-4 (10x a full fine-tuning LR); set lora_alpha explicitly too")


RULE = Rule(
    code="STL403", name="lora-lr-too-low", severity="warning",
    summary="A LoRA SFT run (adapter scale unknown) at a learning rate far below published LoRA recipes.",
    check=check, doc=__doc__,
    options={"min_lr": 2e-5,
             "exempt_stages": ["dpo", "ppo", "rm", "kto", "orpo", "simpo", "grpo", "ipo", "rloo", "reward", "rlhf", "cpo",
                               "preference"]},
    signal="lora-effective-update",
    caught=(
        Caught('diffusers LCM-LoRA distillation (lora_rank 64) at learning_rate 1e-6 learned nothing until the LR was raised to 1e-4',
               'https://github.com/huggingface/diffusers/issues/6288', 'thread', 'tests/caught/lora-lr-too-low__lcm-lora-lr1e-6.sh'),
    ),
)
