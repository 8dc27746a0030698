"""The runtime-signal catalog: names and codes, every threshold with its default, and their sources.

One table for all signals so that ``stablint diagnose``, the probe and the judge
share one vocabulary. Each signal module reads its thresholds from the options
dict built by :func:`resolve_options`; none hard-codes a value listed here.
"""

from __future__ import annotations

from typing import Any

from ..trace import Trace

#: Runtime finding name → code (shared vocabulary with the probe; do not renumber).
SIGNALS: dict[str, str] = {
    "loss-spike": "STL901",
    "loss-plateau": "STL902",
    "loss-divergence": "STL903",
    "early-collapse-then-plateau": "STL904",
    "grad-norm-growth": "STL905",
    "clip-saturation": "STL906",
    "lr-never-changes": "STL907",
    "lr-cut-too-late": "STL908",
    "nonfinite-values": "STL909",
    "overfitting": "STL910",
    "early-grad-spike": "STL911",
    "initial-loss-high": "STL912",
    "completion-truncation": "STL913",
    "reward-zero-std": "STL914",
}

#: Every threshold (option name → default). ``None`` = derived from the trace length.
#: Units: "points" are logged records of the series concerned (not steps); "steps" are
#: logged ``step`` values; fractions are shares of the logged points (or steps, where said).
#: ``research`` is /work/shared/research/probe_anchors.md; *(proposed)* = stablint's own,
#: still to be calibrated (the research document's convention).
DEFAULT_OPTIONS: dict[str, Any] = {
    # spikes (OLMo 2 spike score, research §10)
    "spike_k": None,              # robust sigmas; None: 7 for >= 1000 points (OLMo 2), else 4 (research §13, proposed)
    "spike_window": None,         # previous points in the rolling median; None: max(5, min(100, n // 4)) (§13)
    "spike_min_history": 5,       # points before the first judged one; flat over 3..20 on the calibration half,
                                  # kept (source: tests/logs_real, precision 0.78 / recall 0.88 on 34 test logs)
    "spike_min_ratio": 1.25,      # and loss >= 1.25 x rolling median (proposed; 1.1 adds a false positive on the
                                  # calibration half, 1.25..2 equal; source: tests/logs_real, P 0.78 / R 0.88 on 34 test logs)
    # divergence (fastai / Lightning LR-finder stop rule, research §8, §13)
    "divergence_factor": 4.0,     # smoothed loss > 4 x best smoothed loss (fastai/Lightning lr_find); 2 adds a false
                                  # positive, 3..4 equal (source: tests/logs_real, P 0.67 / R 1.00 on 34 test logs)
    "ema_beta": 0.98,             # EMA smoothing of the loss, bias-corrected (fastai lr_find)
    "divergence_min_points": 3,   # sustained for >= 3 logged points, or until the end (proposed)
    # plateau (TheDeepChecker NonDecreasing, research §13)
    "plateau_windows": 4,         # windows judged (TheDeepChecker: last 4 windows)
    "plateau_fraction": 0.5,      # the windows cover the last half of the logged points (proposed)
    "plateau_min_decrease": 0.05,  # < 5% decrease of the median per window = no progress (TheDeepChecker); 0.02/0.03
                                   # lose the calibration positive, 0.1 adds 2 false positives (source: tests/logs_real,
                                   # P 1.00 / R 0.75 on 34 test logs)
    "plateau_min_points": 12,     # loss points needed before judging; flat over 8..24, 32 loses the calibration
                                  # positive (source: tests/logs_real, P 1.00 / R 0.75 on 34 test logs)
    # early collapse then plateau (seed 001; Karpathy "hockey stick", research §7.1)
    "collapse_drop": 0.99,        # loss falls >= 99% of its first value ... (proposed)
    "collapse_fraction": 0.1,     # ... within the first 10% of the logged steps (proposed)
    "collapse_after_min_decrease": 0.1,  # then falls < 10% more (median of the first vs last 1/8) (proposed)
    # grad-norm growth (OPT logbook / OLMo 2: growing norms precede spikes, research §10); monotonic trend
    # test (Mann-Kendall + Theil-Sen, signals/trend.py), issue 16
    "grad_growth_factor": 3.0,    # Theil-Sen fitted growth over the run (issue 16: ">= 3x over the run"); flat over
                                  # 2..4, 5 loses the calibration positive (source: tests/logs_real, P 1.00 / R 1.00 on
                                  # 34 test logs: one positive there, weak evidence)
    "grad_trend_alpha": 0.01,     # Mann-Kendall one-sided significance level; flat over 0.001..0.05 (source:
                                  # tests/logs_real, P 1.00 / R 1.00 on 34 test logs, one positive)
    "grad_trend_bins": 40,        # medians of consecutive points the trend test runs on (autocorrelation)
    "grad_min_points": 10,        # grad_norm points needed (the normal approximation of Mann-Kendall: n >= 10); flat
                                  # over 8..24 (source: tests/logs_real, P 1.00 / R 1.00 on 34 test logs, one positive)
    "warmup_fraction": 0.1,       # leading share of points skipped as warm-up (proposed)
    "warmup_steps": None,         # explicit warm-up length in steps (wins over the fraction)
    # clip saturation (Tuning Playbook: > 50% clipped = extremely aggressive, research §7.3)
    "max_grad_norm": None,        # the run's clipping threshold (same unit as grad_norm: global L2 norm)
    "clip_rate_warn": 0.5,        # Tuning Playbook: > 50% of updates clipped = extremely aggressive
    "clip_rate_severe": 0.9,      # research §13 clip_rate: >= 90% = "nearly every step"
                                  # (bench/validity: with Adam, 0 of 8 saturated probes (clip rate 1.0) had a worse
                                  # long run than clip 1.0; the probe reports them inconclusive, verdicts.UNRELIABLE)
    "clip_min_samples": 20,       # research §13 verdict logic: < 20 post-warm-up steps is inconclusive
    # learning rate
    "lr_min_points": 10,          # learning-rate points needed (and the minimum length of the constant tail); 5 and 10
                                  # equal, 20 loses a positive (source: tests/logs_real, P 1.00 / R 1.00 on 34 test logs)
    "lr_rel_tol": 1e-6,           # relative tolerance under which two logged LRs are equal; flat over 1e-9..1e-3
                                  # (source: tests/logs_real, P 1.00 / R 1.00 on 34 test logs)
    "lr_constant_fraction": 0.8,  # constant over >= 80% of the run (after warm-up) (proposed); bench/validity: flat
                                  # over 0.5..1.0 (0.50 on 6 held-out probes: a probe with no cut is often followed by
                                  # a long run that cuts; probe verdicts inconclusive except early-stop-before-lr-drop)
    "lr_cut_ratio": 0.9,          # a drop to <= 0.9 x after a flat stretch is a plateau-style cut; not calibratable:
                                  # no labelled positive (source: tests/logs_real, 0 false positives on 34 test logs,
                                  # recall unmeasured)
    "lr_cut_max_lag_epochs": 6,   # patience 5 (seed 002's fix, 10 -> 5) cuts 5 + 1 epochs after the best (proposed);
                                  # bench/validity: flat over 3..11, 0 of 4 probe confirmations had a worse long run
    "lr_cut_max_lag_fraction": 0.2,  # when epochs are unknown (proposed)
    "lr_cut_max_rise": 2.0,       # or the monitored loss rose >= 2 x its best before the cut (proposed)
    "plateau_scheduler": False,   # the config has a plateau scheduler (set by judge from the plan): a run with
                                  # no LR cut at all long after its best loss is then a late cut too
    # overfitting (UMLAUT check_overfitting; SMD Overfit ratio 0.1; research §13 overfit_gap)
    "overfit_min_rise": 0.05,     # final eval >= 1.05 x best eval (proposed; 0.02 = 0.05, 0.1 loses 1 of 5 calibration
                                  # positives; source: tests/logs_real, P 0.88 / R 0.88 on 34 test logs)
    "overfit_min_evals": 3,       # evaluations of one series needed; flat over 3..5 (source: tests/logs_real,
                                  # P 0.88 / R 0.88 on 34 test logs)
    "overfit_patience": 2,        # evaluations after the best one, all worse; flat over 1..3 (source: tests/logs_real,
                                  # P 0.88 / R 0.88 on 34 test logs)
    # short-log checks (issue 16): judged on any log with >= 2 points
    "early_spike_ratio": 10.0,    # first grad norm >= 10 x the median of the later ones (proposed; the label rule
                                  # uses the same ratio, so tests/logs_real only shows 5 adds 3 and 20 drops 2 of 4
                                  # calibration hits; fires on 9 of 65 real logs)
    "early_spike_min_points": 3,  # grad_norm points needed (the first + >= 2 later ones)
    "init_loss_dev_ratio": 1.0,   # first loss >= (1 + 1.0) x ln(vocab): TheDeepChecker Initial_Loss dev_ratio 1.0
    "vocab_size": None,           # from the options, the trace meta or a config.json beside the log
    # RL logs (TRL GRPOTrainer / RLOOTrainer metrics, issue 15; signals/rl.py)
    "rl_log": None,               # None: detect from the metric names (reward, reward_std, frac_reward_zero_std,
                                  # completion_length, completions/*); True/False forces. On an RL log the loss-based
                                  # signals are not judged (GRPO's loss is ~beta x KL, huggingface/open-r1#239; on 7 real
                                  # GRPO logs they fired 6 findings, all on that loss: tests/logs_real L1400-L1406)
    "rl_tail_fraction": 0.5,      # the RL shares are judged on the trailing half of their points (the run as it
                                  # ended, not its first steps) (proposed; 0.25..1.0 equal on the calibration half)
    "truncation_share": 0.2,      # completions/clipped_ratio median >= 0.2: a fifth of the answers cut at
                                  # max_completion_length (proposed: no published number; DAPO 3.4 filters every
                                  # truncated sample). Flat over 0.1..0.8 on the calibration half (3 of 3 positives, 0 fp;
                                  # source: tests/logs_real, P 1.00 / R 1.00 on the test half: 1 positive, weak evidence)
    "truncation_min_points": 1,   # one logged window already states its share (TRL averages over logging_steps)
    "zero_std_share": 0.5,        # frac_reward_zero_std median >= 0.5: half of the groups give no gradient (proposed:
                                  # DAPO 3.2 over-samples to drop every such group; no published threshold). 0.3 = 0.5
                                  # (3 of 3 calibration positives, 0 fp), 0.7 and 0.9 lose 2 of 3 (source: tests/logs_real;
                                  # no positive on the test half: recall unmeasured, 0 fp on its 4 RL logs)
    "zero_std_min_points": 1,     # points of frac_reward_zero_std (or reward_std) needed
    "zero_std_eps": 1e-12,        # a reward_std at or below this is 0 (fallback for TRL < 0.18)
}

