"""Probe-only signals: measurements that need the model or a second run.

Each function returns a :class:`stablint.trends.signals.Check` (the shape the judge
takes through ``judge(..., checks=...)``): ``fired`` True/False, or None when not
measurable. Trend signals over the trace (spikes, divergence, plateau, clip
saturation, LR never changing, LR cut too late) are *not* recomputed here: they come
from :func:`stablint.trends.signals.measure` (shared with ``diagnose``).

Measured against the long run (bench/validity/README.md, issue 14: the probe at 5 % of a 20x
longer run of the same config): ``task-grad-share`` agrees 1.00 on 5 held-out configs (after
``share_max`` 0.9 -> 0.95); ``lr-ab`` 0.80, ``lora-effective-update`` 0.56 (9 held-out), ``noise-scale`` 0.50 and
``update-ratio`` 0.60 do not reach the 0.9 goal, and the verdict directions that were wrong are
reported as ``inconclusive`` (:data:`stablint.probes.verdicts.UNRELIABLE`). Small N: 4-10 configs
per signal, surrogate targets, Adam only.

Thresholds (research/probe_anchors.md §13; *proposed* = stablint's own, to calibrate):

- ``lr-ab``: final validation loss at η/3 lower than at η by more than
  ``max(2 % · L0, 2 · seed noise)`` (proposed), or the η run diverges/goes non-finite
  while η/3 does not (Tuning Playbook; Wortsman et al. 2023 LR sensitivity).
- ``noise-scale``: ``B_simple / B >= 10`` with B the probe's effective batch
  (proposed; McCandlish et al. 2018 App. A.1 two-batch estimator, as in
  gpt-neox ``gradient_noise_scale.py``).
- ``task-grad-share``: one term's share of Σ‖∇_shared(w_i L_i)‖ >= 0.95 (bench/validity; was 0.9) on >= 80 % of
  sampled steps (GradNorm's G_W^(i); TheDeepChecker Overwhelming_Reg; proposed).
  The max/min >= 10 criterion of §13 is reported but does not confirm on its own:
  it fires on any deliberately tiny auxiliary weight.
- ``lora-effective-update``: the α×4 run reaches >= 2× the validation-loss drop of the
  configured run without non-finite values (§12 seed 004, proposed); the relative
  update ‖s·BA‖/‖W0‖ is reported beside it (§13: < 1e-4 after >= 200 steps).
- ``update-ratio``: median log10(‖Δθ‖/‖θ‖) > −1 (too fast) or < −4 (too slow)
  (TheDeepChecker ``Unstable_Learning``; CS231n ≈ −3 healthy).
- ``init-loss``: |L0 − ln C| >= 1.0 · ln C for classifiers / LMs trained from scratch
  (TheDeepChecker ``Initial_Loss`` dev_ratio 1.0; Karpathy "verify loss @ init").
"""

from __future__ import annotations

import math
import statistics

from ..trends.signals import Check, _g
from ..trends.signals.catalog import PROBE_THRESHOLDS

SRC_LR_AB = "Tuning Playbook LR/instability A/B; Wortsman et al. 2023 LR sensitivity; docs/signals.md#lr-ab (proposed)"
SRC_NOISE = "McCandlish et al. 2018 App. A.1 (B_simple), gpt-neox gradient_noise_scale.py; docs/signals.md#noise-scale (proposed)"
SRC_SHARE = "GradNorm (Chen et al. 2018) G_W^(i); TheDeepChecker Overwhelming_Reg; examples/seed001_before.yaml; docs/signals.md#task-grad-share (proposed)"
SRC_LORA = "LoRA (Hu et al.), rsLoRA; examples/seed004_before.sh; docs/signals.md#lora-effective-update (proposed)"
SRC_UPD = "TheDeepChecker Unstable_Learning (-1 / -4); CS231n update/weight ~1e-3; docs/signals.md#update-ratio"
SRC_INIT = "TheDeepChecker Initial_Loss (dev_ratio 1.0); Karpathy recipe 'verify loss @ init'; docs/signals.md#init-loss"

# One threshold table for probe and diagnose (issue 16): stablint.trends.signals.catalog.PROBE_THRESHOLDS.
_T = PROBE_THRESHOLDS
NOISE_RATIO = _T["noise_ratio"]
SHARE_MAX, SHARE_STEPS, SHARE_RATIO = _T["share_max"], _T["share_steps"], _T["share_ratio"]
AB_REL = _T["ab_rel"]
LORA_GAIN, LORA_REL = _T["lora_gain"], _T["lora_rel"]
UPD_HIGH, UPD_LOW = _T["upd_high"], _T["upd_low"]
INIT_DEV = _T["init_dev_ratio"]


def final_val(res) -> float | None:
    """Last finite validation loss of a run (``None`` when it never validated or went non-finite)."""
    vals = [v for v in res.val_losses if math.isfinite(v)]
    if res.status == "nonfinite" or not vals:
        return None
    return vals[-1]


