"""``early-collapse-then-plateau`` (STL904): the loss falls ~100% at once, then stops improving.

Source: Karpathy's recipe ("hockey stick" loss: init well), seed 001,
research/probe_anchors.md §7.1; the thresholds are stablint's own (proposed).
"""

from __future__ import annotations

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _loss_points
from .stats import _g, _median, _rel_drop


def check_collapse(trace: Trace, o: dict) -> Check:
    """A >= 99% loss drop within the first 10% of the steps, then < 10% further improvement.

    ``collapse_drop`` (0.99): drop of the lowest loss logged within the first
    ``collapse_fraction`` (0.1) of the logged *step* range, relative to the first loss.
    ``collapse_after_min_decrease`` (0.1): relative decrease from the median of the first
    1/8 to the median of the last 1/8 of the later points (at least 2 points each). All
    proposed. Fires as ``warning``; clean when the first loss is <= 0 or fewer than 4
    points follow the low; not measurable below 10 loss points (hard-coded).
    """
    name = "early-collapse-then-plateau"
    pts, _ = _loss_points(trace, o)
    n = len(pts)
    drop_thr = float(o["collapse_drop"])
    thr = (f"loss drops >= {drop_thr:.0%} within the first {o['collapse_fraction']:.0%} of the steps, then improves "
           f"< {o['collapse_after_min_decrease']:.0%}")
    if n < 10:
        return _unknown(name, f"only {n} loss points", thr, {"points": n})
    s0, s1 = pts[0][1], pts[-1][1]
    limit = s0 + float(o["collapse_fraction"]) * (s1 - s0)
    early = [p for p in pts[1:] if p[1] <= limit] or [pts[1]]
    l0 = pts[0][2]
    low = min(early, key=lambda p: p[2])
    if l0 <= 0:
        return _clean(name, {"initial_loss": _g(l0)}, thr, "initial loss <= 0")
    drop = 1 - low[2] / l0
    rest = [p[2] for p in pts if p[1] > low[1]]
    ev = {"initial_loss": _g(l0), "early_min_loss": _g(low[2]), "early_min_step": low[1], "early_drop": _g(drop, 6)}
    if drop < drop_thr or len(rest) < 4:
        return _clean(name, ev, thr)
    size = max(2, len(rest) // 8)
    a, b = _median(rest[:size]), _median(rest[-size:])
    after = _rel_drop(a, b)
    ev.update({"after_start_median": _g(a), "final_median": _g(b), "after_decrease": _g(after)})
    if after < float(o["collapse_after_min_decrease"]):
        msg = (f"loss fell {drop:.2%} ({ev['initial_loss']} -> {ev['early_min_loss']}) by step {low[1]}, then "
               f"stayed flat ({a:.4g} -> {b:.4g}, {-after:+.1%}): a badly scaled loss or init hit a floor")
        return _make(name, "warning", msg, pts[0][1], pts[-1][1], ev, thr, pts[0][0])
    return _clean(name, ev, thr)