#: Highest severity each runtime signal is reported at (a cap: a check may choose lower, e.g.
#: ``lr-never-changes`` at info while the loss still falls). A signal that did not reach recall
#: >= 90% and precision >= 95% on the test half of tests/logs_real ships at ``info`` (issue 16;
#: numbers in docs/diagnose.md). :func:`~stablint.trends.signals.measure` applies it.
SEVERITY: dict[str, str] = {name: "error" for name in SIGNALS}
SEVERITY.update({
    "loss-spike": "info",                   # P 0.78 / R 0.88 on 34 test logs
    "loss-divergence": "info",              # P 0.67 / R 1.00
    "loss-plateau": "info",                 # P 1.00 / R 0.75
    "early-collapse-then-plateau": "info",  # P 0.00 (2 false positives, no positive)
    "clip-saturation": "info",              # unmeasured: no real log in the corpus states its clip threshold
    "lr-cut-too-late": "info",              # recall unmeasured (no labelled positive)
    "overfitting": "info",                  # P 0.88 / R 0.88
    "early-grad-spike": "info",             # label rule = detector: no independent evidence
    "initial-loss-high": "info",            # label rule = detector: no independent evidence
    "completion-truncation": "info",        # issue 15: P 1.00 / R 1.00 on the test half, but 1 log there carries
                                            # the metric (1 positive): too few to show P >= 0.95 / R >= 0.9
    "reward-zero-std": "info",              # issue 15: 0 fp on 3 test-half RL logs, 0 positives (recall unmeasured)
})
# kept: nonfinite-values (a NaN/Inf in the log is a fact; 0 false positives on 65 logs), grad-norm-growth
# (P 1.00 / R 1.00, 0 false positives on 65 logs), lr-never-changes (P 1.00 / R 1.00; it picks info itself while the
# loss still falls).

