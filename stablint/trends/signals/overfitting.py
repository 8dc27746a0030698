"""``overfitting`` (STL910): an evaluation loss rose from its best while the train loss kept falling.

Source: UMLAUT ``check_overfitting`` (eval up while train down), SMD Overfit,
research/probe_anchors.md §13 ``overfit_gap``; the 5% rise is stablint's own (proposed).
"""

from __future__ import annotations

import bisect

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import eval_series, points
from .stats import _g, _median


def _train_at(train: list[tuple[int, int, float]], step: int, width: int = 2) -> float | None:
    """Median of the train losses logged at or just before ``step`` (up to ``width`` + 1 points)."""
    steps = [p[1] for p in train]
    j = bisect.bisect_right(steps, step)
    if j == 0:
        return None
    return _median([p[2] for p in train[max(0, j - 1 - width):j]])


def check_overfitting(trace: Trace, o: dict) -> Check:
    """Eval loss rose >= 5% above its best over >= 2 evaluations while the train loss kept falling.

    Every evaluation series (:func:`~.series.eval_series`) with >= ``overfit_min_evals``
    (3) points is judged: after its best value, the last ``overfit_patience`` (2)
    evaluations are all worse, the final one is >= ``overfit_min_rise`` (0.05, proposed)
    above the best, and the train loss (median of up to 3 points logged at or before each
    evaluation step) fell between the two. Fires (``warning``) on the series with the
    largest rise; evidence adds ``gap_ratio`` = (final eval - train) / train, SMD's
    Overfit measure. Not measurable without such a series or without >= 2 train losses.
    """
    name = "overfitting"
    rise_thr, pat = float(o["overfit_min_rise"]), int(o["overfit_patience"])
    thr = (f"after its best, eval loss is worse on the last >= {pat} evaluations and ends >= {rise_thr:.0%} above the "
           f"best, while the train loss fell")
    series = {k: v for k, v in eval_series(trace, o).items() if len(v) >= int(o["overfit_min_evals"])}
    train = points(trace, "loss", o=o)
    if not series:
        return _unknown(name, "fewer than 3 evaluation losses in the log", thr)
    if len(train) < 2:
        return _unknown(name, "no train loss to compare with", thr)
    hits = []
    for key, pts in series.items():
        bi = min(range(len(pts)), key=lambda i: pts[i][2])
        best = pts[bi]
        after = pts[bi + 1:]
        final = pts[-1]
        if len(after) < pat or best[2] <= 0:
            continue
        rise = final[2] / best[2] - 1
        tb, tf = _train_at(train, best[1]), _train_at(train, final[1])
        if tb is None or tf is None:
            continue
        if rise >= rise_thr and all(p[2] > best[2] for p in after[-pat:]) and tf < tb:
            gap = (final[2] - tf) / abs(tf) if tf else float("inf")
            hits.append((rise, key, best, final, tb, tf, gap))
    if not hits:
        return _clean(name, {"series": len(series)}, thr)
    hits.sort(reverse=True)
    rise, key, best, final, tb, tf, gap = hits[0]
    ev = {"series": key, "series_overfitting": len(hits), "series_checked": len(series), "best_eval": _g(best[2]),
          "best_step": best[1], "final_eval": _g(final[2]), "final_step": final[1], "eval_rise": _g(rise),
          "train_at_best": _g(tb), "train_at_final": _g(tf), "gap_ratio": _g(gap)}
    msg = (f"{key} rose from {best[2]:.4g} (step {best[1]}) to {final[2]:.4g} (step {final[1]}, +{rise:.0%}) while "
           f"the train loss fell {tb:.4g} -> {tf:.4g}")
    if len(hits) > 1:
        msg += f"; {len(hits)} of {len(series)} eval series rose"
    return _make(name, "warning", msg, best[1], final[1], ev, thr, best[0], f"trace.{key}")
