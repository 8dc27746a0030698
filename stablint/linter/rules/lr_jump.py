"""lr-jump (STL702): the learning rate changed more than 3x in one change.

### What it does
Compares a changed config with its version at the base revision (``stablint lint
--base REV``) and reports a learning rate that moved by more than ``max_ratio``
(default 3x, up or down) in one change. A change the batch size explains by
linear scaling (same direction, no larger than the batch ratio) is not reported.

### Why is this bad?
Learning-rate sweeps are usually spaced by about 3x (a half-decade); a bigger
step in one edit leaves the range the run was tuned in. Large increases are the
classic cause of early loss spikes and divergence; large cuts turn a working run
into a plateau. Either way the change deserves a short probe run before a full one.

### Example
```yaml
# at the base revision: learning_rate: 3.0e-5
learning_rate: 3.0e-4
batch_size: 16
```

### Use instead
```yaml
learning_rate: 6.0e-5
batch_size: 16
```

### References
- Bengio 2012, "Practical recommendations for gradient-based training of deep architectures" (LR search on a log scale), arXiv:1206.5533.
- Goyal et al. 2017, arXiv:1706.02677 (LR changes explained by batch changes: linear scaling).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..diff import DiffRule, no_single_plan_check, ratio
from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught


def diff_check(old: TrainingPlan, new: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at the new learning rate when it differs from the old one by more than ``max_ratio``x."""
    old_lr, new_lr = old.number("optimizer.lr"), new.number("optimizer.lr")
    if old_lr is None or new_lr is None or old_lr <= 0 or new_lr <= 0:
        return
    r = ratio(old_lr, new_lr)
    if r <= float(options["max_ratio"]):
        return
    old_b, new_b = old.global_batch(), new.global_batch()
    if old_b and new_b and (new_b > old_b) == (new_lr > old_lr) and r <= ratio(old_b, new_b) * 1.0001:
        return  # explained by the batch change (linear scaling)
    direction = "raised" if new_lr > old_lr else "cut"
    yield RULE.finding(
        new, "optimizer.lr",
        f"learning rate {direction} {r:.3g}x in one change ({old_lr:.3g} -> {new_lr:.3g}), over the {options['max_ratio']:g}x limit",
        hint="move the learning rate in smaller steps, or confirm the new value with `stablint probe` before a full run",
        old_lr=old_lr, new_lr=new_lr,
    )


RULE = DiffRule(
    code="STL702", name="lr-jump", severity="warning",
    summary="The learning rate changed by more than 3x in one change.",
    check=no_single_plan_check, diff_check=diff_check, doc=__doc__,
    options={"max_ratio": 3.0}, signal="loss-spike",
    caught=(
        Caught('detectron2 SOLVER.BASE_LR raised from a working 0.001 to 0.02: loss_cls NaN at iteration 27',
               'https://github.com/facebookresearch/detectron2/issues/508', 'thread', 'tests/caught/lr-jump__d2-508-base-lr-0.001.yaml..tests/caught/lr-jump__d2-508-base-lr-0.02.yaml'),
    ),
)
