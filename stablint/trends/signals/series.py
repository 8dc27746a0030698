"""Series extraction from a :class:`~stablint.trends.trace.Trace`, shared by the signal modules.

A series is a list of ``(record index, step, value)`` tuples in record order:
``record index`` points into ``trace.records`` (for line lookup), ``step`` is the
logged step, ``value`` a float.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..trace import Trace

#: StepRecord attributes read directly; any other key is looked up in ``StepRecord.extra``.
_RECORD_FIELDS = frozenset(("loss", "eval_loss", "lr", "grad_norm", "epoch", "update_ratio", "loss_scale"))

#: ``eval_loss`` and ``eval_<name>_loss`` keys (HF's per-dataset evaluation losses).
_EVAL_LOSS = re.compile(r"^eval_(.+_)?loss$")


def points(trace: Trace, key: str, finite: bool = True, o: dict | None = None) -> list[tuple[int, int, float]]:
    """``(record index, step, value)`` of ``key`` (a StepRecord field or an ``extra`` key).

    Only ``int`` and ``float`` values count (``bool``, strings and ``None`` are skipped).

    Args:
        finite: drop NaN/Inf values (the ``nonfinite-values`` signal reports them).
        o: options dict of one :func:`~stablint.trends.signals.measure` call; its
            ``"_cache"`` memoizes series (the returned list is shared: do not mutate it).
    """
    cache = o.get("_cache") if o is not None else None
    if cache is not None and (key, finite) in cache:
        return cache[(key, finite)]
    recs = trace.records
    if key in _RECORD_FIELDS:
        raw = [(i, r.step, getattr(r, key)) for i, r in enumerate(recs)]
    else:
        raw = [(i, r.step, r.extra.get(key)) for i, r in enumerate(recs)]
    out = []
    isf = math.isfinite
    for i, st, v in raw:
        t = type(v)
        if t is float:
            if finite and not isf(v):
                continue
            out.append((i, st, v))
        elif t is int:
            out.append((i, st, float(v)))
    if cache is not None:
        cache[(key, finite)] = out
    return out


def _loss_points(trace: Trace, o: dict | None = None) -> tuple[list[tuple[int, int, float]], str]:
    """The loss series the loss signals judge, and its key.

    The train ``loss`` when it has >= 3 finite points, else ``eval_loss`` when that has
    more points (a log with evaluations only), else the (short) train loss.
    """
    pts = points(trace, "loss", o=o)
    if len(pts) >= 3:
        return pts, "loss"
    ev = points(trace, "eval_loss", o=o)
    return (ev, "eval_loss") if len(ev) > len(pts) else (pts, "loss")


def _warmup_cut(pts: list[tuple[int, int, float]], o: dict[str, Any]) -> int:
    """Number of leading points of ``pts`` to skip as warm-up.

    ``o["warmup_steps"]`` (steps, counted from the first point's step) when set and
    non-zero, else ``o["warmup_fraction"]`` of the points (default 0.1, proposed).
    """
    if not pts:
        return 0
    if o.get("warmup_steps"):
        first = pts[0][1]
        return sum(1 for p in pts if p[1] - first < o["warmup_steps"])
    return int(len(pts) * float(o["warmup_fraction"]))


def eval_series(trace: Trace, o: dict | None = None) -> dict[str, list[tuple[int, int, float]]]:
    """Every evaluation-loss series: ``eval_loss`` plus ``extra`` keys ``eval_<name>_loss`` (sorted by key).

    Series without a finite value are left out; ``o`` as in :func:`points`.
    """
    out = {}
    ev = points(trace, "eval_loss", o=o)
    if ev:
        out["eval_loss"] = ev
    names: set[str] = set()
    for r in trace.records:
        if r.extra:
            names.update(r.extra)
    keys = sorted(k for k in names if _EVAL_LOSS.match(k))
    for k in keys:
        pts = points(trace, k, o=o)
        if pts:
            out[k] = pts
    return out


def steps_per_epoch(trace: Trace) -> float | None:
    """Optimizer steps per epoch: ``meta["steps_per_epoch"]`` or inferred from (step, epoch) pairs.

    Inferred from the first and last records with a positive epoch; ``None`` when fewer
    than two such records exist or they give no positive rate.
    """
    spe = trace.meta.get("steps_per_epoch")
    if spe:
        return float(spe)
    pairs = [(r.step, r.epoch) for r in trace.records if r.epoch and r.epoch > 0 and isinstance(r.epoch, (int, float))]
    if len(pairs) < 2:
        return None
    (s0, e0), (s1, e1) = pairs[0], pairs[-1]
    if e1 > e0 and s1 > s0:
        return (s1 - s0) / (e1 - e0)
    return s1 / e1 if e1 > 0 and s1 > 0 else None


def horizon_steps(trace: Trace) -> int:
    """Steps covered by the trace: ``meta["horizon_steps"]`` or last step - first step (0 when empty)."""
    if trace.meta.get("horizon_steps") is not None:
        return int(trace.meta["horizon_steps"])
    if not trace.records:
        return 0
    return int(trace.records[-1].step - trace.records[0].step)
