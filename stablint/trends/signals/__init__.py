"""Runtime signals: trend analysis over a :class:`~stablint.trends.trace.Trace`.

Shared by ``stablint probe`` (a short instrumented run) and ``stablint diagnose``
(logs of a run that already happened). Pure Python, no numpy, never imports torch.

Public API (stable; the probe depends on it), all importable from this package:

- :func:`analyze(trace, options=None) -> list[Signal]`: every runtime finding that
  fired, in :data:`SIGNALS` order. Each :class:`Signal` carries its name and code
  (STL9xx, shared vocabulary), severity, message, step range, evidence numbers,
  threshold text and the threshold's source.
- :func:`measure(trace, options=None) -> dict[str, Check]`: the measurement behind
  each signal, *including those that did not fire* (``Check.fired`` is ``True``,
  ``False`` or ``None`` = could not be measured: series missing or too short). The
  judge (:mod:`stablint.trends.judge`) turns checks into verdicts.
- :data:`SIGNALS`: name → code; :data:`DEFAULT_OPTIONS`: every threshold (each with its
  source in a comment, :mod:`.catalog`); :data:`SOURCES`: signal name → the source
  printed with its findings. Options may be overridden per call.
- :func:`signal_findings`, :func:`points`, :func:`eval_series`, :func:`steps_per_epoch`,
  :func:`horizon_steps`, :func:`lr_cuts` and the ``check_*`` function of each signal.

Layout (one signal family per module): :mod:`.catalog` (names, codes, thresholds,
sources), :mod:`.base` (:class:`Signal`, :class:`Check`), :mod:`.series` (series
extraction), :mod:`.stats` (medians, percentiles, rounding), :mod:`.nonfinite`,
:mod:`.spikes`, :mod:`.divergence`, :mod:`.plateau`, :mod:`.collapse`,
:mod:`.grad_growth` (with :mod:`.trend`: Mann-Kendall, Theil-Sen), :mod:`.clipping`,
:mod:`.lr_trace` (LR series and cuts), :mod:`.lr_constant`, :mod:`.lr_cut`, :mod:`.overfitting`,
:mod:`.early` (short-log checks: ``early-grad-spike``, ``initial-loss-high``), :mod:`.rl` (RL logs:
``completion-truncation``, ``reward-zero-std``, RL-log detection), and :mod:`.measure`
(runs them all and caps each fired signal at :data:`~.catalog.SEVERITY`).

API changes of issue 16 (additive): two signals (STL911, STL912) in :data:`SIGNALS`, so
:func:`measure` returns 12 checks; new options ``grad_trend_alpha``, ``grad_trend_bins``,
``early_spike_ratio``, ``early_spike_min_points``, ``init_loss_dev_ratio``, ``vocab_size``;
``grad-norm-growth`` evidence gains ``fitted_growth``, ``mk_p``, ``mk_z``, ``bins``, ``first``,
``last`` (``ratio``, ``early_median``, ``late_median``, ``max``, ``points`` kept) and no longer
cuts a default warm-up fraction; :data:`~.catalog.SEVERITY` caps severities (several signals
ship at ``info``, docs/diagnose.md); :data:`~.catalog.PROBE_THRESHOLDS` holds the probe-only
thresholds.

API changes of issue 15 (additive): two RL signals (STL913 ``completion-truncation``, STL914
``reward-zero-std``, :mod:`.rl`), so :func:`measure` returns 14 checks; on an RL log (TRL GRPO/RLOO
metrics, :func:`is_rl_trace`) the loss-based checks are not measurable; new options ``rl_log``,
``rl_tail_fraction``, ``truncation_share``, ``truncation_min_points``, ``zero_std_share``,
``zero_std_min_points``, ``zero_std_eps``.

Units: ``step`` values are whatever the trace logged (optimizer steps for HF,
Lightning, the probe; iterations for nanoGPT); "points" are logged records, not
steps (HF logs every ``logging_steps`` = 500 by default). ``grad_norm`` is the
pre-clip global L2 norm; HF's ``loss`` is a mean over the logging window.

Thresholds come from research/probe_anchors.md §7 to §13 (sources named
per option) and were calibrated on the real logs of tests/logs_real (docs/diagnose.md:
each option's comment gives its precision/recall on the 34 test logs).
"""

from __future__ import annotations

from .base import Check, Signal, signal_findings
from .catalog import DEFAULT_OPTIONS, SIGNALS, SOURCES
from .clipping import check_clip
from .collapse import check_collapse
from .divergence import check_divergence
from .early import check_early_grad_spike, check_initial_loss
from .grad_growth import check_grad_growth
from .lr_constant import check_lr_constant
from .lr_cut import check_lr_cut_late
from .lr_trace import lr_cuts
from .measure import analyze, measure
from .nonfinite import check_nonfinite
from .overfitting import check_overfitting
from .plateau import check_plateau
from .rl import check_completion_truncation, check_reward_zero_std, is_rl_trace
from .series import eval_series, horizon_steps, points, steps_per_epoch
from .spikes import check_spikes
from .stats import _g  # noqa: F401  (imported by stablint.probes.signals_probe: the shared evidence rounding)

__all__ = [
    "DEFAULT_OPTIONS", "SIGNALS", "SOURCES", "Check", "Signal", "analyze", "check_clip", "check_collapse",
    "check_completion_truncation", "check_reward_zero_std", "is_rl_trace",
    "check_divergence", "check_early_grad_spike", "check_grad_growth", "check_initial_loss", "check_lr_constant", "check_lr_cut_late", "check_nonfinite",
    "check_overfitting", "check_plateau", "check_spikes", "eval_series", "horizon_steps", "lr_cuts", "measure",
    "points", "signal_findings", "steps_per_epoch",
]
