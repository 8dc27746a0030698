"""plateau-patience-too-long (STL101): a ReduceLROnPlateau patience that is long for the run.

### What it does
For a plateau scheduler (``scheduler.type == "plateau"``: torch
``ReduceLROnPlateau``, mmengine ``ReduceOnPlateauLR``, HF
``reduce_lr_on_plateau``) it computes the *reaction window*: torch cuts the LR
only when ``num_bad_epochs > patience``, so the first cut comes no earlier than
``patience + 1`` non-improving scheduler steps after the last improvement (Keras
``ReduceLROnPlateau`` cuts on the ``patience``-th: ``wait >= patience``). It
reports when that window is at least ``max_patience_ratio`` (default 0.2) of the
run length, both counted in the same unit: epochs (``run.epochs``), optimizer
steps (``run.max_steps``), or evaluations converted with ``eval.interval``. The
message gives the numbers, the learning rate that is held until then, and how
many cuts can fit in the run at all (torch resets the counter after each cut and
waits ``cooldown`` more steps, Keras ``cooldown - 1``), hence the lowest LR the schedule can ever reach.

When the config does not state the run length in the patience's unit (the
window cannot be compared with anything), it reports at ``info`` level when
``patience >= max_patience_without_run_length`` (default 10: the default of
torch, Keras and mmengine, the value in both seed failures 000 and 002).

Units are taken from the plan: a patience without a unit counts steps of the
scheduler (``scheduler.interval``). Values in different units that cannot be
converted (patience in epochs, run in steps without a dataset size) make the
rule fall back to the run-length-unknown case; it never guesses steps per epoch.

### Why is this bad?
A plateau scheduler is reactive: it holds the peak learning rate until the
monitored metric has stopped improving for ``patience + 1`` steps. If the run
goes unstable at that LR in the meantime, nothing lowers it. In seed 002
(``lr 0.0005``, ``patience 10``, 50 epochs) the best loss came at epoch ~10, the
loss spiked at epoch 13 and the LR was first cut at epoch 24, "14 epochs too
late"; the fix was ``patience 5``. With a window of 20% of the run, at most four
cuts fit in the whole run (the seed's factor 0.7 then bounds the LR at
``0.7**4 = 0.24`` of its peak), so the schedule cannot anneal the way the linear
or cosine decay that the Tuning Playbook prefers does.

The rule does not judge whether the learning rate itself is too high: that
needs the model (rule ``lr-out-of-range`` and the probe's ``lr-ab`` signal do
that). It reports the LR because a long window matters more the higher the LR
held during it. At run time, signal ``lr-cut-too-late`` confirms it (a loss
spike or divergence before the first LR cut).

### Example
```yaml
training:
  learning_rate: 0.0005
  num_epochs: 50
  scheduler: ReduceLROnPlateau
  scheduler_patience: 10
  scheduler_factor: 0.7
```

### Use instead
```yaml
training:
  learning_rate: 0.0005
  num_epochs: 50
  scheduler: ReduceLROnPlateau
  scheduler_patience: 5
  scheduler_factor: 0.5
```

### References
- torch.optim.lr_scheduler.ReduceLROnPlateau: the LR is reduced when ``num_bad_epochs > patience``; after a reduction ``cooldown`` steps are skipped (default patience 10); pytorch/pytorch#119763 on the off-by-one.
- Seed 002 (shared/seeds/002_8e61bf9f8ae7c949.txt): patience 10, spike at epoch 13, first LR cut at epoch 24; seed 000: "with patience=10, scheduler waits too long before reducing LR".
- Google Deep Learning Tuning Playbook: prefer linear or cosine decay; validation-error-sensitive schedules are brittle (research/probe_anchors.md §7.3).
- research/existing_checks.md B2 (plateau patience vs early stopping, unit conversions).
- Keras ``ReduceLROnPlateau.on_epoch_end`` (keras 3 ``keras/src/callbacks/reduce_lr_on_plateau.py``, tf-keras ``tf_keras/callbacks.py``): ``self.wait += 1; if self.wait >= self.patience`` cuts the LR, per epoch; keras-team/keras#9541 on the two patience conventions.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from ..finding import Finding
from ..plan import EPOCH, EVAL, ITERATION, OPT_STEP, PlanValue, TrainingPlan
from .base import Caught, Rule

_UNIT_WORDS = {EPOCH: "epochs", OPT_STEP: "steps", ITERATION: "iterations", EVAL: "evaluations",
               "scheduler step": "scheduler steps"}


def _patience_unit(plan: TrainingPlan, pv: PlanValue) -> str | None:
    """The unit of ``scheduler.patience``: its own, else the scheduler's stepping interval."""
    if pv.unit:
        return pv.unit
    interval = plan.value("scheduler.interval")
    return {"epoch": EPOCH, "step": OPT_STEP}.get(interval)


