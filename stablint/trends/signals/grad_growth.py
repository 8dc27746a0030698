"""``grad-norm-growth`` (STL905): the pre-clip gradient norm keeps growing after warm-up.

Source: OPT-175B logbook and OLMo 2 (grad-norm growth precedes loss spikes),
research/probe_anchors.md §10; the 4 x factor is stablint's own (proposed).
"""

from __future__ import annotations

import math

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _warmup_cut, points
from .stats import _g, _median


def check_grad_growth(trace: Trace, o: dict) -> Check:
    """Median pre-clip grad norm of the last 20% of points >= 4 x that of the first 20% after warm-up.

    Units: logged points of the positive ``grad_norm`` values after the warm-up
    (:func:`~.series._warmup_cut`); each fifth holds at least 2 points (the 20% is
    hard-coded). ``grad_growth_factor`` (4, proposed) is the late/early ratio; the
    least-squares slope of log grad norm (per 1000 logged steps) must also be > 0.
    Fires as ``warning``; not measurable below ``grad_min_points`` (10) points.
    """
    name = "grad-norm-growth"
    pts = [p for p in points(trace, "grad_norm", o=o) if p[2] > 0]
    fac = float(o["grad_growth_factor"])
    thr = f"median grad norm of the last 20% of points >= {fac:g} x that of the first 20% after warm-up"
    pts = pts[_warmup_cut(pts, o):]
    n = len(pts)
    if n < int(o["grad_min_points"]):
        return _unknown(name, f"only {n} grad_norm points after warm-up", thr, {"points": n})
    q = max(2, n // 5)
    a = _median([p[2] for p in pts[:q]])
    b = _median([p[2] for p in pts[-q:]])
    # least-squares slope of log ||g|| per 1000 steps
    xs = [p[1] for p in pts]
    ys = [math.log(p[2]) for p in pts]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 1000 if sxx else 0.0
    ratio = b / a
    ev = {"early_median": _g(a), "late_median": _g(b), "ratio": _g(ratio), "max": _g(max(p[2] for p in pts)),
          "log_slope_per_1000_steps": _g(slope), "points": n}
    if ratio >= fac and slope > 0:
        msg = (f"pre-clip gradient norm grew {ratio:.3g}x (median {a:.3g} -> {b:.3g}, max {ev['max']}) from step "
               f"{pts[0][1]} to {pts[-1][1]}")
        return _make(name, "warning", msg, pts[0][1], pts[-1][1], ev, thr, pts[0][0])
    return _clean(name, ev, thr)
