"""``clip-saturation`` (STL906): gradient clipping acts on most steps (a hidden LR cut).

Source: Google Deep Learning Tuning Playbook (> 50% of updates clipped = extremely
aggressive; clip near the p90 of grad norms), docs/signals.md#clip-saturation.
"""

from __future__ import annotations

import math
from typing import Any

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import _warmup_cut, points
from .stats import _g, _pct


def _num(v: Any) -> float | None:
    """``v`` as a float when it is an int or float (not a bool), else None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def check_clip(trace: Trace, o: dict) -> Check:
    """Share of post-warm-up steps whose pre-clip grad norm exceeds ``max_grad_norm``.

    Units: logged points after the warm-up (:func:`~.series._warmup_cut`); ``grad_norm``
    is the pre-clip global L2 norm, compared with ``max_grad_norm`` (same unit; from the
    options, the trace meta or ``--config``). Without post-warm-up grad norms the check is
    not measurable (``clipped`` flags alone are not counted: they are not norms). Fires (``warning``) at a clip rate >= ``clip_rate_warn``
    (0.5, Tuning Playbook); >= ``clip_rate_severe`` (0.9, research §13) words it as
    "nearly every step". Not measurable without ``max_grad_norm`` or with fewer than
    ``clip_min_samples`` (20, research §13) post-warm-up samples. Evidence holds the
    p50/p90/max grad norm and the 95% normal-approximation half-width of the rate.
    """
    name = "clip-saturation"
    c = o.get("max_grad_norm")
    warn, severe = float(o["clip_rate_warn"]), float(o["clip_rate_severe"])
    thr = f"grad_norm > max_grad_norm on >= {warn:.0%} of post-warm-up steps (>= {severe:.0%}: nearly every step)"
    c = _num(c)
    if not c or c <= 0:
        return _unknown(name, "max_grad_norm unknown (pass --max-grad-norm or --config)", thr)
    every = points(trace, "grad_norm", o=o)
    pts = every[_warmup_cut(every, o):]
    n = len(pts)
    if n == 0:
        # Only grad norms show how hard clipping bites (p50/p90 against max_grad_norm); 0/1
        # "clipped" flags are not norms, so without norms after warm-up nothing is judged.
        if every:
            return _unknown(name, f"warm-up covers all {len(every)} logged grad_norm points: no post-warm-up "
                                  "steps to judge clipping on (probe longer, or log past the warm-up)", thr,
                            {"warmup_points": len(every), "max_grad_norm": c})
        flags = [r.clipped for r in trace.records if r.clipped is not None]
        if flags:
            return _unknown(name, f"the log has 'clipped' flags ({sum(map(bool, flags))} of {len(flags)} set) but no "
                                  "pre-clip grad_norm values: how far above the threshold the norms are is unknown",
                            thr, {"clipped_flags": sum(map(bool, flags)), "flag_samples": len(flags),
                                  "max_grad_norm": c})
        return _unknown(name, "no grad_norm values in the log", thr)
    over = [p for p in pts if p[2] > c]
    rate = len(over) / n
    g = [p[2] for p in pts]
    ci = 1.96 * math.sqrt(rate * (1 - rate) / n) if n else float("nan")
    ev = {"clip_rate": _g(rate), "samples": n, "clipped": len(over), "max_grad_norm": c, "p50": _g(_pct(g, 0.5)),
          "p90": _g(_pct(g, 0.9)), "max": _g(max(g)), "ci95_halfwidth": _g(ci)}
    if n < int(o["clip_min_samples"]):
        return _unknown(name, f"only {n} post-warm-up grad_norm samples (need >= {o['clip_min_samples']})", thr, ev)
    if rate >= warn:
        how = "nearly every step" if rate >= severe else "more than half of the steps"
        msg = (f"gradient clipping at {c:g} acted on {rate:.0%} of {n} logged steps ({how}); pre-clip grad norm "
               f"p50 {ev['p50']}, p90 {ev['p90']}, max {ev['max']}: clipping this hard is a hidden LR cut "
               f"(set max_grad_norm near the p90, or lower the LR)")
        return _make(name, "warning", msg, over[0][1], over[-1][1], ev, thr, over[0][0])
    return _clean(name, ev, thr)
