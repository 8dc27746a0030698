"""``loss-divergence`` (STL903): the smoothed loss climbs far above its best and stays there.

Source: the fastai / Lightning ``lr_find`` stop rule (smoothed loss > 4 x best, EMA
beta 0.98, bias-corrected), research/probe_anchors.md §8 and §13.
"""

from __future__ import annotations

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _loss_points
from .stats import _g


def _ema(vals: list[float], beta: float) -> list[float]:
    """Bias-corrected exponential moving average of ``vals`` (same length), as fastai's lr_find smooths the loss."""
    out, avg = [], 0.0
    for i, v in enumerate(vals):
        avg = beta * avg + (1 - beta) * v
        out.append(avg / (1 - beta ** (i + 1)))
    return out


def _beta(o: dict, n: int) -> float:
    """EMA beta: 0.98 (fastai) for long logs; span n/20 for short ones so a 30-point log is not flattened.

    ``min(o["ema_beta"], 1 - 2 / (span + 1))`` with ``span = max(1, n / 20)`` points (the
    n/20 span is stablint's own, not from fastai).
    """
    span = max(1.0, n / 20.0)
    return min(float(o["ema_beta"]), 1.0 - 2.0 / (span + 1.0))


def check_divergence(trace: Trace, o: dict) -> Check:
    """Smoothed (bias-corrected EMA) loss > ``divergence_factor`` x the best smoothed loss so far, sustained.

    Units are logged points of the loss series. Fires (``error``) when the smoothed
    loss exceeds ``divergence_factor`` (4, fastai/Lightning) x the lowest smoothed loss
    before it for ``divergence_min_points`` consecutive points (3, proposed) or until the
    last point; the EMA beta is :func:`_beta`. Not measurable below 5 loss points
    (hard-coded).
    """
    name = "loss-divergence"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    fac = float(o["divergence_factor"])
    thr = f"smoothed loss > {fac:g} x best smoothed loss for >= {o['divergence_min_points']} points"
    if n < 5:
        return _unknown(name, f"only {n} loss points", thr, {"points": n})
    beta = _beta(o, n)
    sm = _ema([p[2] for p in pts], beta)
    best = sm[0]
    best_j = 0
    run_start = None
    need = int(o["divergence_min_points"])
    for j, s in enumerate(sm):
        if best > 0 and s > fac * best:
            if run_start is None:
                run_start = j
            if j - run_start + 1 >= need or j == n - 1:
                ev = {"best_smoothed": _g(best), "best_step": pts[best_j][1], "smoothed": _g(s),
                      "ratio": _g(s / best), "max_loss_after": _g(max(p[2] for p in pts[run_start:])),
                      "ema_beta": _g(beta), "series": key}
                msg = (f"loss diverged from step {pts[run_start][1]}: smoothed loss {ev['smoothed']} is "
                       f"{ev['ratio']} x the best {ev['best_smoothed']} (step {ev['best_step']})")
                return _make(name, "error", msg, pts[run_start][1], pts[-1][1], ev, thr, pts[run_start][0],
                             f"trace.{key}")
        else:
            run_start = None
        if s < best:
            best, best_j = s, j
    return _clean(name, {"best_smoothed": _g(best), "final_smoothed": _g(sm[-1]), "ema_beta": _g(beta)}, thr)
