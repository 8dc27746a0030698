"""``loss-plateau`` (STL902): the median loss stopped falling over the last half of the log.

Source: TheDeepChecker ``NonDecreasing`` (< 5% decrease in each of the last 4 windows),
research/probe_anchors.md §13; the windows covering the last half of the points is
stablint's own (proposed).
"""

from __future__ import annotations

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _loss_points
from .stats import _g, _median, _rel_drop


def _window_medians(vals: list[float], nwin: int, size: int) -> list[float]:
    """Medians of the last ``nwin`` consecutive windows of ``size`` values each, oldest first."""
    n = len(vals)
    return [_median(vals[n - (nwin - i) * size: n - (nwin - i - 1) * size]) for i in range(nwin)]


def check_plateau(trace: Trace, o: dict) -> Check:
    """Window medians over the last half of the points fall < 5% each and < 5% overall.

    Units are logged points of the loss series. ``plateau_windows`` W (4) windows of
    ``max(2, n x plateau_fraction / W)`` points (``plateau_fraction`` 0.5, proposed;
    shrunk to ``n // (W + 1)`` when W + 1 windows do not fit) are compared with the window
    before them: fires (``warning``) when each lowers the median by <
    ``plateau_min_decrease`` (5%, TheDeepChecker) and all of them together by < 5%.
    Not measurable below ``plateau_min_points`` (12) points.
    """
    name = "loss-plateau"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    W = int(o["plateau_windows"])
    d = float(o["plateau_min_decrease"])
    thr = (f"each of the last {W} windows (last {o['plateau_fraction']:.0%} of the points) lowers the median loss "
           f"by < {d:.0%}, and by < {d:.0%} in all")
    if n < int(o["plateau_min_points"]):
        return _unknown(name, f"only {n} loss points (need >= {o['plateau_min_points']})", thr, {"points": n})
    size = max(2, int(n * float(o["plateau_fraction"]) / W))
    if (W + 1) * size > n:
        size = max(1, n // (W + 1))
    meds = _window_medians([p[2] for p in pts], W + 1, size)
    drops = [_rel_drop(meds[i - 1], meds[i]) for i in range(1, len(meds))]
    total = _rel_drop(meds[0], meds[-1])
    start_i = n - (W + 1) * size
    ev = {"window_medians": [_g(m) for m in meds], "window_points": size, "total_decrease": _g(total),
          "max_window_decrease": _g(max(drops)), "series": key}
    if all(x < d for x in drops) and total < d:
        msg = (f"loss plateaued from step {pts[start_i][1]} to {pts[-1][1]}: window medians "
               f"{' -> '.join(f'{m:.4g}' for m in meds)} (total change {-total:+.1%}, threshold -{d:.0%})")
        return _make(name, "warning", msg, pts[start_i][1], pts[-1][1], ev, thr, pts[start_i][0], f"trace.{key}")
    return _clean(name, ev, thr)
