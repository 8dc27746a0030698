"""``lr-never-changes`` (STL907): the learning rate stayed constant over most of the run.

Source: Tuning Playbook ("important to have some (non-constant) schedule"), seed 000,
research/probe_anchors.md §7.3; the 80% share is stablint's own (proposed).
"""

from __future__ import annotations

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .lr_trace import _lr_points, _same
from .stats import _g


def check_lr_constant(trace: Trace, o: dict, plateau: Check | None = None) -> Check:
    """LR identical over >= 80% of the logged steps (after any warm-up); warning when the loss also plateaued.

    The constant tail is the longest run of equal LRs (``lr_rel_tol``, 1e-6 relative)
    ending at the last point; its share is its step span over the step span of the whole
    LR series (warm-up included), in logged steps.
    Fires when the share is >= ``lr_constant_fraction`` (0.8, proposed) and the tail has
    >= ``lr_min_points`` (10) points: ``info``, or ``warning`` when ``plateau`` (the
    ``loss-plateau`` or ``early-collapse-then-plateau`` check of the same run) fired.
    Not measurable below ``lr_min_points`` LR points.
    """
    name = "lr-never-changes"
    pts = _lr_points(trace, o)
    tol = float(o["lr_rel_tol"])
    frac = float(o["lr_constant_fraction"])
    thr = f"learning rate unchanged (rel. tol {tol:g}) over >= {frac:.0%} of the logged steps"
    n = len(pts)
    if n < int(o["lr_min_points"]):
        return _unknown(name, f"only {n} learning-rate points", thr, {"points": n})
    j = n - 1
    while j > 0 and _same(pts[j - 1][2], pts[j][2], tol):
        j -= 1
    span = pts[-1][1] - pts[0][1]
    const_span = pts[-1][1] - pts[j][1]
    share = const_span / span if span else 1.0
    ev = {"lr": pts[-1][2], "constant_from_step": pts[j][1], "constant_share": _g(share), "points": n,
          "distinct_values": len({p[2] for p in pts})}
    if share >= frac and n - j >= int(o["lr_min_points"]):
        sev = "info"
        msg = f"learning rate stayed at {pts[-1][2]:g} from step {pts[j][1]} to {pts[-1][1]} ({share:.0%} of the run)"
        if plateau is not None and plateau.fired:
            sev = "warning"
            msg += "; the loss plateaued meanwhile and no scheduler reacted"
        return _make(name, sev, msg, pts[j][1], pts[-1][1], ev, thr, pts[j][0])
    return _clean(name, ev, thr, f"the learning rate changed during the run ({ev['distinct_values']} distinct values; "
                                 f"constant only over the last {share:.0%}, limit {frac:.0%})")
