r"""lr-not-rescaled (STL701): the effective batch size changed a lot and the learning rate did not.

### What it does
Compares a changed config with its version at the base revision (``stablint lint
--base REV``). Reports when the effective (global) batch size per optimizer step
changed by ``min_batch_ratio`` or more (default 2x, either direction) while the
learning rate stayed the same (within ``lr_tolerance``, default 1%). The message
gives the learning rate that linear scaling (SGD) and square-root scaling
(Adam-family) suggest.

### Why is this bad?
The learning rate and the batch size are coupled: the gradient noise of a step
shrinks with the batch. With SGD the learning rate should scale linearly with the
batch (Goyal et al. 2017); with Adam roughly with its square root (Malladi et
al. 2022; Krizhevsky 2014). Halving the batch after an out-of-memory error (seed
004: 32 -> 16) and keeping the learning rate makes each step twice as noisy as the
run that was tuned; doubling it makes training slower than planned.

### Example
```sh
# at the base revision: BATCH_SIZE=32 with the same LEARNING_RATE
LEARNING_RATE=1e-5 \
BATCH_SIZE=16 \
python3 training.py
```

### Use instead
```sh
# gradient accumulation keeps the effective batch at 32 (or rescale the LR)
LEARNING_RATE=1e-5 \
BATCH_SIZE=16 \
GRADIENT_ACCUMULATION_STEPS=2 \
python3 training.py
```

### References
- Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour" (linear scaling rule), arXiv:1706.02677.
- Malladi et al. 2022, "On the SDEs and Scaling Rules for Adaptive Gradient Algorithms" (square-root scaling for Adam), arXiv:2205.10287.
- Krizhevsky 2014, "One weird trick for parallelizing convolutional neural networks" (square-root scaling), arXiv:1404.5997.
- Seed 004 (shared/seeds/004_e2dea00c37af9589.txt): batch 32 -> 16 after an OOM, learning rate unchanged.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from ..diff import DiffRule, no_single_plan_check, ratio
from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught

#: Optimizer families for which square-root scaling is the better guide (Malladi et al. 2022).
ADAPTIVE = {"adam", "adamw", "adafactor", "lamb", "rmsprop", "adagrad", "adadelta", "nadam", "radam", "adamax"}


def diff_check(old: TrainingPlan, new: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at the new batch size when the global batch changed >= ``min_batch_ratio``x
    and the learning rate moved less than ``lr_tolerance`` (relative)."""
    old_b, new_b = old.global_batch(), new.global_batch()
    old_lr, new_lr = old.number("optimizer.lr"), new.number("optimizer.lr")
    if not old_b or not new_b or old_lr is None or new_lr is None or old_lr <= 0:
        return
    if ratio(old_b, new_b) < float(options["min_batch_ratio"]):
        return
    if abs(new_lr - old_lr) / old_lr > float(options["lr_tolerance"]):
        return
    scale = new_b / old_b
    linear, sqrt = old_lr * scale, old_lr * math.sqrt(scale)
    family = new.value("optimizer.type")
    advice = (f"square-root scaling (Adam-family) suggests {sqrt:.3g}, linear scaling {linear:.3g}"
              if family in ADAPTIVE else
              f"linear scaling suggests {linear:.3g} (square-root scaling for Adam-family: {sqrt:.3g})")
    anchor = "batch.per_device" if new.has("batch.per_device") else "batch.global"
    yield RULE.finding(
        new, anchor,
        f"effective batch size changed {old_b} -> {new_b} ({scale:.3g}x) but the learning rate stayed {new_lr:.3g}; {advice}",
        hint="rescale the learning rate with the batch, or keep the effective batch with gradient accumulation",
        old_batch=old_b, new_batch=new_b, learning_rate=new_lr,
    )


RULE = DiffRule(
    code="STL701", name="lr-not-rescaled", severity="warning",
    summary="The effective batch size changed >= 2x in this change but the learning rate did not.",
    check=no_single_plan_check, diff_check=diff_check, doc=__doc__,
    options={"min_batch_ratio": 2.0, "lr_tolerance": 0.01}, signal="lr-ab",
    caught=(
        Caught('batch cut 32 -> 16 after an OOM with the LR kept at 1e-5, then a loss increase at step 2000 and a plateau',
               'shared/seeds/004_e2dea00c37af9589.txt', 'write-up', 'tests/caught/seed004_batch32.sh..examples/seed004_before.sh'),
        Caught('Base-RCNN-FPN.yaml edited to IMS_PER_BATCH 16 -> 4 with BASE_LR kept at 0.02: loss NaN at iteration 2137',
               'https://github.com/facebookresearch/detectron2/issues/838', 'thread', 'tests/corpus/detectron2/facebookresearch__detectron2__configs__Base-RCNN-FPN.yaml..tests/caught/lr-not-rescaled__d2-838-ims16-to-4.yaml'),
        Caught("wetectron SOLVER.IMS_PER_BATCH cut from the configs' 8 to 1 with BASE_LR kept at 0.01: nan during training",
               'https://github.com/NVlabs/wetectron/issues/12', 'thread', 'tests/caught/lr-not-rescaled__wetectron-ims8-to-1-old.yaml..tests/caught/lr-not-rescaled__wetectron-ims8-to-1-new.yaml'),
    ),
)
