"""Runtime signals on logs shaped after each seed write-up, the real corpus log, and a healthy run."""

from __future__ import annotations

import pytest

from stablint.trends.readers import read_log
from stablint.trends.signals import SIGNALS, analyze, lr_cuts, measure
from stablint.trends.trace import StepRecord, Trace

CORPUS_HF = "tests/corpus/hf_trainer_json/aigoncharov__trainer_state_viz__trainer_state.json"


def names(path, **opts):
    return {s.name: s for s in analyze(read_log(path), opts)}


def test_seed000_clip_saturation_growth_constant_lr_plateau():
    s = names("tests/logs/seed000_clip_saturation.jsonl", max_grad_norm=1.0)
    assert set(s) == {"clip-saturation", "grad-norm-growth", "lr-never-changes", "loss-plateau"}
    clip = s["clip-saturation"]
    assert clip.evidence["clip_rate"] >= 0.9 and clip.evidence["max"] > 18
    assert s["lr-never-changes"].severity == "warning"  # the loss plateaued while the LR stayed put
    assert s["grad-norm-growth"].evidence["ratio"] >= 4


def test_seed000_without_threshold_clip_is_not_measurable():
    checks = measure(read_log("tests/logs/seed000_clip_saturation.jsonl"))
    assert checks["clip-saturation"].fired is None and "max_grad_norm" in checks["clip-saturation"].reason


def test_seed001_early_collapse_then_plateau_not_plain_plateau():
    s = names("tests/logs/seed001_early_collapse.csv")
    assert set(s) == {"early-collapse-then-plateau"}
    assert s["early-collapse-then-plateau"].evidence["early_drop"] > 0.999


def test_seed001_per_epoch_cosine_is_not_a_plateau_cut():
    assert lr_cuts(read_log("tests/logs/seed001_early_collapse.csv")) == []


def test_seed002_spike_divergence_and_late_cut():
    s = names("tests/logs/seed002_late_lr_cut.json")
    assert {"loss-spike", "loss-divergence", "lr-cut-too-late"} <= set(s)
    late = s["lr-cut-too-late"]
    # the write-up: best around epoch 10, LR first cut at epoch 24
    assert late.evidence["best_step"] == 1100 and late.evidence["cut_step"] == 2450
    # the lag runs to the evaluation that decided the cut (step 2400), not to the LR log line (2450)
    assert late.evidence["decided_at_step"] == 2400 and late.evidence["lag_epochs"] == pytest.approx(13.0)
    assert 1200 <= s["loss-spike"].start_step <= 1400


def test_seed003_batch_one_spikes_and_no_progress():
    s = names("tests/logs/seed003_batch_one_no_progress.log")
    assert {"loss-spike", "loss-plateau"} <= set(s)
    assert s["loss-spike"].evidence["episodes"] == 2


def test_seed004_plateau():
    s = names("tests/logs/seed004_lora_plateau.log")
    assert set(s) == {"loss-plateau"}
    assert abs(s["loss-plateau"].evidence["total_decrease"]) < 0.05


def test_nan_signature_is_an_error():
    s = names("tests/logs/hf_nan_signature.json")
    nf = s["nonfinite-values"]
    assert nf.severity == "error" and nf.start_step == 1200 and nf.evidence["nan_grad_norm_with_zero_loss"] == 9


def test_healthy_run_has_no_finding():
    assert analyze(read_log("tests/logs/healthy_trainer_state.json"), {"max_grad_norm": 1.0}) == []


def test_corpus_trainer_state_overfitting_and_constant_lr():
    s = names(CORPUS_HF)
    assert set(s) == {"overfitting", "lr-never-changes"}
    assert s["overfitting"].evidence["series_overfitting"] == 6
    assert s["lr-never-changes"].severity == "info"  # the train loss kept falling


def test_every_check_reports_a_known_signal_and_codes_are_stl9xx():
    checks = measure(read_log(CORPUS_HF))
    assert list(checks) == list(SIGNALS)
    assert all(c.startswith("STL9") for c in SIGNALS.values())


def test_options_override_thresholds():
    t = read_log("tests/logs/seed000_clip_saturation.jsonl")
    assert "clip-saturation" not in {s.name for s in analyze(t, {"max_grad_norm": 25.0})}
    assert "grad-norm-growth" not in {s.name for s in analyze(t, {"grad_growth_factor": 10.0})}


def test_short_and_empty_traces_do_not_raise():
    assert analyze(Trace()) == []
    assert analyze(Trace([StepRecord(step=0, loss=1.0)])) == []
    checks = measure(Trace([StepRecord(step=i, loss=1.0) for i in range(3)]))
    assert checks["loss-plateau"].fired is None
