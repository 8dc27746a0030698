"""scheduler-never-fires (STL106): a step decay scheduled at or beyond the end of the run.

### What it does
For a StepLR-style scheduler, reports ``step_size`` at or beyond the run length;
for MultiStepLR (and detectron2 ``SOLVER.STEPS``, mmengine ``milestones``),
reports milestones at or beyond the run length. Both sides must be in the same
unit (epochs for a per-epoch scheduler, steps/iterations for a per-step one);
otherwise the rule stays silent. Only the parameters of the scheduler actually
in use are checked.

### Why is this bad?
``scheduler.step()`` is called once per epoch (or step); a decay at count N
happens only if the run reaches N. A ``step_size`` or milestone at or past the
end means the LR never changes: the planned annealing phase, which often brings
the last large loss drop, silently never happens.

### Example
```yaml
training:
  optimizer: sgd
  learning_rate: 0.1
  epochs: 50
  scheduler: StepLR
  step_size: 60
  gamma: 0.1
```

### Use instead
```yaml
training:
  optimizer: sgd
  learning_rate: 0.1
  epochs: 50
  scheduler: StepLR
  step_size: 20
  gamma: 0.1
```

### References
- research/existing_checks.md B4 (rule ``step_size >= horizon`` or ``max(milestones) >= horizon`` in the same unit).
- detectron2 ``solver/build.py:289-296`` warns "SOLVER.STEPS contains values larger than SOLVER.MAX_ITER".
- Project-MONAI/tutorials#1430; bshall/Tacotron#3 ("learning rate never changes").
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt, run_length, unit_of
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``scheduler.step_size`` or ``scheduler.milestones`` (see module docstring)."""
    kind = plan.value("scheduler.type")
    if kind == "step":
        pv = plan.get("scheduler.step_size")
        if pv is None or pv.number is None or pv.number <= 0:
            return
        unit = unit_of(plan, pv)
        run = run_length(plan, unit)
        if run is None or pv.number < run[0]:
            return
        yield RULE.finding(
            plan, "scheduler.step_size",
            f"StepLR step_size {fmt(pv.number)} {unit}s is not shorter than the {fmt(run[0])}-{unit} run: the LR never decays",
            pv=pv, hint=f"use a step_size below {fmt(run[0])} (e.g. {fmt(max(1, run[0] // 3))}) or a cosine schedule")
    elif kind == "multistep":
        pv = plan.get("scheduler.milestones")
        if pv is None or not pv.resolved or not isinstance(pv.value, (list, tuple)):
            return
        ms = [float(m) for m in pv.value if isinstance(m, (int, float)) and not isinstance(m, bool)]
        if not ms or len(ms) != len(pv.value):
            return
        unit = unit_of(plan, pv)
        run = run_length(plan, unit)
        if run is None:
            return
        late = [m for m in ms if m >= run[0]]
        if not late:
            return
        what = "none of the milestones is reached: the LR never decays" if len(late) == len(ms) else \
            f"{len(late)} of {len(ms)} milestones ({', '.join(fmt(m) for m in late)}) are never reached"
        yield RULE.finding(
            plan, "scheduler.milestones",
            f"milestones {[fmt(m) for m in ms]} vs. a {fmt(run[0])}-{unit} run: {what}", pv=pv,
            severity=RULE.severity if len(late) == len(ms) else options["partial_severity"],
            hint=f"put the milestones inside the run (below {fmt(run[0])} {unit}s)")


RULE = Rule(
    code="STL106", name="scheduler-never-fires", severity="warning",
    summary="StepLR step_size or MultiStepLR milestones at or beyond the run length: the LR decay never happens.",
    check=check, doc=__doc__, options={"partial_severity": "warning"}, signal="lr-never-changes",
    caught=(
        Caught('Hydra run composing trainer max_epochs 2 with a MultiStepLR at milestones [15, 30, 45, 60] (interval epoch): the LR never decays',
               'Aaaapril4/PhaseNet-TF configs/train.yaml@a684f59b44', 'config', 'bench/unseen/files/u0064/configs/train.yaml'),
        Caught('detectron2-style config with SOLVER.STEPS at or past MAX_ITER: the multi-step decay never happens',
               'Feobi1999/TDD configs/TDD/faster_rcnn_R_50_FPN_bdd.yaml@124ccc957f', 'config', 'bench/unseen/files/u0226/configs/TDD/faster_rcnn_R_50_FPN_bdd.yaml'),
        Caught('mmcls config with lr_config policy step, step 200 and max_epochs 200: the LR stayed at 0.001 for the whole run',
               'https://github.com/open-mmlab/mmpretrain/issues/938', 'thread', 'tests/caught/scheduler-never-fires__mmpretrain-938.py'),
    ),
)
