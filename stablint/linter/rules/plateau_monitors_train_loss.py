"""plateau-monitors-train-loss (STL103): ReduceLROnPlateau watches a training metric.

### What it does
Reports a plateau scheduler whose ``monitor`` is a training metric
(``train_loss``, ``train/loss``, ``train_err``...) instead of a validation metric.
neuraloperator's trainer steps ``ReduceLROnPlateau`` on the training error, so its
dialect records ``train_err`` as the monitored metric. In Keras ``fit`` logs a
validation metric as ``val_`` + its name, so ``monitor='loss'`` (or ``acc``,
``accuracy``) is the training metric. The options ``train_pattern``
and ``val_pattern`` are case-insensitive RE2 regular expressions (linear-time
matching, no backreferences or look-around: docs/security.md).

### Why is this bad?
The training loss of a noisy mini-batch estimate keeps improving by tiny amounts
(or fluctuates below the relative threshold), so the scheduler either never sees
a plateau and never lowers the LR, or reacts to noise. Seed 000: "Previously the
scheduler was monitoring training loss (``train_err``)" and the LR "stayed at
5e-05 throughout training" while validation stalled.

### Example
```yaml
training:
  optimizer: adam
  learning_rate: 0.00005
  epochs: 200
  scheduler:
    type: ReduceLROnPlateau
    monitor: train_loss
    patience: 5
    factor: 0.5
```

### Use instead
```yaml
training:
  optimizer: adam
  learning_rate: 0.00005
  epochs: 200
  scheduler:
    type: ReduceLROnPlateau
    monitor: val_loss
    patience: 5
    factor: 0.5
```

### References
- research/existing_checks.md B2 ("neuraloperator steps RLRoP on the *training* loss") and dialects.md §3.12.
- Keras ``Model.fit`` names validation logs ``"val_" + name`` (keras 3 ``keras/src/backend/tensorflow/trainer.py`` ``fit``).
- Seed 000 (fix 5: "Fixed Scheduler to Use Validation Loss").
- Google Deep Learning Tuning Playbook: validation-driven schedules must be automated on the validation metric (research/probe_anchors.md §7.3).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ..safe_regex import search
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``scheduler.monitor`` when it matches the ``train_pattern`` option."""
    if plan.value("scheduler.type") != "plateau":
        return
    pv = plan.get("scheduler.monitor")
    if pv is None or not pv.resolved or not isinstance(pv.value, str):
        return
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    split = facts_of(plan).monitor_split(pv.value)  # the framework's own naming, when it has one
    if split == "val":
        return
    if split is None and (not search(options["train_pattern"], pv.value) or search(options["val_pattern"], pv.value)):
        return
    how = "the framework steps it on" if pv.source is not None and pv.source.default else "it monitors"
    yield RULE.finding(
        plan, "scheduler.monitor",
        f"ReduceLROnPlateau lowers the LR only when '{pv.value}' stops improving, and {how} a training metric: "
        "training loss rarely plateaus cleanly, so the LR may never drop while validation stalls",
        pv=pv, hint="monitor a validation metric (val_loss, eval_loss) or use a fixed decay schedule (cosine/linear)",
    )


RULE = Rule(
    code="STL103", name="plateau-monitors-train-loss", severity="warning",
    summary="A ReduceLROnPlateau scheduler monitors a training metric instead of a validation metric.",
    check=check, doc=__doc__,
    options={"train_pattern": r"(^|[^a-z])train(ing)?([^a-z]|$)|^train", "val_pattern": r"val|eval|test|valid"},
    signal="lr-never-changes",
    caught=(
        Caught("ReduceLROnPlateau stepped on the training loss; the fix was 'Fixed Scheduler to Use Validation Loss'",
               'shared/seeds/000_1d14c69de74d42b2.txt', 'write-up', 'examples/seed000_before.yaml'),
    ),
)