def _paired_vals(main, other) -> tuple[float | None, float | None, int | None]:
    """:func:`final_val` of both runs; when a time limit cut one run short of the other's validations,
    both are taken at the last probe epoch both reached (returned third, 1-based; else ``None``)."""
    a, b = final_val(main), final_val(other)
    n = min(len(main.val_losses), len(other.val_losses))
    cut = {main.status, other.status} & {"timeout", "oom"}
    if not cut or a is None or b is None or len(main.val_losses) == len(other.val_losses):
        return a, b, None
    va, vb = main.val_losses[n - 1], other.val_losses[n - 1]
    return (va, vb, n) if math.isfinite(va) and math.isfinite(vb) else (a, b, None)


def _seed_noise(res) -> float:
    """Epoch-to-epoch std of the last validation losses: the resolution of an A/B difference."""
    v = [x for x in res.val_losses[-4:] if math.isfinite(x)]
    return statistics.pstdev(v) if len(v) >= 2 else 0.0


def lr_ab(main, low, factor: float = 3.0) -> Check:
    """Configured LR η vs η/``factor`` from the same init and data order."""
    thr = f"val loss at lr/{factor:g} < val loss at lr by > max({AB_REL:.0%} of L0, 2 x epoch noise), or lr diverges alone"
    l0 = main.init_loss
    a, b, common = _paired_vals(main, low)
    ev = {"val_loss_lr": _g(a), f"val_loss_lr_div{factor:g}": _g(b), "init_loss": _g(l0), "status_lr": main.status,
          f"status_lr_div{factor:g}": low.status, "steps": min(main.steps_done, low.steps_done)}
    if common:
        ev["compared_at_epoch"] = common
    if a is None and b is not None:
        return Check("lr-ab", True, ev, thr, SRC_LR_AB, f"the run at the configured LR went {main.status}; lr/{factor:g} did not")
    if a is None or b is None or l0 is None:
        return Check("lr-ab", None, ev, thr, SRC_LR_AB, "a run did not validate")
    margin = max(AB_REL * abs(l0), 2 * max(_seed_noise(main), _seed_noise(low)))
    ev["margin"] = _g(margin)
    ev["difference"] = _g(a - b)
    if a - b > margin:
        return Check("lr-ab", True, ev, thr, SRC_LR_AB, f"lr/{factor:g} ends {a - b:.4g} lower (margin {margin:.3g})")
    return Check("lr-ab", False, ev, thr, SRC_LR_AB, f"lr/{factor:g} is not better by more than {margin:.3g}")


def noise_scale(res, batch: int) -> Check:
    """B_simple from (B_small, |G_small|², B_big, |G_big|²) samples; ratio to the effective batch."""
    thr = f"B_simple / B >= {NOISE_RATIO:g}"
    n = len(res.noise)
    if n < 3:
        return Check("noise-scale", None, {"samples": n}, thr, SRC_NOISE, f"only {n} noise-scale samples (need 3)")
    tr, g2 = 0.0, 0.0
    for bs, gs, bb, gb in res.noise:
        g2 += (bb * gb - bs * gs) / (bb - bs)
        tr += (gs - gb) / (1 / bs - 1 / bb)
    ev = {"samples": n, "batch": batch, "b_small": res.noise[0][0], "b_big": res.noise[0][2]}
    if g2 <= 0:
        ev["b_simple"] = "inf"
        return Check("noise-scale", True, ev, thr, SRC_NOISE, "|G|² estimate <= 0: gradient noise dominates the signal")
    bsimple = tr / g2
    ev["b_simple"] = _g(bsimple)
    ev["b_simple_over_b"] = _g(bsimple / batch)
    ratio = bsimple / batch
    if ratio >= NOISE_RATIO:
        why = (f"the noise scale B_simple {bsimple:.3g} is {ratio:.3g} x the batch of {batch} (>= {NOISE_RATIO:g} x): "
               "each step's gradient is mostly noise")
    else:
        why = (f"the noise scale B_simple {bsimple:.3g} is {ratio:.3g} x the batch of {batch} (< {NOISE_RATIO:g} x): "
               "the batch averages enough samples")
    return Check("noise-scale", ratio >= NOISE_RATIO, ev, thr, SRC_NOISE, why)


