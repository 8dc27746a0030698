"""adam-coupled-weight-decay (STL502): torch Adam (not AdamW) with weight decay > 0.

### What it does
Reports an optimizer that applies weight decay as an L2 term inside the adaptive
update (torch ``Adam``, ``Adamax``, ``NAdam``, ``RAdam`` without
``decoupled_weight_decay``) with ``weight_decay > 0``. DeepSpeed's ``"Adam"``
runs in AdamW mode unless ``adam_w_mode`` is false: its dialect sets
``optimizer.decoupled_weight_decay`` on every Adam path and the rule trusts that
field (framework knowledge stays in the dialect).

### Why is this bad?
In Adam the L2 gradient ``λθ`` is divided by ``√v`` like any gradient, so weights
with large gradients are barely decayed and the regularization strength depends
on the gradient history instead of ``λ``. Values such as 0.01-0.1 are tuned for
AdamW's decoupled decay; under Adam they do something else entirely (Loshchilov &
Hutter 2019, "Decoupled Weight Decay Regularization").

### Example
```yaml
training:
  optimizer: adam
  learning_rate: 0.001
  weight_decay: 0.05
  epochs: 100
```

### Use instead
```yaml
training:
  optimizer: adamw
  learning_rate: 0.001
  weight_decay: 0.05
  epochs: 100
```

### References
- research/existing_checks.md B9; pytorch/pytorch PR #41679 (Adam does L2, not decoupled decay) and PR #21250 (AdamW).
- DeepSpeed ``engine.py:1416-1432`` ("Optimizer name of Adam forces AdamW logic unless adam_w_mode is explicitly set").
- Loshchilov & Hutter, ICLR 2019 (arXiv 1711.05101).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Caught, Rule

#: families whose torch implementation couples weight decay into the gradient by default
COUPLED = ("adam", "adamax", "nadam", "radam")


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.weight_decay`` for coupled Adam with decay above ``min_weight_decay``."""
    family = plan.value("optimizer.type")
    if family not in COUPLED:
        return
    wd = plan.get("optimizer.weight_decay")
    if wd is None or wd.number is None or wd.number <= options["min_weight_decay"]:
        return
    decoupled = plan.value("optimizer.decoupled_weight_decay")
    if decoupled is True:
        return
    yield RULE.finding(
        plan, "optimizer.weight_decay",
        f"{family} with weight_decay {fmt(wd.number)} applies L2 inside the adaptive update (coupled), "
        "not decoupled weight decay",
        pv=wd, hint=f"use adamw (decoupled) with this weight decay, or set weight_decay 0 for {family}",
        fix={"field": "optimizer.type", "value": "adamw"})


RULE = Rule(
    code="STL502", name="adam-coupled-weight-decay", severity="warning",
    summary="Adam (not AdamW) with weight_decay > 0: L2 coupled into the adaptive step instead of decoupled decay.",
    check=check, doc=__doc__, options={"min_weight_decay": 0.0},
    retired_options={"decoupled_by_default": "whether a framework's Adam decouples weight decay is now in the plan "
                                             "(optimizer.decoupled_weight_decay, set by the DeepSpeed dialect)"},
    caught=(
        Caught("mmcv-1.x optimizer type 'Adam' with weight_decay 1e-4: torch Adam couples the decay into the adaptive step (L2), not AdamW decay",
               'Chrisfsj2051/Multi-Modal-Tagging src/utils/configs/_fusion_id52_2gpu_blendingtrain.py@2415bb7ae3', 'config', ''),
        Caught('terratorch Lightning CLI example with torch.optim.Adam and weight_decay 0.05, an AdamW-style value applied as coupled L2',
               'IBM/terratorch examples/confs/burn_scars.yaml@85467a9fbb', 'config', 'tests/corpus/lightning_cli/IBM__terratorch__examples__confs__burn_scars.yaml'),
    ),
)