def _run_length(plan: TrainingPlan, unit: str) -> float | None:
    """The run length in ``unit`` when the plan states it directly (> 0), else ``None``."""
    if unit == EPOCH:
        epochs = plan.number("run.epochs")
        return epochs if epochs and epochs > 0 else None
    if unit in (OPT_STEP, ITERATION):
        steps = plan.number("run.max_steps")
        steps_unit = plan.unit("run.max_steps") or OPT_STEP
        return steps if steps and steps > 0 and steps_unit == unit else None
    return None


def _semantics(plan: TrainingPlan) -> str:
    """``"torch"`` or ``"keras"``: the framework fact ``plateau_semantics`` (see :class:`~stablint.linter.dialects.base.Dialect`)."""
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    return getattr(facts_of(plan), "plateau_semantics", "torch")


def first_cut(plan: TrainingPlan, patience: float) -> float:
    """Non-improving scheduler steps until the first cut: ``patience + 1`` for torch
    (``num_bad_epochs > patience``), ``patience`` for Keras (``wait >= patience`` in
    ``ReduceLROnPlateau.on_epoch_end``)."""
    return patience if _semantics(plan) == "keras" else patience + 1


def effective_cooldown(plan: TrainingPlan, cooldown: float) -> float:
    """Steps after a cut that are not counted: torch skips ``cooldown`` steps; Keras counts the
    epoch on which ``cooldown_counter`` reaches 0 (it decrements before testing ``in_cooldown()``),
    so it skips ``cooldown - 1``."""
    cooldown = max(cooldown, 0.0)
    return max(cooldown - 1, 0.0) if _semantics(plan) == "keras" else cooldown


def reaction_window(plan: TrainingPlan) -> tuple[float, float | None, str] | None:
    """The first-cut window and the run length in one unit.

    Returns:
        ``(window, run, unit)``: ``window`` = :func:`first_cut` scheduler steps (torch
        cuts when ``num_bad_epochs > patience``, Keras when ``wait >= patience``) converted to ``unit``; ``run`` is
        the run length in that unit, or ``None`` when the config does not state it
        in a convertible unit. Evaluations are converted with ``eval.interval``
        when its unit matches the run length's. ``None`` when the patience is
        missing, unresolved or negative.
    """
    pv = plan.get("scheduler.patience")
    patience = pv.number if pv is not None else None
    if patience is None or patience < 0:
        return None
    unit = _patience_unit(plan, pv)
    window = first_cut(plan, patience)
    if unit == EVAL:
        interval = plan.number("eval.interval")
        interval_unit = plan.unit("eval.interval")
        if interval and interval > 0 and interval_unit in (EPOCH, OPT_STEP, ITERATION):
            run = _run_length(plan, interval_unit)
            if run is not None:
                return window * interval, run, interval_unit
        return window, None, EVAL
    if unit is None:
        return window, None, "scheduler step"
    return window, _run_length(plan, unit), unit