#: Thresholds of the probe-only signals (:mod:`stablint.probes.signals_probe`), kept in this one
#: table with the runtime ones (issue 16). Sources in that module's docstring.
PROBE_THRESHOLDS: dict[str, float] = {
    "noise_ratio": 10.0,          # B_simple / B >= 10 (McCandlish et al. 2018; proposed). bench/validity: no value
                                  # reaches 0.9 (1 gives 0.75 on 4 calibration configs, 0.50 on 4 held-out, as 10);
                                  # kept, its verdicts are reported inconclusive (probes.verdicts.UNRELIABLE)
    "share_max": 0.95,            # one term's share of summed per-term grad norms (GradNorm); 0.9 -> 0.95 (source:
                                  # bench/validity, agreement 1.00 on 5 held-out configs, was 0.80; calibration 1.00)
    "share_steps": 0.8,           # ... on >= 80% of sampled steps
    "share_ratio": 10.0,          # max/min term ratio (reported, does not confirm alone)
    "ab_rel": 0.02,               # lr/3 A/B: val loss lower by > 2% of L0 (proposed). bench/validity: 0.1 agrees
                                  # 1.00 on 5 calibration configs but 0.60 on 5 held-out (0.02: 0.80); kept
    "lora_gain": 2.0,             # alpha x 4 run reaches >= 2 x the val-loss drop (seed 004; proposed). bench/validity:
                                  # flat over 1.1..5 (0.56 on 9 held-out configs: the gain is ~4 whenever the
                                  # adapter is in its linear regime); kept, confirmed reported inconclusive
    "lora_rel": 1e-4,             # relative LoRA update ||s BA|| / ||W0|| reported below this
    "upd_high": -1.0,             # median log10 update/weight ratio > -1: too fast (TheDeepChecker)
    "upd_low": -4.0,              # ... < -4: too slow (TheDeepChecker)
    "init_dev_ratio": DEFAULT_OPTIONS["init_loss_dev_ratio"],  # |L0 - ln C| >= 1.0 x ln C (same as diagnose)
}

