"""Run every runtime check over a trace: :func:`measure` (all checks) and :func:`analyze` (what fired)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..trace import Trace
from .base import Check, Signal
from .catalog import SEVERITY, SIGNALS, resolve_options
from .clipping import check_clip
from .collapse import check_collapse
from .divergence import check_divergence
from .early import check_early_grad_spike, check_initial_loss
from .grad_growth import check_grad_growth
from .lr_constant import check_lr_constant
from .lr_cut import check_lr_cut_late
from .nonfinite import check_nonfinite
from .overfitting import check_overfitting
from .plateau import check_plateau
from .rl import LOSS_SIGNALS, check_completion_truncation, check_reward_zero_std, is_rl_trace, muted_loss_check
from .spikes import check_spikes


_RANK = {"error": 0, "warning": 1, "info": 2}


def measure(trace: Trace, options: dict[str, Any] | None = None) -> dict[str, Check]:
    """Run every runtime check; name → :class:`Check` (fired, clean, or not measurable), in :data:`SIGNALS` order.

    ``options`` overrides :data:`DEFAULT_OPTIONS`; ``trace.meta["max_grad_norm"]`` and
    ``["warmup_steps"]`` are used when the options do not set them. When
    ``early-collapse-then-plateau`` fires, ``loss-plateau`` is reported as not fired
    (same symptom, one finding). Each fired signal is reported at most at the severity
    :data:`~.catalog.SEVERITY` gives it (``info`` for signals that did not reach the
    precision/recall goal on tests/logs_real). On an RL log (:func:`~.rl.is_rl_trace`: TRL GRPO/RLOO
    metrics) the loss-based signals (:data:`~.rl.LOSS_SIGNALS`) are reported not measurable: that
    loss is not a health measure. Never raises on odd data.
    """
    o = resolve_options(options, trace)
    o["_cache"] = {}
    out: dict[str, Check] = {}
    out["nonfinite-values"] = check_nonfinite(trace, o)
    out["loss-spike"] = check_spikes(trace, o)
    out["loss-divergence"] = check_divergence(trace, o)
    collapse = check_collapse(trace, o)
    plateau = check_plateau(trace, o)
    if collapse.fired and plateau.fired:
        plateau = Check(plateau.signal, False, plateau.evidence, plateau.threshold, plateau.source,
                        "reported as early-collapse-then-plateau")
    out["loss-plateau"] = plateau
    out["early-collapse-then-plateau"] = collapse
    out["grad-norm-growth"] = check_grad_growth(trace, o)
    out["clip-saturation"] = check_clip(trace, o)
    rl = is_rl_trace(trace, o)
    # on an RL log the loss plateau does not raise lr-never-changes to a warning (that loss is not progress)
    out["lr-never-changes"] = check_lr_constant(trace, o, None if rl else (plateau if plateau.fired else collapse))
    out["lr-cut-too-late"] = check_lr_cut_late(trace, o)
    out["overfitting"] = check_overfitting(trace, o)
    out["early-grad-spike"] = check_early_grad_spike(trace, o)
    out["initial-loss-high"] = check_initial_loss(trace, o)
    out["completion-truncation"] = check_completion_truncation(trace, o)
    out["reward-zero-std"] = check_reward_zero_std(trace, o)
    if rl:
        for name in LOSS_SIGNALS:
            out[name] = muted_loss_check(name)
    for c in out.values():
        cap = SEVERITY.get(c.signal, "error")
        if c.result is not None and _RANK[c.result.severity] < _RANK[cap]:
            c.result = replace(c.result, severity=cap)
    return {k: out[k] for k in SIGNALS}


def analyze(trace: Trace, options: dict[str, Any] | None = None) -> list[Signal]:
    """The runtime findings that fired on ``trace``, in :data:`SIGNALS` order.

    Args:
        trace: records in step order.
        options: overrides of :data:`DEFAULT_OPTIONS` (e.g. ``{"max_grad_norm": 1.0}``).

    Returns:
        One :class:`Signal` per fired check. Never raises on odd data: missing
        series make a check "not measurable" (see :func:`measure`).
    """
    return [c.result for c in measure(trace, options).values() if c.fired and c.result is not None]
