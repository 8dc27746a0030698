"""clip-tightened (STL703): the gradient-clipping threshold was cut more than 2x in one change.

### What it does
Compares a changed config with its version at the base revision (``stablint lint
--base REV``) and reports a ``max_grad_norm`` (gradient-norm clipping threshold)
lowered by more than ``max_ratio`` (default 2x) in one change, both values > 0.

### Why is this bad?
Clipping rescales every step whose gradient norm exceeds the threshold. A
threshold far below the run's typical gradient norm clips nearly every step:
the update then has a fixed length and the learning rate no longer controls it,
which shows up as a plateau (seed 004 suspected exactly this). Tightening the
clip is a common reaction to a loss spike; measure the pre-clip norm first.

### Example
```yaml
# at the base revision: max_grad_norm: 1.0
learning_rate: 2.0e-5
max_grad_norm: 0.1
```

### Use instead
```yaml
learning_rate: 2.0e-5
max_grad_norm: 1.0
```

### References
- Pascanu, Mikolov, Bengio 2013, "On the difficulty of training recurrent neural networks" (norm clipping), arXiv:1211.5063.
- Zhang et al. 2020, "Why gradient clipping accelerates training" (clipped steps have fixed length), arXiv:1905.11881.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..diff import DiffRule, no_single_plan_check
from ..finding import Finding
from ..plan import TrainingPlan


def diff_check(old: TrainingPlan, new: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at the new threshold when ``old / new > max_ratio`` (both positive)."""
    old_c, new_c = old.number("clip.max_norm"), new.number("clip.max_norm")
    if old_c is None or new_c is None or old_c <= 0 or new_c <= 0:
        return
    if old_c / new_c <= float(options["max_ratio"]):
        return
    yield RULE.finding(
        new, "clip.max_norm",
        f"gradient clipping threshold cut {old_c / new_c:.3g}x in one change ({old_c:g} -> {new_c:g}); "
        "most steps may now be clipped",
        hint="check the pre-clip gradient norm (`stablint probe`, signal clip-saturation) before tightening the clip",
        old_max_norm=old_c, new_max_norm=new_c,
    )


RULE = DiffRule(
    code="STL703", name="clip-tightened", severity="warning",
    summary="The gradient-clipping threshold was cut by more than 2x in one change.",
    check=no_single_plan_check, diff_check=diff_check, doc=__doc__,
    options={"max_ratio": 2.0}, signal="clip-saturation",
)
