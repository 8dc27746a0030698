"""Checks that make sense on any log, short ones included (issue 16): a 4-entry log is not silence.

- ``early-grad-spike`` (STL911): the first logged pre-clip grad norm is far above the
  ones after it (seen on a real 4-entry log: 47.8 at loss 8.3, then 2.2). Proposed ratio;
  reported at the severity :data:`~.catalog.SEVERITY` gives it.
- ``initial-loss-high`` (STL912): the first logged training loss is far above ``ln(vocab)``,
  the cross-entropy of a uniform guess over the vocabulary: worse than chance at the
  start. Same rule and threshold as the probe's ``init-loss`` (TheDeepChecker
  ``Initial_Loss`` dev_ratio 1.0: ``L0 - ln V >= 1.0 x ln V``), judged only upward and
  only when the vocabulary size is known (options, trace meta, or ``vocab_size`` of a
  ``config.json`` beside the log). For a Trainer log the first loss is a mean over the
  first logging window, so a high value there is an under-estimate of the initial loss.
"""

from __future__ import annotations

import math

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import points
from .stats import _g, _median


def check_early_grad_spike(trace: Trace, o: dict) -> Check:
    """First positive grad norm >= ``early_spike_ratio`` (10) x the median of the later ones.

    Units: logged points of ``grad_norm`` (pre-clip global L2 norm). Not measurable with
    fewer than ``early_spike_min_points`` (3) points. The finding covers the first step only.
    """
    name = "early-grad-spike"
    r = float(o["early_spike_ratio"])
    thr = f"first grad norm >= {r:g} x the median of the later ones"
    pts = [p for p in points(trace, "grad_norm", o=o) if p[2] > 0]
    if len(pts) < int(o["early_spike_min_points"]):
        return _unknown(name, f"only {len(pts)} grad_norm points", thr, {"points": len(pts)})
    first = pts[0]
    rest = _median([p[2] for p in pts[1:]])
    ratio = first[2] / rest if rest > 0 else math.inf
    ev = {"first_step": first[1], "first": _g(first[2]), "median_after": _g(rest), "ratio": _g(ratio),
          "points": len(pts)}
    if ratio >= r:
        loss = next((x[2] for x in points(trace, "loss", o=o) if x[1] == first[1]), None)
        at = f" at loss {loss:.3g}" if loss is not None else ""
        msg = (f"first logged grad norm {first[2]:.3g} (step {first[1]}{at}) is {ratio:.3g}x the median "
               f"{rest:.3g} of the {len(pts) - 1} later ones: an unstable first step (check warm-up and init)")
        return _make(name, "warning", msg, first[1], first[1], ev, thr, first[0])
    return _clean(name, ev, thr)


def check_initial_loss(trace: Trace, o: dict) -> Check:
    """First finite training loss >= (1 + ``init_loss_dev_ratio``) x ln(``vocab_size``).

    Not measurable without a vocabulary size (> 1) or a training loss.
    """
    name = "initial-loss-high"
    dev = float(o["init_loss_dev_ratio"])
    thr = f"first loss - ln(vocab) >= {dev:g} x ln(vocab)"
    v = o.get("vocab_size")
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 1:
        return _unknown(name, "vocabulary size unknown (no config.json beside the log)", thr)
    pts = points(trace, "loss", o=o)
    if not pts:
        return _unknown(name, "no training loss", thr)
    ln_v = math.log(v)
    first = pts[0]
    d = (first[2] - ln_v) / ln_v
    ev = {"first_loss": _g(first[2]), "first_step": first[1], "ln_vocab": _g(ln_v), "vocab_size": v,
          "deviation": _g(d)}
    if d >= dev:
        msg = (f"first logged loss {first[2]:.4g} (step {first[1]}) is {first[2] / ln_v:.3g}x ln(vocab {v:g}) = "
               f"{ln_v:.3g}, the loss of a uniform guess: the start is worse than chance (check labels, "
               f"loss scaling and init)")
        return _make(name, "warning", msg, first[1], first[1], ev, thr, first[0])
    return _clean(name, ev, thr)
