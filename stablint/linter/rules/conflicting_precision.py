"""conflicting-precision (STL601): fp16 and bf16 are both switched on.

### What it does
Reports a plan where both ``precision.fp16`` and ``precision.bf16`` are true.

### Why is this bad?
HF ``TrainingArguments`` ("At most one of fp16 and bf16 can be True") and
DeepSpeed ("bfloat16 and fp16 modes cannot be simultaneously enabled") raise at
startup, after the job has queued; axolotl silently lets bf16 win, so the fp16
line the author edited (loss scaling, fp16 tuning) does nothing. Either way the
config does not say which precision it trains in.

### Example
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0002
  epochs: 3
  fp16: true
  bf16: true
```

### Use instead
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0002
  epochs: 3
  fp16: false
  bf16: true
```

### References
- research/existing_checks.md A.1 (HF ``fp16 and bf16`` → E), A.7 (DeepSpeed ``config.py:835``), A.3 (axolotl resolves bf16 over fp16).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``precision.fp16`` when both fp16 and bf16 are true."""
    if plan.value("precision.fp16") is True and plan.value("precision.bf16") is True:
        silent = plan.dialect in options["bf16_wins_dialects"]
        yield RULE.finding(
            plan, "precision.fp16",
            "fp16 and bf16 are both enabled: " + (f"{plan.dialect} silently trains in bf16 and ignores fp16" if silent
                                                   else "the trainer refuses to start"),
            pv=plan.get("precision.fp16"), severity="warning" if silent else None,
            hint="keep one: bf16 on Ampere or newer GPUs, fp16 (with dynamic loss scaling) otherwise")


RULE = Rule(
    code="STL601", name="conflicting-precision", severity="error",
    summary="fp16 and bf16 mixed precision are both enabled.",
    check=check, doc=__doc__, options={"bf16_wins_dialects": ["axolotl"]},
)
