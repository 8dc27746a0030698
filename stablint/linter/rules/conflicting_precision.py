"""conflicting-precision (STL601): fp16 and bf16 are both switched on.

### What it does
Reports a plan where both ``precision.fp16`` and ``precision.bf16`` are true. The
severity follows what the framework does (the dialect's ``precision_conflict``):
an error where it refuses to start (``"raises"``: HF Trainer, LLaMA-Factory,
DeepSpeed, and any framework not known to behave otherwise), a warning where it
silently trains in bf16 (``"bf16-wins"``: axolotl).

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
    """One finding at ``precision.fp16`` when both fp16 and bf16 are true; a warning instead of
    an error when the framework's ``precision_conflict`` fact is ``"bf16-wins"``."""
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    if plan.value("precision.fp16") is True and plan.value("precision.bf16") is True:
        silent = facts_of(plan).precision_conflict == "bf16-wins"
        yield RULE.finding(
            plan, "precision.fp16",
            "fp16 and bf16 are both enabled: " + (f"{plan.dialect} silently trains in bf16 and ignores fp16" if silent
                                                   else "the trainer refuses to start"),
            pv=plan.get("precision.fp16"), severity="warning" if silent else None,
            hint="keep one: bf16 on Ampere or newer GPUs, fp16 (with dynamic loss scaling) otherwise")


RULE = Rule(
    code="STL601", name="conflicting-precision", severity="error",
    summary="fp16 and bf16 mixed precision are both enabled.",
    check=check, doc=__doc__,
    retired_options={"bf16_wins_dialects": "whether a framework lets bf16 win is now a dialect fact "
                                           "(Dialect.precision_conflict)"},
)
