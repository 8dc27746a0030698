"""``loss-spike`` (STL901): loss far above the rolling median of the points before it.

Source: the OLMo 2 spike score (7 robust sigma over a rolling window), adapted in
research/probe_anchors.md §10 and §13 (robust sigma = MAD x 1.4826, window
min(100, N/4), k = 4 for short runs: proposed there).
"""

from __future__ import annotations

import bisect

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _loss_points
from .stats import _g, _median, _median_sorted


def check_spikes(trace: Trace, o: dict) -> Check:
    """Loss above the rolling median of the previous w points by > k robust sigma (MAD x 1.4826).

    Units are logged points of the loss series (:func:`~.series._loss_points`), not steps.
    Options: ``spike_k`` (robust sigmas; default 7 for >= 1000 points, else 4),
    ``spike_window`` w (default max(5, min(100, n // 4)) points), ``spike_min_history``
    (points before the first judged one, 5), ``spike_min_ratio`` (the loss must also be
    >= 1.25 x the median, proposed). Consecutive spike points form one episode; the
    finding (``warning``) spans the first to the last episode. Not measurable with fewer
    than ``spike_min_history`` + 2 points.
    """
    name = "loss-spike"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    k = o["spike_k"] if o["spike_k"] is not None else (7.0 if n >= 1000 else 4.0)
    w = int(o["spike_window"] or max(5, min(100, n // 4)))
    min_ratio = float(o["spike_min_ratio"])
    thr = (f"loss > rolling median of the previous {w} points + {k:g} x 1.4826 x MAD, and >= {min_ratio:g} x "
           f"that median")
    hist = int(o["spike_min_history"])
    if n < hist + 2:
        return _unknown(name, f"only {n} loss points (need >= {hist + 2})", thr, {"points": n})
    vals = [p[2] for p in pts]
    window = sorted(vals[:hist]) if hist < w else sorted(vals[max(0, hist - w):hist])
    spikes: list[tuple[int, float, float]] = []  # (point index, value, median)
    for j in range(hist, n):
        med = _median_sorted(window)
        v = vals[j]
        if v - med > (min_ratio - 1.0) * abs(med):
            mad = _median([abs(x - med) for x in window]) * 1.4826
            if v - med > k * mad:
                spikes.append((j, v, med))
        # slide the window
        bisect.insort(window, v)
        if len(window) > w:
            window.pop(bisect.bisect_left(window, vals[j - w]))
    checked = n - hist
    if not spikes:
        return _clean(name, {"points_checked": checked, "window": w, "k": k}, thr)
    episodes: list[list[tuple[int, float, float]]] = []
    for s in spikes:
        if episodes and s[0] == episodes[-1][-1][0] + 1:
            episodes[-1].append(s)
        else:
            episodes.append([s])
    worst = max(spikes, key=lambda s: s[1] / s[2] if s[2] > 0 else s[1] - s[2])
    first = episodes[0]
    ev = {"episodes": len(episodes), "spike_points": len(spikes), "points_checked": checked,
          "spike_rate": _g(len(spikes) / checked), "first_step": pts[first[0][0]][1],
          "worst_step": pts[worst[0]][1], "worst_loss": _g(worst[1]), "median_before": _g(worst[2]),
          "worst_ratio": _g(worst[1] / worst[2]) if worst[2] > 0 else None, "window": w, "k": k,
          "series": key}
    start, end = pts[first[0][0]][1], pts[episodes[-1][-1][0]][1]
    msg = (f"{len(episodes)} loss spike{'s' if len(episodes) != 1 else ''}: worst at step {ev['worst_step']} "
           f"({ev['worst_loss']} vs median {ev['median_before']} of the previous {w} points)")
    return _make(name, "warning", msg, start, end, ev, thr, pts[first[0][0]][0], f"trace.{key}")
