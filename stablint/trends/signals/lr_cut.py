"""``lr-cut-too-late`` (STL908): a plateau scheduler cut the LR long after the loss stopped improving.

Source: seed 002 (ReduceLROnPlateau patience 10: best epoch 10, spike 13, first cut 24),
research/probe_anchors.md §12; the lag limits (6 epochs, 20% of the run, 2 x rise) are
stablint's own (proposed). ReduceLROnPlateau with patience P cuts at the earliest P + 1 epochs
after the best one (torch ``num_bad_epochs > patience``), so 6 epochs is what seed 002's fix
(patience 10 -> 5) produces: the fixed configuration must not trip its own check.
"""

from __future__ import annotations

from typing import Any

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .lr_trace import _lr_points, lr_cuts
from .series import horizon_steps, points, steps_per_epoch
from .stats import _g


def _monitored(trace: Trace, o: dict, until: int | None = None) -> tuple[list[tuple[int, int, float]], str]:
    """The loss a plateau scheduler monitors, and its key, up to step ``until`` (inclusive; None = all).

    ``eval_loss`` when it has >= 3 points in that range, else the train ``loss``.
    """
    ev_pts = points(trace, "eval_loss", o=o)
    if until is not None:
        ev_pts = [p for p in ev_pts if p[1] <= until]
    if len(ev_pts) >= 3:
        return ev_pts, "eval_loss"
    tr_pts = points(trace, "loss", o=o)
    if until is not None:
        tr_pts = [p for p in tr_pts if p[1] <= until]
    return tr_pts, "loss"


def _lag(trace: Trace, steps: int, max_ep: float, max_frac: float, ev: dict[str, Any], prefix: str) -> tuple[bool, str]:
    """Whether a lag of ``steps`` logged steps is too long, and the lag in words.

    In epochs (> ``max_ep``) when steps per epoch are known, else as a share of the run
    (> ``max_frac`` of :func:`~.series.horizon_steps`). Adds ``<prefix>_epochs`` or
    ``<prefix>_fraction`` to ``ev``.
    """
    spe = steps_per_epoch(trace)
    span = horizon_steps(trace) or 1
    if spe:
        ev[f"{prefix}_epochs"] = _g(steps / spe)
        return steps / spe > max_ep, f"{steps / spe:.3g} epochs"
    ev[f"{prefix}_fraction"] = _g(steps / span)
    return steps / span > max_frac, f"{steps} steps ({steps / span:.0%} of the run)"


def _first_index(mon: list[tuple[int, int, float]], step: int) -> int | None:
    """Record index of the first point of ``mon`` logged at ``step`` (None when there is none)."""
    return next((p[0] for p in mon if p[1] == step), None)


def check_lr_cut_late(trace: Trace, o: dict) -> Check:
    """The first plateau-style LR cut came > 6 epochs (or > 20% of the run) after the best monitored loss.

    Cuts are :func:`~.lr_trace.lr_cuts`; the monitored loss is ``eval_loss`` (>= 3 points
    before the cut) or else the train loss. The lag runs from the best monitored point to the
    monitored point that decided the cut (the last one logged before the first step with the
    new LR; a plateau scheduler is stepped on that metric), so the logging interval of the LR
    does not lengthen it. Fires (``warning``) when the lag exceeds ``lr_cut_max_lag_epochs``
    (6 epochs = patience 5 + 1; with
    steps per epoch known) or ``lr_cut_max_lag_fraction`` (0.2 of the logged steps;
    otherwise), or when the loss rose to >= ``lr_cut_max_rise`` (2) x its best before the
    cut. All proposed. With no cut at all, see :func:`_no_cut` (only when
    ``plateau_scheduler`` is set); not measurable below 4 LR points or 3 monitored
    points before the cut (hard-coded).
    """
    name = "lr-cut-too-late"
    max_ep, max_frac = float(o["lr_cut_max_lag_epochs"]), float(o["lr_cut_max_lag_fraction"])
    max_rise = float(o["lr_cut_max_rise"])
    thr = (f"first plateau LR cut > {max_ep:g} epochs (or > {max_frac:.0%} of the run) after the best monitored loss, "
           f"or after it rose >= {max_rise:g} x the best")
    lr_pts = _lr_points(trace, o)
    if len(lr_pts) < 4:
        return _unknown(name, f"only {len(lr_pts)} learning-rate points", thr)
    cuts = lr_cuts(trace, o)
    if not cuts:
        if not o.get("plateau_scheduler"):
            return _unknown(name, "no plateau-style LR cut in the log", thr, {"cuts": 0})
        return _no_cut(trace, o, name, thr, max_ep, max_frac)
    _, cut_step, before, after = cuts[0]
    mon, key = _monitored(trace, o, cut_step)
    if len(mon) < 3:
        return _unknown(name, "too few loss points before the first LR cut", thr, {"cut_step": cut_step})
    best = min(mon, key=lambda p: p[2])
    worst_after = max((p for p in mon if p[1] > best[1]), key=lambda p: p[2], default=best)
    decided = max((p[1] for p in mon if p[1] < cut_step), default=cut_step)
    lag = decided - best[1]
    ev = {"cut_step": cut_step, "decided_at_step": decided, "lr_before": before, "lr_after": after, "best_step": best[1], "best_loss": _g(best[2]),
          "lag_steps": lag, "worst_loss_before_cut": _g(worst_after[2]), "monitored": key}
    late, lag_txt = _lag(trace, lag, max_ep, max_frac, ev, "lag")
    rose = best[2] > 0 and worst_after[2] >= max_rise * best[2]
    ev["rise_before_cut"] = _g(worst_after[2] / best[2]) if best[2] > 0 else None
    if late or rose:
        msg = (f"LR was first cut ({before:g} -> {after:g}) at step {cut_step}, {lag_txt} after the best {key} "
               f"{best[2]:.4g} (step {best[1]}); {key} reached {worst_after[2]:.4g} meanwhile")
        return _make(name, "warning", msg, best[1], cut_step, ev, thr, _first_index(mon, best[1]))
    return _clean(name, ev, thr)


def _no_cut(trace: Trace, o: dict, name: str, thr: str, max_ep: float, max_frac: float) -> Check:
    """No LR cut at all: fired when the run still went on (or was stopped) long after its best loss.

    A plateau scheduler that never cut while the monitored loss stalled for more than the
    allowed lag is the same failure as a late cut (seed 002: early stopping can end the run
    before the scheduler ever acts). Stall lag and limits as in :func:`check_lr_cut_late`,
    measured from the best monitored loss to its last point. A run whose loss was still
    improving, or one too short to tell (< 3 monitored points), is not measurable
    (``fired`` None), never clean: without a cut there is nothing to time.
    """
    mon, key = _monitored(trace, o)
    if len(mon) < 3:
        return _unknown(name, "no plateau-style LR cut in the log", thr, {"cuts": 0})
    best = min(mon, key=lambda p: p[2])
    end = mon[-1][1]
    stall = end - best[1]
    ev = {"cuts": 0, "best_step": best[1], "best_loss": _g(best[2]), "last_step": end, "stall_steps": stall,
          "monitored": key}
    late, stall_txt = _lag(trace, stall, max_ep, max_frac, ev, "stall")
    if late:
        msg = (f"the LR was never cut although the best {key} {best[2]:.4g} came at step {best[1]}, "
               f"{stall_txt} before the run ended (step {end})")
        return _make(name, "warning", msg, best[1], end, ev, thr, _first_index(mon, best[1]))
    return _unknown(name, "no plateau-style LR cut in the log, and the loss was still improving", thr, ev)
