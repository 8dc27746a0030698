"""Issue 16: grad-norm growth as a monotonic trend, clip from files beside the log, short-log checks."""

from __future__ import annotations

import json
import math

from click.testing import CliRunner

from stablint.cli import cli
from stablint.trends.beside import read_beside
from stablint.trends.signals import measure
from stablint.trends.signals.trend import bin_medians, mann_kendall, theil_sen
from stablint.trends.trace import StepRecord, Trace


def _wiggle(i: int) -> float:
    """Deterministic noise in [-1, 1] (no RNG: the test cannot drift)."""
    return math.sin(i * 12.9898) * 0.9


def seed000_shape(start=1.4, end=17.7, steps=3000, every=10):
    """Seed 000 shape: pre-clip grad norm climbing linearly start -> end, loss flat, LR constant."""
    return Trace([StepRecord(step=s, loss=0.87 + 0.01 * _wiggle(s), lr=5e-5,
                             grad_norm=(start + (end - start) * s / steps) * math.exp(0.15 * _wiggle(s + 7)))
                  for s in range(0, steps + 1, every)])


def test_mann_kendall_and_theil_sen_known_values():
    s, z, p = mann_kendall([1, 2, 3, 4, 5])
    # Gilbert (1987) §16.4: S = 10, Var S = 5*4*15/18, Z = (S - 1)/sqrt(Var S)
    assert s == 10 and math.isclose(z, 9 / math.sqrt(50 / 3)) and math.isclose(p, 0.5 * math.erfc(z / math.sqrt(2)))
    assert mann_kendall([3, 3, 3, 3])[2] == 1.0  # all ties: no trend
    assert mann_kendall([5, 4, 3, 2, 1])[2] > 0.95
    slope, icpt = theil_sen([0, 1, 2, 3, 4, 5], [1, 3, 5, 7, 100, 11])  # y = 2x + 1 with one outlier
    assert slope == 2 and icpt == 1
    bx, by = bin_medians(list(range(100)), list(range(100)), 10)
    assert len(by) == 10 and by[0] == 4.5 and by[-1] == 94.5


def test_seed000_steady_growth_is_reported_although_the_old_ratio_would_hide_it():
    c = measure(seed000_shape(), {"max_grad_norm": 1.0})["grad-norm-growth"]
    assert c.fired, c.evidence
    assert c.evidence["fitted_growth"] >= 3 and c.evidence["mk_p"] < 0.01
    # the former criterion: late/early median ratio after a 10% warm-up cut, 4x: below it here
    pts = [r.grad_norm for r in seed000_shape().records]
    cut = pts[len(pts) // 10:]
    q = len(cut) // 5
    early, late = sorted(cut[:q])[q // 2], sorted(cut[-q:])[q // 2]
    assert late / early < 4
    assert measure(seed000_shape(), {"max_grad_norm": 1.0})["clip-saturation"].fired


def test_no_growth_finding_for_flat_falling_or_small_growth():
    for start, end in ((3.0, 3.0), (10.0, 2.0), (2.0, 3.8)):
        c = measure(seed000_shape(start, end))["grad-norm-growth"]
        assert c.fired is False, (start, end, c.evidence)


def test_a_warm_up_rise_does_not_count_when_warm_up_steps_are_known():
    t = seed000_shape(1.0, 1.0)
    for r in t.records[:30]:  # warm-up: grad norm rises 0.1 -> 1, then flat
        r.grad_norm = 0.1 + 0.9 * r.step / 300
    assert measure(t, {"warmup_steps": 300})["grad-norm-growth"].fired is False


def test_clip_warmup_and_vocab_come_from_files_beside_the_log(tmp_path):
    log = tmp_path / "trainer_state.json"
    hist = [{"step": s, "loss": 11.0 if s == 10 else 3.0, "grad_norm": 4.0 + (s % 3), "learning_rate": 1e-4}
            for s in range(10, 410, 10)]
    log.write_text(json.dumps({"log_history": hist, "max_steps": 400}))
    (tmp_path / "training_args.json").write_text(json.dumps({"max_grad_norm": 1.0, "warmup_ratio": 0.1}))
    (tmp_path / "config.json").write_text(json.dumps({"vocab_size": 100}))
    b = read_beside(str(log), 400)
    assert (b["max_grad_norm"], b["warmup_steps"], b["vocab_size"]) == (1.0, 40, 100)
    doc = json.loads(CliRunner().invoke(cli, ["diagnose", str(log), "--format", "json"]).output)
    assert doc["checks"]["clip-saturation"]["fired"] is True
    assert doc["checks"]["initial-loss-high"]["fired"] is True  # 11.0 >= 2 x ln(100) = 9.2
    assert doc["trace"]["max_grad_norm_source"].endswith("training_args.json (max_grad_norm)")
    (tmp_path / "training_args.json").write_text(json.dumps({"max_grad_norm": 0}))  # clipping off
    doc = json.loads(CliRunner().invoke(cli, ["diagnose", str(log), "--format", "json"]).output)
    assert doc["checks"]["clip-saturation"]["fired"] is None


def test_short_log_gets_the_checks_that_make_sense():
    """Issue 16's 4-entry real log shape: grad norm 47.8 at loss 8.3, then 2.2."""
    t = Trace([StepRecord(step=s, loss=l, grad_norm=g) for s, l, g in
               ((1, 8.3, 47.8), (10, 3.1, 2.2), (20, 2.6, 2.0), (30, 2.4, 2.3))])
    c = measure(t)
    assert c["early-grad-spike"].fired and c["early-grad-spike"].evidence["ratio"] > 20
    assert c["early-grad-spike"].result.severity == "info"
    assert c["initial-loss-high"].fired is None  # vocabulary unknown: not guessed
    assert measure(t, {"vocab_size": 100})["initial-loss-high"].fired is False  # 8.3 < 2 x ln 100 = 9.2
    assert measure(t, {"vocab_size": 4})["initial-loss-high"].fired is True  # 8.3 >= 2 x ln 4