def max_cuts(window: float, run: float, cooldown: float) -> int:
    """How many LR reductions fit in a run of ``run`` scheduler steps at most.

    The metric's first value is the best so far (step 0); the first cut comes
    ``window`` steps later, each further one ``cooldown + window`` steps after
    the previous (torch resets ``num_bad_epochs`` and counts ``cooldown`` down).
    """
    if run - 1 < window:
        return 0
    return int((run - 1 - window) // (window + max(cooldown, 0))) + 1


def _fmt(x: float) -> str:
    return f"{x:g}"


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """At most one finding, at ``scheduler.patience``."""
    if plan.value("scheduler.type") != "plateau":
        return
    got = reaction_window(plan)
    if got is None:
        return
    window, run, unit = got
    pv = plan.get("scheduler.patience")
    patience = pv.number
    words = _UNIT_WORDS.get(unit, unit)
    lr = plan.number("optimizer.lr")
    held = f"; lr {_fmt(lr)} is held until then" if lr is not None else ""
    key = pv.source.key if pv.source and pv.source.key else "patience"

    if run is None:
        limit = options["max_patience_without_run_length"]
        if limit is None or patience < limit:
            return
        yield RULE.finding(
            plan, "scheduler.patience",
            f"plateau scheduler patience {_fmt(patience)}: the first LR cut comes no earlier than "
            f"{_fmt(window)} non-improving {words} after the last improvement{held}; "
            f"the run length is not in the config, so this cannot be compared with it",
            pv=pv, severity="info",
            hint="state the run length (epochs or max steps) so the window can be checked, or use a time-based "
                 "decay (cosine, linear) that does not wait for a plateau",
            window=window, patience=patience,
        )
        return

    ratio = window / run
    if ratio < options["max_patience_ratio"]:
        return
    cooldown = effective_cooldown(plan, plan.number("scheduler.cooldown") or 0.0)
    if unit == EVAL or plan.unit("scheduler.patience") == EVAL:
        cooldown *= plan.number("eval.interval") or 1.0
    cuts = max_cuts(window, run, cooldown)
    factor = plan.number("scheduler.factor")
    floor = ""
    if factor is not None and 0 < factor < 1:
        lowest = factor ** cuts
        floor = (f"; at most {cuts} cut{'s' if cuts != 1 else ''} fit in the run, so the LR can fall no lower than "
                 f"{factor:g}^{cuts} = {lowest:.2g} x its peak")
        if lr is not None:
            floor += f" ({lowest * lr:.2g})"
    # largest p with first_cut(p) / run < ratio
    longest_ok = math.ceil(options["max_patience_ratio"] * run) - 1 - int(first_cut(plan, 0))
    fix = None
    if unit == _patience_unit(plan, pv) and longest_ok >= 1:
        fix = {"field": "scheduler.patience", "key": key, "value": int(longest_ok)}
    yield RULE.finding(
        plan, "scheduler.patience",
        f"plateau scheduler patience {_fmt(patience)}: the first LR cut comes no earlier than {words[:-1]} "
        f"{_fmt(window)} of {_fmt(run)} ({ratio:.0%} of the run, limit {options['max_patience_ratio']:.0%}){held}{floor}",
        pv=pv,
        hint=(f"lower {key} to {int(longest_ok)} or less, or use a decay that does not wait for a plateau (cosine, linear)"
              if longest_ok >= 1 else "use a decay that does not wait for a plateau (cosine, linear)"),
        fix=fix, window=window, run=run, unit=unit, ratio=ratio, max_cuts=cuts,
    )


RULE = Rule(
    code="STL101", name="plateau-patience-too-long", severity="warning",
    summary="ReduceLROnPlateau waits so long that its first LR cut comes late in the run.",
    check=check, doc=__doc__,
    options={"max_patience_ratio": 0.2, "max_patience_without_run_length": 10},
    signal="lr-cut-too-late",
    caught=(
        Caught('ReduceLROnPlateau patience 10 in a 50-epoch run at lr 5e-4: best loss at epoch ~10, spike at epoch 13, the first LR cut only at epoch 24',
               'shared/seeds/002_8e61bf9f8ae7c949.txt', 'write-up', 'examples/seed002_before.yaml'),
        Caught('ReduceLROnPlateau patience 10 on the training loss: the LR stayed at 5e-5 for the whole run while the loss stuck at 0.86-0.88 (info: run length not stated)',
               'shared/seeds/000_1d14c69de74d42b2.txt', 'write-up', 'examples/seed000_before.yaml'),
    ),
)