def task_grad_share(res) -> Check:
    """Share of sampled steps where one loss term dominates the shared layer's gradient."""
    thr = f"one term's gradient share >= {SHARE_MAX:g} on >= {SHARE_STEPS:.0%} of sampled steps"
    rows = [r for r in res.shares if len(r) >= 2]
    if len(rows) < 3:
        return Check("task-grad-share", None, {"samples": len(rows)}, thr, SRC_SHARE, "fewer than 3 sampled steps")
    dom, top, ratios = 0, {}, []
    for r in rows:
        k, mx = max(r.items(), key=lambda kv: kv[1])
        mn = min(r.values())
        ratios.append(mx / mn if mn > 0 else math.inf)
        if mx >= SHARE_MAX:
            dom += 1
            top[k] = top.get(k, 0) + 1
    mean_share = {k: _g(statistics.fmean(r[k] for r in rows), 3) for k in rows[0]}
    ev = {"samples": len(rows), "dominated_fraction": _g(dom / len(rows)), "mean_share": mean_share,
          "median_max_over_min": _g(statistics.median(ratios))}
    if top:
        ev["dominant_term"] = max(top, key=top.get)
    frac = dom / len(rows)
    if frac >= SHARE_STEPS:
        why = (f"loss term '{ev['dominant_term']}' has >= {SHARE_MAX:.0%} of the shared layer's gradient on "
               f"{frac:.0%} of the sampled steps: the other terms barely train it")
    else:
        why = (f"one term had >= {SHARE_MAX:.0%} of the gradient on {frac:.0%} of the sampled steps "
               f"(< {SHARE_STEPS:.0%}): every term moves the shared layers")
    return Check("task-grad-share", frac >= SHARE_STEPS, ev, thr, SRC_SHARE, why)


def lora_effective_update(main, boosted) -> Check:
    """Configured LoRA scaling vs α×4, same init and data."""
    thr = f"alpha x4 gives >= {LORA_GAIN:g}x the val-loss drop with no non-finite values"
    ev = {"relative_update": _g(main.lora_rel), "relative_update_alpha_x4": _g(boosted.lora_rel),
          "relative_update_floor": LORA_REL, "steps": main.steps_done}
    (a, b, common), l0 = _paired_vals(main, boosted), main.init_loss
    if common:
        ev["compared_at_epoch"] = common
    if a is None or l0 is None:
        return Check("lora-effective-update", None, ev, thr, SRC_LORA, f"the configured run ended {main.status}")
    drop = l0 - a
    ev["val_drop"] = _g(drop)
    if b is None:
        ev["status_alpha_x4"] = boosted.status
        if boosted.status != "nonfinite":  # time limit / OOM before its first validation: no evidence either way
            return Check("lora-effective-update", None, ev, thr, SRC_LORA, f"the alpha x4 run ended {boosted.status} "
                         "before validating")
        return Check("lora-effective-update", False, ev, thr, SRC_LORA, "alpha x4 went unstable: the scale is not too low")
    drop4 = l0 - b
    ev["val_drop_alpha_x4"] = _g(drop4)
    ev["gain"] = _g(drop4 / drop) if drop > 0 else "inf"
    fired = drop4 > 0 and (drop <= 0 or drop4 >= LORA_GAIN * drop)
    both = f"validation loss fell {drop4:.3g} with alpha x4 and {drop:.3g} with the configured alpha"
    if fired:
        why = (f"{both} (>= {LORA_GAIN:g} x, no non-finite values): the configured scale alpha/r makes the "
               "adapter update too small for this learning rate")
    else:
        why = f"{both} (< {LORA_GAIN:g} x): raising alpha does not train faster, the scale is not the bottleneck"
    return Check("lora-effective-update", fired, ev, thr, SRC_LORA, why)


def update_ratio(res) -> Check:
    """Median log10 update/weight ratio over sampled steps."""
    thr = f"median log10(|dθ|/|θ|) > {UPD_HIGH:g} or < {UPD_LOW:g}"
    r = [x for x in res.update_ratios if x > 0 and math.isfinite(x)]
    if len(r) < 3:
        return Check("update-ratio", None, {"samples": len(r)}, thr, SRC_UPD, "fewer than 3 sampled steps")
    m = math.log10(statistics.median(r))
    ev = {"median_log10": _g(m, 3), "samples": len(r)}
    why = "too fast" if m > UPD_HIGH else ("too slow" if m < UPD_LOW else "healthy range")
    return Check("update-ratio", m > UPD_HIGH or m < UPD_LOW, ev, thr, SRC_UPD, why)


def init_loss(res, reference: float | None) -> Check:
    """Loss before the first step vs ln(C) (classifier / from-scratch LM)."""
    thr = f"|L0 - ln C| >= {INIT_DEV:g} x ln C"
    if res.init_loss is None or reference is None:
        return Check("init-loss", None, {"init_loss": _g(res.init_loss)}, thr, SRC_INIT, "no chance-level reference for this target")
    dev = abs(res.init_loss - reference) / reference
    ev = {"init_loss": _g(res.init_loss), "ln_c": _g(reference), "deviation": _g(dev)}
    fired = dev >= INIT_DEV if math.isfinite(dev) else True
    why = (f"loss before the first step {res.init_loss:.4g} vs chance level ln C = {reference:.4g} "
           f"({dev:.0%} off; limit {INIT_DEV:.0%})" + (": the initialization or the loss is off" if fired else ""))
    return Check("init-loss", fired, ev, thr, SRC_INIT, why)
