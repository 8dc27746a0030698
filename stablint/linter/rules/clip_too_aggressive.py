"""clip-too-aggressive (STL302): a gradient-norm clip so low that it acts on nearly every step.

### What it does
Reports a gradient-norm clipping threshold (``max_grad_norm``, ``clip_grad.max_norm``,
``gradient_clipping``...) below ``min_max_norm`` (default 0.1, the tightest value
in a published working recipe: DETR). For plain SGD-family optimizers, where a
clipped step is just a smaller LR, it reports thresholds below
``sgd_min_max_norm`` (default 0.5) at ``info`` level. Gradient norms are not
visible in a config: ``stablint probe`` / ``diagnose`` measure the clip rate
(signal ``clip-saturation``) and confirm or clear the finding.

### Why is this bad?
"The ideal clip thresholds are just above the typical gradient norm"; when more
than half of the updates are clipped the Tuning Playbook calls the clipping
"extremely aggressive ... a strange way of reducing the learning rate". Every
step then has the same length ``lr × max_norm`` (for SGD) whatever the loss
surface says, and learning stalls. Seed 000: norms of 18 against a clip at 1.0,
"almost every batch was being clipped".

### Example
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0001
  epochs: 50
  max_grad_norm: 0.01
```

### Use instead
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0001
  epochs: 50
  max_grad_norm: 1.0
```

### References
- Google Deep Learning Tuning Playbook, gradient clipping (research/probe_anchors.md §7.3: ">50% of the updates getting clipped" is "extremely aggressive"; choose the 90th percentile of norms).
- Published working thresholds calibrating the default: DETR ``max_norm 0.1`` (mmdetection ``configs/detr``), QLoRA ``max_grad_norm 0.3`` "tuned and works well for all models tested" (probe_anchors.md §9), 1.0 in most LLM recipes (tests/corpus).
- Seed 000 (clip 1.0 vs. norms of 18+).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Rule

#: optimizers whose step is proportional to the (clipped) gradient
SGD_FAMILY = ("sgd", "lars")


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``clip.max_norm`` when it is below the calibrated floor."""
    pv = plan.get("clip.max_norm")
    if pv is None or pv.number is None or pv.number <= 0:
        return
    if pv.number < options["min_max_norm"]:
        yield RULE.finding(
            plan, "clip.max_norm",
            f"gradient-norm clip {fmt(pv.number)} is below the tightest published working value "
            f"({fmt(options['min_max_norm'])}): it likely clips every step, acting as a hidden LR cut",
            pv=pv, hint="measure the pre-clip gradient norm (stablint probe) and clip near its 90th percentile, "
                        "typically 0.3-1.0")
    elif plan.value("optimizer.type") in SGD_FAMILY and pv.number < options["sgd_min_max_norm"]:
        yield RULE.finding(
            plan, "clip.max_norm",
            f"gradient-norm clip {fmt(pv.number)} with {plan.value('optimizer.type')}: every clipped step has length "
            f"lr × {fmt(pv.number)}, so frequent clipping is a lower LR in disguise",
            pv=pv, severity="info", hint="check the clip rate with stablint probe; raise the threshold if most steps clip")


RULE = Rule(
    code="STL302", name="clip-too-aggressive", severity="warning",
    summary="A gradient-norm clip so low that it clips nearly every step (a hidden LR reduction).",
    check=check, doc=__doc__, options={"min_max_norm": 0.1, "sgd_min_max_norm": 0.5}, signal="clip-saturation",
)
