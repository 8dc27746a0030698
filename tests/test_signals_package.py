"""The signals package: its import surface, how measure() composes the checks, and the lr-cut-too-late lag paths."""

from __future__ import annotations

import pytest

from stablint.trends import signals
from stablint.trends.readers import read_log
from stablint.trends.signals import SIGNALS, check_lr_cut_late, measure
from stablint.trends.signals.catalog import resolve_options
from stablint.trends.trace import StepRecord, Trace


def test_names_other_modules_import_stay_importable():
    # judge, report, plot, diagnose, the probe (incl. its private _g) and the benchmark import these
    for name in ("Check", "Signal", "analyze", "measure", "signal_findings", "points", "eval_series",
                 "steps_per_epoch", "horizon_steps", "lr_cuts", "SIGNALS", "DEFAULT_OPTIONS", "SOURCES", "_g"):
        assert hasattr(signals, name), name
    assert set(signals.__all__) <= set(dir(signals))
    assert signals._g(1.234567) == 1.235 and signals._g(None) is None


def test_measure_is_each_check_run_with_the_resolved_options():
    trace = read_log("tests/logs/seed002_late_lr_cut.json")
    got = measure(trace, {"spike_k": 3.0})
    o = resolve_options({"spike_k": 3.0}, trace)
    assert o["spike_k"] == 3.0 and resolve_options({"spike_k": None}, trace)["spike_k"] is None
    direct = {"loss-spike": signals.check_spikes(trace, o), "loss-divergence": signals.check_divergence(trace, o),
              "lr-cut-too-late": check_lr_cut_late(trace, o), "overfitting": signals.check_overfitting(trace, o),
              "nonfinite-values": signals.check_nonfinite(trace, o)}
    for name, check in direct.items():
        assert (got[name].fired, got[name].evidence, got[name].reason) == (check.fired, check.evidence, check.reason)
    assert got["loss-spike"].evidence["k"] == 3.0 and list(got) == list(SIGNALS)


def _run(best_step: int, cut_step: int | None, epochs: bool = False, evals: bool = False) -> Trace:
    """40 records every 10 steps: loss falls to its best at ``best_step`` then sits 30% higher; lr 1e-3 cut
    to 1e-4 at ``cut_step`` (None: never); epochs of 20 steps when ``epochs``; eval_loss every 50 steps."""
    recs = []
    for i in range(40):
        step = i * 10
        loss = 2.0 - step / best_step if step <= best_step else 1.3
        lr = 1e-4 if cut_step is not None and step >= cut_step else 1e-3
        recs.append(StepRecord(step=step, loss=loss, lr=lr, epoch=step / 20 if epochs else None,
                               eval_loss=loss + 0.1 if evals and step % 50 == 0 else None))
    return Trace(recs)


def test_late_cut_is_measured_in_epochs_when_known_else_as_a_share_of_the_run():
    o = resolve_options(None, Trace())
    by_share = check_lr_cut_late(_run(100, 300), o)
    # the lag runs to the last monitored point before the first new-LR step (290), which decided the cut
    assert by_share.fired and by_share.evidence["decided_at_step"] == 290 and by_share.evidence["lag_steps"] == 190
    assert by_share.evidence["lag_fraction"] == pytest.approx(190 / 390, rel=1e-3)
    assert "lag_epochs" not in by_share.evidence and "190 steps (49% of the run)" in by_share.result.message
    assert by_share.result.index == 10  # the record of the best loss
    by_epoch = check_lr_cut_late(_run(100, 300, epochs=True), o)
    assert by_epoch.fired and by_epoch.evidence["lag_epochs"] == 9.5 and "9.5 epochs" in by_epoch.result.message
    assert check_lr_cut_late(_run(280, 300), o).fired is False  # cut 20 steps (5%) after the best


def test_late_cut_monitors_eval_loss_when_evaluated():
    c = check_lr_cut_late(_run(100, 300, evals=True), resolve_options(None, Trace()))
    assert c.evidence["monitored"] == "eval_loss" and c.evidence["best_step"] == 100


def test_no_cut_fires_only_with_a_plateau_scheduler_and_a_long_stall():
    o = resolve_options(None, Trace())
    stalled = _run(100, None)
    assert check_lr_cut_late(stalled, o).fired is None
    c = check_lr_cut_late(stalled, {**o, "plateau_scheduler": True})
    assert c.fired and c.evidence["cuts"] == 0 and c.evidence["stall_steps"] == 290
    assert c.evidence["stall_fraction"] == pytest.approx(290 / 390, rel=1e-3)
    improving = check_lr_cut_late(_run(390, None), {**o, "plateau_scheduler": True})
    assert improving.fired is None and "still improving" in improving.reason


@pytest.mark.parametrize("patience,fires", [(5, False), (10, True)])
def test_a_plateau_scheduler_with_the_fixed_patience_passes_its_own_check(patience, fires):
    # epochs of 16 steps, eval after each epoch's last step; best eval after epoch 1; ReduceLROnPlateau
    # cuts after patience + 1 bad evaluations, effective from the next step (as the probe logs it)
    spe, best_epoch = 16, 1
    cut_step = (best_epoch + patience + 1) * spe
    recs = []
    for step in range(cut_step + 3 * spe):
        end = (step + 1) % spe == 0
        ev = (0.5 if (step + 1) // spe == best_epoch else 0.6) if end else None
        recs.append(StepRecord(step=step, loss=0.6, lr=1e-4 if step >= cut_step else 1e-3,
                               epoch=(step + 1) / spe, eval_loss=ev))
    c = check_lr_cut_late(Trace(recs), resolve_options(None, Trace()))
    assert c.evidence["lag_epochs"] == pytest.approx(patience + 1) and c.fired is fires