#: Signal name → where its thresholds come from (printed with each finding as ``source``).
SOURCES: dict[str, str] = {
    "loss-spike": "OLMo 2 spike score (7 robust sigma over a rolling window; 4 for short runs), "
                  "docs/signals.md#loss-spike",
    "loss-plateau": "TheDeepChecker NonDecreasing (< 5% decrease per window), docs/signals.md#loss-plateau",
    "loss-divergence": "fastai/Lightning lr_find stop rule (smoothed loss > 4 x best, EMA 0.98), "
                       "docs/signals.md#loss-divergence",
    "early-collapse-then-plateau": "Karpathy recipe 'hockey stick' loss (init well); seed 001; "
                                   "docs/signals.md#early-collapse-then-plateau (proposed threshold)",
    "grad-norm-growth": "OPT-175B logbook and OLMo 2 (grad-norm growth precedes loss spikes), "
                        "docs/signals.md#grad-norm-growth (proposed threshold)",
    "clip-saturation": "Google Deep Learning Tuning Playbook (> 50% of updates clipped = extremely aggressive; "
                       "clip near the p90 of grad norms), docs/signals.md#clip-saturation",
    "lr-never-changes": "Tuning Playbook ('important to have some (non-constant) schedule'); seed 000, "
                        "docs/signals.md#lr-never-changes (proposed threshold)",
    "lr-cut-too-late": "seed 002 (ReduceLROnPlateau patience 10: best epoch 10, spike 13, cut 24); "
                       "docs/signals.md#lr-cut-too-late (proposed threshold)",
    "nonfinite-values": "SMD ExplodingTensor, AUTOTRAINER nan_loss; HF logging_nan_inf_filter "
                        "('grad_norm': NaN with 'loss': 0.0), docs/signals.md#nonfinite-values",
    "overfitting": "UMLAUT check_overfitting (eval up while train down), SMD Overfit, "
                   "docs/signals.md#overfitting",
    "early-grad-spike": "issue 16 short-log check (first logged grad norm far above the rest; proposed ratio), "
                        "docs/signals.md#early-grad-spike",
    "initial-loss-high": "TheDeepChecker Initial_Loss (dev_ratio 1.0); Karpathy recipe 'verify loss @ init'; "
                         "docs/signals.md#initial-loss-high",
    "completion-truncation": "TRL GRPOTrainer completions/clipped_ratio (completions without EOS); DAPO section 3.4 "
                             "(overlong filtering: truncated samples are reward noise), docs/signals.md#completion-truncation "
                             "(proposed threshold)",
    "reward-zero-std": "TRL GRPOTrainer frac_reward_zero_std; DAPO section 3.2 (dynamic sampling drops groups with "
                       "zero advantage), docs/signals.md#reward-zero-std (proposed threshold)",
}

