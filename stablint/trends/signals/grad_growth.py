"""``grad-norm-growth`` (STL905): the pre-clip gradient norm keeps growing over the run.

"Growing" as users mean it (issue 16, seed 000: 1.4 -> 17.7 over 3,000 steps under a
clip of 1.0): a *monotonic trend* of the level of log ||g||, judged by a Mann-Kendall
test (one-sided, significance ``grad_trend_alpha``) and sized by the Theil-Sen fitted
growth factor over the judged span (>= ``grad_growth_factor``). Neither depends on a
warm-up cut or on a late/early median ratio, which hid seed 000's steady climb
(ratio 3.6 after dropping the first 10%). See :mod:`.trend` for the statistics and
their references. Source of the symptom: OPT-175B logbook and OLMo 2 (growing grad
norms precede loss spikes), research/probe_anchors.md §10.
"""

from __future__ import annotations

import math

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import points
from .stats import _g, _median
from .trend import bin_medians, mann_kendall, theil_sen


def check_grad_growth(trace: Trace, o: dict) -> Check:
    """Mann-Kendall increasing trend (p < alpha) and Theil-Sen growth >= factor of log grad norm vs step.

    Units: logged points of the positive, finite ``grad_norm`` values (pre-clip global L2
    norm); steps as logged. Only an explicit ``warmup_steps`` (steps, from the options,
    the trace meta or a config found beside the log) is cut; no default fraction is.
    The series is reduced to ``grad_trend_bins`` (40) medians of consecutive points
    (:func:`~.trend.bin_medians`, against autocorrelation), then: Mann-Kendall one-sided
    p-value < ``grad_trend_alpha``, and ``exp(Theil-Sen slope x span in steps)`` >=
    ``grad_growth_factor``. Evidence also holds the medians of the first and last 20%
    of points and their ratio (the former criterion). Not measurable below
    ``grad_min_points`` points. Thresholds: :mod:`.catalog` (calibrated on tests/logs_real).
    """
    name = "grad-norm-growth"
    pts = [p for p in points(trace, "grad_norm", o=o) if p[2] > 0]
    fac = float(o["grad_growth_factor"])
    alpha = float(o["grad_trend_alpha"])
    thr = (f"monotonic increasing trend of log grad norm (Mann-Kendall p < {alpha:g}) and Theil-Sen fitted growth "
           f">= {fac:g}x over the run")
    if o.get("warmup_steps") and pts:
        first = pts[0][1]
        pts = [p for p in pts if p[1] - first >= o["warmup_steps"]]
    n = len(pts)
    if n < int(o["grad_min_points"]):
        return _unknown(name, f"only {n} grad_norm points (need >= {o['grad_min_points']})", thr, {"points": n})
    xs = [float(p[1]) for p in pts]
    ys = [math.log(p[2]) for p in pts]
    bx, by = bin_medians(xs, ys, int(o["grad_trend_bins"]))
    s, z, p_inc = mann_kendall(by)
    slope, _ = theil_sen(bx, by)
    span = xs[-1] - xs[0]
    growth = math.exp(min(700.0, slope * span)) if span > 0 else 1.0
    q = max(2, n // 5)
    a = _median([p[2] for p in pts[:q]])
    b = _median([p[2] for p in pts[-q:]])
    ev = {"fitted_growth": _g(growth), "mk_p": _g(p_inc, 3), "mk_z": _g(z, 3), "bins": len(by),
          "early_median": _g(a), "late_median": _g(b), "ratio": _g(b / a), "max": _g(max(p[2] for p in pts)),
          "first": _g(pts[0][2]), "last": _g(pts[-1][2]), "points": n}
    if p_inc < alpha and growth >= fac:
        msg = (f"pre-clip gradient norm grew steadily from step {pts[0][1]} to {pts[-1][1]}: fitted growth "
               f"{growth:.3g}x (Theil-Sen; median {a:.3g} -> {b:.3g}, max {ev['max']}), monotonic trend "
               f"Mann-Kendall p = {ev['mk_p']:.2g}")
        return _make(name, "warning", msg, pts[0][1], pts[-1][1], ev, thr, pts[0][0])
    return _clean(name, ev, thr)
