"""schedule-increases-lr (STL107): a "decay" factor above 1 that makes the LR grow.

### What it does
Reports ``gamma > 1`` on a StepLR, MultiStepLR or ExponentialLR scheduler, and a
ReduceLROnPlateau ``factor >= 1``.

### Why is this bad?
The LR is multiplied by ``gamma`` at every decay: with ``gamma: 2`` an LR of 1e-3
becomes 1.6e-2 after four steps and the run diverges exactly when it should be
annealing. Usually the value was meant as a divisor (``gamma: 10`` for "÷10") or
the field is a different hyperparameter (an RL discount). PyTorch rejects
``factor >= 1`` for ReduceLROnPlateau at construction, after the job has been
scheduled.

### Example
```yaml
training:
  optimizer: sgd
  learning_rate: 0.01
  epochs: 90
  scheduler: StepLR
  step_size: 30
  gamma: 10
```

### Use instead
```yaml
training:
  optimizer: sgd
  learning_rate: 0.01
  epochs: 90
  scheduler: StepLR
  step_size: 30
  gamma: 0.1
```

### References
- PyTorch ``StepLR``/``MultiStepLR``/``ExponentialLR`` docs ("Multiplicative factor of learning rate decay"); ``ReduceLROnPlateau`` raises ``ValueError("Factor should be < 1.0.")``.
- research/existing_checks.md C.1 (cross-field numeric sanity is the gap frameworks leave).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``scheduler.gamma`` or ``scheduler.factor`` when it multiplies the LR upwards."""
    kind = plan.value("scheduler.type")
    if kind in ("step", "multistep", "exponential"):
        pv = plan.get("scheduler.gamma")
        if pv is not None and pv.number is not None and pv.number > options["max_gamma"]:
            yield RULE.finding(
                plan, "scheduler.gamma",
                f"{kind} scheduler gamma {fmt(pv.number)} multiplies the LR by {fmt(pv.number)} at every decay: the LR grows",
                pv=pv, hint=f"use a factor below 1, e.g. gamma {fmt(1 / pv.number) if pv.number > 0 else '0.1'}")
    elif kind == "plateau":
        pv = plan.get("scheduler.factor")
        if pv is not None and pv.number is not None and pv.number >= 1:
            yield RULE.finding(
                plan, "scheduler.factor",
                f"ReduceLROnPlateau factor {fmt(pv.number)} does not reduce the LR (PyTorch raises 'Factor should be < 1.0')",
                pv=pv, hint="use a factor below 1, e.g. 0.5 or 0.1")


RULE = Rule(
    code="STL107", name="schedule-increases-lr", severity="error",
    summary="A decay scheduler's gamma/factor is above 1, so each 'decay' increases the LR.",
    check=check, doc=__doc__, options={"max_gamma": 1.0}, signal="loss-divergence",
)
