"""lr-batch-scaling (STL503): an SGD base LR far above the framework's reference LR scaled linearly to the batch.

### What it does
For a framework that documents a reference learning rate per batch, scales that reference
linearly to the run's global batch (the linear scaling rule, Goyal et al. 2017) and reports
``optimizer.lr`` above ``max_ratio`` (default 4) times the scaled reference. Only SGD runs are
checked (the reference is an SGD one), and only frameworks listed in :data:`REFERENCES`:

* detectron2: ``SOLVER.BASE_LR`` 0.02 for ``SOLVER.IMS_PER_BATCH`` 16 (global), the R-CNN
  model-zoo configs (``Base-RCNN-FPN.yaml``); the getting-started guide scales it to
  ``IMS_PER_BATCH 2, BASE_LR 0.0025`` for one GPU. RetinaNet and other heads use 0.01 at 16,
  inside the 4x margin.

Ships at ``info``: it has no finding yet on the unseen benchmark's test half (bench/unseen), so its
precision there is unmeasured, and issue 15 keeps such rules at info; raise it per repository with
``rules: {lr-batch-scaling: {severity: warning}}``.

mmdetection is not checked: its LR is written for "8 GPUs and 2 img/gpu", and the GPU count is
a launch argument, not in the config. ``REFERENCE_WORLD_SIZE`` (detectron2 rescaling LR and batch
together) leaves the ratio unchanged.

ultralytics is not checked either, because it needs no check: its trainer accumulates gradients up
to the nominal batch ``nbs`` (default 64), ``accumulate = max(round(nbs / batch), 1)``, and scales
weight decay by ``batch × accumulate / nbs`` (``ultralytics/engine/trainer.py``,
``BaseTrainer._setup_train``), so ``lr0`` always applies to a batch of about ``nbs`` images; a
``batch`` above ``nbs`` only makes each step less noisy.

### Why is this bad?
With SGD the step size grows with the LR while the gradient noise shrinks with the batch; the
model-zoo LRs are tuned for 16 images. Keeping ``BASE_LR 0.02`` while lowering
``IMS_PER_BATCH`` to 2 for one GPU is eight times the scaled LR, and the classic result is a loss
that explodes to ``nan`` ("FloatingPointError: Loss became infinite or NaN") in the first
thousand iterations, or large early losses despite warmup.

### Example
```yaml
MODEL:
  META_ARCHITECTURE: "GeneralizedRCNN"
  WEIGHTS: "detectron2://ImageNetPretrained/MSRA/R-50.pkl"
SOLVER:
  IMS_PER_BATCH: 2
  BASE_LR: 0.02
  STEPS: (60000, 80000)
  MAX_ITER: 90000
```

### Use instead
```yaml
MODEL:
  META_ARCHITECTURE: "GeneralizedRCNN"
  WEIGHTS: "detectron2://ImageNetPretrained/MSRA/R-50.pkl"
SOLVER:
  IMS_PER_BATCH: 2
  BASE_LR: 0.0025     # 0.02 × 2 / 16
  STEPS: (480000, 640000)
  MAX_ITER: 720000    # 8x the iterations to see as many images
```

### References
- detectron2 ``GETTING_STARTED.md`` ("To train on 1 GPU ... SOLVER.IMS_PER_BATCH 2 SOLVER.BASE_LR 0.0025"); ``configs/Base-RCNN-FPN.yaml`` (IMS_PER_BATCH 16, BASE_LR 0.02); facebookresearch/detectron2#357.
- Goyal et al. 2017, "Accurate, Large Minibatch SGD" (arXiv:1706.02677): linear scaling rule.
- open-mmlab/mmdetection#351 and #3240 (0.02 is for 16 images; "0.02/8 for one GPU"; single-GPU runs at 0.02 → loss nan), #3446; NVlabs/wetectron#12 (IMS_PER_BATCH reduced, LR kept → nan).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Caught, Rule

#: dialect → (reference LR, reference global batch, source).
REFERENCES: dict[str, tuple[float, int, str]] = {
    "detectron2": (0.02, 16, "detectron2 model zoo (Base-RCNN-FPN.yaml) and GETTING_STARTED.md"),
}


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` when ``lr > max_ratio × ref_lr × batch / ref_batch`` (SGD only)."""
    ref = REFERENCES.get(plan.dialect)
    if ref is None or plan.value("optimizer.type") != "sgd":
        return
    lr, batch = plan.number("optimizer.lr"), plan.number("batch.global")
    if lr is None or batch is None or lr <= 0 or batch <= 0:
        return
    lr_pv, batch_pv = plan.get("optimizer.lr"), plan.get("batch.global")
    if lr_pv.source and lr_pv.source.default and batch_pv.source and batch_pv.source.default:
        return
    ref_lr, ref_batch, source = ref
    scaled = ref_lr * batch / ref_batch
    ratio = lr / scaled
    if ratio > options["max_ratio"]:
        yield RULE.finding(
            plan, "optimizer.lr",
            f"base LR {fmt(lr)} at a global batch of {int(batch)} is {fmt(ratio)}x the linearly scaled "
            f"reference {fmt(ref_lr)} × {int(batch)}/{ref_batch} = {fmt(scaled)} ({source})",
            pv=lr_pv, hint=f"scale the LR with the batch: {fmt(scaled)} for {int(batch)} images per step",
            ratio=ratio)


RULE = Rule(
    code="STL503", name="lr-batch-scaling", severity="info",
    summary="An SGD base LR far above the framework's reference LR scaled linearly to the global batch (detectron2).",
    check=check, doc=__doc__, options={"max_ratio": 4.0}, signal="loss-divergence",
    caught=(
        Caught('detectron2 Mask R-CNN fine-tune at SOLVER.BASE_LR 0.1 with IMS_PER_BATCH 2 (40x the scaled 0.0025) diverged with Inf/NaN boxes after a few iterations',
               'https://github.com/facebookresearch/detectron2/issues/1128', 'thread', 'tests/caught/lr-batch-scaling__d2-1128-lr0.1-batch2.yaml'),
    ),
)
