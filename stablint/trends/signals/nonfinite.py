"""``nonfinite-values`` (STL909): NaN/Inf anywhere in the logged loss, gradient norm, eval loss or LR.

Source: SMD ExplodingTensor, AUTOTRAINER ``nan_loss``; HF's ``logging_nan_inf_filter``
signature (research/probe_anchors.md §11.1, §13). No threshold: any non-finite value fires.
"""

from __future__ import annotations

import math
from typing import Any

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import points


def check_nonfinite(trace: Trace, o: dict) -> Check:
    """NaN/Inf in loss, grad_norm, eval_loss, lr or loss terms; HF's ``grad_norm: NaN`` + ``loss: 0.0`` signature.

    Severity ``error``. Evidence counts the non-finite values per series
    (``nonfinite_<key>``), the first/last logged step with one, and
    ``nan_grad_norm_with_zero_loss``: rows where HF's ``logging_nan_inf_filter`` replaced
    a NaN loss by 0.0 while the grad norm stayed NaN. Not measurable when none of the
    four series has a value. ``o``: options of one measure call (only its cache is used).
    """
    name = "nonfinite-values"
    thr = "any NaN/Inf in loss, grad_norm, eval_loss, lr or loss terms"
    first = last = first_idx = None
    counts: dict[str, int] = {}
    hf_sig = 0
    measured = 0
    bad_idx: set[int] = set()
    for key in ("loss", "grad_norm", "eval_loss", "lr"):
        allp = points(trace, key, finite=False, o=o)
        measured += len(allp)
        bad = [p for p in allp if not math.isfinite(p[2])]
        if bad:
            counts[key] = len(bad)
            bad_idx.update(p[0] for p in bad)
            if key == "grad_norm":
                hf_sig = sum(1 for p in bad if trace.records[p[0]].loss == 0.0)
    for i, r in enumerate(trace.records):
        for term, v in (r.loss_terms or {}).items():
            if isinstance(v, float) and not math.isfinite(v):
                counts[f"loss_terms.{term}"] = counts.get(f"loss_terms.{term}", 0) + 1
                bad_idx.add(i)
    if bad_idx:
        first_idx, last_idx = min(bad_idx), max(bad_idx)
        first, last = trace.records[first_idx].step, trace.records[last_idx].step
    if not measured:
        return _unknown(name, "no loss, grad_norm, eval_loss or lr values in the log", thr)
    ev: dict[str, Any] = {f"nonfinite_{k}": v for k, v in counts.items()}
    if not counts:
        return _clean(name, {"values_checked": measured}, thr)
    ev["first_step"] = first
    ev["last_step"] = last
    if hf_sig:
        ev["nan_grad_norm_with_zero_loss"] = hf_sig
    total = sum(counts.values())
    which = ", ".join(f"{k} x{v}" for k, v in counts.items())
    msg = f"non-finite values from step {first} to {last} ({which})"
    if hf_sig:
        msg += (f"; {hf_sig} rows have grad_norm NaN with loss 0.0 (the Trainer's logging_nan_inf_filter hides the "
                "NaN losses: training has diverged)")
    fld = "trace.grad_norm" if "loss" not in counts and "grad_norm" in counts else "trace.loss"
    ev["nonfinite_total"] = total
    return _make(name, "error", msg, first, last, ev, thr, first_idx, fld)
