"""min-lr-above-lr (STL108): the LR floor is not below the peak LR.

### What it does
Reports a scheduler floor (``eta_min``, nanoGPT ``min_lr``, HF ``min_lr``) that is
greater than or equal to the base learning rate, or a floor given as a fraction of
the LR (``min_lr_rate``, ultralytics ``lrf``, torchtitan ``min_lr_factor``) that is
1 or more. Constant schedules (whose floor is unused) are skipped. A base LR of 0 or less is left to ``invalid-value`` (often a placeholder
filled in by a scaling rule).

### Why is this bad?
Cosine and linear decay interpolate from the peak LR to the floor. A floor above
the peak turns the "decay" into a ramp *up* towards the end of training; an equal
floor makes the schedule a constant LR. Both usually come from swapping two values
or from mixing an absolute floor with a relative one; no framework checks it
(HF has "no check that ``min_lr < learning_rate``").

### Example
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0001
  epochs: 100
  scheduler: cosine
  eta_min: 0.001
```

### Use instead
```yaml
training:
  optimizer: adamw
  learning_rate: 0.001
  epochs: 100
  scheduler: cosine
  eta_min: 0.00001
```

### References
- research/existing_checks.md A.1 (``cosine_with_min_lr``: "There is no check that min_lr < learning_rate").
- detectron2 asserts ``BASE_LR_END / BASE_LR`` in [0, 1] (existing_checks.md A.9); ultralytics ``lrf`` is a fraction of ``lr0`` (dialects.md §3.11).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import FRACTION_OF_LR, TrainingPlan
from ._horizon import fmt
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``scheduler.min_lr`` when the floor reaches the peak LR."""
    if plan.value("scheduler.type") in ("constant", "warmup_only"):
        return  # the floor is never used (nanoGPT decay_lr False keeps its default min_lr)
    pv = plan.get("scheduler.min_lr")
    if pv is None or pv.number is None:
        return
    if pv.unit == FRACTION_OF_LR:
        if pv.number >= options["max_fraction"]:
            rises = pv.number > options["max_fraction"]
            yield RULE.finding(
                plan, "scheduler.min_lr",
                f"the final LR is {fmt(pv.number)} × the base LR: the schedule "
                + ("ends above the peak (the LR rises)" if rises else "never lowers the LR"),
                pv=pv, hint="a relative floor must be below 1 (e.g. 0.01-0.1)")
        return
    lr = plan.get("optimizer.lr")
    if lr is None or lr.number is None or lr.number <= 0 or pv.number < lr.number:
        return
    rises = pv.number > lr.number
    yield RULE.finding(
        plan, "scheduler.min_lr",
        f"LR floor {fmt(pv.number)} is {'above' if rises else 'equal to'} the base LR {fmt(lr.number)}: the schedule "
        + ("raises the LR towards the end of training" if rises else "never lowers the LR"),
        pv=pv, hint=f"set the floor well below the base LR, e.g. {fmt(lr.number / 100)}")


RULE = Rule(
    code="STL108", name="min-lr-above-lr", severity="warning",
    summary="The scheduler's LR floor (eta_min / min_lr / lrf) is not below the base LR.",
    check=check, doc=__doc__, options={"max_fraction": 1.0}, signal="lr-never-changes",
    caught=(
        Caught("nanoGPT fork with learning_rate 1e-5 and min_lr 5e-3: get_lr 'decays' from 1e-5 up towards 5e-3, a 500x LR climb",
               'NixGD/tiny-model-interp config/train_web_char.py@58ffdc4035', 'config', ''),
        Caught('trlx config with cosine eta_min equal to the optimizer LR 1.412e-4: the schedule never lowers the LR (a test config)',
               'CarperAI/trlx configs/test_config.yml@3340c2f3a5', 'config', 'bench/unseen/files/u0126_test_config.yml'),
    ),
)
