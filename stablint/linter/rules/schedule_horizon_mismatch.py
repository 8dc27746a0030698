"""schedule-horizon-mismatch (STL109): the decay horizon is far from the run length.

### What it does
Compares the horizon of a decaying schedule (cosine ``T_max``, nanoGPT
``lr_decay_iters``, ``decay_steps``) with the run length in the same unit. It
reports a horizon more than ``max_ratio`` (default 1.5) times the run (the LR
never anneals) or less than ``min_ratio`` (default 0.5) times the run (the LR
sits at its floor, or a periodic cosine climbs back up). It also reports a
per-step scheduler whose ``T_max`` equals the epoch count (``T_max`` written in
epochs but counted in steps).

### Why is this bad?
The last phase of a decaying schedule is where much of the final loss drop
happens. With ``T_max = 500`` epochs on a 300-epoch run, a cosine schedule ends
at 35 % of the peak LR; with ``lr_decay_iters`` far below ``max_iters`` most of
the run trains at ``min_lr``; ``CosineAnnealingLR`` is periodic beyond
``T_max``, so a horizon in epochs stepped per batch makes the LR oscillate
hundreds of times.

### Example
```yaml
default: &DEFAULT
  opt:
    n_epochs: 300
    learning_rate: 0.001
    scheduler: CosineAnnealingLR
    scheduler_T_max: 500
```

### Use instead
```yaml
default: &DEFAULT
  opt:
    n_epochs: 300
    learning_rate: 0.001
    scheduler: CosineAnnealingLR
    scheduler_T_max: 300
```

The rule compares only counts whose unit is known: a horizon in a custom config whose
training loop is not known (it may step the scheduler per epoch or per batch) is not
compared with anything (neuraloperator steps per epoch: ``neuralop/training/trainer.py``).

### References
- research/existing_checks.md B3 (T_max vs. stepping unit; neuraloperator ``scheduler_T_max: 500`` with ``n_epochs: 300``; nanoGPT ``lr_decay_iters ≠ max_iters``).
- research/dialects.md §3.6 (nanoGPT: "``lr_decay_iters`` should equal ``max_iters``"); mmengine ``param_scheduler.py:692-702`` (periodic cosine).
- sthalles/SimCLR#8; ivadomed/ivadomed#57; Lightning-AI/pytorch-lightning#15340.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from ..finding import Finding
from ..plan import EPOCH, TrainingPlan
from ._horizon import STEP_UNITS, fmt, run_length, unit_of
from .base import Caught, Rule

DECAYING = ("cosine", "linear", "polynomial", "wsd", "onecycle", "exponential", "other")


def _left(kind: str | None, frac: float) -> float:
    """Fraction of the peak LR left (above the floor) when a ``frac`` of the horizon has elapsed."""
    if kind in ("linear", "polynomial", "wsd"):
        return max(0.0, 1.0 - frac)
    return 0.5 * (1.0 + math.cos(math.pi * min(frac, 1.0)))


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at the horizon field (``scheduler.t_max`` or ``scheduler.decay_steps``)."""
    kind = plan.value("scheduler.type")
    if kind is not None and kind not in DECAYING:
        return
    name = "scheduler.t_max" if plan.has("scheduler.t_max") else "scheduler.decay_steps"
    pv = plan.get(name)
    if pv is None or pv.number is None or pv.number <= 0:
        return
    unit = unit_of(plan, pv)
    run = run_length(plan, unit)
    if run is None:
        epochs = plan.number("run.epochs")
        if (name == "scheduler.t_max" and unit in STEP_UNITS and plan.value("scheduler.interval") == "step"
                and epochs is not None and epochs > 1 and pv.number == epochs):
            yield RULE.finding(
                plan, name,
                f"T_max {fmt(pv.number)} equals the number of epochs but the scheduler steps every batch: "
                "the cosine completes after that many steps and then oscillates for the rest of training",
                pv=pv, hint="give T_max in scheduler steps (epochs × steps per epoch) or step the scheduler per epoch")
        return
    total = run[0]
    ratio = pv.number / total
    if ratio > options["max_ratio"]:
        left = _left(kind, 1 / ratio)
        steps_hint = " (it looks like a step count on a per-epoch scheduler)" if unit == EPOCH and ratio >= 10 else ""
        yield RULE.finding(
            plan, name,
            f"decay horizon {fmt(pv.number)} {unit}s is {ratio:.1f}× the {fmt(total)}-{unit} run{steps_hint}: "
            f"the LR is still {left:.0%} of its peak when training ends",
            pv=pv, hint=f"set the horizon to the run length ({fmt(total)} {unit}s)")
    elif ratio < options["min_ratio"]:
        yield RULE.finding(
            plan, name,
            f"decay horizon {fmt(pv.number)} {unit}s is only {ratio:.0%} of the {fmt(total)}-{unit} run: the rest "
            "of training runs at the LR floor (a periodic cosine instead climbs back to the peak)",
            pv=pv, hint=f"set the horizon to the run length ({fmt(total)} {unit}s)")


RULE = Rule(
    code="STL109", name="schedule-horizon-mismatch", severity="warning",
    summary="The cosine/decay horizon (T_max, lr_decay_iters) is far from the run length, or in the wrong unit.",
    check=check, doc=__doc__, options={"max_ratio": 1.5, "min_ratio": 0.5}, signal="lr-never-changes",
    caught=(
        Caught('nanoGPT fork config with lr_decay_iters 600000 and max_iters 1000: the LR is still at its peak when training ends',
               'Phirefly9/nanoQRWK_experiments config/train_shakespeare_char_gpt2.py@2e7eb6dccc', 'config', 'bench/unseen/files/u0361_train_shakespeare_char_gpt2.py'),
    ),
)