#: Signal name → the trace series its finding points at (``Signal.field``; a check may name another).
FIELDS: dict[str, str] = {
    "loss-spike": "trace.loss", "loss-plateau": "trace.loss", "loss-divergence": "trace.loss",
    "early-collapse-then-plateau": "trace.loss", "grad-norm-growth": "trace.grad_norm",
    "clip-saturation": "trace.grad_norm", "lr-never-changes": "trace.lr", "lr-cut-too-late": "trace.lr",
    "nonfinite-values": "trace.loss", "overfitting": "trace.eval_loss", "early-grad-spike": "trace.grad_norm",
    "initial-loss-high": "trace.loss", "completion-truncation": "trace.completions/clipped_ratio",
    "reward-zero-std": "trace.frac_reward_zero_std",
}


def resolve_options(options: dict[str, Any] | None, trace: Trace) -> dict[str, Any]:
    """The options of one :func:`~stablint.trends.signals.measure` call.

    :data:`DEFAULT_OPTIONS`, then ``trace.meta["max_grad_norm"]``,
    ``trace.meta["warmup_steps"]`` (steps) and ``trace.meta["vocab_size"]`` when set, then ``options``: a ``None``
    value in ``options`` keeps the default of a known option (unknown keys are kept
    as given). Returns a new dict; never raises.
    """
    o = dict(DEFAULT_OPTIONS)
    if trace.meta.get("max_grad_norm") is not None:
        o["max_grad_norm"] = trace.meta["max_grad_norm"]
    for key in ("warmup_steps", "vocab_size"):
        if trace.meta.get(key) is not None:
            o[key] = trace.meta[key]
    for k, v in (options or {}).items():
        if v is not None or k not in o:
            o[k] = v
    return o
