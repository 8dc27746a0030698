"""early-stop-before-lr-drop (STL102): early stopping fires before the plateau scheduler ever lowers the LR.

### What it does
Compares the patience of a ReduceLROnPlateau-style scheduler with the patience
of early stopping, in the same unit: when
``scheduler.patience + 1 + scheduler.cooldown >= early_stopping.patience`` the
run stops before (or exactly when) the first LR reduction happens. When the two
patiences are counted in different units (epochs vs. validation checks), or the
two watch different metrics, the rule stays silent instead of converting.

Keras counts differently (``ReduceLROnPlateau`` and ``EarlyStopping`` both act on
the ``patience``-th bad epoch, ``wait >= patience``, and cooldown does not delay the
first cut): there the finding is ``scheduler.patience >= early_stopping.patience``.

### Why is this bad?
PyTorch reduces the LR on the ``(patience + 1)``-th consecutive bad evaluation
(``num_bad_epochs > patience``); HF, Lightning and mmengine stop training on the
``patience``-th (``wait_count >= patience``). With equal or larger scheduler
patience the lower LR that would have rescued the plateau is never tried: the run
ends at its first plateau. The defaults already violate this (torch patience 10
vs. Lightning early stopping 3).

### Example
```yaml
training:
  optimizer: adam
  learning_rate: 0.0005
  epochs: 100
  scheduler_patience: 10
  scheduler_factor: 0.7
  early_stopping_patience: 10
```

### Use instead
```yaml
training:
  optimizer: adam
  learning_rate: 0.0005
  epochs: 100
  scheduler_patience: 5
  scheduler_factor: 0.5
  early_stopping_patience: 12
```

### References
- research/existing_checks.md B2 (rule ``rlrop.patience + 1 + rlrop.cooldown >= es.patience``).
- PyTorch ``ReduceLROnPlateau`` docs (reduces when ``num_bad_epochs > patience``); pytorch/pytorch#119763.
- Lightning ``callbacks/early_stopping.py:279`` and HF ``EarlyStoppingCallback`` (stop at ``>= patience``).
- Keras ``ReduceLROnPlateau.on_epoch_end`` / ``EarlyStopping.on_epoch_end`` (keras 3 ``keras/src/callbacks/``, tf-keras ``tf_keras/callbacks.py``, keras 2.1.6 ``keras/callbacks.py``): ``wait >= patience`` in both.
- zzh8829/yolov3-tf2#181 "Patience conflict on early stopping and learning rate reduce"; seed 002 (patience 10 / 10).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt, unit_of
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``scheduler.patience`` when the plateau scheduler cannot fire before early stopping."""
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    if plan.value("scheduler.type") != "plateau":
        return
    sp, ep = plan.get("scheduler.patience"), plan.get("early_stopping.patience")
    if sp is None or ep is None or sp.number is None or ep.number is None or ep.number <= 0:
        return
    su, eu = unit_of(plan, sp), ep.unit
    if su is None or eu is None or su != eu:
        return
    sm, em = plan.value("scheduler.monitor"), plan.value("early_stopping.monitor")
    if isinstance(sm, str) and isinstance(em, str) and sm != em:
        return  # different metrics: one may plateau while the other still improves
    if getattr(facts_of(plan), "plateau_semantics", "torch") == "keras":
        # keras: the LR is cut on the patience-th bad epoch, cooldown_counter starts at 0; EarlyStopping
        # stops on its patience-th; both in on_epoch_end, so a cut on the stopping epoch is never used
        if sp.number < ep.number:
            return
        when = "on the same epoch as" if sp.number == ep.number else "before"
        yield RULE.finding(
            plan, "scheduler.patience",
            f"ReduceLROnPlateau lowers the LR after {fmt(sp.number)} bad {su}s (patience {fmt(sp.number)}) but "
            f"EarlyStopping ends the run after {fmt(ep.number)} ({when} the first cut): the run stops at its first "
            f"plateau without ever training at a lower LR",
            pv=sp,
            hint=f"make the ReduceLROnPlateau patience smaller than the EarlyStopping patience, e.g. "
                 f"{fmt(max(1, ep.number // 2))} or EarlyStopping patience {fmt(2 * sp.number + 1)}",
        )
        return
    cd = plan.get("scheduler.cooldown")
    cooldown = cd.number if cd is not None and cd.number is not None and cd.unit in (None, su) else 0.0
    first_drop = sp.number + 1 + (cooldown if options.get("include_cooldown", True) else 0.0)
    if first_drop < ep.number:
        return
    yield RULE.finding(
        plan, "scheduler.patience",
        f"the plateau scheduler lowers the LR after {fmt(sp.number + 1)} bad {su}s (patience {fmt(sp.number)} + 1) "
        f"but early stopping ends the run after {fmt(ep.number)}: the LR is never reduced before training stops",
        pv=sp,
        hint=f"make scheduler patience + 1 smaller than early-stopping patience, e.g. scheduler patience "
             f"{fmt(max(1, ep.number // 2 - 1))} or early-stopping patience {fmt(2 * (sp.number + 1))}",
    )


RULE = Rule(
    code="STL102", name="early-stop-before-lr-drop", severity="warning",
    summary="Early stopping patience is not longer than plateau-scheduler patience + 1: the LR never drops before the run stops.",
    check=check, doc=__doc__, options={"include_cooldown": True}, signal="lr-never-changes",
    caught=(
        Caught('early-stopping patience 10 equal to the plateau patience 10: training can stop before or right as the first LR cut',
               'shared/seeds/002_8e61bf9f8ae7c949.txt', 'write-up', 'examples/seed002_before.yaml'),
    ),
)
