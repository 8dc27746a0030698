"""loss-weight-imbalance (STL301): loss-term weights that span orders of magnitude.

### What it does
Reads the named loss-term weights (``loss.weights``) and reports, at ``info``
level:

- weights whose non-zero magnitudes span at least ``max_ratio`` (default 100,
  two orders of magnitude): the message names the largest and the smallest term
  and the ratio;
- each term with weight 0 (a disabled term), when ``report_zero_weights`` is on.

### Why is this bad?
The gradient of ``sum_i w_i * L_i`` is dominated by whichever term has the
largest ``w_i * |grad L_i|``. When the weights span orders of magnitude, the
balance depends on the terms' natural scales matching that span exactly; a
change of loss reduction (sum vs mean), units or normalization then silently
hands the whole gradient to one term and starves the others (GradNorm, Chen et
al. 2018). A zero weight costs the term's compute and contributes nothing,
which is fine when intended and confusing when not.

**What a static rule cannot see.** The product ``w_i * L_i`` is what matters,
and the natural scale of ``L_i`` is not in the config. Balanced weights can hide
a badly imbalanced loss: in seed 001 the weights were 1.0 / 1.2 / 1.2 (ratio
1.2) and the "threshold" term sat at ~70 while the others were below 1, so it
took the whole gradient; the fix set 0.05 / 0.01 / 0.2 (ratio 20) to
*compensate* the scales. No weight pattern tells a deliberate compensation
(Panoptic-DeepLab's center 200 vs offset 0.01, latent diffusion's KL weight
1e-6) from a mistake, so this rule is ``info`` and never fires on seed 001. The
probe's ``task-grad-share`` signal measures each term's share of the gradient
on the shared parameters and confirms a real imbalance (one term's share >= 0.95
on most sampled steps).

### Example
```yaml
training:
  learning_rate: 0.001
  epochs: 100
loss_weights:
  segmentation: 1.0
  depth: 0.001
```

### Use instead
```yaml
training:
  learning_rate: 0.001
  epochs: 100
loss_weights:
  segmentation: 1.0
  depth: 0.1
```

### References
- Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm", ICML 2018; per-task gradient share on the last shared layer — research/probe_anchors.md §6.
- TheDeepChecker ``Overwhelming_Reg`` (gradient-norm ratio >= 2 on 5 consecutive checks) — research/probe_anchors.md §6.
- Seed 001 (shared/seeds/001_264958a6b18dcc31.txt): the "threshold" term "dominated at ~70, preventing fine-tuning".
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Rule


def term_weights(plan: TrainingPlan) -> dict[str, float]:
    """Resolved, finite loss-term weights ``{term: weight}`` (unresolved or non-numeric terms left out)."""
    pv = plan.get("loss.weights")
    if pv is None or not pv.resolved or not isinstance(pv.value, dict):
        return {}
    out: dict[str, float] = {}
    for term, w in pv.value.items():
        x = getattr(w, "number", None)
        if x is not None and math.isfinite(x):
            out[str(term)] = x
    return out


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding for the span of the non-zero weights, one per zero-weighted term."""
    weights = term_weights(plan)
    if len(weights) < 2:
        return
    terms = plan.get("loss.weights").value
    nonzero = {t: abs(w) for t, w in weights.items() if w != 0}
    if len(nonzero) >= 2:
        hi = max(nonzero, key=nonzero.get)
        lo = min(nonzero, key=nonzero.get)
        ratio = nonzero[hi] / nonzero[lo]
        if ratio >= options["max_ratio"]:
            yield RULE.finding(
                plan, "loss.weights",
                f"loss weights span {math.log10(ratio):.1f} orders of magnitude: '{hi}' {weights[hi]:g} vs "
                f"'{lo}' {weights[lo]:g} (ratio {ratio:.3g}, limit {options['max_ratio']:g}); the balance holds only "
                f"if the terms' natural scales differ by the same factor",
                pv=terms[hi],
                hint="check each term's share of the gradient (stablint probe: task-grad-share) before trusting "
                     "these weights",
                ratio=ratio, largest=hi, smallest=lo,
            )
    if options["report_zero_weights"]:
        for t, w in weights.items():
            if w == 0:
                yield RULE.finding(
                    plan, "loss.weights",
                    f"loss term '{t}' has weight 0: it is disabled (computed, if at all, for nothing)",
                    pv=terms[t],
                    hint="remove the term if it is meant to be off; give it a weight if it is meant to train",
                    term=t,
                )


RULE = Rule(
    code="STL301", name="loss-weight-imbalance", severity="info",
    summary="Loss-term weights spanning orders of magnitude (or disabled terms); the probe checks the real balance.",
    check=check, doc=__doc__,
    options={"max_ratio": 100.0, "report_zero_weights": True},
    signal="task-grad-share",
)
