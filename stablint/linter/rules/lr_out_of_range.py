"""lr-out-of-range (STL501): a learning rate far outside the published range of its optimizer family.

### What it does
Looks the optimizer family up in ``ranges`` (family → ``[low, high]``) and
reports a base learning rate below ``low`` or above ``high``. The ranges are
deliberately wide (roughly 10× beyond the extreme published recipes) because the
right LR depends on batch size and model: Adam-family 1e-7 to 1e-2, SGD 1e-4 to
10, LARS 1e-2 to 50, LAMB 1e-5 to 5e-2, Muon 1e-4 to 0.2, Adadelta 1e-2 to 10
(lr 1.0 is Adadelta's default), Adafactor 1e-6 to 0.1, Lion 1e-7 to 3e-3.
Families not in the table are never reported.

### Why is this bad?
The LR magnitude is set by the optimizer: an SGD LR (0.02-0.1) given to AdamW
diverges in a few steps, an AdamW LR (1e-4) given to SGD or Adadelta trains
~1000× too slowly. This typically happens when the optimizer is swapped and the
LR is kept, and no framework checks it.

### Example
```yaml
training:
  optimizer: adamw
  learning_rate: 0.1
  epochs: 12
  batch_size: 16
```

### Use instead
```yaml
training:
  optimizer: sgd
  learning_rate: 0.1
  momentum: 0.9
  epochs: 12
  batch_size: 16
```

### References
- Published recipes spanning the ranges (tests/corpus and research/probe_anchors.md §7-9): Adam 3e-4 ("adam is safe", Karpathy), AdamW 5e-7 (DPO) to 5e-3; SGD 0.01-0.16 (ultralytics, mmdetection, detectron2 linear scaling), Goyal et al. 2017 (0.1 × batch/256, 3.2 at 8k); LARS 9.6 (MoCo v3, mmpretrain), up to ~29 (You et al. 2017); LAMB 0.011 (DeepSpeed bing_bert 64k batch); Muon 0.02 (axolotl muon example; Keller Jordan's Muon); Adadelta 1.0 (PyTorch default; speechbrain recipes); Lion 3-10× below AdamW (Chen et al. 2023).
- research/existing_checks.md A.0 ("LR magnitude / lr vs batch scaling": no framework checks it).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Caught, Rule

#: families that share the Adam range
ADAM_LIKE = ("adam", "adamw", "nadam", "radam", "adamax", "schedule_free")


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` when it is outside the family's range."""
    family = plan.value("optimizer.type")
    lr = plan.get("optimizer.lr")
    if not isinstance(family, str) or lr is None or lr.number is None or lr.number <= 0:
        return
    key = "adam" if family in ADAM_LIKE else family
    rng = options["ranges"].get(key)
    if not rng:
        return
    low, high = rng
    if low <= lr.number <= high:
        return
    side = "above" if lr.number > high else "below"
    yield RULE.finding(
        plan, "optimizer.lr",
        f"learning rate {fmt(lr.number)} is {side} the published range of {family} ({fmt(low)} to {fmt(high)})"
        + (": expect divergence" if side == "above" else ": expect almost no learning"),
        pv=lr, hint=f"check that the LR was set for {family} and not copied from another optimizer; "
                    "an LR range test (stablint probe) finds a working value")


RULE = Rule(
    code="STL501", name="lr-out-of-range", severity="warning",
    summary="The learning rate is far outside the published range of its optimizer family.",
    check=check, doc=__doc__,
    options={"ranges": {
        "adam": [1e-7, 1e-2], "sgd": [1e-4, 10.0], "lars": [1e-2, 50.0], "lamb": [1e-5, 5e-2],
        "muon": [1e-4, 0.2], "adadelta": [1e-2, 10.0], "adafactor": [1e-6, 0.1], "lion": [1e-7, 3e-3],
    }},
    signal="lr-ab",
    caught=(
        Caught("nanoRWKV-BitNet config at learning_rate 0.1 with torch.optim.AdamW, 10x above AdamW's published range (the author's comment: 'tune this if it sucks')",
               'Ronsor/nanoRWKV-bitnet config/train_pile.py@603c868b57', 'config', 'bench/unseen/files/u0385_train_pile.py'),
    ),
)
